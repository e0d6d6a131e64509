/**
 * Declarative mission specs (spec §5a): the validated, normalised shape the run workflow and the
 * dry run share, and its validation with JSON pointers. Pure: number-to-zone lookups are done by
 * the caller and passed in, so this stays safe to import from workflows.
 */
import type { EventKind } from './missions';
import { isValidZone, parseClock, type LocalWindow } from './business-hours';
import { isE164, normalizeNumber } from './phone-number';

export const MISSION_CLASSES = ['sweep', 'screening', 'negotiation', 'multi_round', 'gather_then_act'] as const;
export type MissionClass = (typeof MISSION_CLASSES)[number];
const KINDS: EventKind[] = ['automated', 'service', 'professional'];
export const GATE_BEFORE = ['round_2', 'act', 'each_call'] as const;
const OPERATORS = ['eq', 'ne', 'lt', 'lte', 'gt', 'gte', 'in'] as const;

export interface SpecTarget {
  name: string;
  phone: string;
  timezone: string;
  kind: EventKind;
}

export type SpecAssistant = { assistant_id: string } | { instructions: string; greeting: string; voice: string; model: string };

export interface SpecGate {
  before: (typeof GATE_BEFORE)[number];
  timeoutMs: number;
  onTimeout: 'fail' | 'skip';
}

export type Condition = Record<string, Partial<Record<(typeof OPERATORS)[number], unknown>>>;

export interface MissionSpec {
  class: MissionClass;
  targets: SpecTarget[];
  assistant: SpecAssistant;
  schedule: { businessHours: LocalWindow | false; /** null: the defaults by kind (SERVICE_LUNCH). */ avoid: LocalWindow[] | null; notBefore: number | null; notAfter: number | null };
  throttle: { batchSize: number; spacingMs: number };
  retry: { busy: [number, number]; failed: [number, number]; maxAttempts: Record<EventKind, number> };
  insightsSchema: Record<string, unknown> | null;
  rubric: { criteria: Array<{ key: string; weight: number }>; topN: number } | null;
  gates: SpecGate[];
  stopWhen: { where: Condition; count: number } | null;
  act: { type: 'sms' | 'call' | 'webhook' | 'none'; to: string | null; text: string; url: string | null } | null;
}

/** A spec problem: 422 with the pointer of the culprit. */
export class SpecError extends Error {
  override readonly name = 'SpecError';
  constructor(
    readonly pointer: string,
    message: string,
    readonly code: string = 'validation_failed',
  ) {
    super(message);
  }
}

/** ISO-8601 duration (`PT90S`, `PT10M`, `PT24H`, `P1D`, `P1DT2H`) → ms, or null. */
export function parseDuration(text: unknown): number | null {
  if (typeof text !== 'string') return null;
  const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(text);
  if (!m || text === 'P' || text.endsWith('T')) return null;
  const [d, h, min, s] = [m[1], m[2], m[3], m[4]].map((v) => Number(v ?? 0));
  return (((d * 24 + h) * 60 + min) * 60 + s) * 1000;
}

/** E06 defaults. */
export const DEFAULT_MAX_ATTEMPTS: Record<EventKind, number> = { automated: 4, service: 3, professional: 2 };
/** §5a: `service` callees are not called over lunch unless the spec lists its own `avoid`. */
export const SERVICE_LUNCH: LocalWindow = { start: '11:30', end: '13:30' };
const DEFAULT_HOURS: LocalWindow = { days: [1, 2, 3, 4, 5], start: '09:00', end: '17:00' };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function objectAt(v: unknown, pointer: string): Record<string, unknown> {
  if (!isObject(v)) throw new SpecError(pointer, `${pointer} must be an object`);
  return v;
}

