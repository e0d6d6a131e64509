import { createEspeakWasm } from '../../../infra/speech/espeak-wasm';
import { createPocketsphinxWheel } from '../../../infra/speech/pocketsphinx-wheel';
import { ProviderError } from '../../../infra/speech/errors';
import { decodeMono, encodeWav, resample, silenceWav } from '../../../infra/speech/wav';

jest.setTimeout(120_000);

describe('PocketSphinx 5 ASR (the PyPI wheel and its bundled model)', () => {
  const espeak = createEspeakWasm();
  const asr = createPocketsphinxWheel();

  beforeAll(async () => {
    // Fetches the wheel into the models directory on the first run.
    await asr.check(() => undefined);
  });

  it('transcribes what espeak-ng said (22.05 kHz in, resampled to 16 kHz)', async () => {
    expect(await asr.transcribe(await espeak.speak('How are you doing?', 'en', 1))).toContain('how are you');
  });

  it('takes 24 kHz audio (what the app records)', async () => {
    const mono = decodeMono(await espeak.speak('How are you doing?', 'en', 1));
    expect(await asr.transcribe(encodeWav({ samples: resample(mono.samples, mono.sampleRate, 24000), sampleRate: 24000 }))).toContain('how are you');
  });

  it('returns "" for silence', async () => {
    expect(await asr.transcribe(silenceWav(300, 16000))).toBe('');
  });

  it('says what to do when python3 is missing', async () => {
    const err = await createPocketsphinxWheel({ python: '/nonexistent/python3' }).transcribe(silenceWav(100)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect(err).toMatchObject({ stage: 'asr', retryable: false });
    expect((err as Error).message).toMatch(/PocketSphinx 5 could not start: \/nonexistent\/python3 not found\. Fix: install python3/);
  });
});
