/**
 * Local TTS through the espeak-ng binary (Debian package espeak-ng): the fallback when no
 * OpenAI-compatible TTS server is configured. Robotic, but offline and fast.
 */
import { runBinary } from './process';
import { silenceWav, toPcm16Mono } from './wav';

export interface EspeakOptions {
  binary?: string;
  timeoutMs?: number;
}

const DEFAULT_WPM = 175;
const ESPEAK_RATE = 22050;
// espeak-ng's accepted range of -s.
const MIN_WPM = 80;
const MAX_WPM = 450;

/** Words per minute for a speed factor, kept inside what espeak-ng accepts. */
export function espeakWordsPerMinute(speed: number): number {
  return Math.min(MAX_WPM, Math.max(MIN_WPM, Math.round(DEFAULT_WPM * speed)));
}

/** Builds the espeak-ng synthesiser. */
export function createEspeak(opts: EspeakOptions = {}) {
  const binary = opts.binary ?? 'espeak-ng';
  // A sentence takes tens of milliseconds; a long reply well under a second.
  const timeoutMs = opts.timeoutMs ?? 10_000;
  return {
    /**
     * Speaks `text` (read from stdin, UTF-8) into a RIFF PCM16 mono buffer (22.05 kHz).
     * `voice` is an espeak-ng voice (`espeak-ng --voices`: en, en-us, de…); `speed` 1 = 175 words a minute.
     */
    async speak(text: string, voice: string, speed: number): Promise<Buffer> {
      const args = ['--stdin', '-b', '1', '--stdout', '-v', voice, '-s', String(espeakWordsPerMinute(speed))];
      const wav = await runBinary(binary, args, { stage: 'tts', input: text, timeoutMs, installHint: 'the Debian package espeak-ng' });
      // Empty input gives no bytes at all, not even a header.
      if (wav.length === 0) return silenceWav(0, ESPEAK_RATE);
      // espeak-ng streams to stdout, so its header carries placeholder sizes: rewrite it.
      return toPcm16Mono(wav);
    },
  };
}

export type Espeak = ReturnType<typeof createEspeak>;
