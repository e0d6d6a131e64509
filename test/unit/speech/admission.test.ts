/** The local speech engines' admission pool: bounded, in order, sheds what cannot finish in time, never redoes. */
import { AdmissionPool, Overloaded } from '../../../infra/speech/admission';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('at most `slots` runs at a time; the rest wait and start in arrival order', async () => {
  const pool = new AdmissionPool(2);
  let running = 0;
  let peak = 0;
  const order: number[] = [];
  const job = (i: number) => async () => {
    running += 1;
    peak = Math.max(peak, running);
    order.push(i);
    await sleep(30);
    running -= 1;
    return i;
  };
  const results = await Promise.all([0, 1, 2, 3, 4, 5].map((i) => pool.run('asr', null, Infinity, job(i))));
  expect(results).toEqual([0, 1, 2, 3, 4, 5]);
  expect(peak).toBe(2);
  expect(order).toEqual([0, 1, 2, 3, 4, 5]);
  expect(pool.stats()).toMatchObject({ running: 0, queued: 0, shed: 0 });
});

test('work that would finish after its deadline is shed with Overloaded instead of started', async () => {
  const pool = new AdmissionPool(1);
  await pool.run('asr', null, Infinity, () => sleep(100)); // the pool learns: ASR takes ~100 ms
  const started: number[] = [];
  const deadline = Date.now() + 250; // room for two runs, not for four
  const outcomes = await Promise.allSettled(
    [0, 1, 2, 3].map((i) =>
      pool.run('asr', null, deadline, async () => {
        started.push(i);
        await sleep(100);
      }),
    ),
  );
  expect(started).toEqual([0, 1]);
  expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'rejected']);
  for (const o of outcomes.slice(2)) expect((o as PromiseRejectedResult).reason).toBeInstanceOf(Overloaded);
  expect(pool.stats().shed).toBe(2);
});

test('a retry with the same key joins the running work (and takes a finished result); a failure is not kept', async () => {
  const pool = new AdmissionPool(1);
  let runs = 0;
  const work = async () => {
    runs += 1;
    await sleep(50);
    return 'heard';
  };
  const first = pool.run('asr', 'run:1:transcribe', Infinity, work);
  const retry = pool.run('asr', 'run:1:transcribe', Infinity, work);
  expect(await Promise.all([first, retry])).toEqual(['heard', 'heard']);
  expect(await pool.run('asr', 'run:1:transcribe', Infinity, work)).toBe('heard');
  expect(runs).toBe(1);
  expect(pool.stats().joined).toBe(2);

  let tries = 0;
  const flaky = async () => {
    tries += 1;
    if (tries === 1) throw new Error('engine crashed');
    return 'second try';
  };
  await expect(pool.run('tts', 'run:2:synthesize', Infinity, flaky)).rejects.toThrow('engine crashed');
  expect(await pool.run('tts', 'run:2:synthesize', Infinity, flaky)).toBe('second try');
});

test('a waiter whose activity is cancelled leaves the queue', async () => {
  const pool = new AdmissionPool(1);
  const busy = pool.run('asr', null, Infinity, () => sleep(80));
  const abort = new AbortController();
  const waiting = pool.run('asr', null, Infinity, async () => 'never', abort.signal);
  expect(pool.stats().queued).toBe(1);
  abort.abort(new Error('attempt timed out'));
  await expect(waiting).rejects.toThrow('attempt timed out');
  expect(pool.stats().queued).toBe(0);
  await busy;
});
