/**
 * A recogniser that runs as a python3 child process (infra/speech/hosts/*.py), model loaded once:
 * what the embedded ASR engines share. The host takes PCM16 mono at `rate` and answers `{text}`.
 */
import { EngineHost, sharedHost } from './engine-host';
import { toPcm16Mono } from './wav';

export interface PythonRecogniserOptions {
  /** Names the engine in errors and in the boot line. */
  label: string;
  python: string;
  /** The host script and its arguments. */
  args: string[];
  /** The sample rate the model listens at. */
  rate: number;
  timeoutMs: number;
  startTimeoutMs: number;
  fixHint: string;
  /** Fetches what the host needs (model, wheels) unless cached. */
  ensure(log: (msg: string) => void): Promise<unknown>;
  /** The boot line, from the host's ready message. */
  describe(ready: Record<string, unknown>): string;
}

export function createPythonRecogniser(opts: PythonRecogniserOptions) {
  const host = sharedHost(`${opts.label}:${opts.python}:${opts.args.join(':')}`, () =>
    new EngineHost({ label: opts.label, stage: 'asr', command: opts.python, args: opts.args, startTimeoutMs: opts.startTimeoutMs, fixHint: opts.fixHint }),
  );
  return {
    /** Transcribes a supported WAV (any rate, mono or stereo); "" when nothing was recognised. */
    async transcribe(wav: Buffer): Promise<string> {
      const pcm = toPcm16Mono(wav, opts.rate).subarray(44);
      const answer = await host.request('transcribe', { pcm: pcm.toString('base64') }, opts.timeoutMs);
      return String(answer.text).trim();
    },
    /** Fetches what is missing and starts the host: the boot check. */
    async check(log: (msg: string) => void): Promise<string> {
      await opts.ensure(log);
      return opts.describe(await host.start());
    },
  };
}
