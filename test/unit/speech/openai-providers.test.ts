import { ProviderError } from '../../../infra/speech/errors';
import { createEspeakWasm } from '../../../infra/speech/espeak-wasm';
import { createOpenAIChat, createOpenAISpeaker, createOpenAITranscriber } from '../../../infra/speech/openai-providers';
import { decodeMono, isRiffPcm16Mono, parseWav } from '../../../infra/speech/wav';
import { speechConfigFrom } from '../../../infra/speech-config';
import { DEFAULT_FAKE_TRANSCRIPT, startFakeOpenAIServer, type FakeOpenAIServer } from '../../support/fake-openai-server';

describe('OpenAI-compatible providers (against the local test double)', () => {
  let server: FakeOpenAIServer;

  beforeAll(async () => {
    server = await startFakeOpenAIServer();
  });
  afterAll(() => server.close());
  beforeEach(() => {
    server.requests.length = 0;
    server.setReply((messages) => `Test model says: ${messages.at(-1)?.content ?? ''}`);
    server.setSpeech('tone');
  });

  const settings = (keys: Record<string, string> = {}) =>
    speechConfigFrom((k) => ({ llm_base_url: server.url, asr_base_url: server.url, tts_base_url: server.url, ...keys })[k]).config;

  describe('chat', () => {
    it('maps the §4.3 knobs: repeat_penalty → frequency_penalty, top_k in the body, top_p when enabled', async () => {
      const { llm } = settings({
        llm_model: 'qwen3',
        llm_api_key: 'sk-test',
        llm_repeat_penalty: '1.1',
        llm_top_k: '40',
        llm_top_p: '0.9',
        llm_stop: '["\\nUser:"]',
        llm_temperature: '0.5',
        llm_max_tokens: '123',
      });
      const chat = createOpenAIChat(llm, 5000);
      const out = await chat.chat([{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'hi there' }], llm);
      expect(out).toEqual({ reply: 'Test model says: hi there', model: 'qwen3' });

      expect(server.requests).toHaveLength(1);
      const req = server.requests[0];
      expect(req.path).toBe('/v1/chat/completions');
      expect(req.headers.authorization).toBe('Bearer sk-test');
      expect(req.body).toEqual({
        model: 'qwen3',
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'hi there' },
        ],
        max_tokens: 123,
        temperature: 0.5,
        top_p: 0.9,
        frequency_penalty: 0.1,
        top_k: 40,
        stop: ['\nUser:'],
      });
    });

    it('leaves out disabled or neutral knobs', async () => {
      const { llm } = settings({ llm_model: 'm', top_p_enabled: 'false', top_p: '0.5', top_k: '40', top_k_enabled: 'false' });
      await createOpenAIChat(llm, 5000).chat([{ role: 'user', content: 'x' }], llm);
      const body = server.requests[0].body;
      expect(body).toEqual({ model: 'm', messages: [{ role: 'user', content: 'x' }], max_tokens: 400, temperature: 0.2 });
      // Without a key the SDK still needs one; local servers ignore it.
      expect(server.requests[0].headers.authorization).toBe('Bearer none');

      const zeroTopK = settings({ llm_model: 'm', top_k: '0' }).llm;
      await createOpenAIChat(zeroTopK, 5000).chat([{ role: 'user', content: 'x' }], zeroTopK);
      expect(server.requests[1].body).not.toHaveProperty('top_k');
      expect(server.requests[1].body).toHaveProperty('top_p', 1);
    });

    it('returns the raw reply (cleaning is the engines’ job)', async () => {
      server.setReply('<think>hmm</think>**Bold** answer');
      const { llm } = settings({ llm_model: 'm' });
      expect((await createOpenAIChat(llm, 5000).chat([{ role: 'user', content: 'x' }], llm)).reply).toBe('<think>hmm</think>**Bold** answer');
    });

    it('reports a 500 as retryable, once, without retrying inside the SDK', async () => {
      const { llm } = settings({ llm_model: 'm' });
      server.failNext(1, 500, 'upstream exploded');
      const err = await createOpenAIChat(llm, 5000).chat([{ role: 'user', content: 'x' }], llm).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ProviderError);
      expect(err).toMatchObject({ stage: 'llm', status: 500, retryable: true, nonRetryable: false });
      expect((err as Error).message).toMatch(/upstream exploded/);
      expect(server.requests).toHaveLength(1);
    });

    it('reports a 401 as non-retryable, 429 and 408 as retryable', async () => {
      const { llm } = settings({ llm_model: 'm' });
      const chat = createOpenAIChat(llm, 5000);
      const fail = async (status: number) => {
        server.failNext(1, status);
        return chat.chat([{ role: 'user', content: 'x' }], llm).catch((e: ProviderError) => e);
      };
      expect(await fail(401)).toMatchObject({ status: 401, retryable: false, nonRetryable: true, type: 'ProviderError' });
      expect(await fail(404)).toMatchObject({ status: 404, retryable: false });
      expect(await fail(429)).toMatchObject({ status: 429, retryable: true });
      expect(await fail(408)).toMatchObject({ status: 408, retryable: true });
      expect(server.requests).toHaveLength(4);
    });

    it('reports an unreachable server as retryable', async () => {
      const { llm } = settings({ llm_base_url: 'http://127.0.0.1:9/v1', llm_model: 'm' });
      await expect(createOpenAIChat(llm, 2000).chat([{ role: 'user', content: 'x' }], llm)).rejects.toMatchObject({
        stage: 'llm',
        retryable: true,
        status: undefined,
      });
    });
  });

  describe('transcription', () => {
    it('uploads the WAV as multipart with model and language', async () => {
      const { asr } = settings({ asr_model: 'whisper-large-v3', asr_language: 'de' });
      const audio = await createEspeakWasm().speak('hello', 'en', 1);
      server.setTranscript('  guten tag  ');
      expect(await createOpenAITranscriber(asr, 5000).transcribe(audio)).toBe('guten tag');
      server.setTranscript(DEFAULT_FAKE_TRANSCRIPT);

      const req = server.requests[0];
      expect(req.path).toBe('/v1/audio/transcriptions');
      expect(req.body).toMatchObject({ model: 'whisper-large-v3', language: 'de', response_format: 'json' });
      const file = req.body.file as { filename: string; contentType: string; bytes: Buffer };
      expect(file.filename).toBe('turn.wav');
      expect(file.contentType).toBe('audio/wav');
      expect(file.bytes.equals(audio)).toBe(true);
    });

    it('omits an empty language', async () => {
      const { asr } = settings();
      expect(await createOpenAITranscriber(asr, 5000).transcribe(Buffer.from('RIFF'))).toBe(DEFAULT_FAKE_TRANSCRIPT);
      expect(server.requests[0].body).not.toHaveProperty('language');
      expect(server.requests[0].body).toHaveProperty('model', 'whisper-1');
    });
  });

  describe('speech', () => {
    it('asks for WAV and returns RIFF PCM16 mono', async () => {
      const { tts } = settings({ tts_model: 'kokoro' });
      const wav = await createOpenAISpeaker(tts, 5000).speak('Good morning.', 'af_bella', 1.2);
      expect(isRiffPcm16Mono(wav)).toBe(true);
      expect(parseWav(wav).sampleRate).toBe(24000);
      expect(server.requests[0].path).toBe('/v1/audio/speech');
      expect(server.requests[0].body).toEqual({ model: 'kokoro', voice: 'af_bella', input: 'Good morning.', speed: 1.2, response_format: 'wav' });
    });

    it('passes real speech through (espeak behind the test double)', async () => {
      server.setSpeech('espeak');
      const { tts } = settings();
      const wav = await createOpenAISpeaker(tts, 5000).speak('Good morning.', 'alloy', 1);
      expect(parseWav(wav).sampleRate).toBe(22050);
      expect(decodeMono(wav).samples.some((s) => Math.abs(s) > 1000)).toBe(true);
    });

    it('refuses audio that is not WAV, permanently', async () => {
      server.setSpeech('mp3');
      const { tts } = settings();
      const err = await createOpenAISpeaker(tts, 5000).speak('x', 'alloy', 1).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ProviderError);
      expect(err).toMatchObject({ stage: 'tts', retryable: false, message: 'tts provider returned unusable audio: not a RIFF/WAVE file' });
    });

    it('reports a 503 as retryable', async () => {
      const { tts } = settings();
      server.failNext(1, 503);
      await expect(createOpenAISpeaker(tts, 5000).speak('x', 'alloy', 1)).rejects.toMatchObject({ stage: 'tts', status: 503, retryable: true });
    });
  });
});
