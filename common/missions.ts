/**
 * Rules of the missions plane shared by the API and the workflows (spec §4, §6): status models,
 * retry tables, slugs, workflow ids. I/O-free, safe to import from workflows.
 */

export const RUN_STATUSES = ['pending', 'running', 'paused', 'succeeded', 'failed', 'cancelled'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
export const RUN_TERMINAL: ReadonlySet<string> = new Set(['succeeded', 'failed', 'cancelled']);
const RUN_ALIASES: Record<string, RunStatus> = { completed: 'succeeded', canceled: 'cancelled' };

/** The run status a caller meant (aliases `completed`, `canceled`), or null when unknown. */
export function canonicalRunStatus(status: unknown): RunStatus | null {
  if (typeof status !== 'string') return null;
  const s = RUN_ALIASES[status] ?? status;
  return (RUN_STATUSES as readonly string[]).includes(s) ? (s as RunStatus) : null;
}

/** `pending → running → terminal`, `pending → terminal`, `running ⇄ paused`, paused → terminal. */
export function runTransitionAllowed(from: string, to: RunStatus): boolean {
  if (from === to) return true;
  if (RUN_TERMINAL.has(from)) return false;
  if (RUN_TERMINAL.has(to)) return true;
  if (from === 'pending') return to === 'running';
  if (from === 'running') return to === 'paused';
  if (from === 'paused') return to === 'running';
  return false;
}

export const STEP_STATUSES = ['pending', 'in_progress', 'completed', 'failed', 'skipped'] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];
export const STEP_TERMINAL: ReadonlySet<string> = new Set(['completed', 'failed', 'skipped']);

/** `pending → in_progress → terminal`, `pending → terminal`, `failed → in_progress`. */
export function stepTransitionAllowed(from: string, to: string): boolean {
  if (from === to) return true;
  if (from === 'pending') return to !== 'pending';
  if (from === 'in_progress') return STEP_TERMINAL.has(to);
  if (from === 'failed') return to === 'in_progress';
  return false;
}

export const STEP_ID_PATTERN = /^[A-Za-z0-9._~-]{1,64}$/;
export const RUN_EVENT_TYPES = ['tool_call', 'custom', 'message', 'error', 'step_started', 'step_completed'] as const;

/** The CLI's slugify: lower case, non-alphanumerics to `-`, runs collapsed, ends trimmed. */
export function slugify(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, '-').replace(/-+/g, '-').replace(/^-+|-+$/g, '');
}

export type CallStatus = 'ringing' | 'in-progress' | 'completed' | 'no-answer' | 'busy' | 'failed' | 'canceled';
export const CALL_TERMINAL: ReadonlySet<string> = new Set(['completed', 'no-answer', 'busy', 'failed', 'canceled']);
export type EventStatus = 'pending' | 'in_progress' | 'completed' | 'failed' | 'cancelled';
export const EVENT_TERMINAL: ReadonlySet<string> = new Set(['completed', 'failed', 'cancelled']);

/** What one dial attempt came to (spec §4 driver mapping). */
export interface AttemptOutcome {
  call_status: Exclude<CallStatus, 'ringing' | 'in-progress'>;
  /** `answered` or `voicemail` when `call_status` is `completed`. */
  outcome: 'answered' | 'voicemail' | null;
  /** The call record (`conversation_id`) of this attempt. */
  call_id: string;
  detail?: string;
}

export type EventKind = 'automated' | 'service' | 'professional';

/**
 * E05/E06: minutes to wait before the next attempt (a [min, max] range, jittered by the
 * workflow's deterministic RNG), and the attempt budget by kind. Compat events use `service`.
 * `professional`'s "next business day" needs business hours (declarative only): it is
 * approximated as 24 h + 0–60 min here.
 */
export const RETRY_DELAY_MINUTES: Record<'busy' | 'failed', [number, number]> = { busy: [10, 15], failed: [5, 10] };
export const NO_ANSWER_DELAY_MINUTES: Record<EventKind, [number, number]> = { automated: [5, 15], service: [30, 120], professional: [24 * 60, 25 * 60] };
export const MAX_ATTEMPTS: Record<EventKind, number> = { automated: 4, service: 3, professional: 2 };

/** The retry delay range for an outcome, or null when the outcome is final. */
export function retryDelayRange(outcome: AttemptOutcome, kind: EventKind): [number, number] | null {
  if (outcome.call_status === 'busy' || outcome.call_status === 'failed') return RETRY_DELAY_MINUTES[outcome.call_status];
  if (outcome.call_status === 'no-answer' || outcome.outcome === 'voicemail') return NO_ANSWER_DELAY_MINUTES[kind];
  return null;
}

/**
 * E06: answering-machine detection and the voicemails a target may get across all its attempts,
 * by kind. `automated` targets are machines themselves (IVRs, hotlines): AMD would hang up on them.
 */
export const AMD_BY_KIND: Record<EventKind, boolean> = { automated: false, service: true, professional: true };
export const VOICEMAIL_BUDGET: Record<EventKind, number> = { automated: 0, service: 1, professional: 1 };

/**
 * E07: what the line does when a machine answers this attempt. `leave_message` and `hang_up` are
 * AMD's two answers (both end `completed`/`voicemail`, retried like no-answer); `undetected`
 * (AMD off) never classifies the machine: nobody speaks, nothing is said into it, and the line
 * reports `no-answer`, so such a target is retried and ends like one nobody picks up.
 */
export type MachinePolicy = 'leave_message' | 'hang_up' | 'undetected';

/** The policy of the next attempt, given how many voicemails this target already got. */
export function machinePolicy(amd: boolean, budget: number, left: number): MachinePolicy {
  if (!amd) return 'undetected';
  return left < budget ? 'leave_message' : 'hang_up';
}

/** The call record's `reason` a line reports for each policy when a machine answered. */
export const MACHINE_REASONS: Record<MachinePolicy, string> = {
  leave_message: 'voicemail: message left',
  hang_up: 'voicemail: hung up on the machine (voicemail budget spent)',
  undetected: 'no-answer: a machine answered; AMD is off, so no message was left',
};

export const runWorkflowId = (runId: string) => `run-${runId}`;
export const eventWorkflowId = (eventId: string) => `event-${eventId}`;
export const callWorkflowId = (callId: string) => `call-${callId}`;
export const approvalWorkflowId = (approvalId: string) => `approval-${approvalId}`;

/** RFC 7396 JSON merge patch: objects merge, `null` deletes, anything else replaces. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> = typeof target === 'object' && target !== null && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [k, v] of Object.entries(patch as Record<string, unknown>)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}
