/**
 * Settings of the /v1 missions plane (ClawdTalk-compatible API), read through the same key lookup
 * as the rest of the configuration and validated at boot. Every key is listed in docs/configuration.md.
 */
import { createHash } from 'node:crypto';
import { isE164 } from '../common/phone-number';

export interface LineConfig {
  /** The line's own number, E.164. */
  number: string;
  driver: 'sim' | 'adb';
  /** ADB serial of the phone carrying the line ("" = the only attached phone). */
  serial: string;
}

export interface MissionsConfig {
  /** SHA-256 hex digests of the keys given in configuration (`api_keys`); plaintext entries are hashed. */
  apiKeyHashes: string[];
  /** True when some configured key was plaintext (the API warns once at boot). */
  plaintextApiKeys: boolean;
  /** Where `POST /v1/calls` without `to` dials. */
  ownerPhone: string;
  /** The account phones. Default: two simulated lines with the `sim` driver, none with `adb`. */
  lines: LineConfig[];
  /** Seconds in which an identical mission / assistant create returns the existing one (Q9). */
  dedupeWindowSec: number;
  /** Requests per second per key, and the burst. */
  rateLimitRps: number;
  rateLimitBurst: number;
  /** Creates (POST) per minute per key. */
  rateLimitCreatesPerMin: number;
  /** Seconds without writes after which a compat run with no open events fails ("abandoned"). */
  compatRunIdleTimeoutSec: number;
  /**
   * TEST/DEMO knob: every durable wait of the missions workflows (until `scheduled_at`, retry
   * delays, approval expiry, idle timeout) is multiplied by this. 1 = contract behaviour.
   */
  timeScale: number;
  /** Where the worker's simulated lines find Parley's phone API ("" = http://127.0.0.1:<port>). */
  simApiUrl: string;
}

export const DEFAULT_SIM_LINES = ['+15550100001', '+15550100002'];

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function listOf(raw: string | undefined): string[] {
  if (raw === undefined || raw.trim() === '') return [];
  const text = raw.trim();
  if (text.startsWith('[')) {
    const parsed = JSON.parse(text);
    if (!Array.isArray(parsed)) throw new Error('not a list');
    return parsed.map(String);
  }
  return text.split(',').map((s) => s.trim()).filter(Boolean);
}

function num(name: string, raw: string | undefined, fallback: number, min: number, max: number, problems: string[]): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min || n > max) {
    problems.push(`${name} must be a number from ${min} to ${max} (got ${JSON.stringify(raw)})`);
    return fallback;
  }
  return n;
}

function parseLines(raw: string | undefined, telephonyDriver: string, adbSerial: string, problems: string[]): LineConfig[] {
  if (raw === undefined || raw.trim() === '') {
    return telephonyDriver === 'sim' ? DEFAULT_SIM_LINES.map((number) => ({ number, driver: 'sim', serial: '' })) : [];
  }
  let entries: unknown;
  try {
    entries = JSON.parse(raw);
  } catch {
    problems.push('lines must be a JSON list of {"number":"+1…","driver":"sim"|"adb","serial":"…"}');
    return [];
  }
  if (!Array.isArray(entries)) {
    problems.push('lines must be a JSON list');
    return [];
  }
  const lines: LineConfig[] = [];
  entries.forEach((entry, i) => {
    const e = (typeof entry === 'object' && entry !== null ? entry : {}) as Record<string, unknown>;
    const driver = e.driver ?? telephonyDriver;
    if (!isE164(e.number)) problems.push(`lines[${i}].number must be E.164`);
    else if (driver !== 'sim' && driver !== 'adb') problems.push(`lines[${i}].driver must be sim or adb`);
    else lines.push({ number: e.number, driver, serial: typeof e.serial === 'string' ? e.serial : driver === 'adb' ? adbSerial : '' });
  });
  if (new Set(lines.map((l) => l.number)).size !== lines.length) problems.push('lines: each number may appear once');
  return lines;
}

function simApiUrl(raw: string | undefined, problems: string[]): string {
  if (!raw) return '';
  if (!/^https?:\/\/[^\s]+$/.test(raw)) problems.push(`sim_api_url must be an http(s) URL, got ${JSON.stringify(raw)}`);
  return raw.replace(/\/+$/, '');
}

/** Builds and validates the missions settings; problems are appended to the boot's list. */
export function missionsConfigFrom(get: (key: string) => string | undefined, telephonyDriver: string, adbSerial: string, problems: string[]): MissionsConfig {
  let keys: string[] = [];
  try {
    keys = listOf(get('api_keys'));
  } catch {
    problems.push('api_keys must be a JSON list or comma-separated');
  }
  const plaintextApiKeys = keys.some((k) => !k.startsWith('sha256:'));
  const apiKeyHashes = keys.map((k) => (k.startsWith('sha256:') ? k.slice(7).toLowerCase() : sha256Hex(k)));
  for (const h of apiKeyHashes) if (!/^[0-9a-f]{64}$/.test(h)) problems.push('api_keys: a sha256: entry must hold 64 hex digits');
  const ownerPhone = get('owner_phone') ?? '';
  if (ownerPhone && !isE164(ownerPhone)) problems.push('owner_phone must be E.164');
  return {
    apiKeyHashes,
    plaintextApiKeys,
    ownerPhone,
    lines: parseLines(get('lines'), telephonyDriver, adbSerial, problems),
    dedupeWindowSec: num('dedupe_window', get('dedupe_window'), 600, 0, 86400, problems),
    rateLimitRps: num('rate_limit_rps', get('rate_limit_rps'), 20, 0.1, 100000, problems),
    rateLimitBurst: num('rate_limit_burst', get('rate_limit_burst'), 100, 1, 100000, problems),
    rateLimitCreatesPerMin: num('rate_limit_creates_per_min', get('rate_limit_creates_per_min'), 120, 1, 1000000, problems),
    compatRunIdleTimeoutSec: num('compat_run_idle_timeout', get('compat_run_idle_timeout'), 72 * 3600, 1, 365 * 86400, problems),
    timeScale: num('mission_time_scale', get('mission_time_scale'), 1, 0.00001, 1, problems),
    simApiUrl: simApiUrl(get('sim_api_url'), problems),
  };
}
