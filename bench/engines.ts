/**
 * The embedded engines on this machine: ASR milliseconds per second of audio, LLM time to first
 * token and tokens per second, TTS milliseconds per character, the memory of a real worker with
 * the model loaded, and caller turns of a simulated call through the embedded stack end to end
 * (a real worker process with the default engines; POST /api/turn with the caller's words spoken
 * by the simulated phone's voice → workflow → ASR → LLM → TTS → the answer).
 */
import { fork } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { Client } from '@temporalio/client';
import { buildApp } from '../api/app';
import { loadConfig } from '../infra/config';
import { connectNative } from '../infra/temporal';
import { WORKER_NODE_ARGS } from '../infra/worker-args';
import { createDb, prepareDb } from '../infra/db';
import { freePort, startDevServer } from '../infra/dev-server';
import { applyMigrations } from '../prisma/migrate';
import { closeSharedHosts } from '../infra/speech/engine-host';
import { createEspeakWasm } from '../infra/speech/espeak-wasm';
import { createLlama } from '../infra/speech/llama';
import { createWhisper } from '../infra/speech/whisper';
import { wavDurationMs } from '../infra/speech/wav';
import { speechConfigFrom } from '../infra/speech-config';
import { CORPUS } from './asr-corpus';

const ROOT = path.resolve(__dirname, '..');

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]);
}

/** Resident memory of a process and all its descendants (the engines run as children), in MB. */
export function treeRssMb(pid: number): number {
  const children = new Map<number, number[]>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const ppid = Number(fs.readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1].split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // Gone meanwhile.
    }
  }
  let kb = 0;
  const visit = (p: number) => {
    try {
      kb += Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${p}/status`, 'utf8'))?.[1] ?? 0);
    } catch {
      return;
    }
    for (const c of children.get(p) ?? []) visit(c);
  };
  visit(pid);
  return Math.round(kb / 1024);
}

const SYSTEM = 'You are the receptionist of a dental clinic answering the phone. Answer in one or two short sentences.';

/** Runs the engine measurements; `env` carries TEMPORAL_ADDRESS and DATABASE_URL of the bench. */
export async function benchEngines(opts: { env: NodeJS.ProcessEnv; temporal: Client; quick: boolean }) {
  const n = opts.quick ? 10 : 30;
  const sample = CORPUS.filter((u) => u.voice === 'en-us').slice(0, n);
  const { config: speech } = speechConfigFrom(() => undefined);

  process.stdout.write(`engines: TTS, ASR and LLM on ${n} utterances each…\n`);
  // Generous timeouts: this part measures the engines' speed, not the turn's budget.
  const tts = createEspeakWasm({ timeoutMs: 60_000 });
  const asr = createWhisper({ timeoutMs: 120_000 });
  const llm = createLlama(speech.llm, { timeoutMs: 120_000 });
  const log = (msg: string) => process.stdout.write(`  ${msg}\n`);
  await Promise.all([tts.check(), asr.check(log), llm.check(log)]);

  let ttsMs = 0;
  let chars = 0;
  const spoken: Buffer[] = [];
  for (const u of sample) {
    const start = performance.now();
    spoken.push(await tts.speak(u.text, u.voice, u.speed));
    ttsMs += performance.now() - start;
    chars += u.text.length;
  }
  let asrMs = 0;
  let audioMs = 0;
  for (const wav of spoken) {
    const start = performance.now();
    await asr.transcribe(wav);
    asrMs += performance.now() - start;
    audioMs += wavDurationMs(wav);
  }
  const ttft: number[] = [];
  let genMs = 0;
  let tokens = 0;
  for (const u of sample) {
    const start = performance.now();
    const answer = await llm.chat([{ role: 'system', content: SYSTEM }, { role: 'user', content: u.text }], { ...speech.llm, max_tokens: 48 });
    ttft.push(answer.ttftMs);
    genMs += performance.now() - start - answer.ttftMs;
    tokens += Math.max(0, answer.tokens - 1);
  }
  closeSharedHosts();
  const engines = {
    tts_ms_per_char: Math.round((ttsMs / chars) * 100) / 100,
    asr_ms_per_audio_s: Math.round(asrMs / (audioMs / 1000)),
    llm_model: speech.llm.model,
    llm_ttft_ms: { p50: percentile(ttft, 50), p95: percentile(ttft, 95) },
    llm_tokens_per_s: Math.round((tokens / (genMs / 1000)) * 10) / 10,
  };

  // ---- caller turns through a real worker on the embedded defaults ------------------------
  process.stdout.write(`engines: ${n} caller turns through a worker on the embedded defaults…\n`);
  const taskQueue = `bench-embedded-${randomUUID()}`;
  const env = { ...opts.env, PARLEY_TASK_QUEUE: taskQueue, PARLEY_LLM_ENGINE: '', PARLEY_LLM_BASE_URL: '', PARLEY_LOG_LEVEL: 'info' };
  const worker = fork(path.join(ROOT, 'worker', 'main.ts'), [], { env, execArgv: [...WORKER_NODE_ARGS], cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    worker.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      if (/worker polling/.test(out)) resolve();
    });
    worker.once('exit', (code) => reject(new Error(`embedded worker exited (${code}): ${out.slice(-2000)}`)));
  });
  const workerRssMb = treeRssMb(worker.pid!);
  const config = loadConfig(env);
  const db = createDb(config.databaseUrl);
  await prepareDb(db, config.databaseUrl);
  const app = await buildApp({ config, db, temporal: opts.temporal });
  const port = await freePort();
  await app.listen({ host: '127.0.0.1', port });
  const post = async (fields: Record<string, string>, audio: Buffer) => {
    const form = new FormData();
    for (const [k, v] of Object.entries(fields)) form.append(k, v);
    form.append('audio', new Blob([new Uint8Array(audio)], { type: 'audio/wav' }), 'turn.wav');
    const started = performance.now();
    const res = await fetch(`http://127.0.0.1:${port}/api/turn`, { method: 'POST', body: form });
    const body = (await res.json()) as Record<string, unknown>;
    return { ms: performance.now() - started, ok: res.ok && body.ok === true, body };
  };
  const number = '+15551230201';
  const greeting = await post({ reset_session: 'true', forced_reply: 'Hello, dental clinic.', caller_number: number, call_direction: 'outgoing' }, spoken[0]);
  const sid = String(greeting.body.session_id);
  const turnMs: number[] = [];
  let errors = 0;
  for (const wav of spoken) {
    const t = await post({ session_id: sid, caller_number: number, call_direction: 'outgoing', request_id: randomUUID() }, wav);
    if (!t.ok) errors += 1;
    turnMs.push(t.ms);
  }
  const workerRssAfterMb = treeRssMb(worker.pid!);
  await app.close();
  await db.$disconnect();
  worker.kill('SIGTERM');
  await new Promise((r) => worker.once('exit', r));

  return {
    ...engines,
    worker_rss_mb: { loaded: workerRssMb, after_turns: workerRssAfterMb },
    caller_turn_ms: { n, errors, p50: percentile(turnMs, 50), p95: percentile(turnMs, 95) },
  };
}

