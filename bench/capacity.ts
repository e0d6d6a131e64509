/**
 * Capacity and overload (issue 14), on the stack bench/run.ts started:
 * - capacity: turns/s at p95 overhead ≤ 100 ms, found by a ramp (one turn per second per call),
 *   for Parley (/api/turn over HTTP; overhead = latency − the direct pipeline's p50) and for the
 *   bare-update floor (overhead = its latency), their steps taken in turn.
 * - realistic: 100, 200, 400 calls at one turn per 5 s each (the app's real cadence).
 * - overload: twice Parley's capacity offered (2 × capacity calls at one turn per second) for 60 s.
 */
import type { Client } from '@temporalio/client';
import { floorCall, parleyCall, ramps, runStep, type StepResult } from './load';

/** floor_turn (a bare update round trip, sequential: Temporal's own floor) is measured in bench/run.ts, interleaved with the turn pairs. */
export interface CapacityResults {
  capacity: { parley_turns_per_s: number; floor_turns_per_s: number; ratio: number; parley_saturation_turns_per_s: number; floor_saturation_turns_per_s: number; parley_steps: StepResult[]; floor_steps: StepResult[] };
  realistic: StepResult[];
  overload: StepResult & { offered_x_capacity: number; capacity_basis_turns_per_s: number };
}

const P95_LIMIT_MS = 100;

export async function capacityBench(opts: { temporal: Client; floorTaskQueue: string; api: string; directP50: number; quick: boolean }): Promise<CapacityResults> {
  const { quick } = opts;
  const floor = floorCall(opts.temporal, opts.floorTaskQueue);
  const parley = (i: number) => parleyCall(opts.api, i);

  const rampOpts = { start: 4, factor: quick ? 1.6 : 1.3, max: 600, seconds: quick ? 5 : 10, limitMs: P95_LIMIT_MS };
  process.stdout.write(`capacity: ramps to p95 overhead > ${P95_LIMIT_MS} ms (${rampOpts.seconds} s a step)…\n`);
  // The two ramps take their steps in turn, so their ratio compares the same minutes.
  const [parleyRamp, floorRamp] = await ramps([
    { label: 'parley', open: parley, opts: { ...rampOpts, baseMs: opts.directP50 } },
    { label: 'floor', open: floor, opts: { ...rampOpts, baseMs: 0 } },
  ]);

  const realistic: StepResult[] = [];
  for (const calls of quick ? [100] : [100, 200, 400]) {
    process.stdout.write(`realistic: ${calls} calls, one turn per 5 s each…\n`);
    realistic.push(await runStep(parley, { calls, seconds: quick ? 15 : 40, periodMs: 5000, baseMs: opts.directP50 }));
  }

  // Twice the capacity; if not even the first step held p95 ≤ 100 ms, twice the most turns/s
  // any step completed (the saturation throughput).
  const basis = parleyRamp.turns_per_s || parleyRamp.saturation_turns_per_s;
  const overloadCalls = Math.max(2, Math.ceil(2 * basis));
  const overloadSeconds = quick ? 15 : 60;
  process.stdout.write(`overload: ${overloadCalls} calls at one turn per second (2 × capacity) for ${overloadSeconds} s…\n`);
  const overload = await runStep(parley, { calls: overloadCalls, seconds: overloadSeconds, periodMs: 1000, baseMs: opts.directP50 });

  return {
    capacity: {
      parley_turns_per_s: parleyRamp.turns_per_s,
      floor_turns_per_s: floorRamp.turns_per_s,
      ratio: floorRamp.turns_per_s ? Math.round((parleyRamp.turns_per_s / floorRamp.turns_per_s) * 100) / 100 : 0,
      parley_saturation_turns_per_s: parleyRamp.saturation_turns_per_s,
      floor_saturation_turns_per_s: floorRamp.saturation_turns_per_s,
      parley_steps: parleyRamp.steps,
      floor_steps: floorRamp.steps,
    },
    realistic,
    overload: { ...overload, offered_x_capacity: 2, capacity_basis_turns_per_s: basis },
  };
}

/** Prints the capacity tables (docs/benchmark.md shows the layout). */
export function printCapacity(r: CapacityResults): void {
  console.log(`capacity at p95 overhead ≤ ${P95_LIMIT_MS} ms: Parley ${r.capacity.parley_turns_per_s} turns/s, floor ${r.capacity.floor_turns_per_s} turns/s (ratio ${r.capacity.ratio}); saturated: Parley ${r.capacity.parley_saturation_turns_per_s}, floor ${r.capacity.floor_saturation_turns_per_s} turns/s`);
  console.table([...r.capacity.parley_steps.map((s) => ({ ramp: 'parley', ...s })), ...r.capacity.floor_steps.map((s) => ({ ramp: 'floor', ...s }))]);
  console.log('realistic: one turn per 5 s per call');
  console.table(r.realistic);
  console.log('overload: 2 × capacity offered');
  console.table([r.overload]);
}
