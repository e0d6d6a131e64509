/**
 * The one way API routes and worker activities read and write runtime settings (the operator's
 * `/api/config/*` values in the Setting table, over environment and config file).
 *
 * Reads are cached for RUNTIME_SETTINGS_TTL_MS. Why a cache: every phone turn, health probe and
 * config page reads them, and each read was a database round trip on the hot path. Why so short
 * (1.5 s): another process (the worker, another API replica) learns of an operator's change only
 * when its own cache expires, so the TTL bounds that staleness to well under the time a person
 * takes to place a call after changing a setting. This process's own writes go through `save`,
 * which drops its cache, so the writer reads what it wrote at once.
 */
import type { Config } from './config';
import type { Db } from './db';
import { loadOverrides, saveSettings, settingsFrom, type RuntimeSettings } from './settings';

export const RUNTIME_SETTINGS_TTL_MS = 1500;

export interface RuntimeSettingsService {
  /** The settings in force: at most the TTL old, and always after this process's own writes. */
  current(): Promise<RuntimeSettings>;
  /**
   * The same settings, shared and deep-frozen: for hot paths that only read them (a phone turn's
   * stages), without the copy `current()` makes.
   */
  shared(): Promise<RuntimeSettings>;
  /** The stored overrides (key → value), from the same cache. */
  overrides(): Promise<Record<string, string>>;
  /** Stores values and drops this process's cache. */
  save(values: Record<string, string>): Promise<void>;
}

type Reloadable = Pick<Config, 'lookup'> & Partial<Pick<Config, 'reloadFile' | 'fileGeneration'>>;

export function createRuntimeSettings(db: Db, config: Reloadable, options: { ttlMs?: number; now?: () => number } = {}): RuntimeSettingsService {
  const ttlMs = options.ttlMs ?? RUNTIME_SETTINGS_TTL_MS;
  const now = options.now ?? Date.now;
  // One read in flight at a time, shared by every caller that asks meanwhile.
  let cached: { at: number; overrides: Promise<Record<string, string>>; settings?: Promise<RuntimeSettings> } | null = null;

  function entry() {
    if (cached && now() - cached.at < ttlMs) return cached;
    const fresh: NonNullable<typeof cached> = { at: now(), overrides: loadOverrides(db) };
    cached = fresh;
    // A failed read is not remembered: the next caller tries the database again.
    fresh.overrides.catch(() => {
      if (cached === fresh) cached = null;
    });
    return fresh;
  }

  function built(): Promise<RuntimeSettings> {
    const e = entry();
    e.settings ??= e.overrides.then((o) => deepFreeze(settingsFrom({ ...o }, config)));
    return e.settings;
  }

  return {
    // Settings are built once per read of the overrides: building them reads some sixty keys
    // through environment and config file: done per stage, that was 0.5 of the worker's 13.6
    // busy seconds in a profile at 40 calls (docs/capacity.md). `current()` gives each caller its own copy,
    // so none shares (or can change) another's object; `shared()` the one frozen object.
    current: async () => structuredClone(await built()),
    shared: built,
    overrides: async () => ({ ...(await entry().overrides) }),
    async save(values) {
      await saveSettings(db, values);
      cached = null;
    },
  };
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
