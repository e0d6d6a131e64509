/**
 * Local ASR through Debian's pocketsphinx_continuous (packages pocketsphinx and
 * pocketsphinx-en-us, 0.8+5prealpha): the fallback when no OpenAI-compatible ASR server
 * is configured. US English only, and weak on synthetic or telephone speech.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runBinary } from './process';
import { toPcm16Mono } from './wav';

export interface PocketsphinxOptions {
  binary?: string;
  /** Holds `en-us/` (acoustic model), `en-us.lm.bin` and `cmudict-en-us.dict`. */
  modelDir?: string;
  timeoutMs?: number;
  /** Where the input file is written for the CLI; default os.tmpdir(). */
  tmpDir?: string;
}

/** The acoustic model's rate; the CLI refuses other WAV rates. */
export const POCKETSPHINX_RATE = 16000;

/** Builds the pocketsphinx recogniser. */
export function createPocketsphinx(opts: PocketsphinxOptions = {}) {
  const binary = opts.binary ?? 'pocketsphinx_continuous';
  const modelDir = opts.modelDir ?? '/usr/share/pocketsphinx/model/en-us';
  // Loading the 134k-word dictionary alone takes ~0.4 s; decoding runs faster than real time.
  const timeoutMs = opts.timeoutMs ?? 15_000;
  return {
    /** Transcribes a supported WAV (any rate, mono or stereo); "" when nothing was recognised. */
    async transcribe(wav: Buffer): Promise<string> {
      // The CLI reads only files; the name is random so concurrent activities never collide.
      const file = path.join(opts.tmpDir ?? os.tmpdir(), `parley-asr-${randomUUID()}.wav`);
      await fs.writeFile(file, toPcm16Mono(wav, POCKETSPHINX_RATE));
      try {
        const args = [
          '-infile', file,
          '-hmm', path.join(modelDir, 'en-us'),
          '-lm', path.join(modelDir, 'en-us.lm.bin'),
          '-dict', path.join(modelDir, 'cmudict-en-us.dict'),
          '-samprate', String(POCKETSPHINX_RATE),
        ];
        const out = await runBinary(binary, args, { stage: 'asr', timeoutMs, installHint: 'the Debian packages pocketsphinx and pocketsphinx-en-us' });
        // One line per utterance the voice-activity detector found.
        return out.toString('utf8').split('\n').map((l) => l.trim()).filter(Boolean).join(' ');
      } finally {
        await fs.rm(file, { force: true });
      }
    },
  };
}

export type Pocketsphinx = ReturnType<typeof createPocketsphinx>;
