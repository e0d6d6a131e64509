/**
 * Runs a local speech binary with an argument array (never a shell: the text comes from
 * callers and LLMs) and maps its failures to ProviderError.
 */
import { spawn } from 'node:child_process';
import { ProviderError, type Stage } from './errors';

export interface RunOptions {
  stage: Stage;
  input?: string | Buffer;
  timeoutMs: number;
  /** What to install, named in the error when the binary is missing. */
  installHint: string;
}

/** Resolves with stdout on exit code 0; everything else becomes a ProviderError. */
export function runBinary(binary: string, args: string[], opts: RunOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, opts.timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => {
      err = (err + chunk.toString('utf8')).slice(-4000);
    });
    child.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      const missing = e.code === 'ENOENT';
      const message = missing
        ? `${binary} not found: install ${opts.installHint}`
        : `${binary} could not start: ${e.message}`;
      reject(new ProviderError(message, opts.stage, !missing, undefined, e));
    });
    // A binary that exits before reading all of stdin gives EPIPE here; its exit code tells more.
    child.stdin.on('error', () => undefined);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (timedOut) {
        reject(new ProviderError(`${binary} timed out after ${opts.timeoutMs} ms`, opts.stage, true));
      } else if (code !== 0) {
        const detail = lastLines(err) || `exit ${code ?? signal}`;
        // A non-zero exit is the binary refusing this input (unknown voice, bad file): it
        // would refuse again. Death by a signal (OOM killer) may not repeat.
        reject(new ProviderError(`${binary} failed: ${detail}`, opts.stage, code === null));
      } else {
        resolve(Buffer.concat(out));
      }
    });
    child.stdin.end(opts.input ?? '');
  });
}

function lastLines(text: string): string {
  return text.trim().split('\n').slice(-3).join(' | ');
}
