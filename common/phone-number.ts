/**
 * Phone-number normalisation for the call policy and dialling (contract §5 "Call policy", §6).
 * I/O-free, safe to import from workflows.
 */

/** E.164: a plus, a non-zero country digit, 7 to 15 digits in all (contract §6). */
export const E164_PATTERN = /^\+[1-9]\d{6,14}$/;

/** Separators people write inside numbers: whitespace, `-`, `(`, `)`, `.`. */
const SEPARATORS = /[\s\-().]/g;

/**
 * Normalises a number as the call policy compares it (contract §5): strips separators,
 * turns a leading `00` into `+`, and a leading single `0` into `+<defaultCountryCode>` when one
 * is configured. Anything else is kept as written, so the result need not be E.164; blank → "".
 */
export function normalizeNumber(raw: string | null | undefined, defaultCountryCode?: string | null): string {
  if (typeof raw !== 'string') return '';
  const n = raw.replace(SEPARATORS, '');
  if (n.startsWith('00')) return `+${n.slice(2)}`;
  const cc = typeof defaultCountryCode === 'string' ? defaultCountryCode.replace(SEPARATORS, '').replace(/^\+/, '') : '';
  if (n.startsWith('0') && cc) return `+${cc}${n.slice(1)}`;
  return n;
}

export function isE164(n: unknown): n is string {
  return typeof n === 'string' && E164_PATTERN.test(n);
}

/** The normalised number if it is E.164, else null (the dial rule of contract §6). */
export function normalizeE164(raw: string | null | undefined, defaultCountryCode?: string | null): string | null {
  const n = normalizeNumber(raw, defaultCountryCode);
  return isE164(n) ? n : null;
}
