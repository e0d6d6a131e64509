/** Wire shapes of the /v1 resources (spec §3), from database rows. */
import type { Approval, Assistant, CallRecord, Insight, Mission, MissionRun, PhoneLine, PlanStep, RunEvent, ScheduledEvent } from '../../generated/prisma/sqlite/client';
import { runWorkflowId } from '../../common/missions';
import { iso, parseJson } from './common';

export function missionView(m: Mission, latestRun: MissionRun | null) {
  return {
    id: m.id,
    mission_id: m.id,
    name: m.name,
    instructions: m.instructions,
    slug: m.slug,
    mode: m.mode,
    latest_run_id: m.latestRunId,
    status: latestRun?.status ?? 'idle',
    created_at: iso(m.createdAt),
    updated_at: iso(m.updatedAt),
  };
}

export function runView(r: MissionRun) {
  return {
    id: r.id,
    run_id: r.id,
    mission_id: r.missionId,
    status: r.status,
    input: parseJson(r.inputJson, {}),
    result_summary: r.resultSummary,
    result_payload: parseJson(r.resultPayloadJson, null),
    workflow_id: runWorkflowId(r.id),
    created_at: iso(r.createdAt),
    updated_at: iso(r.updatedAt),
  };
}

export const stepView = (s: PlanStep) => ({ step_id: s.stepId, description: s.description, sequence: s.sequence, status: s.status, updated_at: iso(s.updatedAt) });

export const runEventView = (e: RunEvent) => ({
  id: e.id,
  seq: e.seq,
  type: e.type,
  summary: e.summary,
  agent_id: e.agentId,
  step_id: e.stepId,
  payload: parseJson(e.payloadJson, null),
  created_at: iso(e.createdAt),
});

export const assistantView = (a: Assistant) => ({
  id: a.id,
  name: a.name,
  instructions: a.instructions,
  description: a.description,
  model: a.model,
  greeting: a.greeting,
  voice: a.voice,
  tools: parseJson(a.toolsJson, []),
  enabled_features: parseJson(a.featuresJson, []),
  insights: parseJson(a.insightsJson, null),
  created_at: iso(a.createdAt),
  updated_at: iso(a.updatedAt),
});

export const phoneView = (p: PhoneLine) => ({ id: p.id, phone_number: p.number, connection_id: p.connectionId, type: p.connectionType, driver: p.driver });

export const eventView = (e: ScheduledEvent) => ({
  id: e.id,
  assistant_id: e.assistantId,
  channel: e.channel,
  to: e.to,
  from: e.from,
  scheduled_at: iso(e.scheduledAt),
  text_body: e.textBody,
  mission_id: e.missionId,
  run_id: e.runId,
  step_id: e.stepId,
  status: e.status,
  call_status: e.callStatus,
  conversation_id: e.conversationId,
  retry_count: e.retryCount,
  next_attempt_at: iso(e.nextAttemptAt),
  outcome: e.outcome,
  workflow_id: `event-${e.id}`,
  created_at: iso(e.createdAt),
});

export const insightView = (i: Insight) => ({
  id: i.id,
  name: i.name,
  status: i.status,
  conversation_insights: i.status === 'completed' ? [{ result: i.result, structured: parseJson(i.structuredJson, null) }] : [],
  ...(i.error ? { reason: i.error } : {}),
  created_at: iso(i.createdAt),
});

export function callView(c: CallRecord) {
  const end = c.endedAt ?? (c.answeredAt ? new Date() : null);
  return {
    call_id: c.id,
    status: c.status,
    to: c.to,
    from: c.from,
    duration_seconds: c.answeredAt && end ? Math.max(0, Math.round((end.getTime() - c.answeredAt.getTime()) / 1000)) : 0,
    reason: c.reason,
    outcome: c.outcome,
    conversation_id: c.id,
    created_at: iso(c.createdAt),
  };
}

export const approvalView = (a: Approval) => ({
  request_id: a.id,
  id: a.id,
  status: a.status,
  action: a.action,
  details: a.details,
  require_biometric: a.requireBiometric,
  expires_at: iso(a.expiresAt),
  decided_at: iso(a.decidedAt),
  note: a.note,
  created_at: iso(a.createdAt),
});

/** A declarative run's gate: its approval, with the gate's step id and the kept targets. */
export const gateView = (a: Approval) => ({
  gate_id: a.gateId,
  ...approvalView(a),
  selection: parseJson<string[] | null>(a.selectionJson, null),
});
