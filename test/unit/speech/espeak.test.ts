import { ProviderError } from '../../../infra/speech/errors';
import { createEspeak, espeakWordsPerMinute } from '../../../infra/speech/espeak';
import { parseWav, wavDurationMs } from '../../../infra/speech/wav';
import { describeWithBinary } from '../../support/binaries';

describeWithBinary('espeak-ng', 'espeak-ng TTS (the Debian program)', () => {
  const espeak = createEspeak();

  it('speaks into a canonical RIFF PCM16 mono file', async () => {
    const wav = await espeak.speak('Hello, this is Parley.', 'en', 1);
    const info = parseWav(wav);
    expect(wav.toString('ascii', 0, 4)).toBe('RIFF');
    expect(info).toMatchObject({ format: 1, channels: 1, bitsPerSample: 16, sampleRate: 22050, dataOffset: 44 });
    // The streaming header's placeholder sizes were replaced by the real ones.
    expect(info.dataLength).toBe(wav.length - 44);
    expect(wav.readUInt32LE(40)).toBe(wav.length - 44);
    expect(wavDurationMs(wav)).toBeGreaterThan(800);
    expect(wav.subarray(44).some((b) => b !== 0)).toBe(true);
  });

  it('turns the speed factor into words per minute', async () => {
    expect(espeakWordsPerMinute(1)).toBe(175);
    expect(espeakWordsPerMinute(2)).toBe(350);
    expect(espeakWordsPerMinute(0.25)).toBe(80);
    expect(espeakWordsPerMinute(4)).toBe(450);
    const text = 'one two three four five six seven eight';
    const slow = wavDurationMs(await espeak.speak(text, 'en', 0.75));
    const fast = wavDurationMs(await espeak.speak(text, 'en', 1.5));
    expect(slow).toBeGreaterThan(fast * 1.5);
  });

  it('passes text through stdin untouched by any shell', async () => {
    const wav = await espeak.speak('"; rm -rf / #  $(whoami) `id` -v --help', 'en', 1);
    expect(wavDurationMs(wav)).toBeGreaterThan(500);
  });

  it('gives a valid empty file for empty text', async () => {
    const wav = await espeak.speak('', 'en', 1);
    expect(parseWav(wav).dataLength).toBe(0);
  });

  it('reports an unknown voice as a permanent failure', async () => {
    const err = await espeak.speak('hi', 'nonexistentvoice', 1).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect(err).toMatchObject({ stage: 'tts', retryable: false, nonRetryable: true, type: 'ProviderError', name: 'ProviderError' });
    expect((err as Error).message).toMatch(/voice does not exist/);
  });

  it('says clearly when the binary is missing', async () => {
    const missing = createEspeak({ binary: '/nonexistent/espeak-ng' });
    await expect(missing.speak('hi', 'en', 1)).rejects.toThrow('/nonexistent/espeak-ng not found: install the Debian package espeak-ng');
  });
});
