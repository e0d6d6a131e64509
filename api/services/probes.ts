/** Probes of the voice providers and of the backing services, shared by /health, /api/status and the config routes. */
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { databaseKind } from '../../infra/db';
import { embeddedLlmPath, pocketsphinxDir, whisperDirs } from '../../infra/models/embedded';
import type { SpeechConfig } from '../../infra/speech-config';

const LOCAL_BINARIES: Record<string, string> = { 'pocketsphinx-binary': 'pocketsphinx_continuous', 'espeak-binary': 'espeak-ng' };

/** What an embedded engine needs on disk (its model, its package); the boot check loaded it once. */
function embeddedMissing(s: { engine: string; model_path?: string }): string | null {
  const missing = (file: string, what: string) => (fs.existsSync(file) ? null : `${what} missing (${file})`);
  if (s.engine === 'llama') return missing(s.model_path || embeddedLlmPath(), 'model file');
  if (s.engine === 'whisper') return onPath('python3') ? missing(path.join(whisperDirs().model, 'model.bin'), 'Whisper model') ?? missing(path.join(whisperDirs().runtime, 'ctranslate2'), 'CTranslate2 runtime') : 'python3 not installed';
  if (s.engine === 'pocketsphinx') return onPath('python3') ? missing(path.join(pocketsphinxDir(), 'pocketsphinx'), 'PocketSphinx wheel') : 'python3 not installed';
  return missing(path.join(path.dirname(require.resolve('espeak-ng')), 'espeak-ng.wasm'), 'npm package espeak-ng');
}

function onPath(binary: string): boolean {
  return (process.env.PATH ?? '').split(path.delimiter).some((dir) => dir && fs.existsSync(path.join(dir, binary)));
}

/** Whether one voice stage can answer: a local engine by its binary, a server by GET /models. */
export async function probeStage(s: { engine: string; base_url: string; api_key: string; model: string; model_path?: string }): Promise<Probe & { engine: string; model: string }> {
  const info = { engine: s.engine, model: s.model };
  if (s.engine === 'echo') return { ok: true, ...info };
  if (['llama', 'whisper', 'pocketsphinx', 'espeak'].includes(s.engine)) {
    const missing = embeddedMissing(s);
    return missing ? { ok: false, error: missing, ...info } : { ok: true, ...info };
  }
  if (LOCAL_BINARIES[s.engine]) {
    return onPath(LOCAL_BINARIES[s.engine]) ? { ok: true, ...info } : { ok: false, error: `${LOCAL_BINARIES[s.engine]} not installed`, ...info };
  }
  return {
    ...(await probe(async () => {
      const res = await fetch(`${s.base_url.replace(/\/$/, '')}/models`, {
        headers: s.api_key ? { authorization: `Bearer ${s.api_key}` } : {},
        signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
      });
      if (res.status >= 500) throw new Error(`HTTP ${res.status}`);
    })),
    ...info,
  };
}

/** Whether each voice stage can answer. */
export async function probeProviders(speech: SpeechConfig) {
  const [asr, llm, tts] = await Promise.all([probeStage(speech.asr), probeStage(speech.llm), probeStage(speech.tts)]);
  // mlx_audio was the old gateway's audio server (ASR + TTS); the app still reads its flag.
  return { asr, llm, tts, mlx_audio: { ok: asr.ok && tts.ok } };
}

export interface Probe {
  ok: boolean;
  error?: string;
}

const PROBE_TIMEOUT_MS = 1000;
// A polling worker refreshes its poller entry at least once a minute (long-poll timeout).
const POLLER_FRESH_MS = 75_000;

function withTimeout<T>(p: Promise<T>): Promise<T> {
  return Promise.race([
    p,
    new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${PROBE_TIMEOUT_MS} ms`)), PROBE_TIMEOUT_MS).unref()),
  ]);
}

export async function probe(fn: () => Promise<unknown>): Promise<Probe> {
  try {
    await withTimeout(fn());
    return { ok: true };
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  }
}


/** The /health answer: API, database, Temporal and a polling worker (ok only when all are up), plus provider flags. */
export async function checkHealth(app: Pick<FastifyInstance, 'db' | 'temporal' | 'config' | 'startedAt' | 'runtimeSettings'>) {
  const { db, temporal, config, runtimeSettings } = app;
  const [database, temporalProbe, worker, active, providers] = await Promise.all([
    probe(() => db.$queryRawUnsafe('SELECT 1')),
    probe(() => temporal.workflowService.getSystemInfo({})),
    (async (): Promise<Probe & { pollers?: number }> => {
      try {
        const res = await withTimeout(
          temporal.workflowService.describeTaskQueue({
            namespace: config.temporalNamespace,
            taskQueue: { name: config.taskQueue },
            taskQueueType: 1, // workflow task queue
          }),
        );
        const now = Date.now();
        const fresh = (res.pollers ?? []).filter((p) => {
          const seconds = Number(p.lastAccessTime?.seconds ?? 0);
          return now - seconds * 1000 < POLLER_FRESH_MS;
        });
        return fresh.length > 0 ? { ok: true, pollers: fresh.length } : { ok: false, pollers: 0, error: `no worker polling task queue ${config.taskQueue}` };
      } catch (err) {
        return { ok: false, error: (err as Error).message };
      }
    })(),
    db.callSession.count({ where: { status: 'active' } }).catch(() => null),
    runtimeSettings
      .current()
      .then((s) => probeProviders(s.speech))
      .catch((err: Error) => {
        const down = { ok: false, error: err.message };
        return { asr: down, llm: down, tts: down, mlx_audio: down };
      }),
  ]);
  const ok = database.ok && temporalProbe.ok && worker.ok;
  return {
    ok,
    api: { ok: true },
    database: { ...database, provider: databaseKind(config.databaseUrl) },
    temporal: { ...temporalProbe, address: config.temporalAddress, namespace: config.temporalNamespace },
    worker: { ...worker, task_queue: config.taskQueue },
    // Voice providers are reported but do not fail health: a turn with a provider down
    // answers the contract's error and the call goes on.
    ...providers,
    active_sessions: active,
    uptime_s: Math.round((Date.now() - app.startedAt) / 1000),
  };
}
