/**
 * Admission control for the CPU-bound local speech engines (pocketsphinx, espeak-ng and any other
 * engine that runs on this machine's cores): a bounded pool with a FIFO queue, wrapped around the
 * engines at their seam, so engines themselves know nothing of it.
 *
 * Without it, every turn under overload starts its own recogniser at once; all of them slow
 * down together, their local activities time out, Temporal retries them and the retry starts the
 * same work again: overload becomes timeouts and repeated work (issue 14). With it:
 * - at most `slots` local engine runs at a time; the rest wait in order;
 * - work that could not finish inside its activity attempt (queue wait + the stage's recent run
 *   time past the attempt's deadline) is never started: it is shed with `Overloaded` at once,
 *   and the turn activity turns that into a contract-valid answer instead of a 500;
 * - a retried attempt of the same activity joins the run its first attempt started (or takes its
 *   result), so a retry never redoes finished work.
 * Remote engines (OpenAI-compatible servers) and the echo responder pass through untouched.
 */
import { Context } from '@temporalio/activity';
import { AsyncLocalStorage } from 'node:async_hooks';
import os from 'node:os';
import type { SpeechConfig } from '../speech-config';
import type { SpeechEngines } from './index';

/** The local engine could not start this work in time: the caller gets a fallback answer. */
export class Overloaded extends Error {
  constructor(readonly stage: Stage) {
    super(`local ${stage} engine overloaded: shed before it could miss its deadline`);
  }
}
Object.defineProperty(Overloaded.prototype, 'name', { value: 'Overloaded', enumerable: true });

type Stage = 'asr' | 'llm' | 'tts';

interface Waiter {
  stage: Stage;
  deadline: number;
  start: () => void;
  shed: (err: Error) => void;
}

export interface AdmissionStats {
  slots: number;
  running: number;
  queued: number;
  /** Work refused because it could not have finished in time. */
  shed: number;
  /** Retried attempts that joined their first attempt's run instead of redoing it. */
  joined: number;
}

/** How long a finished result stays available to a retry of the same activity. */
const RESULT_TTL_MS = 60_000;
/** Weight of the newest run in a stage's running estimate of its run time. */
const EWMA = 0.2;

export class AdmissionPool {
  private running = 0;
  private readonly queue: Waiter[] = [];
  private readonly runMs: Record<Stage, number> = { asr: 0, llm: 0, tts: 0 };
  private readonly inFlight = new Map<string, Promise<unknown>>();
  private shedCount = 0;
  private joinedCount = 0;

  constructor(readonly slots = os.availableParallelism()) {
    if (!Number.isInteger(slots) || slots < 1) throw new Error(`admission slots must be a positive integer, got ${slots}`);
  }

  stats(): AdmissionStats {
    return { slots: this.slots, running: this.running, queued: this.queue.length, shed: this.shedCount, joined: this.joinedCount };
  }

  /**
   * Runs `work` in a slot, once per `key` (null = no dedupe). `deadline` (epoch ms, Infinity = none)
   * is when the work must have finished: it is shed when its expected start + run time is past it.
   */
  run<T>(stage: Stage, key: string | null, deadline: number, work: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (key) {
      const existing = this.inFlight.get(key) as Promise<T> | undefined;
      if (existing) {
        this.joinedCount += 1;
        return existing;
      }
    }
    const result = this.admit(stage, deadline, signal).then(async () => {
      const started = performance.now();
      try {
        return await work();
      } finally {
        this.runMs[stage] = this.runMs[stage] === 0 ? performance.now() - started : (1 - EWMA) * this.runMs[stage] + EWMA * (performance.now() - started);
        this.release();
      }
    });
    if (key) {
      this.inFlight.set(key, result);
      // A failure is not kept: the retry must try again. A result is kept for a retry whose
      // first attempt timed out while the work finished.
      result.then(
        () => setTimeout(() => this.inFlight.delete(key), RESULT_TTL_MS).unref(),
        () => this.inFlight.delete(key),
      );
    }
    return result;
  }