function windowAt(v: unknown, pointer: string): LocalWindow {
  const w = objectAt(v, pointer);
  const start = typeof w.start === 'string' ? parseClock(w.start) : null;
  const end = typeof w.end === 'string' ? parseClock(w.end) : null;
  if (start === null) throw new SpecError(`${pointer}/start`, 'start must be a local time HH:MM');
  if (end === null || end <= start) throw new SpecError(`${pointer}/end`, 'end must be a local time HH:MM after start');
  let days: number[] | undefined;
  if (w.days !== undefined) {
    if (!Array.isArray(w.days) || w.days.length === 0 || w.days.some((d) => !Number.isInteger(d) || (d as number) < 0 || (d as number) > 7)) {
      throw new SpecError(`${pointer}/days`, 'days must list ISO weekdays 1 (Monday) to 7 (Sunday)');
    }
    days = w.days as number[];
  }
  return { ...(days ? { days } : {}), start: w.start as string, end: w.end as string };
}

function instantAt(v: unknown, pointer: string): number | null {
  if (v === undefined || v === null) return null;
  const t = typeof v === 'string' && /^\d{4}-\d\d-\d\dT/.test(v) ? Date.parse(v) : NaN;
  if (!Number.isFinite(t)) throw new SpecError(pointer, `${pointer} must be an ISO-8601 time`);
  return t;
}

function rangeAt(v: unknown, pointer: string, fallback: [number, number]): [number, number] {
  if (v === undefined) return fallback;
  const delay = isObject(v) ? v.delay : undefined;
  const ms = Array.isArray(delay) && delay.length === 2 ? delay.map(parseDuration) : [null];
  if (ms.some((x) => x === null) || ms[0]! > ms[1]!) throw new SpecError(`${pointer}/delay`, 'delay must be [min, max] ISO-8601 durations, min ≤ max');
  return [ms[0]! / 60_000, ms[1]! / 60_000];
}

export interface SpecContext {
  /** The IANA zones each target number may be in (from a phone-number library), by E.164. */
  numberZones: Record<string, string[]>;
}

