/** Spec validation (422 pointers) and the planner the run workflow and the dry run share. */
import { parseDuration, SpecError, validateSpec } from '../../../common/mission-spec';
import { planBatch, planMission, retryStart, windowRules } from '../../../common/mission-planner';

const base = {
  class: 'sweep',
  targets: [
    { name: 'Clear View', phone: '+13125550101', timezone: 'America/Chicago', kind: 'automated' },
    { name: 'Tokyo Glass', phone: '+81312345678', timezone: 'Asia/Tokyo', kind: 'automated' },
  ],
  assistant: { instructions: 'Ask for a quote.' },
};
const ctx = { numberZones: {} };
function pointerOf(raw: unknown, numberZones: Record<string, string[]> = {}): string {
  try {
    validateSpec(raw, { numberZones });
  } catch (err) {
    if (err instanceof SpecError) return `${err.code} ${err.pointer}`;
    throw err;
  }
  return 'valid';
}

test('validation answers the first problem with its JSON pointer', () => {
  expect(pointerOf(base)).toBe('valid');
  expect(pointerOf({ ...base, class: 'raid' })).toBe('validation_failed /spec/class');
  const targets = [...base.targets, { phone: '555' }];
  expect(pointerOf({ ...base, targets })).toBe('validation_failed /spec/targets/2/phone');
  expect(pointerOf({ ...base, targets: [{ ...base.targets[0], timezone: 'Mars/Base' }] })).toBe('validation_failed /spec/targets/0/timezone');
  expect(pointerOf({ ...base, targets: [{ ...base.targets[0], kind: 'robot' }] })).toBe('validation_failed /spec/targets/0/kind');
  expect(pointerOf({ ...base, targets: [base.targets[0], base.targets[0]] })).toBe('duplicate_target /spec/targets/1/phone');
  expect(pointerOf({ ...base, class: 'negotiation', throttle: { batch_size: 2 } })).toBe('validation_failed /spec/throttle/batch_size');
  expect(pointerOf({ ...base, class: 'gather_then_act' })).toBe('validation_failed /spec/stop_when');
  expect(pointerOf({ ...base, class: 'screening' })).toBe('validation_failed /spec/rubric');
  expect(pointerOf({ ...base, throttle: { spacing: 'PT10S' } })).toBe('validation_failed /spec/throttle/spacing');
  expect(pointerOf({ ...base, approvals: [{ before: 'lunch' }] })).toBe('validation_failed /spec/approvals/0/before');
  expect(pointerOf({ ...base, stop_when: { where: { price: { approx: 1 } } } })).toBe('validation_failed /spec/stop_when/where/price/approx');
  // The zone from the number: unambiguous → taken, ambiguous or unknown → timezone_required.
  const bare = { ...base, targets: [{ phone: '+13125550101' }] };
  expect(pointerOf(bare, { '+13125550101': ['America/Chicago'] })).toBe('valid');
  expect(pointerOf(bare, { '+13125550101': ['America/Chicago', 'America/New_York'] })).toBe('timezone_required /spec/targets/0/timezone');
  expect(pointerOf({ ...bare, schedule: { timezone: 'Europe/Paris' } })).toBe('valid');
});

test('defaults: C4/C5 gates, service lunch, batch and spacing', () => {
  const spec = validateSpec({ ...base, class: 'multi_round' }, ctx);
  expect(spec.gates).toEqual([{ before: 'round_2', timeoutMs: 86_400_000, onTimeout: 'fail' }]);
  expect(spec.throttle).toEqual({ batchSize: 5, spacingMs: 90_000 });
  expect(validateSpec({ ...base, class: 'multi_round', approvals: [] }, ctx).gates).toEqual([]);
  expect(parseDuration('PT1H30M')).toBe(5_400_000);
  expect(parseDuration('P1D')).toBe(86_400_000);
  expect(parseDuration('1 hour')).toBeNull();
});

test('a batch is spaced, each call in its own callee window, lines round robin', () => {
  const spec = validateSpec({ ...base, throttle: { batch_size: 2, spacing: 'PT2M' } }, ctx);
  const now = Date.parse('2026-03-10T15:00:00Z'); // 10:00 Chicago, 00:00 Tokyo
  const plan = planBatch(spec, spec.targets, now, null, ['+15550100001', '+15550100002']);
  expect(plan.map((p) => [p.phone, p.from, p.at && new Date(p.at).toISOString()])).toEqual([
    ['+13125550101', '+15550100001', '2026-03-10T15:00:00.000Z'],
    ['+81312345678', '+15550100002', '2026-03-11T00:00:00.000Z'],
  ]);
  // Same zone: the second start is `spacing` after the first.
  const chicago = validateSpec({ ...base, targets: [base.targets[0], { ...base.targets[0], phone: '+13125550102' }], throttle: { spacing: 'PT2M' } }, ctx);
  const [a, b] = planBatch(chicago, chicago.targets, now, null, ['+15550100001']);
  expect(b.at! - a.at!).toBe(120_000);
});

test('the dry run plans batches one after another and skips targets past not_after', () => {
  const targets = Array.from({ length: 4 }, (_, i) => ({ phone: `+1312555010${i}`, timezone: 'America/Chicago', kind: 'automated' }));
  const now = Date.parse('2026-03-10T21:00:00Z'); // 16:00 Chicago (CDT since 8 March)
  const spec = validateSpec({ ...base, targets, throttle: { batch_size: 2, spacing: 'PT5M' }, schedule: { not_after: '2026-03-11T00:00:00Z' } }, ctx);
  const plan = planMission(spec, now, ['+15550100001', '+15550100002']);
  expect(plan.batches).toBe(2);
  expect(plan.targets.map((t) => t.first_attempt_local)).toEqual(['2026-03-10T16:00', '2026-03-10T16:05', '2026-03-10T16:10', '2026-03-10T16:15']);
  // Closing at 17:00 with a 15-minute margin: a fifth target would go to tomorrow, past not_after.
  const more = validateSpec({ ...base, targets: [...targets, ...Array.from({ length: 8 }, (_, i) => ({ phone: `+1312555020${i}`, timezone: 'America/Chicago', kind: 'automated' }))], throttle: { batch_size: 2, spacing: 'PT5M' }, schedule: { not_after: '2026-03-11T00:00:00Z' } }, ctx);
  const late = planMission(more, now, ['+15550100001', '+15550100002']);
  expect(late.targets.filter((t) => t.skipped).length).toBeGreaterThan(0);
  expect(late.targets.at(-1)).toMatchObject({ first_attempt_at: null, skipped: 'no allowed calling slot before not_after' });
});

test('retries: busy 10–15 min, professional no-answer on the next business day, all inside hours', () => {
  const spec = validateSpec({ ...base, targets: [{ ...base.targets[0], kind: 'professional' }] }, ctx);
  const ended = Date.parse('2026-03-10T15:00:00Z');
  const t = spec.targets[0];
  const busy = retryStart(windowRules(spec, t), spec.retry, t.kind, { call_status: 'busy', outcome: null, call_id: 'c' }, ended, 0.5);
  expect(busy).toBe(ended + 12.5 * 60_000);
  const noAnswer = retryStart(windowRules(spec, t), spec.retry, t.kind, { call_status: 'no-answer', outcome: null, call_id: 'c' }, ended, 0);
  expect(new Date(noAnswer!).toISOString()).toBe('2026-03-11T14:00:00.000Z');
  expect(retryStart(windowRules(spec, t), spec.retry, t.kind, { call_status: 'completed', outcome: 'answered', call_id: 'c' }, ended, 0)).toBeNull();
});
