/**
 * Messages and inputs of the missions workflows (mission runs, scheduled events, ad-hoc calls,
 * approvals). Light: the API imports this module, never the workflow code.
 */
import { defineSignal, defineUpdate } from '@temporalio/workflow';
import type { EventKind } from '../../common/missions';

export interface MissionRunInput {
  runId: string;
  missionId: string;
  accountId: string;
  /** Milliseconds without writes after which a run with no open events fails ("abandoned"). */
  idleTimeoutMs: number;
  /** Carried over continue-as-new; a new run starts `pending`. */
  status?: string;
}

export interface RunPatch {
  /** Canonical status (aliases already resolved by the API). */
  status?: string;
  result_summary?: string;
  result_payload?: Record<string, unknown>;
}

/** PATCH …/runs/{r}: validated against the run's status, persisted before the reply. */
export const updateRunUpdate = defineUpdate<{ status: string }, [RunPatch]>('updateRun');
/** Any other write to the run (plan, steps, events, memory, links) resets the idle timer. */
export const touchRunSignal = defineSignal('touchRun');

export interface ScheduledEventInput {
  eventId: string;
  accountId: string;
  assistantId: string;
  channel: 'call' | 'sms';
  to: string;
  from: string;
  /** Epoch ms. */
  scheduledAt: number;
  textBody: string | null;
  missionId: string | null;
  runId: string | null;
  stepId: string | null;
  kind: EventKind;
  /** TEST/DEMO knob `mission_time_scale`: every wait is multiplied by it (1 = real time). */
  timeScale: number;
  /** Scheduled on a paused run: no attempt starts before `resumeEvent`. */
  startPaused?: boolean;
}

/** DELETE …/events/{e}: a pending event never dials; a live call is hung up. */
export const cancelEventUpdate = defineUpdate<{ status: string }>('cancelEvent');

/** The run was paused: no new attempt starts (a live call finishes). */
export const pauseEventSignal = defineSignal('pauseEvent');
/** The run was resumed: an overdue attempt starts now. */
export const resumeEventSignal = defineSignal('resumeEvent');

export interface AdHocCallInput {
  callId: string;
  accountId: string;
  from: string;
  to: string;
}

/** POST /v1/calls/{c}/end: hangs up; answers once the call has ended. */
export const endCallUpdate = defineUpdate<{ status: string }>('endCall');

export interface ApprovalInput {
  approvalId: string;
  /** Milliseconds until the request expires (already time-scaled). */
  expiresInMs: number;
}

export interface ApprovalDecision {
  decision: 'approved' | 'denied';
  note?: string | null;
}

/** POST /v1/approvals/{id}/approve|deny: the first decision wins, later ones get 409. */
export const decideApprovalUpdate = defineUpdate<{ status: string }, [ApprovalDecision]>('decideApproval');
