/**
 * A speech engine that runs in a child process (espeak-ng WebAssembly, llama.cpp, pocketsphinx):
 * JSON lines over stdio, one request at a time in the child, answers matched by id. The child
 * starts on first use, says `{"ready":true,…}` once its model is loaded, and is started again
 * on the next request if it died. Its stdio is unref'd while idle so it never keeps a process
 * (a test run, a CLI) alive, and it exits when its parent's end of stdin closes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import readline from 'node:readline';
import { LocalEngineTimeout, ProviderError, type Stage } from './errors';

export interface EngineHostOptions {
  /** Shown in errors: "espeak-ng (WebAssembly)", "llama.cpp". */
  label: string;
  stage: Stage;
  command: string;
  args: string[];
  /** Loading a model can take seconds on a busy machine. */
  startTimeoutMs: number;
  /** How to fix a child that cannot start (missing interpreter, missing model). */
  fixHint: string;
}

type Answer = Record<string, unknown>;

interface Pending {
  resolve(answer: Answer): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

export class EngineHost {
  private child?: ChildProcess;
  private starting?: Promise<Answer>;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private stderr = '';

  constructor(private readonly opts: EngineHostOptions) {}

  /** What the child reported when it became ready (model name, sample rate…). */
  async start(): Promise<Answer> {
    if (this.starting && this.child && this.child.exitCode === null && this.child.signalCode === null) return this.starting;
    this.starting = this.spawnChild();
    this.starting.catch(() => undefined);
    return this.starting;
  }

  private spawnChild(): Promise<Answer> {
    const { label, stage, command, args, startTimeoutMs, fixHint } = this.opts;
    this.stderr = '';
    return new Promise<Answer>((resolve, reject) => {
      const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
      this.child = child;
      let ready = false;
      const fail = (message: string, retryable: boolean) => {
        clearTimeout(timer);
        if (!ready) reject(new ProviderError(`${label} could not start: ${message}. Fix: ${fixHint}`, stage, retryable));
      };
      const timer = setTimeout(() => {
        fail(`not ready after ${startTimeoutMs} ms`, true);
        child.kill('SIGKILL');
      }, startTimeoutMs);
      child.on('error', (e: NodeJS.ErrnoException) => fail(e.code === 'ENOENT' ? `${command} not found` : e.message, false));
      child.stdin?.on('error', () => undefined);
      child.stderr?.on('data', (chunk: Buffer) => {
        this.stderr = (this.stderr + chunk.toString('utf8')).slice(-4000);
      });
      child.once('exit', (code, signal) => {
        const detail = lastLines(this.stderr) || `exit ${code ?? signal}`;
        fail(detail, code === null);
        // Requests in flight die with the child; Temporal retries the activity.
        for (const [id, p] of this.pending) {
          clearTimeout(p.timer);
          p.reject(new ProviderError(`${label} stopped (${detail})`, stage, true));
          this.pending.delete(id);
        }
        if (this.child === child) this.child = undefined;
      });
      readline.createInterface({ input: child.stdout! }).on('line', (line) => {
        let msg: Answer;
        try {
          msg = JSON.parse(line) as Answer;
        } catch {
          return;
        }
        if (!ready && 'ready' in msg) {
          clearTimeout(timer);
          if (msg.ready === true) {
            ready = true;
            this.idle();
            resolve(msg);
          } else {
            fail(String(msg.error ?? 'not ready'), false);
            child.kill();
          }
          return;
        }
        const p = this.pending.get(Number(msg.id));
        if (!p) return;
        this.pending.delete(Number(msg.id));
        clearTimeout(p.timer);
        this.idle();
        if (msg.ok === true) p.resolve(msg);
        else p.reject(new ProviderError(`${label} failed: ${String(msg.error ?? 'unknown error')}`, stage, msg.retryable === true));
      });
    });
  }

  /** Sends one request and waits for its answer. */
  async request(op: string, payload: Record<string, unknown>, timeoutMs: number): Promise<Answer> {
    await this.start();
    const child = this.child;
    if (!child?.stdin) throw new ProviderError(`${this.opts.label} is not running`, this.opts.stage, true);
    const id = this.nextId++;
    this.busy();
    return new Promise<Answer>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        this.idle();
        // A stuck child would hold every later request: replace it.
        child.kill('SIGKILL');
        reject(new LocalEngineTimeout(this.opts.label, this.opts.stage, timeoutMs));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      child.stdin!.write(`${JSON.stringify({ id, op, ...payload })}\n`);
    });
  }

  /** The running child's process id (for memory measurements). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Stops the child (it would also exit on its own when this process ends). */
  close(): void {
    this.child?.kill();
    this.child = undefined;
    this.starting = undefined;
  }

  private busy(): void {
    this.setRef(true);
  }

  private idle(): void {
    if (this.pending.size === 0) this.setRef(false);
  }

  private setRef(ref: boolean): void {
    const child = this.child;
    if (!child) return;
    for (const s of [child, child.stdin, child.stdout, child.stderr] as Array<{ ref?: () => void; unref?: () => void } | null>) {
      if (ref) s?.ref?.();
      else s?.unref?.();
    }
  }
}

function lastLines(text: string): string {
  return text.trim().split('\n').slice(-3).join(' | ');
}

const shared = new Map<string, EngineHost>();

/** One host per key and process: every engine set built for the same settings shares it. */
export function sharedHost(key: string, create: () => EngineHost): EngineHost {
  let host = shared.get(key);
  if (!host) {
    host = create();
    shared.set(key, host);
  }
  return host;
}

/** Stops every shared host (a worker shutting down, a test file's teardown). */
export function closeSharedHosts(): void {
  for (const host of shared.values()) host.close();
  shared.clear();
}
