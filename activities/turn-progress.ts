/**
 * The one-activity turn's parts (caller policy, ASR, LLM, TTS, commit) keep the limits they had
 * as separate local activities, and Temporal keeps owning the retries:
 *
 * - each part runs under its own deadline: a stage's start-to-close, cut to what is left of its
 *   schedule-to-close (STAGE_BUDGETS); bookkeeping's per-attempt limit;
 * - a part that fails fails the activity's attempt with that error, and Temporal retries the
 *   activity. The retry resumes at the part that failed: finished parts are kept here, per turn,
 *   so they are never redone (issue 14: "retries never redo finished work");
 * - a stage that has used its attempts or its budget, or was refused by its provider, fails the
 *   activity for good (a non-retryable failure), which the workflow answers with the contract's
 *   error; bookkeeping is retried until the database answers, as before.
 *
 * Progress lives in the worker process, like a local activity's own retries: a worker that dies
 * mid-turn loses it, and the turn's replay on another worker runs every part again. That is what
 * the five local activities did too, since their markers were recorded only with the workflow
 * task that ran them all.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { BOOKKEEPING_ATTEMPT_MS, NON_RETRYABLE_STAGE_ERRORS, STAGE_BUDGETS, STAGE_RETRY_INITIAL_MS, type StageName } from '../common/turn-stages';
import { stageScope } from '../infra/speech/admission';

/** A part ran past its deadline. */
export class PartTimedOut extends Error {
  constructor(part: string, ms: number) {
    super(`${part} timed out after ${ms} ms`);
  }
}
Object.defineProperty(PartTimedOut.prototype, 'name', { value: 'PartTimedOut', enumerable: true });

interface Limits {
  attemptMs: number;
  budgetMs: number;
  maxAttempts: number;
}

interface PartState {
  done?: { value: unknown };
  attempts: number;
  firstStartedAt: number;
}

/** How long a turn's progress waits for the next attempt before it is forgotten. */
const PROGRESS_TTL_MS = 120_000;

/** One turn's parts, across the attempts of its activity. */
export class TurnProgress {
  private readonly parts = new Map<string, PartState>();

  /** Parts that actually ran, in order, attempts included (for tests and logs). */
  readonly ran: string[] = [];

  /** A provider stage: at most its maximumAttempts, each within startToClose, all within scheduleToClose. */
  stage<T>(name: StageName, run: () => Promise<T>): Promise<T> {
    const b = STAGE_BUDGETS[name];
    return this.part(name, { attemptMs: b.startToCloseMs, budgetMs: b.scheduleToCloseMs, maxAttempts: b.maximumAttempts }, run);
  }

  /** Database writes: each attempt bounded, retried until the database answers. */
  bookkeeping<T>(name: string, run: () => Promise<T>): Promise<T> {
    return this.part(name, { attemptMs: BOOKKEEPING_ATTEMPT_MS, budgetMs: Infinity, maxAttempts: Infinity }, run);
  }

  private async part<T>(name: string, limits: Limits, run: () => Promise<T>): Promise<T> {
    let state = this.parts.get(name);
    if (!state) this.parts.set(name, (state = { attempts: 0, firstStartedAt: Date.now() }));
    if (state.done) return state.done.value as T;
    state.attempts += 1;
    this.ran.push(name);
    const now = Date.now();
    const deadline = Math.min(now + limits.attemptMs, state.firstStartedAt + limits.budgetMs);
    const abort = new AbortController();
    const activitySignal = activityCancellation();
    const onCancel = () => abort.abort(activitySignal?.reason);
    activitySignal?.addEventListener('abort', onCancel, { once: true });
    let timer: NodeJS.Timeout | undefined;
    try {
      const timedOut = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          const err = new PartTimedOut(name, deadline - now);
          abort.abort(err);
          reject(err);
        }, Math.max(0, deadline - now));
      });
      const value = await Promise.race([stageScope.run({ deadline, signal: abort.signal }, run), timedOut]);
      state.done = { value };
      return value;
    } catch (err) {
      const exhausted = state.attempts >= limits.maxAttempts || Date.now() + STAGE_RETRY_INITIAL_MS >= state.firstStartedAt + limits.budgetMs;
      throw exhausted ? final(err) : err;
    } finally {
      clearTimeout(timer);
      activitySignal?.removeEventListener('abort', onCancel);
    }
  }
}

/** The turns whose activity is between attempts, by turn. */
export class TurnProgressStore {
  private readonly turns = new Map<string, { progress: TurnProgress; timer: NodeJS.Timeout }>();

  /** This turn's progress: kept from an earlier attempt, or new. */
  of(key: string): TurnProgress {
    const kept = this.turns.get(key);
    if (kept) {
      kept.timer.refresh();
      return kept.progress;
    }
    const progress = new TurnProgress();
    const timer = setTimeout(() => this.turns.delete(key), PROGRESS_TTL_MS).unref();
    this.turns.set(key, { progress, timer });
    return progress;
  }

  /** The turn ended (answered, or failed for good): nothing more to resume. */
  drop(key: string): void {
    const kept = this.turns.get(key);
    if (kept) clearTimeout(kept.timer);
    this.turns.delete(key);
  }

  get size(): number {
    return this.turns.size;
  }
}

/** True when Temporal will not retry this failure. */
export function isFinal(err: unknown): boolean {
  return err instanceof ApplicationFailure && (err.nonRetryable || NON_RETRYABLE_STAGE_ERRORS.includes(err.type ?? ''));
}

/** The same failure, marked so that Temporal does not retry it (its message and type kept). */
function final(err: unknown): ApplicationFailure {
  if (err instanceof ApplicationFailure) {
    return err.nonRetryable ? err : ApplicationFailure.create({ message: err.message, type: err.type ?? undefined, details: err.details as unknown[], nonRetryable: true, cause: err.cause });
  }
  const e = err instanceof Error ? err : new Error(String(err));
  return ApplicationFailure.create({ message: e.message, type: e.name, nonRetryable: true, cause: e });
}

function activityCancellation(): AbortSignal | undefined {
  try {
    return Context.current().cancellationSignal;
  } catch {
    return undefined; // called outside an activity (the benchmark's direct pipeline, unit tests)
  }
}
