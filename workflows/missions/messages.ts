/**
 * Messages and inputs of the missions workflows (mission runs, scheduled events, ad-hoc calls,
 * approvals). Light: the API imports this module, never the workflow code.
 */
import { defineSignal, defineUpdate } from '@temporalio/workflow';
import type { CallWindowRules } from '../../common/business-hours';
import type { EventKind } from '../../common/missions';
import type { MissionSpec } from '../../common/mission-spec';
import type { TargetOutcome } from '../../common/mission-results';

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
  /** A cancel only: `false` lets live calls finish (§5c cancel `hangup`); absent means hang up. */
  hangup?: boolean;
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
  /** Set for the calls of a declarative run only: the run's planner rules for this target. */
  plan?: DeclarativeCallPlan;
  /** The patches this event started with (EVENT_PATCHES): they apply without a patch marker. */
  patches?: string[];
}

/**
 * The event workflow's patches, for every event started from now on (`ScheduledEventInput.patches`).
 * A new event has no old code path to replay, so it records no marker for them. Each marker made
 * the server also upsert the `TemporalChangeVersion` search attribute, a visibility write. An
 * event started before this list existed has no `patches` and decides each patch with `patched()`.
 * A later patch of the event is decided with `patched()` until it joins this list.
 */
export const EVENT_PATCHES = ['voicemail-budget', 'stop-before-dial', 'mission-local-writes', 'insights-local'];

/**
 * How an event ended: its projection's final status and retries, and (since
 * EVENT_OUTCOME_PATCH) its last call and that call's insights, so the run need not read them
 * back. `insights` is absent when the insight was extracted by a worker that did not return it.
 */
export interface EventOutcome {
  status: string;
  retry_count: number;
  call_status?: string | null;
  conversation_id?: string | null;
  insights?: Record<string, unknown> | null;
}

/** How a declarative run's call is placed and retried (spec E02, E05–E08, E14). */
export interface DeclarativeCallPlan {
  /** Every attempt (first, retries, after a resume) starts inside this window. */
  window: CallWindowRules;
  busy: [number, number];
  failed: [number, number];
  maxAttempts: number;
  /** E06/E07: answering-machine detection, and the voicemails the target may get in all. */
  amd: boolean;
  voicemails: number;
  /** The per-event prompt (negotiation findings); null = the assistant's instructions. */
  instructions: string | null;
  /** The insight template: the spec's schema (plus rubric scores). */
  insightTemplate: { name: string; instructions: string; schema: Record<string, unknown> };
}

/**
 * The run that owns the event stops it: `hangup: true` cancels it now (a live call is hung
 * up); `hangup: false` (stop_when) cancels a waiting event but lets a live call finish, unretried.
 */
export const stopEventSignal = defineSignal<[{ hangup: boolean }]>('stopEvent');

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
  /** A gate's approval may narrow the next round's targets (E.164 numbers). */
  selection?: string[] | null;
}

/** One declarative run (`run-<id>`, spec §5a): the workflow owns plan, events, gates and result. */
export interface DeclarativeRunInput {
  runId: string;
  missionId: string;
  accountId: string;
  spec: MissionSpec;
  /** The account's lines, dialled round robin. */
  lines: string[];
  assistantId: string;
  /** `act.to: "owner"`. */
  ownerPhone: string;
  /** TEST/DEMO knob `mission_time_scale`: every wait is multiplied by it. */
  timeScale: number;
  /** Carried over continue-as-new. */
  state?: DeclarativeState;
  /**
   * Batches per run before continue-as-new, even before Temporal suggests it (history size);
   * absent = only when suggested. Replay recording uses a small one to reach that path quickly.
   */
  batchesPerRun?: number;
}

/** What a declarative run has done so far (small: it crosses continue-as-new). */
export interface DeclarativeState {
  status: string;
  /** Index of the plan phase being worked on, and of the next target within it. */
  phase: number;
  cursor: number;
  lastStart: number | null;
  baseInstructions: string;
  outcomes: Record<string, TargetOutcome[]>;
  gates: Array<{ gate_id: string; request_id: string; status: string; selection: string[] | null }>;
  stoppedEarly: boolean;
  selection: string[] | null;
  action: Record<string, unknown> | null;
}

/** POST /v1/approvals/{id}/approve|deny: the first decision wins, later ones get 409. */
export const decideApprovalUpdate = defineUpdate<{ status: string }, [ApprovalDecision]>('decideApproval');
