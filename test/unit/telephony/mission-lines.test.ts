/** The missions line drivers: how simulated and ADB calls map to call statuses (spec §4), and SMS per line. */
import { adbLineDrivers, simLineDrivers } from '../../../activities/missions/lines';
import { SMS_NOT_SUPPORTED, type TelephonyDriver } from '../../../infra/telephony/driver';
import type { SimDriver } from '../../../infra/telephony/sim-driver';
import type { SimCallResult } from '../../../infra/telephony/sim-phone';
import type { Db } from '../../../infra/db';

const line = { number: '+15550100001', driver: 'sim' as const, serial: '' };

/** A SimDriver whose one call ends as `result` once `finish()` is called. */
function fakeSim(result: SimCallResult) {
  let finish: () => void = () => undefined;
  const done = new Promise<SimCallResult>((resolve) => (finish = () => resolve(result)));
  let aborted = false;
  const sim = {
    dial: async () => ({ ok: true, detail: 'sim: dialling', command_id: 'c1', serial: 'sim' }),
    hangup: async () => ({ ok: true, detail: '' }),
    activeCalls: () => [{ command_id: 'c1', number: '+13125550101', persona: 'p', started_at: new Date(), session_id: result.session_id, done }],
    hangupCommand: () => {
      aborted = true;
      finish();
      return true;
    },
    close: async () => undefined,
  } as unknown as SimDriver;
  return { sim, finish: () => finish(), aborted: () => aborted };
}

test.each([
  [{ outcome: 'completed', session_id: 's', turns: 5 }, 'completed', 'answered'],
  [{ outcome: 'voicemail', session_id: 's', turns: 1 }, 'completed', 'voicemail'],
  [{ outcome: 'no-answer', session_id: '', turns: 0 }, 'no-answer', null],
  [{ outcome: 'busy', session_id: '', turns: 0 }, 'busy', null],
  [{ outcome: 'failed', session_id: '', turns: 0 }, 'failed', null],
  [{ outcome: 'failed', session_id: 's', turns: 4 }, 'completed', 'answered'],
  [{ outcome: 'hung-up', session_id: 's', turns: 3 }, 'completed', 'answered'],
] as const)('sim %j → %s / %s', async (result, status, outcome) => {
  const { sim, finish } = fakeSim(result as SimCallResult);
  const dialed = await simLineDrivers(sim).dial(line, '+13125550101');
  if (!dialed.ok) throw new Error(dialed.detail);
  finish();
  expect(await dialed.call.done).toMatchObject({ call_status: status, outcome });
});

test("a dial's onMachine (E07) reaches the simulated phone; a dial without one leaves a message as before", async () => {
  const { sim } = fakeSim({ outcome: 'voicemail', session_id: '', turns: 0 });
  const dials: unknown[] = [];
  const dial = sim.dial.bind(sim);
  sim.dial = async (input) => (dials.push(input), dial(input));
  await simLineDrivers(sim).dial(line, '+13125550103', { onMachine: 'hang_up' });
  await simLineDrivers(sim).dial(line, '+13125550103');
  expect(dials).toEqual([
    { number: '+13125550103', onMachine: 'hang_up' },
    { number: '+13125550103', onMachine: undefined },
  ]);
});

test('a simulated call Parley hangs up before answer is canceled', async () => {
  const { sim, aborted } = fakeSim({ outcome: 'hung-up', session_id: '', turns: 0 });
  const dialed = await simLineDrivers(sim).dial(line, '+13125550101');
  if (!dialed.ok) throw new Error(dialed.detail);
  await dialed.call.hangup();
  expect(aborted()).toBe(true);
  expect(await dialed.call.done).toMatchObject({ call_status: 'canceled', outcome: null });
});

test('simulated SMS is delivered and answered; ADB lines refuse SMS clearly', async () => {
  const { sim } = fakeSim({ outcome: 'completed', session_id: '', turns: 0 });
  expect(await simLineDrivers(sim).sendSms(line, '+13125550101', 'hi')).toMatchObject({ ok: true, reply: expect.stringContaining('hi') });
  expect(await simLineDrivers(sim).sendSms(line, '+13125550002', 'hi')).toMatchObject({ ok: false });
  const adb = adbLineDrivers({} as TelephonyDriver, {} as Db);
  expect(await adb.sendSms({ ...line, driver: 'adb' }, '+13125550101', 'hi')).toEqual({ ok: false, detail: SMS_NOT_SUPPORTED });
});

test('an ADB call: answered when the app opens a session and ends it; no session in time is no-answer', async () => {
  let session: { id: string; status: string } | null = null;
  const db = { callSession: { findFirst: async () => session } } as unknown as Db;
  const hangups: unknown[] = [];
  const adb = { dial: async () => ({ ok: true, detail: 'sent' }), hangup: async (i: unknown) => (hangups.push(i), { ok: true, detail: '' }) } as unknown as TelephonyDriver;
  const drivers = adbLineDrivers(adb, db, { answerTimeoutMs: 200, watchMs: 20 });
  const answered = await drivers.dial({ ...line, driver: 'adb', serial: 'R58M' }, '+13125550101');
  if (!answered.ok) throw new Error(answered.detail);
  session = { id: 'sess', status: 'active' };
  await new Promise((r) => setTimeout(r, 60));
  expect(answered.call.sessionId()).toBe('sess');
  session = { id: 'sess', status: 'ended' };
  expect(await answered.call.done).toEqual({ call_status: 'completed', outcome: 'answered', session_id: 'sess' });
  session = null;
  const unanswered = await drivers.dial({ ...line, driver: 'adb', serial: 'R58M' }, '+13125550101');
  if (!unanswered.ok) throw new Error(unanswered.detail);
  expect(await unanswered.call.done).toMatchObject({ call_status: 'no-answer' });
  expect(hangups).toEqual([{ serial: 'R58M' }]);
});
