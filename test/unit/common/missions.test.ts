/** The missions plane's I/O-free rules: status transitions, retry tables, slugs, merge patch, config. */
import { AMD_BY_KIND, canonicalRunStatus, machinePolicy, mergePatch, retryDelayRange, runTransitionAllowed, slugify, stepTransitionAllowed, MAX_ATTEMPTS, VOICEMAIL_BUDGET, type EventKind } from '../../../common/missions';
import { loadConfig } from '../../../infra/config';

test('run statuses: aliases, transitions, terminal is final', () => {
  expect(canonicalRunStatus('completed')).toBe('succeeded');
  expect(canonicalRunStatus('canceled')).toBe('cancelled');
  expect(canonicalRunStatus('bogus')).toBeNull();
  expect(runTransitionAllowed('pending', 'running')).toBe(true);
  expect(runTransitionAllowed('pending', 'failed')).toBe(true);
  expect(runTransitionAllowed('running', 'paused')).toBe(true);
  expect(runTransitionAllowed('paused', 'running')).toBe(true);
  expect(runTransitionAllowed('pending', 'paused')).toBe(false);
  expect(runTransitionAllowed('succeeded', 'failed')).toBe(false);
  expect(runTransitionAllowed('succeeded', 'succeeded')).toBe(true);
});

test('step transitions', () => {
  expect(stepTransitionAllowed('pending', 'in_progress')).toBe(true);
  expect(stepTransitionAllowed('in_progress', 'completed')).toBe(true);
  expect(stepTransitionAllowed('failed', 'in_progress')).toBe(true);
  expect(stepTransitionAllowed('completed', 'pending')).toBe(false);
  expect(stepTransitionAllowed('in_progress', 'pending')).toBe(false);
});

test('E05/E06 retry tables', () => {
  const o = (call_status: any, outcome: any = null) => ({ call_status, outcome, call_id: 'c' });
  expect(retryDelayRange(o('busy'), 'service')).toEqual([10, 15]);
  expect(retryDelayRange(o('failed'), 'service')).toEqual([5, 10]);
  expect(retryDelayRange(o('no-answer'), 'service')).toEqual([30, 120]);
  expect(retryDelayRange(o('no-answer'), 'automated')).toEqual([5, 15]);
  expect(retryDelayRange(o('completed', 'voicemail'), 'service')).toEqual([30, 120]);
  expect(retryDelayRange(o('completed', 'answered'), 'service')).toBeNull();
  expect(retryDelayRange(o('canceled'), 'service')).toBeNull();
  expect(MAX_ATTEMPTS).toEqual({ automated: 4, service: 3, professional: 2 });
});

test('E06/E07 machines by kind: the policy of three successive machine answers', () => {
  const three = (kind: EventKind) => [0, 1, 1].map((left) => machinePolicy(AMD_BY_KIND[kind], VOICEMAIL_BUDGET[kind], left));
  expect(three('automated')).toEqual(['undetected', 'undetected', 'undetected']);
  expect(three('service')).toEqual(['leave_message', 'hang_up', 'hang_up']);
  expect(three('professional')).toEqual(['leave_message', 'hang_up', 'hang_up']);
});

test('slugify matches the CLI', () => {
  expect(slugify('Find  Window Washers!')).toBe('find-window-washers');
  expect(slugify('--Ünïcode & Co.--')).toBe('n-code-co');
});

test('RFC 7396 merge patch', () => {
  expect(mergePatch({ a: 1, b: { c: 2, d: 3 } }, { a: null, b: { c: null, e: 4 }, f: [1] })).toEqual({ b: { d: 3, e: 4 }, f: [1] });
  expect(mergePatch({ a: 1 }, [1, 2])).toEqual([1, 2]);
});

test('missions settings: defaults, lines, keys and validation', () => {
  const c = loadConfig({}, '/nonexistent');
  expect(c.missions).toMatchObject({ lines: [{ number: '+15550100001', driver: 'sim' }, { number: '+15550100002', driver: 'sim' }], dedupeWindowSec: 600, rateLimitRps: 20, rateLimitBurst: 100, rateLimitCreatesPerMin: 120, compatRunIdleTimeoutSec: 259200, timeScale: 1 });
  const adb = loadConfig({ PARLEY_TELEPHONY_DRIVER: 'adb', PARLEY_LINES: '[{"number":"+15551230000","driver":"adb","serial":"R58M"}]', PARLEY_API_KEYS: 'abc' }, '/nonexistent');
  expect(adb.missions.lines).toEqual([{ number: '+15551230000', driver: 'adb', serial: 'R58M' }]);
  expect(adb.missions.plaintextApiKeys).toBe(true);
  expect(loadConfig({ PARLEY_TELEPHONY_DRIVER: 'adb' }, '/nonexistent').missions.lines).toEqual([]);
  const bad = () => loadConfig({ PARLEY_LINES: '[{"number":"123"}]', PARLEY_OWNER_PHONE: 'me', PARLEY_MISSION_TIME_SCALE: '2' }, '/nonexistent');
  for (const problem of [/lines\[0\]\.number/, /owner_phone/, /mission_time_scale/]) expect(bad).toThrow(problem);
});
