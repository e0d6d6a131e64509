/**
 * Runs the Temporal dev server (frontend, history, matching and the Web UI in one process,
 * state in a SQLite file) for embedded mode and the tests.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { SEARCH_ATTRIBUTES } from '../common/search-attributes';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { findOrProvideTemporalCli } = require('../scripts/temporal-cli.js') as { findOrProvideTemporalCli(): string | null };

export interface DevServerOptions {
  port: number;
  uiPort: number;
  /** SQLite file for the server's state; omitted = in memory. */
  dbFile?: string;
  namespace: string;
  /** Where the server's own log goes (the CLI path only). */
  logFile?: string;
  ui?: boolean;
}

export interface DevServer {
  address: string;
  /** Which binary runs it: a path, or "sdk-download". */
  executable: string;
  stop(): Promise<void>;
}

/**
 * Dynamic config for one node:
 * - a task queue in one partition. The default (4) spreads a queue's tasks and polls over
 *   partitions that exist to spread load over matching hosts; with one host and one worker they
 *   only add forwarding between partitions and miss sync matches.
 * - timers fire when due. With the default time shift (1 s) a timer due in a few milliseconds
 *   fired about a second late (measured: a missions event's scaled wait, TimerStarted →
 *   TimerFired 1,026 ms; with 1 ms, 6 ms), which made every batch of a time-scaled mission wait a
 *   second for nothing.
 * - the history service's queues (transfer, timer, visibility) read new tasks as they are
 *   written. By default each reads at most 20 times a second, so every hop a task makes through
 *   history (a workflow task after a child ended, an activity, a child's start) waited up to
 *   50 ms: a declarative run's workflow task waited 47 ms from scheduled to started, every time.
 *   At 1,000 reads a second the 200-target mission took 13.1 s instead of 21.1 s (docs/capacity.md).
 * - eager activities: an activity the workflow schedules on its own task queue goes back to the
 *   worker with the workflow task's answer, not through matching (the SDK asks for it by default).
 */
export const SINGLE_NODE_SETTINGS = [
  'matching.numTaskqueueReadPartitions=1',
  'matching.numTaskqueueWritePartitions=1',
  'history.timerProcessorMaxTimeShift="1ms"',
  'history.transferProcessorMaxPollRPS=1000',
  'history.timerProcessorMaxPollRPS=1000',
  'history.visibilityProcessorMaxPollRPS=1000',
  'system.enableActivityEagerExecution=true',
];

/**
 * A file-backed dev server's SQLite in WAL mode with synchronous=NORMAL, as Parley's own database
 * (infra/db.ts prepareDb). Without them every persistence write synced the disk: a 200-target
 * mission took 37.4 s against 16.3 s with them (12.4 s in memory). A killed process loses
 * nothing; an OS crash or power loss can drop the last transactions (docs/capacity.md).
 */
export const FILE_DB_PRAGMAS = ['journal_mode=wal', 'synchronous=normal'];

export function temporalCliPath(): string | null {
  return findOrProvideTemporalCli();
}

export async function startDevServer(opts: DevServerOptions): Promise<DevServer> {
  const address = `127.0.0.1:${opts.port}`;
  const cli = temporalCliPath();
  if (!cli) return startWithSdkDownload(opts, address);

  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(opts.port), '--namespace', opts.namespace, '--log-level', 'warn'];
  if (opts.ui === false) args.push('--headless');
  else args.push('--ui-port', String(opts.uiPort));
  if (opts.dbFile) {
    fs.mkdirSync(path.dirname(opts.dbFile), { recursive: true });
    args.push('--db-filename', opts.dbFile);
    for (const pragma of FILE_DB_PRAGMAS) args.push('--sqlite-pragma', pragma);
  }
  for (const key of SEARCH_ATTRIBUTES) args.push('--search-attribute', `${key.name}=Keyword`);
  for (const setting of SINGLE_NODE_SETTINGS) args.push('--dynamic-config-value', setting);

  const out = opts.logFile ? fs.openSync(opts.logFile, 'a') : 'ignore';
  const child = spawn(cli, args, { stdio: ['ignore', out, out] });
  // Whatever path ends this process (an error, process.exit), the dev server goes with it.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const failed = exited.then((code) => {
    throw new Error(`temporal dev server exited with code ${code} before it was ready${opts.logFile ? ` (see ${opts.logFile})` : ''}`);
  });
  await Promise.race([waitForFrontend(address, 60_000), failed]);
  failed.catch(() => undefined);
  return {
    address,
    executable: cli,
    async stop() {
      process.removeListener('exit', killOnExit);
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

async function startWithSdkDownload(opts: DevServerOptions, address: string): Promise<DevServer> {
  const { TestWorkflowEnvironment } = await import('@temporalio/testing');
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'cached-download' },
      ip: '127.0.0.1',
      port: opts.port,
      ui: opts.ui !== false,
      uiPort: opts.uiPort,
      dbFilename: opts.dbFile,
      namespace: opts.namespace,
      searchAttributes: [...SEARCH_ATTRIBUTES],
      extraArgs: [
        ...SINGLE_NODE_SETTINGS.flatMap((setting) => ['--dynamic-config-value', setting]),
        ...(opts.dbFile ? FILE_DB_PRAGMAS.flatMap((pragma) => ['--sqlite-pragma', pragma]) : []),
      ],
    },
  });
  return { address, executable: 'sdk-download', stop: () => env.teardown() };
}

/** Resolves once the frontend answers gRPC; the port opens a little before that. */
export async function waitForFrontend(address: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const [host, port] = address.split(':');
  for (;;) {
    try {
      await new Promise<void>((resolve, reject) => {
        const socket = net.connect(Number(port), host, () => socket.end(() => resolve()));
        socket.once('error', reject);
      });
      const connection = await Connection.connect({ address, connectTimeout: 2000 });
      await connection.workflowService.getSystemInfo({});
      await connection.close();
      return;
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`Temporal at ${address} did not answer within ${timeoutMs} ms: ${(err as Error).message}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