  private admit(stage: Stage, deadline: number, signal?: AbortSignal): Promise<void> {
    const estimate = this.runMs[stage];
    if (this.running < this.slots && this.queue.length === 0) {
      if (Date.now() + estimate > deadline) return this.refuse(stage);
      this.running += 1;
      return Promise.resolve();
    }
    // Expected wait: the work ahead shared over the slots, at the recent run time of each stage.
    const ahead = this.queue.reduce((ms, w) => ms + this.runMs[w.stage], 0) + this.running * estimate;
    if (Date.now() + ahead / this.slots + estimate > deadline) return this.refuse(stage);
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        stage,
        deadline,
        start: () => {
          cleanup();
          resolve();
        },
        shed: (err) => {
          cleanup();
          reject(err);
        },
      };
      // Still waiting when starting could no longer finish in time: shed then, not later.
      const timer = Number.isFinite(deadline) ? setTimeout(() => this.drop(waiter, new Overloaded(stage)), Math.max(0, deadline - estimate - Date.now())) : undefined;
      const onAbort = () => this.drop(waiter, signal?.reason instanceof Error ? signal.reason : new Error('cancelled while waiting for a speech slot'));
      signal?.addEventListener('abort', onAbort, { once: true });
      const cleanup = () => {
        if (timer) clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      this.queue.push(waiter);
    });
  }

  private refuse(stage: Stage): Promise<never> {
    this.shedCount += 1;
    return Promise.reject(new Overloaded(stage));
  }

  private drop(waiter: Waiter, err: Error): void {
    const at = this.queue.indexOf(waiter);
    if (at < 0) return;
    this.queue.splice(at, 1);
    if (err instanceof Overloaded) this.shedCount += 1;
    waiter.shed(err);
  }

  private release(): void {
    this.running -= 1;
    // The stage's run time may have grown since a waiter queued: one that can no longer finish
    // in time is shed now rather than started.
    for (let next = this.queue.shift(); next; next = this.queue.shift()) {
      if (Date.now() + this.runMs[next.stage] > next.deadline) {
        this.shedCount += 1;
        next.shed(new Overloaded(next.stage));
        continue;
      }
      this.running += 1;
      next.start();
      return;
    }
  }
}

/** The remote engines, and the echo responder that costs nothing, need no slot. */
function isLocal(engine: string): boolean {
  return engine !== 'openai' && engine !== 'echo';
}

/**
 * A stage that runs inside a larger activity (the one-activity turn, activities/turn-progress.ts)
 * has its own deadline and cancellation, tighter than the activity's: it sets them here.
 */
export const stageScope = new AsyncLocalStorage<{ deadline: number; signal: AbortSignal }>();

/**
 * The activity attempt this call runs in: its deadline, a key shared by its retries, its
 * cancellation. Outside an activity (the API's own /api/asr) there is none.
 */
function attempt(method: string): { key: string | null; deadline: number; signal?: AbortSignal } {
  const scope = stageScope.getStore();
  let ctx: Context;
  try {
    ctx = Context.current();
  } catch {
    return { key: null, deadline: scope?.deadline ?? Infinity, signal: scope?.signal };
  }
  const { info } = ctx;
  const deadlines = [scope?.deadline ?? Infinity];
  if (info.startToCloseTimeoutMs) deadlines.push(info.currentAttemptScheduledTimestampMs + info.startToCloseTimeoutMs);
  if (info.scheduleToCloseTimeoutMs) deadlines.push(info.scheduledTimestampMs + info.scheduleToCloseTimeoutMs);
  const key = `${info.workflowExecution?.runId ?? ''}:${info.activityId}:${method}`;
  return { key, deadline: Math.min(...deadlines), signal: scope?.signal ?? ctx.cancellationSignal };
}

/** Wraps an engine factory: every local stage goes through the pool. */
export function withAdmission(factory: (speech: SpeechConfig) => SpeechEngines, pool: AdmissionPool) {
  return (speech: SpeechConfig): SpeechEngines => {
    const engines = factory(speech);
    const gate = <T>(stage: Stage, method: string, work: () => Promise<T>): Promise<T> => {
      if (!isLocal(speech[stage].engine)) return work();
      const { key, deadline, signal } = attempt(method);
      return pool.run(stage, key, deadline, work, signal);
    };
    return {
      transcribe: (wav) => gate('asr', 'transcribe', () => engines.transcribe(wav)),
      complete: (messages, opts) => gate('llm', 'complete', () => engines.complete(messages, opts)),
      synthesize: (text, opts) => gate('tts', 'synthesize', () => engines.synthesize(text, opts)),
      describe: () => engines.describe(),
    };
  };
}
