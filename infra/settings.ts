/**
 * Runtime settings: what the config routes can change while Parley runs (call policy,
 * greetings, providers, the base prompt). Stored as key → string rows in the Setting table,
 * layered over the environment and config file. Read and written through infra/runtime-settings.ts.
 */
import type { Config } from './config';
import type { Db } from './db';
import { normalizeNumber } from '../common/phone-number';
import { SpeechConfig, speechConfigFrom } from './speech-config';

export interface CallSettings {
  auto_answer: boolean;
  auto_answer_delay_ms: number;
  caller_allowlist: string[];
  caller_blocklist: string[];
  unknown_callers_allowed: boolean;
  greeting_incoming_template: string;
  greeting_outgoing_template: string;
  greeting_owner: string;
  max_duration_sec: number;
  max_duration_message: string;
  auth_passphrase: string;
  auth_reject_message: string;
  auth_max_attempts: number;
  keep_history: boolean;
  default_country_code: string;
}

export interface RuntimeSettings {
  call: CallSettings;
  speech: SpeechConfig;
  llmSystemPrompt: string;
  problems: string[];
}

export const DEFAULT_SYSTEM_PROMPT =
  'You are a helpful phone assistant. Answer in one to three short spoken sentences, without lists or formatting.';

type Get = (key: string) => string | undefined;

function bool(v: string | undefined, fallback: boolean): boolean {
  if (v === undefined || v === '') return fallback;
  return ['1', 'true', 'yes', 'on'].includes(v.toLowerCase());
}

function num(v: string | undefined, fallback: number): number {
  const n = Number(v);
  return v === undefined || v === '' || !Number.isFinite(n) ? fallback : n;
}

function list(v: string | undefined): string[] {
  if (v === undefined || v.trim() === '') return [];
  try {
    const parsed = JSON.parse(v);
    if (Array.isArray(parsed)) return parsed.map(String);
  } catch {
    // A comma-separated list, as environment variables usually carry it.
  }
  return v.split(',').map((s) => s.trim()).filter(Boolean);
}

export function callSettingsFrom(get: Get): CallSettings {
  const cc = (get('default_country_code') ?? '').replace(/^\+/, '');
  const normalise = (entries: string[]) => [...new Set(entries.map((e) => normalizeNumber(e, cc)).filter(Boolean))];
  return {
    auto_answer: bool(get('call_auto_answer') ?? get('auto_answer'), false),
    auto_answer_delay_ms: num(get('call_auto_answer_delay_ms') ?? get('auto_answer_delay_ms'), 0),
    caller_allowlist: normalise(list(get('caller_allowlist'))),
    caller_blocklist: normalise(list(get('caller_blocklist'))),
    unknown_callers_allowed: bool(get('unknown_callers_allowed'), true),
    greeting_incoming_template: get('greeting_incoming') ?? "Hello, this is {owner}'s assistant. How can I help you?",
    greeting_outgoing_template: get('greeting_outgoing') ?? "Hi, this is {owner}'s assistant calling.",
    greeting_owner: get('greeting_owner') || 'the owner',
    max_duration_sec: num(get('max_duration_sec'), 0),
    max_duration_message: get('max_duration_message') ?? 'We have reached the maximum call duration. Goodbye.',
    auth_passphrase: get('auth_passphrase') ?? '',
    auth_reject_message: get('auth_reject_message') ?? "Sorry, I can't take this call. Goodbye.",
    auth_max_attempts: num(get('auth_max_attempts'), 3),
    keep_history: bool(get('keep_history'), false),
    default_country_code: cc,
  };
}

export async function loadOverrides(db: Db): Promise<Record<string, string>> {
  const rows = await db.setting.findMany();
  return Object.fromEntries(rows.map((r) => [r.key, r.value]));
}

/**
 * Bumped by POST /api/config after it re-read the config file: every other process (the
 * worker, other API replicas) notices the new value on its next settings load and re-reads
 * the file too, so a reload is honest across processes.
 */
export const CONFIG_GENERATION_KEY = 'config_generation';

type Reloadable = Pick<Config, 'lookup'> & Partial<Pick<Config, 'reloadFile' | 'fileGeneration'>>;

function followReload(config: Reloadable, overrides: Record<string, string>): void {
  const generation = overrides[CONFIG_GENERATION_KEY];
  if (generation === undefined || !config.reloadFile || config.fileGeneration === generation) return;
  // A file that no longer validates keeps the previous one (the reloading route reported it).
  config.reloadFile();
  config.fileGeneration = generation;
}

/** The settings in force now, read from the database (infra/runtime-settings.ts caches this). */
export async function loadRuntimeSettings(db: Db, config: Reloadable): Promise<RuntimeSettings> {
  return settingsFrom(await loadOverrides(db), config);
}

/** Database overrides over environment and config file. */
export function settingsFrom(overrides: Record<string, string>, config: Reloadable): RuntimeSettings {
  followReload(config, overrides);
  const get: Get = (key) => (key in overrides ? overrides[key] : config.lookup(key));
  const speech = speechConfigFrom(get);
  return {
    call: callSettingsFrom(get),
    speech: speech.config,
    llmSystemPrompt: get('llm_system_prompt') || DEFAULT_SYSTEM_PROMPT,
    problems: speech.problems,
  };
}

export async function saveSettings(db: Db, values: Record<string, string>): Promise<void> {
  await db.$transaction(
    Object.entries(values).map(([key, value]) => db.setting.upsert({ where: { key }, create: { key, value }, update: { value } })),
  );
}

export function substituteOwner(template: string, owner: string): string {
  return template.replaceAll('{owner}', owner);
}
