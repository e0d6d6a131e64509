/** Business hours in the callee's zone: DST-safe conversions, windows, avoid, margins, bounds. */
import { isValidZone, localParts, nextAllowedStart, nextBusinessDayOpening, zonedTimeToUtc, type CallWindowRules } from '../../../common/business-hours';

const rules = (over: Partial<CallWindowRules> = {}): CallWindowRules => ({
  zone: 'America/Chicago',
  businessHours: { days: [1, 2, 3, 4, 5], start: '09:00', end: '17:00' },
  avoid: [],
  closingMarginMs: 15 * 60_000,
  ...over,
});
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

test('local wall times convert to UTC on both sides of a DST change', () => {
  // Chicago: CST (UTC-6) before 2026-03-08 02:00, CDT (UTC-5) after.
  expect(iso(zonedTimeToUtc(2026, 3, 6, 9 * 60, 'America/Chicago'))).toBe('2026-03-06T15:00:00.000Z');
  expect(iso(zonedTimeToUtc(2026, 3, 9, 9 * 60, 'America/Chicago'))).toBe('2026-03-09T14:00:00.000Z');
  // 02:30 does not exist that night: it moves forward by the gap.
  expect(iso(zonedTimeToUtc(2026, 3, 8, 150, 'America/Chicago'))).toBe('2026-03-08T08:30:00.000Z');
  // 01:30 happens twice on 2026-11-01: the first one (CDT) is taken.
  expect(iso(zonedTimeToUtc(2026, 11, 1, 90, 'America/Chicago'))).toBe('2026-11-01T06:30:00.000Z');
  expect(localParts(Date.parse('2026-03-09T14:00:00Z'), 'America/Chicago')).toMatchObject({ hour: 9, minute: 0, weekday: 1 });
  expect(iso(zonedTimeToUtc(2026, 7, 1, 9 * 60, 'Asia/Tokyo'))).toBe('2026-07-01T00:00:00.000Z');
});

test('an attempt starts inside local business hours, not in the last 15 minutes, not on weekends', () => {
  // Friday 2026-03-06 16:50 Chicago (22:50Z): too close to 17:00 → Monday 09:00 CDT (DST began Sunday).
  expect(iso(nextAllowedStart(Date.parse('2026-03-06T22:50:00Z'), rules()))).toBe('2026-03-09T14:00:00.000Z');
  // 16:40 is still fine (20 minutes before closing).
  expect(iso(nextAllowedStart(Date.parse('2026-03-06T22:40:00Z'), rules()))).toBe('2026-03-06T22:40:00.000Z');
  // Saturday → Monday.
  expect(iso(nextAllowedStart(Date.parse('2026-03-07T16:00:00Z'), rules()))).toBe('2026-03-09T14:00:00.000Z');
  // Tokyo and Chicago targets at the same instant get their own windows.
  const now = Date.parse('2026-03-10T15:00:00Z'); // 10:00 Chicago, 00:00 Tokyo (Wed)
  expect(iso(nextAllowedStart(now, rules()))).toBe('2026-03-10T15:00:00.000Z');
  expect(iso(nextAllowedStart(now, rules({ zone: 'Asia/Tokyo' })))).toBe('2026-03-11T00:00:00.000Z');
});

test('avoid windows, business hours off, not_before and not_after', () => {
  const lunch = rules({ avoid: [{ start: '11:30', end: '13:30' }] });
  // 11:20 Chicago on Tuesday 2026-03-10 (16:20Z): 10 minutes before lunch is inside the margin → 13:30.
  expect(iso(nextAllowedStart(Date.parse('2026-03-10T16:20:00Z'), lunch))).toBe('2026-03-10T18:30:00.000Z');
  expect(iso(nextAllowedStart(Date.parse('2026-03-10T16:00:00Z'), lunch))).toBe('2026-03-10T16:00:00.000Z');
  // No business hours: Saturday night is fine.
  expect(iso(nextAllowedStart(Date.parse('2026-03-07T05:00:00Z'), rules({ businessHours: false })))).toBe('2026-03-07T05:00:00.000Z');
  const notBefore = Date.parse('2026-03-11T15:00:00Z');
  expect(iso(nextAllowedStart(Date.parse('2026-03-10T15:00:00Z'), rules({ notBefore })))).toBe('2026-03-11T15:00:00.000Z');
  // Friday evening with not_after on Saturday: nothing left.
  expect(nextAllowedStart(Date.parse('2026-03-06T23:30:00Z'), rules({ notAfter: Date.parse('2026-03-08T00:00:00Z') }))).toBeNull();
});

test('next business day opening and zone names', () => {
  expect(iso(nextBusinessDayOpening(Date.parse('2026-03-06T16:00:00Z'), rules()))).toBe('2026-03-09T14:00:00.000Z');
  expect(isValidZone('Asia/Tokyo')).toBe(true);
  expect(isValidZone('Mars/Olympus')).toBe(false);
});
