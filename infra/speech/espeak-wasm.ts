/**
 * Local TTS through espeak-ng compiled to WebAssembly (npm espeak-ng, the 1.51 program and data):
 * the default when no OpenAI-compatible TTS server is configured. The same voices and the same
 * audio as Debian's espeak-ng, nothing to install. Runs in a child process (an ES module and an
 * 18 MB WebAssembly instance stay out of the worker's heap and its test runner).
 */
import path from 'node:path';
import { EngineHost, sharedHost } from './engine-host';
import { espeakWordsPerMinute } from './espeak';
import { silenceWav, toPcm16Mono } from './wav';

const HOST = path.join(__dirname, 'hosts', 'espeak-wasm.mjs');
const ESPEAK_RATE = 22050;

/** Builds the WebAssembly espeak-ng synthesiser (one warm instance per process). */
export function createEspeakWasm(opts: { timeoutMs?: number } = {}) {
  // Inside the TTS stage's 6 s (workflows/call-session/activities.ts): a reply takes a few
  // hundred milliseconds, most of it espeak-ng unpacking its data in the fresh instance.
  const timeoutMs = opts.timeoutMs ?? 5_500;
  const host = sharedHost('espeak-wasm', () =>
    new EngineHost({
      label: 'espeak-ng (WebAssembly)',
      stage: 'tts',
      command: process.execPath,
      args: [HOST],
      startTimeoutMs: 30_000,
      fixHint: 'run `npm install` (the npm package espeak-ng), or configure another TTS (PARLEY_TTS_BASE_URL, or PARLEY_TTS_ENGINE=espeak-binary with the Debian package espeak-ng)',
    }),
  );
  return {
    /** Speaks `text` into a RIFF PCM16 mono WAV at 22.05 kHz; `voice` is an espeak-ng voice (en, en-us, en-us+f3, de…). */
    async speak(text: string, voice: string, speed: number): Promise<Buffer> {
      // espeak-ng writes no file at all for text without words.
      if (text.trim() === '') return silenceWav(0, ESPEAK_RATE);
      const answer = await host.request('speak', { text, voice, wpm: espeakWordsPerMinute(speed) }, timeoutMs);
      return toPcm16Mono(Buffer.from(String(answer.wav), 'base64'));
    },
    /** Starts the engine and says one word: the boot check. */
    async check(): Promise<string> {
      await this.speak('ready', 'en', 1);
      return 'espeak-ng (WebAssembly)';
    },
  };
}

export type EspeakWasm = ReturnType<typeof createEspeakWasm>;
