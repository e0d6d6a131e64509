/**
 * Configuration: environment variables (PARLEY_<KEY>, legacy GATEWAY_<KEY>) over an optional
 * JSON config file (PARLEY_CONFIG, default ./parley.config.json), validated once at boot.
 * Every key is declared in infra/config-keys.ts (boot reads of an undeclared key fail), which
 * `npm run docs:config` turns into the tables of docs/configuration.md.
 */
import fs from 'node:fs';
import path from 'node:path';
import { SpeechConfig, speechConfigFrom } from './speech-config';
import { MissionsConfig, missionsConfigFrom } from './missions-config';
import { DECLARED_KEYS, envNames } from './config-keys';

export interface Config {
  host: string;
  port: number;
  bearerToken: string;
  /** When set, security writes need `Authorization: Bearer <admin_token>` (contract §6). */
  adminToken: string;
  /** Browser origins besides the API's own that may call it (exact `scheme://host[:port]`). */
  allowedOrigins: string[];
  /** Token-less agent WebSocket, /ws/events and §4 routes from a loopback peer without Origin. */
  legacyOpenAgentApi: boolean;
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
  /** TEST/DEMO: a file the simulated lines append one JSON line to per dial ("" = none). */
  simDialLog: string;
  adbHost: string;
  adbPort: number;
  adbSerial: string;
  defaultCountryCode: string;
  audioRetentionDays: number;
  eventRetentionDays: number;
  /** Seconds an agent holding a takeover has to answer a turn.request before the LLM answers. */
  agentTakeoverTimeout: number;
  /** Seconds from a turn's arrival within which /api/turn answers (the phone gives up at 45). */
  turnBudgetS: number;
  /** How often each API process looks for new events and turn requests in the database (ms). */
  eventPollMs: number;
  /** Port of the worker's Prometheus endpoint for Temporal SDK metrics; 0 = not served. */
  workerMetricsPort: number;
  /** Where spans go over OTLP/HTTP (`…/v1/traces`); '' = no tracing (infra/tracing.ts). */
  otlpTracesUrl: string;
  /** The /v1 missions plane (ClawdTalk-compatible API); see infra/missions-config.ts. */
  missions: MissionsConfig;
  /** Environment, then config file, by contract key name: runtime settings start from this. */
  lookup(key: string): string | undefined;
  /**
   * Re-reads the config file behind `lookup` (POST /api/config); answers the problems found,
   * and keeps the previous file when there are any. Boot-time fields above keep their values.
   */
  reloadFile(): string[];
  /** The `config_generation` setting this process last reloaded for (infra/settings.ts). */
  fileGeneration: string;
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
  const [parley, gateway] = envNames(key);
  const fromEnv = env[parley] ?? env[gateway];
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
  const read = readConfigFile(env, cwd, problems);
  let file = read.data;
  const configFile = read.file;
  const readKey = (key: string) => lookup(env, file, key);
  // Boot reads name their keys in the code: one missing from infra/config-keys.ts is a bug
  // (it would be missing from docs/configuration.md), caught by the first test that boots.
  const get = (key: string) => {
    if (!DECLARED_KEYS.has(key)) throw new Error(`config key ${key} is read but not declared in infra/config-keys.ts`);
    return readKey(key);
  };

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
  const otlpTracesUrl = tracesUrl(env, problems);
  const logLevel = (get('log_level') ?? 'info') as Config['logLevel'];
  if (!LOG_LEVELS.includes(logLevel)) problems.push(`log_level must be one of ${LOG_LEVELS.join(', ')}`);

  // The old gateway let anyone on the network drive the phone; Parley refuses to listen
  // beyond loopback without a real token (contract §6, G04).
  if (!isLoopbackHost(host) && (bearerToken === '' || bearerToken === 'CHANGE_ME')) {
    problems.push(`host ${host} is not loopback: set PARLEY_BEARER_TOKEN to a real token first`);
  }

