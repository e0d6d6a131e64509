/**
 * The capacity ramp (bench/load.ts): geometric steps until one fails, then bisection between
 * the last step that held and the first that did not. The system is a model here: a step's p95
 * depends only on its number of calls, so the test runs in no time.
 */
import { ramp, ramps, type Call, type StepResult } from '../../../bench/load';

const open = async (): Promise<Call> => ({ turn: async () => ({ ms: 0, status: 200, ok: true }) });

/** A system whose p95 overhead passes 100 ms from `knee` calls on; each call completes 0.9 turns/s. */
function model(knee: number, errorsFrom = Infinity) {
  const seen: number[] = [];
  const run = async (_open: unknown, o: { calls: number }): Promise<StepResult> => {
    seen.push(o.calls);
    const p95 = o.calls < knee ? 50 : 150;
    return { calls: o.calls, offered_per_s: o.calls, turns: o.calls * 10, turns_per_s: o.calls * 0.9, p50_ms: 20, p95_ms: p95, p95_overhead_ms: p95, errors: o.calls >= errorsFrom ? 1 : 0, errors_5xx: 0, over_budget: 0 };
  };
  return { run, seen };
}

const opts = { start: 4, factor: 1.3, max: 600, seconds: 10, baseMs: 0, limitMs: 100 };

describe('capacity ramp', () => {
  it('bisects between the last step that held and the first that did not', async () => {
    const m = model(70); // held at 59 calls, failed at 77
    const r = await ramp('test', open, opts, m.run);
    expect(m.seen).toEqual([4, 6, 8, 11, 15, 20, 26, 34, 45, 59, 77, 68, 73]);
    expect(r.steps.filter((s) => s.refine).map((s) => s.calls)).toEqual([68, 73]);
    expect(r.turns_per_s).toBeCloseTo(68 * 0.9); // 68 held, 73 did not
    expect(r.saturation_turns_per_s).toBeCloseTo(77 * 0.9);
  });

  it('counts a step with errors as failed, and refines nothing when the first step fails', async () => {
    const failing = model(1);
    const none = await ramp('test', open, opts, failing.run);
    expect(failing.seen).toEqual([4]);
    expect(none.turns_per_s).toBe(0);

    const errors = model(Infinity, 20);
    const r = await ramp('test', open, { ...opts, refine: 3 }, errors.run);
    expect(errors.seen).toEqual([4, 6, 8, 11, 15, 20, 18, 19]); // 15..20 → 18 held → 19 held; 20 failed
    expect(r.turns_per_s).toBeCloseTo(19 * 0.9);
  });

  it('stops refining once the two sides are adjacent', async () => {
    const m = model(5); // held at 4, failed at 6 and at 5
    const r = await ramp('test', open, opts, m.run);
    expect(m.seen).toEqual([4, 6, 5]);
    expect(r.turns_per_s).toBeCloseTo(4 * 0.9); // 5 did not hold
  });
});

describe('ramps side by side', () => {
  it('takes one step of each in turn; a ramp that is done drops out while the other goes on', async () => {
    const openA = async (): Promise<Call> => ({ turn: async () => ({ ms: 0, status: 200, ok: true }) });
    const openB = async (): Promise<Call> => ({ turn: async () => ({ ms: 0, status: 200, ok: true }) });
    const systems = new Map<(i: number) => Promise<Call>, ReturnType<typeof model> & { name: string }>([
      [openA, { name: 'a', ...model(10) }], // holds at 8, fails at 11
      [openB, { name: 'b', ...model(30) }], // holds at 26, fails at 34
    ]);
    const order: string[] = [];
    const run = async (o: (i: number) => Promise<Call>, p: { calls: number; seconds: number; periodMs: number; baseMs: number }) => {
      const sys = systems.get(o)!;
      order.push(`${sys.name}${p.calls}`);
      return sys.run(o, p);
    };
    const [a, b] = await ramps(
      [
        { label: 'a', open: openA, opts },
        { label: 'b', open: openB, opts: { ...opts, refine: 1 } },
      ],
      run,
    );
    // a: 4 6 8 11 | refine 10 (fails), 9 (holds); b: 4 … 26 34 | refine 30 (fails)
    expect(order).toEqual(['a4', 'b4', 'a6', 'b6', 'a8', 'b8', 'a11', 'b11', 'a10', 'b15', 'a9', 'b20', 'b26', 'b34', 'b30']);
    expect(a.turns_per_s).toBeCloseTo(9 * 0.9);
    expect(b.turns_per_s).toBeCloseTo(26 * 0.9);
    expect(b.steps.filter((s) => s.refine).map((s) => s.calls)).toEqual([30]);
  });
});