/** Validates and normalises a spec; throws SpecError (422 + pointer) on the first problem. */
export function validateSpec(raw: unknown, ctx: SpecContext): MissionSpec {
  const spec = objectAt(raw, '/spec');
  const cls = spec.class;
  if (typeof cls !== 'string' || !(MISSION_CLASSES as readonly string[]).includes(cls)) throw new SpecError('/spec/class', `class must be one of ${MISSION_CLASSES.join(', ')}`);
  const missionClass = cls as MissionClass;

  const schedule = spec.schedule === undefined ? {} : objectAt(spec.schedule, '/spec/schedule');
  const scheduleZone = schedule.timezone === undefined || schedule.timezone === 'callee' ? null : schedule.timezone;
  if (scheduleZone !== null && (typeof scheduleZone !== 'string' || !isValidZone(scheduleZone))) throw new SpecError('/spec/schedule/timezone', 'timezone must be an IANA zone or "callee"');

  if (!Array.isArray(spec.targets) || spec.targets.length < 1 || spec.targets.length > 500) throw new SpecError('/spec/targets', 'targets must list 1 to 500 callees');
  const seen = new Set<string>();
  const targets = spec.targets.map((rawTarget, i): SpecTarget => {
    const p = `/spec/targets/${i}`;
    const t = objectAt(rawTarget, p);
    const phone = typeof t.phone === 'string' ? normalizeNumber(t.phone) : '';
    if (!isE164(phone)) throw new SpecError(`${p}/phone`, 'phone must be an E.164 number such as +13125550101');
    if (seen.has(phone)) throw new SpecError(`${p}/phone`, `${phone} is listed twice`, 'duplicate_target');
    seen.add(phone);
    const kind = t.kind ?? 'service';
    if (!KINDS.includes(kind as EventKind)) throw new SpecError(`${p}/kind`, `kind must be one of ${KINDS.join(', ')}`);
    let zone: string;
    if (t.timezone !== undefined) {
      if (typeof t.timezone !== 'string' || !isValidZone(t.timezone)) throw new SpecError(`${p}/timezone`, 'timezone must be an IANA zone such as America/Chicago');
      zone = t.timezone;
    } else if (scheduleZone) {
      zone = scheduleZone as string;
    } else {
      const zones = (ctx.numberZones[phone] ?? []).filter(isValidZone);
      if (zones.length !== 1) throw new SpecError(`${p}/timezone`, `the time zone of ${phone} is ambiguous: give the target a timezone`, 'timezone_required');
      zone = zones[0];
    }
    if (t.name !== undefined && typeof t.name !== 'string') throw new SpecError(`${p}/name`, 'name must be a string');
    return { name: (t.name as string | undefined) ?? phone, phone, timezone: zone, kind: kind as EventKind };
  });

  let assistant: SpecAssistant;
  const a = objectAt(spec.assistant, '/spec/assistant');
  if (a.assistant_id !== undefined) {
    if (typeof a.assistant_id !== 'string' || !a.assistant_id) throw new SpecError('/spec/assistant/assistant_id', 'assistant_id must be an assistant id');
    assistant = { assistant_id: a.assistant_id };
  } else {
    if (typeof a.instructions !== 'string' || !a.instructions.trim()) throw new SpecError('/spec/assistant/instructions', 'instructions are required (or give assistant_id)');
    const str = (k: string, d: string) => {
      if (a[k] !== undefined && typeof a[k] !== 'string') throw new SpecError(`/spec/assistant/${k}`, `${k} must be a string`);
      return (a[k] as string | undefined) ?? d;
    };
    assistant = { instructions: a.instructions, greeting: str('greeting', ''), voice: str('voice', 'Rime.ArcanaV3.astra'), model: str('model', 'openai/gpt-4o') };
  }

  let businessHours: LocalWindow | false = DEFAULT_HOURS;
  if (schedule.business_hours === false) businessHours = false;
  else if (schedule.business_hours !== undefined) businessHours = windowAt(schedule.business_hours, '/spec/schedule/business_hours');
  let avoid: LocalWindow[] | null = null;
  if (schedule.avoid !== undefined) {
    if (!Array.isArray(schedule.avoid)) throw new SpecError('/spec/schedule/avoid', 'avoid must be a list of windows');
    avoid = schedule.avoid.map((w, i) => windowAt(w, `/spec/schedule/avoid/${i}`));
  }
  const notBefore = instantAt(schedule.not_before, '/spec/schedule/not_before');
  const notAfter = instantAt(schedule.not_after, '/spec/schedule/not_after');
  if (notBefore !== null && notAfter !== null && notAfter <= notBefore) throw new SpecError('/spec/schedule/not_after', 'not_after must be after not_before');

  const throttle = spec.throttle === undefined ? {} : objectAt(spec.throttle, '/spec/throttle');
  const batchSize = throttle.batch_size ?? (missionClass === 'negotiation' ? 1 : 5);
  if (!Number.isInteger(batchSize) || (batchSize as number) < 1 || (batchSize as number) > 10) throw new SpecError('/spec/throttle/batch_size', 'batch_size must be a whole number from 1 to 10');
  if (missionClass === 'negotiation' && batchSize !== 1) throw new SpecError('/spec/throttle/batch_size', 'negotiation calls are strictly serial: batch_size must be 1');
  const spacingMs = throttle.spacing === undefined ? 90_000 : parseDuration(throttle.spacing);
  if (spacingMs === null || spacingMs < 30_000) throw new SpecError('/spec/throttle/spacing', 'spacing must be an ISO-8601 duration of at least PT30S');

  const retry = spec.retry === undefined ? {} : objectAt(spec.retry, '/spec/retry');
  const rules = retry.rules === undefined ? {} : objectAt(retry.rules, '/spec/retry/rules');
  const maxAttempts = { ...DEFAULT_MAX_ATTEMPTS };
  if (retry.max_attempts !== undefined) {
    const m = objectAt(retry.max_attempts, '/spec/retry/max_attempts');
    for (const [k, v] of Object.entries(m)) {
      if (!KINDS.includes(k as EventKind)) throw new SpecError(`/spec/retry/max_attempts/${k}`, `unknown kind ${k}`);
      if (!Number.isInteger(v) || (v as number) < 1 || (v as number) > 10) throw new SpecError(`/spec/retry/max_attempts/${k}`, 'max_attempts must be a whole number from 1 to 10');
      maxAttempts[k as EventKind] = v as number;
    }
  }

  let insightsSchema: Record<string, unknown> | null = null;
  if (spec.insights !== undefined) insightsSchema = objectAt(objectAt(spec.insights, '/spec/insights').schema, '/spec/insights/schema');

  let rubric: MissionSpec['rubric'] = null;
  if (spec.rubric !== undefined) {
    const r = objectAt(spec.rubric, '/spec/rubric');
    if (!Array.isArray(r.criteria) || r.criteria.length === 0) throw new SpecError('/spec/rubric/criteria', 'criteria must list at least one {key, weight}');
    const criteria = r.criteria.map((c, i) => {
      const o = objectAt(c, `/spec/rubric/criteria/${i}`);
      if (typeof o.key !== 'string' || !/^[A-Za-z0-9_]{1,64}$/.test(o.key)) throw new SpecError(`/spec/rubric/criteria/${i}/key`, 'key must be a word of letters, digits and _');
      if (typeof o.weight !== 'number' || !(o.weight > 0)) throw new SpecError(`/spec/rubric/criteria/${i}/weight`, 'weight must be a positive number');
      return { key: o.key, weight: o.weight };
    });
    const topN = r.top_n ?? targets.length;
    if (!Number.isInteger(topN) || (topN as number) < 1) throw new SpecError('/spec/rubric/top_n', 'top_n must be a whole number ≥ 1');
    rubric = { criteria, topN: topN as number };
  }
  if (missionClass === 'screening' && !rubric) throw new SpecError('/spec/rubric', 'a screening mission needs a rubric');

  let gates: SpecGate[];
  if (spec.approvals === undefined) {
    const before = missionClass === 'multi_round' ? 'round_2' : missionClass === 'gather_then_act' ? 'act' : null;
    gates = before ? [{ before, timeoutMs: 24 * 3600_000, onTimeout: 'fail' }] : [];
  } else {
    if (!Array.isArray(spec.approvals)) throw new SpecError('/spec/approvals', 'approvals must be a list');
    gates = spec.approvals.map((g, i) => {
      const o = objectAt(g, `/spec/approvals/${i}`);
      if (!(GATE_BEFORE as readonly unknown[]).includes(o.before)) throw new SpecError(`/spec/approvals/${i}/before`, `before must be one of ${GATE_BEFORE.join(', ')}`);
      const timeoutMs = o.timeout === undefined ? 24 * 3600_000 : parseDuration(o.timeout);
      if (timeoutMs === null || timeoutMs < 10_000) throw new SpecError(`/spec/approvals/${i}/timeout`, 'timeout must be an ISO-8601 duration of at least PT10S');
      const onTimeout = o.on_timeout ?? 'fail';
      if (onTimeout !== 'fail' && onTimeout !== 'skip') throw new SpecError(`/spec/approvals/${i}/on_timeout`, 'on_timeout must be fail or skip');
      return { before: o.before as SpecGate['before'], timeoutMs, onTimeout };
    });
  }

  let stopWhen: MissionSpec['stopWhen'] = null;
  if (spec.stop_when !== undefined) {
    const s = objectAt(spec.stop_when, '/spec/stop_when');
    const where = objectAt(s.where, '/spec/stop_when/where');
    for (const [field, cond] of Object.entries(where)) {
      const ops = objectAt(cond, `/spec/stop_when/where/${field}`);
      for (const op of Object.keys(ops)) {
        if (!(OPERATORS as readonly string[]).includes(op)) throw new SpecError(`/spec/stop_when/where/${field}/${op}`, `operator must be one of ${OPERATORS.join(', ')}`);
      }
      if ('in' in ops && !Array.isArray(ops.in)) throw new SpecError(`/spec/stop_when/where/${field}/in`, 'in takes a list');
    }
    const count = s.count ?? 1;
    if (!Number.isInteger(count) || (count as number) < 1) throw new SpecError('/spec/stop_when/count', 'count must be a whole number ≥ 1');
    stopWhen = { where: where as Condition, count: count as number };
  }
  if (missionClass === 'gather_then_act' && !stopWhen) throw new SpecError('/spec/stop_when', 'a gather_then_act mission needs stop_when');

  let act: MissionSpec['act'] = null;
  if (spec.act !== undefined) {
    const o = objectAt(spec.act, '/spec/act');
    if (!['sms', 'call', 'webhook', 'none'].includes(o.type as string)) throw new SpecError('/spec/act/type', 'type must be sms, call, webhook or none');
    const type = o.type as NonNullable<MissionSpec['act']>['type'];
    if ((type === 'sms' || type === 'call') && typeof o.to !== 'string') throw new SpecError('/spec/act/to', 'to must be "owner", "target" or an E.164 number');
    if (type === 'sms' && (typeof o.text !== 'string' || !o.text)) throw new SpecError('/spec/act/text', 'an sms act needs text');
    if (type === 'webhook' && (typeof o.url !== 'string' || !/^https?:\/\//.test(o.url))) throw new SpecError('/spec/act/url', 'a webhook act needs an http(s) url');
    act = { type, to: (o.to as string | undefined) ?? null, text: (o.text as string | undefined) ?? '', url: (o.url as string | undefined) ?? null };
  }

  return {
    class: missionClass,
    targets,
    assistant,
    schedule: { businessHours, avoid, notBefore, notAfter },
    throttle: { batchSize: batchSize as number, spacingMs },
    retry: { busy: rangeAt(rules.busy, '/spec/retry/rules/busy', [10, 15]), failed: rangeAt(rules.failed, '/spec/retry/rules/failed', [5, 10]), maxAttempts },
    insightsSchema,
    rubric,
    gates,
    stopWhen,
    act,
  };
}

/** One step of a declarative plan and what the run workflow does at it. */
export interface PlanPhase {
  step_id: string;
  description: string;
  kind: 'setup' | 'calls' | 'gate' | 'act' | 'analyze' | 'report';
  /** calls: which targets (`all`, the previous gate's `selection`, or one target by index). */
  targets?: 'all' | 'selection' | number;
  /** gate: the step it guards. */
  guards?: string;
}

/** The plan of a class (spec §5a table); C4 and C5 gates only when the spec keeps them. */
export function planOf(spec: MissionSpec): PlanPhase[] {
  const setup: PlanPhase = { step_id: 'setup', description: 'Validate the spec, link the assistant, plan the calls', kind: 'setup' };
  const report: PlanPhase = { step_id: 'report', description: 'Write the result', kind: 'report' };
  const gate = (before: SpecGate['before']) => spec.gates.find((g) => g.before === before);
  switch (spec.class) {
    case 'negotiation':
      return [setup, ...spec.targets.map((t, i): PlanPhase => ({ step_id: `call_${i + 1}`, description: `Call ${t.name}`, kind: 'calls', targets: i })), report];
    case 'multi_round':
      return [
        setup,
        { step_id: 'round_1', description: `Call ${spec.targets.length} targets`, kind: 'calls', targets: 'all' },
        ...(gate('round_2') ? [{ step_id: 'gate_1', description: 'Approve round 2 and its targets', kind: 'gate', guards: 'round_2' } as PlanPhase] : []),
        { step_id: 'round_2', description: 'Call the selected targets again', kind: 'calls', targets: 'selection' },
        report,
      ];
    case 'gather_then_act':
      return [
        setup,
        { step_id: 'gather', description: `Call targets until ${spec.stopWhen?.count ?? 1} match`, kind: 'calls', targets: 'all' },
        ...(gate('act') ? [{ step_id: 'gate_act', description: 'Approve the action', kind: 'gate', guards: 'act' } as PlanPhase] : []),
        { step_id: 'act', description: `Act (${spec.act?.type ?? 'none'})`, kind: 'act' },
        report,
      ];
    default:
      return [
        setup,
        { step_id: 'calls', description: `Call ${spec.targets.length} targets`, kind: 'calls', targets: 'all' },
        { step_id: 'analyze', description: spec.class === 'screening' ? 'Score and rank the answers' : 'Collect the answers', kind: 'analyze' },
        report,
      ];
  }
}
