/** Runs `npm start` (scripts/start.js) as a child on free ports, for end-to-end tests. */
import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { testPort } from './ports';
import { ROOT, TMP_DIR } from './paths';
import { descendants, isAlive } from './processes';

export interface Started {
  child: ChildProcess;
  output: () => string;
}

export interface Ports {
  dataDir: string;
  port: number;
  temporalPort: number;
  uiPort: number;
  env: NodeJS.ProcessEnv;
}

export async function embeddedEnv(extra: NodeJS.ProcessEnv = {}): Promise<Ports> {
  fs.mkdirSync(TMP_DIR, { recursive: true });
  const dataDir = extra.PARLEY_DATA_DIR ?? fs.mkdtempSync(path.join(TMP_DIR, 'e2e-'));
  const [port, temporalPort, uiPort] = [await testPort(), await testPort(), await testPort()];
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TEMPORAL_ADDRESS: '',
    PARLEY_DATA_DIR: dataDir,
    PARLEY_PORT: String(port),
    PARLEY_TEMPORAL_PORT: String(temporalPort),
    PARLEY_TEMPORAL_UI_PORT: String(uiPort),
    DATABASE_URL: '',
    ...extra,
  };
  return { dataDir, port, temporalPort, uiPort, env };
}

export async function npmStart(env: NodeJS.ProcessEnv): Promise<Started> {
  const child = spawn(process.execPath, [path.join(ROOT, 'scripts', 'start.js')], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (c) => (out += c));
  child.stderr!.on('data', (c) => (out += c));
  const deadline = Date.now() + 150_000;
  while (!/\[parley\] ready: /.test(out)) {
    if (child.exitCode !== null) throw new Error(`npm start exited early (${child.exitCode}):\n${out}`);
    if (Date.now() > deadline) throw new Error(`npm start not ready in time:\n${out}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  return { child, output: () => out };
}

export async function stopNpmStart({ child }: Started): Promise<{ code: number | null; leftovers: number[]; tree: number[] }> {
  const tree = descendants(child.pid!);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  const code = await exited;
  await new Promise((r) => setTimeout(r, 500));
  return { code, leftovers: tree.filter(isAlive), tree };
}

/** The pid of the supervised process running `entry` (e.g. worker/main.ts). */
export function childRunning(started: Started, entry: string): number | undefined {
  return descendants(started.child.pid!).find((pid) => {
    try {
      return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(entry);
    } catch {
      return false;
    }
  });
}
