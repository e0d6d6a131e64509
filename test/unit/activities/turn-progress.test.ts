/**
 * The one-activity turn's parts across Temporal's retries of that activity: a retry resumes at
 * the part that failed, each stage keeps its attempts and budget, bookkeeping retries on.
 */
import { ApplicationFailure } from '@temporalio/common';
import { isFinal, PartTimedOut, TurnProgress, TurnProgressStore } from '../../../activities/turn-progress';
import { STAGE_BUDGETS } from '../../../common/turn-stages';
import { stageScope } from '../../../infra/speech/admission';

/** Runs `attempt` the way Temporal would: again after each retryable failure, up to `max` times. */
async function retried<T>(attempt: () => Promise<T>, max = 10): Promise<{ value?: T; error?: unknown; attempts: number }> {
  for (let n = 1; ; n++) {
    try {
      return { value: await attempt(), attempts: n };
    } catch (error) {
      if (isFinal(error) || n >= max) return { error, attempts: n };
    }
  }
}

test('a retry resumes at the part that failed: finished parts are not run again', async () => {
  const p = new TurnProgress();
  const runs = { begin: 0, asr: 0, llm: 0, tts: 0 };
  let ttsFailures = 1;
  const out = await retried(async () => {
    await p.bookkeeping('begin', async () => ++runs.begin);
    const heard = await p.stage('asr', async () => (++runs.asr, 'hello'));
    const said = await p.stage('llm', async () => (++runs.llm, `You said: ${heard}`));
    await p.stage('tts', async () => {
      runs.tts += 1;
      if (ttsFailures-- > 0) throw new Error('synthesiser hiccup');
    });
    return said;
  });
  expect(out).toEqual({ value: 'You said: hello', attempts: 2 });
  expect(runs).toEqual({ begin: 1, asr: 1, llm: 1, tts: 2 });
  expect(p.ran).toEqual(['begin', 'asr', 'llm', 'tts', 'tts']);
});

test('a stage that fails on its last attempt fails the turn for good, with its own message', async () => {
  const p = new TurnProgress();
  let llmRuns = 0;
  const out = await retried(async () => {
    await p.stage('asr', async () => 'hello');
    return p.stage('llm', async () => {
      llmRuns += 1;
      throw new Error('model server down');
    });
  });
  expect(llmRuns).toBe(STAGE_BUDGETS.llm.maximumAttempts);
  expect(out.attempts).toBe(STAGE_BUDGETS.llm.maximumAttempts);
  expect(out.error).toBeInstanceOf(ApplicationFailure);
  expect(out.error).toMatchObject({ message: 'model server down', nonRetryable: true });
});

test("a provider's refusal is final at once", async () => {
  const p = new TurnProgress();
  let runs = 0;
  const out = await retried(() =>
    p.stage('asr', async () => {
      runs += 1;
      throw ApplicationFailure.nonRetryable('audio blob x is missing', 'ProviderRejected');
    }),
  );
  expect(runs).toBe(1);
  expect(isFinal(out.error)).toBe(true);
});

test('bookkeeping is retried for as long as the database fails', async () => {
  const p = new TurnProgress();
  let failures = 6;
  const out = await retried(() =>
    p.bookkeeping('commit', async () => {
      if (failures-- > 0) throw new Error('SQLITE_BUSY');
      return 'committed';
    }),
  );
  expect(out).toEqual({ value: 'committed', attempts: 7 });
});

describe('deadlines', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  test("a stage that hangs fails at its start-to-close, and its work sees that deadline and an abort", async () => {
    const p = new TurnProgress();
    let seen: { deadline: number; signal: AbortSignal } | undefined;
    const started = Date.now();
    const attempt = p.stage('tts', () => {
      seen = stageScope.getStore();
      return new Promise<never>(() => {}); // never answers
    });
    const caught = attempt.catch((e: unknown) => e);
    await jest.advanceTimersByTimeAsync(STAGE_BUDGETS.tts.startToCloseMs);
    const err = await caught;
    expect(err).toBeInstanceOf(PartTimedOut);
    expect((err as Error).message).toBe(`tts timed out after ${STAGE_BUDGETS.tts.startToCloseMs} ms`);
    expect(isFinal(err)).toBe(false); // its first attempt: Temporal retries
    expect(seen?.deadline).toBe(started + STAGE_BUDGETS.tts.startToCloseMs);
    expect(seen?.signal.aborted).toBe(true);
  });

  test("a retried stage gets only what is left of its schedule-to-close", async () => {
    const p = new TurnProgress();
    const firstStart = Date.now();
    const first = p.stage('asr', () => new Promise<never>(() => {})).catch((e: unknown) => e);
    await jest.advanceTimersByTimeAsync(STAGE_BUDGETS.asr.startToCloseMs);
    expect(await first).toBeInstanceOf(PartTimedOut);
    let deadline = 0;
    const second = p.stage('asr', () => {
      deadline = stageScope.getStore()!.deadline;
      return new Promise<never>(() => {});
    }).catch((e: unknown) => e);
    await jest.advanceTimersByTimeAsync(STAGE_BUDGETS.asr.scheduleToCloseMs - STAGE_BUDGETS.asr.startToCloseMs);
    const err = await second;
    expect(deadline).toBe(firstStart + STAGE_BUDGETS.asr.scheduleToCloseMs); // not a fresh start-to-close
    expect(isFinal(err)).toBe(true);
    expect((err as Error).message).toMatch(/^asr timed out after/);
  });
});

test('the store keeps a turn between attempts and forgets it when dropped', () => {
  const store = new TurnProgressStore();
  const a = store.of('s:t1');
  expect(store.of('s:t1')).toBe(a);
  expect(store.of('s:t2')).not.toBe(a);
  store.drop('s:t1');
  expect(store.size).toBe(1);
  expect(store.of('s:t1')).not.toBe(a);
  store.drop('s:t1');
  store.drop('s:t2');
});
