import { ProviderError } from '../../../infra/speech/errors';
import { createEspeakWasm } from '../../../infra/speech/espeak-wasm';
import { parseWav, wavDurationMs } from '../../../infra/speech/wav';
import { onPath } from '../../support/binaries';
import { createEspeak } from '../../../infra/speech/espeak';

describe('espeak-ng TTS (WebAssembly, from npm)', () => {
  const espeak = createEspeakWasm();

  it('speaks into a canonical RIFF PCM16 mono file at 22.05 kHz', async () => {
    const wav = await espeak.speak('Hello, this is Parley.', 'en', 1);
    expect(parseWav(wav)).toMatchObject({ format: 1, channels: 1, bitsPerSample: 16, sampleRate: 22050, dataOffset: 44, dataLength: wav.length - 44 });
    expect(wavDurationMs(wav)).toBeGreaterThan(800);
    expect(wav.subarray(44).some((b) => b !== 0)).toBe(true);
  });

  it('honours the speed factor and other voices', async () => {
    const text = 'one two three four five six seven eight';
    const slow = wavDurationMs(await espeak.speak(text, 'en', 0.75));
    const fast = wavDurationMs(await espeak.speak(text, 'en', 1.5));
    expect(slow).toBeGreaterThan(fast * 1.5);
    const female = await espeak.speak(text, 'en-us+f3', 1);
    expect(wavDurationMs(female)).toBeGreaterThan(500);
  });

  it('takes text that looks like options or shell as words', async () => {
    const wav = await espeak.speak('-v --help "; rm -rf / #  $(whoami) `id`', 'en', 1);
    expect(wavDurationMs(wav)).toBeGreaterThan(500);
  });

  it('gives a valid empty file for empty text', async () => {
    expect(parseWav(await espeak.speak('', 'en', 1)).dataLength).toBe(0);
  });

  it('reports an unknown voice as a permanent failure', async () => {
    const err = await espeak.speak('hi', 'nonexistentvoice', 1).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect(err).toMatchObject({ stage: 'tts', retryable: false });
    expect((err as Error).message).toMatch(/voice does not exist/);
  });

  const sameAsDebian = onPath('espeak-ng') ? it : it.skip;
  sameAsDebian('says exactly what the Debian program says (where it is installed)', async () => {
    const text = 'Thursday at seven works for me.';
    expect((await espeak.speak(text, 'en-us', 1)).equals(await createEspeak().speak(text, 'en-us', 1))).toBe(true);
  });
});
