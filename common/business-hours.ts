/**
 * Business-hours arithmetic in a callee's IANA zone (spec E02): pure and deterministic (the
 * zone rules come from the runtime's ICU data through `Intl`), DST-safe because every local
 * wall time is converted to UTC with the offset in force at that instant. Safe in workflows.
 */

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/** A window of local wall time, `HH:MM`–`HH:MM`, on ISO weekdays (1 = Monday … 7 = Sunday; 0 is Sunday too). */
export interface LocalWindow {
  days?: number[];
  start: string;
  end: string;
}

/** When a declarative attempt may start for one callee. */
export interface CallWindowRules {
  zone: string;
  /** `false`: any time of day (only `avoid` applies). */
  businessHours: LocalWindow | false;
  avoid: LocalWindow[];
  /** An attempt starts at least this long before its window closes (E02: 15 min). */
  closingMarginMs: number;
  notBefore?: number | null;
  notAfter?: number | null;
}

export const CLOSING_MARGIN_MS = 15 * MINUTE;

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric', weekday: 'short' });
    formatters.set(zone, f);
  }
  return f;
}

/** True when the runtime knows `zone` as an IANA time zone. */
export function isValidZone(zone: string): boolean {
  try {
    formatter(zone);
    return true;
  } catch {
    return false;
  }
}

export interface LocalParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** ISO weekday, 1 = Monday … 7 = Sunday. */
  weekday: number;
}

const WEEKDAYS: Record<string, number> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };

/** The wall-clock reading of instant `ms` in `zone`. */
export function localParts(ms: number, zone: string): LocalParts {
  const parts: Record<string, string> = {};
  for (const p of formatter(zone).formatToParts(new Date(ms))) parts[p.type] = p.value;
  return { year: +parts.year, month: +parts.month, day: +parts.day, hour: +parts.hour % 24, minute: +parts.minute, second: +parts.second, weekday: WEEKDAYS[parts.weekday] };
}

/** The zone's offset from UTC at instant `ms`, in ms. */
function offsetAt(ms: number, zone: string): number {
  const p = localParts(ms, zone);
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - Math.floor(ms / 1000) * 1000;
}

/**
 * The instant a local wall time happens in `zone`. A time skipped by a DST jump (02:30 on a
 * spring-forward night) maps to the instant just after the jump; a repeated one to its first
 * occurrence.
 */
export function zonedTimeToUtc(year: number, month: number, day: number, minutes: number, zone: string): number {
  const wall = Date.UTC(year, month - 1, day) + minutes * MINUTE;
  // Offsets a day either side: a zone changes its offset at most once in between.
  const before = offsetAt(wall - DAY, zone);
  const after = offsetAt(wall + DAY, zone);
  const valid = [wall - before, wall - after].filter((t, i) => offsetAt(t, zone) === (i === 0 ? before : after));
  if (valid.length > 0) return Math.min(...valid);
  // Inside a spring-forward gap: the wall time moves forward by the gap (02:30 → 03:30).
  return wall - before;
}

/** `HH:MM` → minutes after midnight (24:00 allowed as the end of a day). */
export function parseClock(text: string): number | null {
  const m = /^([01]\d|2[0-4]):([0-5]\d)$/.exec(text);
  if (!m) return null;
  const minutes = Number(m[1]) * 60 + Number(m[2]);
  return minutes > 24 * 60 ? null : minutes;
}

const onDay = (w: LocalWindow, weekday: number) => !w.days || w.days.some((d) => (d === 0 ? 7 : d) === weekday);

/** The allowed intervals `[start, lastStart]` (UTC ms) of one local calendar day. */
function dayIntervals(year: number, month: number, day: number, weekday: number, rules: CallWindowRules): Array<[number, number]> {
  const at = (minutes: number) => zonedTimeToUtc(year, month, day, minutes, rules.zone);
  let open: Array<[number, number]>;
  if (rules.businessHours === false) {
    open = [[at(0), at(24 * 60)]];
  } else {
    if (!onDay(rules.businessHours, weekday)) return [];
    open = [[at(parseClock(rules.businessHours.start)!), at(parseClock(rules.businessHours.end)!)]];
  }
  for (const w of rules.avoid) {
    if (!onDay(w, weekday)) continue;
    const [a, b] = [at(parseClock(w.start)!), at(parseClock(w.end)!)];
    open = open.flatMap(([s, e]): Array<[number, number]> => {
      if (b <= s || a >= e) return [[s, e]];
      return ([[s, a], [b, e]] as Array<[number, number]>).filter(([x, y]) => y > x);
    });
  }
  // With business hours off, a day's midnight is no real closing: only avoid windows close.
  const dayEnd = at(24 * 60);
  return open
    .map(([s, e]): [number, number] => [s, rules.businessHours === false && e === dayEnd ? e : e - rules.closingMarginMs])
    .filter(([s, last]) => last >= s);
}

/** How far ahead a slot is searched for (a year: the longest a scheduled event may wait). */
const SEARCH_DAYS = 370;

/**
 * The earliest instant at or after `fromMs` when an attempt may start under `rules`, or null
 * when there is none before `notAfter` (or within a year).
 */
export function nextAllowedStart(fromMs: number, rules: CallWindowRules): number | null {
  const from = Math.max(fromMs, rules.notBefore ?? -Infinity);
  const start = localParts(from, rules.zone);
  let cursor = Date.UTC(start.year, start.month - 1, start.day);
  for (let i = 0; i < SEARCH_DAYS; i++, cursor += DAY) {
    const d = new Date(cursor);
    const weekday = ((d.getUTCDay() + 6) % 7) + 1;
    for (const [s, last] of dayIntervals(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), weekday, rules)) {
      if (last < from) continue;
      const t = Math.max(s, from);
      if (rules.notAfter != null && t > rules.notAfter) return null;
      return t;
    }
    if (rules.notAfter != null && cursor - DAY > rules.notAfter) return null;
  }
  return null;
}

/** True when an attempt may start at `ms` (it is its own next allowed start). */
export function isAllowedStart(ms: number, rules: CallWindowRules): boolean {
  return nextAllowedStart(ms, rules) === ms;
}

/** The next business day's opening in the callee's zone (E06 `professional` no-answer retries). */
export function nextBusinessDayOpening(fromMs: number, rules: CallWindowRules): number | null {
  const p = localParts(fromMs, rules.zone);
  const tomorrow = zonedTimeToUtc(p.year, p.month, p.day, 24 * 60, rules.zone);
  return nextAllowedStart(tomorrow, rules);
}
