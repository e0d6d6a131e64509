/**
 * The mission planner (spec E02–E06): when each target's attempts start, under business hours,
 * avoid windows, not_before/not_after, batch_size, spacing and one live call per line. Pure and
 * deterministic: the run workflow plans each batch with it and the dry run plans the whole
 * mission with it, so both give the same times.
 */
import { CLOSING_MARGIN_MS, localParts, nextAllowedStart, nextBusinessDayOpening, type CallWindowRules } from './business-hours';
import { NO_ANSWER_DELAY_MINUTES, type AttemptOutcome, type EventKind } from './missions';
import { SERVICE_LUNCH, type MissionSpec, type SpecTarget } from './mission-spec';

/** The window rules of one target: its zone, the spec's hours and avoid list (lunch for `service`). */
export function windowRules(spec: MissionSpec, target: SpecTarget): CallWindowRules {
  return {
    zone: target.timezone,
    businessHours: spec.schedule.businessHours,
    avoid: spec.schedule.avoid ?? (target.kind === 'service' ? [SERVICE_LUNCH] : []),
    closingMarginMs: CLOSING_MARGIN_MS,
    notBefore: spec.schedule.notBefore,
    notAfter: spec.schedule.notAfter,
  };
}

export interface PlannedStart {
  phone: string;
  /** The line that places the call (round robin over the account's lines). */
  from: string;
  /** Epoch ms, or null when no allowed slot remains before `not_after`. */
  at: number | null;
}

/**
 * Start times of one batch: each call at its target's next allowed slot, at least `spacing` after
 * the previous start of the mission (`lastStart`), never before `earliest`.
 */
export function planBatch(spec: MissionSpec, batch: SpecTarget[], earliest: number, lastStart: number | null, lines: string[], lineOffset = 0): PlannedStart[] {
  let cursor = lastStart === null ? earliest : Math.max(earliest, lastStart + spec.throttle.spacingMs);
  return batch.map((target, i) => {
    const at = nextAllowedStart(cursor, windowRules(spec, target));
    if (at !== null) cursor = at + spec.throttle.spacingMs;
    return { phone: target.phone, from: lines[(lineOffset + i) % lines.length], at };
  });
}

/** The retry delays of a declarative call (E05), in minutes. */
export interface RetryDelays {
  busy: [number, number];
  failed: [number, number];
}

/**
 * When the next attempt may start after `outcome` (E05/E06), or null when the outcome is final or
 * no slot remains: a deterministic jitter (`unit` in [0, 1) from the workflow's RNG) inside the
 * range, then moved into an allowed slot. `professional` no-answers wait for the next business day.
 */
export function retryStart(window: CallWindowRules, delays: RetryDelays, kind: EventKind, outcome: AttemptOutcome, endedAt: number, unit: number): number | null {
  let range: [number, number] | null = null;
  if (outcome.call_status === 'busy') range = delays.busy;
  else if (outcome.call_status === 'failed') range = delays.failed;
  else if (outcome.call_status === 'no-answer' || outcome.outcome === 'voicemail') {
    if (kind === 'professional') {
      const opening = nextBusinessDayOpening(endedAt, window);
      return opening === null ? null : nextAllowedStart(opening + unit * 60 * 60_000, window);
    }
    range = NO_ANSWER_DELAY_MINUTES[kind];
  }
  if (!range) return null;
  const minutes = range[0] + unit * (range[1] - range[0]);
  return nextAllowedStart(endedAt + minutes * 60_000, window);
}

/** A call's expected length, for the dry run's estimate of when lines and batches free up. */
export const EXPECTED_CALL_MS = 3 * 60_000;

export interface DryRunTarget {
  name: string;
  phone: string;
  timezone: string;
  kind: string;
  from: string | null;
  first_attempt_at: string | null;
  /** The same instant on the callee's wall clock, `YYYY-MM-DDTHH:MM` (zone in `timezone`). */
  first_attempt_local: string | null;
  skipped: string | null;
}

export interface DryRunPlan {
  targets: DryRunTarget[];
  batches: number;
  expected_end: string | null;
}

const pad = (n: number) => String(n).padStart(2, '0');
function localText(ms: number, zone: string): string {
  const p = localParts(ms, zone);
  return `${p.year}-${pad(p.month)}-${pad(p.day)}T${pad(p.hour)}:${pad(p.minute)}`;
}

/**
 * The whole schedule of a mission started at `now`, as the run workflow would plan it if every
 * call were answered and lasted EXPECTED_CALL_MS: batches of `batch_size`, each starting once the
 * previous one has ended, one call per line at a time.
 */
export function planMission(spec: MissionSpec, now: number, lines: string[]): DryRunPlan {
  const out: DryRunTarget[] = [];
  let earliest = now;
  let lastStart: number | null = null;
  let end: number | null = null;
  let batches = 0;
  const lineFree = new Map(lines.map((l) => [l, now]));
  for (let i = 0; i < spec.targets.length; i += spec.throttle.batchSize) {
    const batch = spec.targets.slice(i, i + spec.throttle.batchSize);
    batches += 1;
    let batchEnd = earliest;
    const planned = planBatch(spec, batch, earliest, lastStart, lines, i);
    planned.forEach((p, j) => {
      const target = batch[j];
      let at = p.at;
      // One live call per line: a call waits for its line to be free again.
      if (at !== null && lineFree.get(p.from)! > at) at = nextAllowedStart(lineFree.get(p.from)!, windowRules(spec, target));
      if (at !== null) {
        lastStart = Math.max(lastStart ?? at, at);
        lineFree.set(p.from, at + EXPECTED_CALL_MS);
        batchEnd = Math.max(batchEnd, at + EXPECTED_CALL_MS);
        end = Math.max(end ?? 0, at + EXPECTED_CALL_MS);
      }
      out.push({
        name: target.name,
        phone: target.phone,
        timezone: target.timezone,
        kind: target.kind,
        from: at === null ? null : p.from,
        first_attempt_at: at === null ? null : new Date(at).toISOString(),
        first_attempt_local: at === null ? null : localText(at, target.timezone),
        skipped: at === null ? 'no allowed calling slot before not_after' : null,
      });
    });
    earliest = batchEnd;
  }
  return { targets: out, batches, expected_end: end === null ? null : new Date(end).toISOString() };
}