  const adminToken = get('admin_token') ?? '';
  const allowedOrigins = originList(get('allowed_origins'), problems);
  const legacyOpen = get('legacy_open_agent_api') ?? 'false';
  if (!/^(true|false|1|0|yes|no|on|off)$/i.test(legacyOpen)) problems.push(`legacy_open_agent_api must be true or false, got ${JSON.stringify(legacyOpen)}`);

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
    adminToken,
    allowedOrigins,
    legacyOpenAgentApi: /^(true|1|yes|on)$/i.test(legacyOpen),
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
    simDialLog: get('sim_dial_log') ? path.resolve(cwd, get('sim_dial_log')!) : '',
    adbHost: get('adb_host') ?? '127.0.0.1',
    adbPort: int('adb_port', get('adb_port'), 5037, 1, 65535, problems),
    adbSerial: get('adb_serial') ?? '',
    defaultCountryCode: (get('default_country_code') ?? '').replace(/^\+/, ''),
    audioRetentionDays: int('audio_retention_days', get('audio_retention_days'), 7, 1, 3650, problems),
    eventRetentionDays: int('event_retention_days', get('event_retention_days'), 30, 1, 3650, problems),
    agentTakeoverTimeout: int('agent_takeover_timeout', get('agent_takeover_timeout'), 30, 1, 600, problems),
    turnBudgetS: int('turn_budget_s', get('turn_budget_s'), 40, 10, 600, problems),
    eventPollMs: int('event_poll_ms', get('event_poll_ms'), 20, 5, 5000, problems),
    workerMetricsPort: int('worker_metrics_port', get('worker_metrics_port'), 0, 0, 65535, problems),
    otlpTracesUrl,
    missions,
    // Runtime settings read by contract key name (infra/settings.ts): not limited to boot keys.
    lookup: readKey,
    reloadFile() {
      const found: string[] = [];
      const next = readConfigFile(env, cwd, found);
      // The runtime settings read through `lookup` must still make sense with the new file.
      found.push(...speechConfigFrom((key) => lookup(env, next.data, key)).problems);
      if (found.length === 0) file = next.data;
      return found;
    },
    fileGeneration: '',
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/**
 * The OpenTelemetry exporter's standard variables: OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is the
 * full URL, OTEL_EXPORTER_OTLP_ENDPOINT the base the traces path is appended to. Parley exports
 * OTLP over HTTP with JSON bodies, which OTLP/HTTP receivers (the OpenTelemetry Collector's)
 * take besides protobuf, so `http/protobuf` is accepted; `grpc` is refused rather than ignored.
 */
function tracesUrl(env: Env, problems: string[]): string {
  const traces = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim();
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  const [name, raw] = traces ? ['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', traces] : ['OTEL_EXPORTER_OTLP_ENDPOINT', base];
  if (!raw) return '';
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    problems.push(`${name} must be an http(s) URL, got ${JSON.stringify(raw)}`);
    return '';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    problems.push(`${name} must be an http(s) URL, got ${JSON.stringify(raw)}`);
    return '';
  }
  const protocol = env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL || env.OTEL_EXPORTER_OTLP_PROTOCOL;
  if (protocol && protocol !== 'http/json' && protocol !== 'http/protobuf') {
    problems.push(`OTEL_EXPORTER_OTLP_PROTOCOL=${protocol}: Parley exports traces over OTLP/HTTP; point ${name} at the collector's HTTP port (4318)`);
  }
  return traces ? url.href : `${url.href.replace(/\/+$/, '')}/v1/traces`;
}

/** `allowed_origins`: a JSON list or comma-separated origins, each `http(s)://host[:port]`. */
function originList(raw: string | undefined, problems: string[]): string[] {
  if (raw === undefined || raw.trim() === '') return [];
  let entries: unknown = raw.split(',').map((s) => s.trim()).filter(Boolean);
  if (raw.trim().startsWith('[')) {
    try {
      entries = JSON.parse(raw);
    } catch {
      entries = null;
    }
  }
  if (!Array.isArray(entries) || !entries.every((e) => typeof e === 'string')) {
    problems.push(`allowed_origins must be a list of origins, got ${raw}`);
    return [];
  }
  const origins: string[] = [];
  for (const entry of entries as string[]) {
    const origin = normalizeOrigin(entry);
    if (origin) origins.push(origin);
    else problems.push(`allowed_origins entry ${JSON.stringify(entry)} must look like https://host[:port]`);
  }
  return origins;
}

/** `scheme://host[:port]` in lower case without a trailing slash, or null when it is not an origin. */
export function normalizeOrigin(value: string): string | null {
  const trimmed = value.trim().replace(/\/+$/, '').toLowerCase();
  return /^https?:\/\/[^\s/?#]+$/.test(trimmed) ? trimmed : null;
}

export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//.test(url);
}
