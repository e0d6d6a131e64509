/**
 * What a declarative run concludes from its calls (spec E13, E15, §5a result): `stop_when`
 * matching, rubric scores and ranking, `act` templates. Pure, shared by the run workflow and tests.
 */
import type { Condition, MissionSpec } from './mission-spec';

/** One target's state in a run, as the result payload lists it. */
export interface TargetOutcome {
  name: string;
  phone: string;
  /** `completed`, `failed`, `cancelled`, `skipped` or `pending`. */
  state: string;
  attempts: number;
  insights: Record<string, unknown> | null;
  score: number | null;
  conversation_id: string | null;
}

function compare(value: unknown, op: string, expected: unknown): boolean {
  switch (op) {
    case 'eq':
      return value === expected;
    case 'ne':
      return value !== expected;
    case 'in':
      return Array.isArray(expected) && expected.includes(value);
    default: {
      if (typeof value !== 'number' || typeof expected !== 'number') return false;
      return op === 'lt' ? value < expected : op === 'lte' ? value <= expected : op === 'gt' ? value > expected : value >= expected;
    }
  }
}

/** True when an insight satisfies every field condition of `where` (dotted paths allowed). */
export function matches(insights: Record<string, unknown> | null, where: Condition): boolean {
  if (!insights) return false;
  return Object.entries(where).every(([field, ops]) => {
    const value = field.split('.').reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), insights);
    return Object.entries(ops).every(([op, expected]) => compare(value, op, expected));
  });
}

/** E13: `count` completed calls whose insights match `where`. */
export function stopConditionHolds(spec: MissionSpec, outcomes: TargetOutcome[]): boolean {
  if (!spec.stopWhen) return false;
  const { where, count } = spec.stopWhen;
  return outcomes.filter((o) => o.state === 'completed' && matches(o.insights, where)).length >= count;
}

/** The weighted rubric score (0–10) from `insights.scores.<key>`, or null without scores. */
export function weightedScore(spec: MissionSpec, insights: Record<string, unknown> | null): number | null {
  if (!spec.rubric || !insights || typeof insights.scores !== 'object' || insights.scores === null) return null;
  const scores = insights.scores as Record<string, unknown>;
  let total = 0;
  let weights = 0;
  for (const { key, weight } of spec.rubric.criteria) {
    const s = scores[key];
    if (typeof s !== 'number') continue;
    total += weight * Math.max(0, Math.min(10, s));
    weights += weight;
  }
  return weights === 0 ? null : Math.round((total / weights) * 100) / 100;
}

/** E15: the reached targets by weighted score, best first (ties keep target order), top_n of them. */
export function ranking(spec: MissionSpec, outcomes: TargetOutcome[]): string[] {
  if (!spec.rubric) return [];
  return outcomes
    .map((o, i) => ({ o, i }))
    .filter(({ o }) => o.score !== null)
    .sort((a, b) => b.o.score! - a.o.score! || a.i - b.i)
    .slice(0, spec.rubric.topN)
    .map(({ o }) => o.phone);
}

/** The JSON Schema the insights of a declarative call are validated against: the spec's, plus `scores` for a rubric. */
export function insightSchema(spec: MissionSpec): Record<string, unknown> {
  const base = spec.insightsSchema ?? { type: 'object', properties: {} };
  if (!spec.rubric) return { ...base, properties: { summary: { type: 'string' }, ...((base.properties as object) ?? {}) } };
  const scoreProps = Object.fromEntries(spec.rubric.criteria.map((c) => [c.key, { type: 'number', minimum: 0, maximum: 10 }]));
  return {
    ...base,
    properties: {
      summary: { type: 'string' },
      ...((base.properties as object) ?? {}),
      scores: { type: 'object', properties: scoreProps, required: spec.rubric.criteria.map((c) => c.key) },
    },
    required: [...new Set([...((base.required as string[]) ?? []), 'scores'])],
  };
}

/** `{{target.name}}`, `{{insights.price_usd}}`: fills an `act` text; unknown fields become "". */
export function fillTemplate(text: string, target: TargetOutcome | null): string {
  return text.replace(/\{\{\s*(target|insights)\.([A-Za-z0-9_.]+)\s*\}\}/g, (_m, scope: string, path: string) => {
    const root: unknown = scope === 'target' ? target : target?.insights;
    const v = path.split('.').reduce<unknown>((x, k) => (x && typeof x === 'object' ? (x as Record<string, unknown>)[k] : undefined), root);
    return v === undefined || v === null ? '' : String(v);
  });
}

/** Negotiation (E14): the instructions of call N+1 are the base plus what calls 1…N found. */
export function negotiationPrompt(base: string, earlier: TargetOutcome[]): string {
  const found = earlier.filter((o) => o.insights).map((o) => `- ${o.name} (${o.phone}): ${JSON.stringify(o.insights)}`);
  if (found.length === 0) return base;
  return `${base}\n\nFindings of the earlier calls of this negotiation (use them as leverage):\n${found.join('\n')}`;
}