export type EngineResults = Awaited<ReturnType<typeof benchEngines>>;

export function printEngines(r: EngineResults): void {
  console.log(`embedded engines (${r.llm_model}); caller turns end to end, n = ${r.caller_turn_ms.n} (errors ${r.caller_turn_ms.errors})`);
  console.table({
    'TTS ms per character': r.tts_ms_per_char,
    'ASR (Whisper tiny.en) ms per second of audio': r.asr_ms_per_audio_s,
    'LLM time to first token p50 (ms)': r.llm_ttft_ms.p50,
    'LLM tokens per second': r.llm_tokens_per_s,
    'worker RSS with the model loaded (MB, with its engine processes)': r.worker_rss_mb.loaded,
    'worker RSS after the turns (MB)': r.worker_rss_mb.after_turns,
    'caller turn p50 (ms)': r.caller_turn_ms.p50,
    'caller turn p95 (ms)': r.caller_turn_ms.p95,
  });
}

/** Alone: `node --import tsx bench/engines.ts [--quick]`, on its own dev server and database. */
async function standalone(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-bench-engines-'));
  const server = await startDevServer({ port: await freePort(), uiPort: await freePort(), namespace: 'default', ui: false });
  const env = { ...process.env, TEMPORAL_ADDRESS: server.address, DATABASE_URL: `file:${path.join(dir, 'bench.db')}`, PARLEY_SESSION_TTL: '600' };
  await applyMigrations(env.DATABASE_URL);
  const connection = await connectNative(server.address);
  try {
    const r = await benchEngines({ env, temporal: new Client({ connection }), quick });
    printEngines(r);
    fs.mkdirSync(path.join(__dirname, 'results'), { recursive: true });
    fs.writeFileSync(path.join(__dirname, 'results', 'engines.json'), JSON.stringify({ generated_at: new Date().toISOString(), machine: { cpus: os.cpus().length, node: process.version, mode: quick ? 'quick' : 'full' }, ...r }, null, 2) + '\n');
  } finally {
    await connection.close();
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  standalone().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
