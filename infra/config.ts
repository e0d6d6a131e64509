/**
 * Configuration: environment variables (PARLEY_<KEY>, legacy GATEWAY_<KEY>) over an optional
 * JSON config file (PARLEY_CONFIG, default ./parley.config.json), validated once at boot.
 * Every setting is listed in README.md; keep the two in step.
 */
import fs from 'node:fs';
import path from 'node:path';
import { SpeechConfig, speechConfigFrom } from './speech-config';
import { MissionsConfig, missionsConfigFrom } from './missions-config';

export interface Config {
  host: string;
  port: number;
  bearerToken: string;
  dataDir: string;
  databaseUrl: string;
  temporalAddress: string;
  /** True when Parley itself runs the Temporal dev server (no TEMPORAL_ADDRESS given). */
  embeddedTemporal: boolean;
  temporalNamespace: string;
  /** Frontend port of the embedded dev server. */
  temporalPort: number;
  temporalUiPort: number;
  taskQueue: string;
  sessionTtl: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  configFile: string | null;
  /** The voice pipeline's providers as configured at boot (runtime overrides: infra/settings.ts). */
  speech: SpeechConfig;
  /** Telephony driver for dial/hangup: the simulated phone or an Android phone over ADB. */
  telephonyDriver: 'sim' | 'adb';
  simPace: 'realtime' | 'fast';
  simPersonasFile: string;
  adbHost: string;
  adbPort: number;
  adbSerial: string;
  defaultCountryCode: string;
  audioRetentionDays: number;
  eventRetentionDays: number;
  /** The /v1 missions plane (ClawdTalk-compatible API); see infra/missions-config.ts. */
  missions: MissionsConfig;
  /** Environment, then config file, by contract key name: runtime settings start from this. */
  lookup(key: string): string | undefined;
}

export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

export function isLoopbackHost(host: string): boolean {
  return LOOPBACK.has(host) || host.startsWith('127.');
}

/** Reads PARLEY_<KEY>, then GATEWAY_<KEY> (the old gateway's names), then the file's `key`. */
function lookup(env: Env, file: Record<string, unknown>, key: string): string | undefined {
  const upper = key.toUpperCase();
  const fromEnv = env[`PARLEY_${upper}`] ?? env[`GATEWAY_${upper}`];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  const fromFile = file[key];
  if (fromFile === undefined || fromFile === null) return undefined;
  return typeof fromFile === 'string' ? fromFile : JSON.stringify(fromFile);
}

function readConfigFile(env: Env, cwd: string, problems: string[]): { data: Record<string, unknown>; file: string | null } {
  const explicit = env.PARLEY_CONFIG;
  const file = path.resolve(cwd, explicit || 'parley.config.json');
  if (!fs.existsSync(file)) {
    if (explicit) problems.push(`PARLEY_CONFIG points at ${file}, which does not exist`);
    return { data: {}, file: null };
  }
  try {
    const data = JSON.parse(fs.readFileSync(file, 'utf8'));
    if (typeof data !== 'object' || data === null || Array.isArray(data)) {
      problems.push(`${file} must hold a JSON object`);
      return { data: {}, file };
    }
    return { data, file };
  } catch (err) {
    problems.push(`${file} is not valid JSON: ${(err as Error).message}`);
    return { data: {}, file };
  }
}

function int(name: string, raw: string | undefined, fallback: number, min: number, max: number, problems: string[]): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    problems.push(`${name} must be a whole number from ${min} to ${max} (got ${JSON.stringify(raw)})`);
    return fallback;
  }
  return n;
}

/** Builds and validates the configuration; throws ConfigError listing every problem at once. */
export function loadConfig(env: Env = process.env, cwd: string = process.cwd()): Config {
  const problems: string[] = [];
  const { data: file, file: configFile } = readConfigFile(env, cwd, problems);
  const get = (key: string) => lookup(env, file, key);

  const host = get('host') ?? '127.0.0.1';
  const port = int('port', get('port'), 8996, 0, 65535, problems);
  const bearerToken = get('bearer_token') ?? '';
  const dataDir = path.resolve(cwd, get('data_dir') ?? '.parley');
  const databaseUrl = env.DATABASE_URL || get('database_url') || `file:${path.join(dataDir, 'parley.db')}`;
  if (!/^(file:|postgres(ql)?:\/\/)/.test(databaseUrl)) {
    problems.push(`DATABASE_URL must be file:<path> (SQLite) or postgres://… (PostgreSQL), got ${JSON.stringify(databaseUrl)}`);
  }
  const temporalAddress = env.TEMPORAL_ADDRESS || '';
  if (temporalAddress && !/^[^\s:]+:\d+$/.test(temporalAddress)) {
    problems.push(`TEMPORAL_ADDRESS must be host:port, got ${JSON.stringify(temporalAddress)}`);
  }
  const logLevel = (get('log_level') ?? 'info') as Config['logLevel'];
  if (!LOG_LEVELS.includes(logLevel)) problems.push(`log_level must be one of ${LOG_LEVELS.join(', ')}`);

  // The old gateway let anyone on the network drive the phone; Parley refuses to listen
  // beyond loopback without a real token (contract §6, G04).
  if (!isLoopbackHost(host) && (bearerToken === '' || bearerToken === 'CHANGE_ME')) {
    problems.push(`host ${host} is not loopback: set PARLEY_BEARER_TOKEN to a real token first`);
  }

  const temporalPort = int('temporal_port', get('temporal_port'), 7233, 1, 65535, problems);
  const speech = speechConfigFrom(get);
  problems.push(...speech.problems);
  const telephonyDriver = get('telephony_driver') ?? 'sim';
  if (telephonyDriver !== 'sim' && telephonyDriver !== 'adb') problems.push(`telephony_driver must be sim or adb, got ${JSON.stringify(telephonyDriver)}`);
  const simPace = get('sim_pace') ?? 'realtime';
  if (simPace !== 'realtime' && simPace !== 'fast') problems.push(`sim_pace must be realtime or fast, got ${JSON.stringify(simPace)}`);
  const missions = missionsConfigFrom(get, telephonyDriver, get('adb_serial') ?? '', problems);
  const config: Config = {
    host,
    port,
    bearerToken,
    dataDir,
    databaseUrl,
    temporalAddress: temporalAddress || `127.0.0.1:${temporalPort}`,
    embeddedTemporal: !temporalAddress,
    temporalNamespace: env.TEMPORAL_NAMESPACE || 'default',
    temporalPort,
    temporalUiPort: int('temporal_ui_port', get('temporal_ui_port'), 8233, 1, 65535, problems),
    taskQueue: get('task_queue') ?? 'parley',
    sessionTtl: int('session_ttl', get('session_ttl'), 60, 1, 86400, problems),
    logLevel,
    configFile,
    speech: speech.config,
    telephonyDriver: telephonyDriver as Config['telephonyDriver'],
    simPace: simPace as Config['simPace'],
    simPersonasFile: path.resolve(cwd, get('sim_personas') ?? path.join(__dirname, '..', 'sim', 'personas.json')),
    adbHost: get('adb_host') ?? '127.0.0.1',
    adbPort: int('adb_port', get('adb_port'), 5037, 1, 65535, problems),
    adbSerial: get('adb_serial') ?? '',
    defaultCountryCode: (get('default_country_code') ?? '').replace(/^\+/, ''),
    audioRetentionDays: int('audio_retention_days', get('audio_retention_days'), 7, 1, 3650, problems),
    eventRetentionDays: int('event_retention_days', get('event_retention_days'), 30, 1, 3650, problems),
    missions,
    lookup: get,
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//.test(url);
}
