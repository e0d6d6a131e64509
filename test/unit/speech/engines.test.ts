import { createSpeechEngines, ProviderError } from '../../../infra/speech';
import { isRiffPcm16Mono, parseWav, silenceWav } from '../../../infra/speech/wav';
import { speechConfigFrom } from '../../../infra/speech-config';
import { startFakeOpenAIServer, type FakeOpenAIServer } from '../../support/fake-openai-server';

const configFrom = (keys: Record<string, string>) => {
  const { config, problems } = speechConfigFrom((k) => keys[k]);
  if (problems.length > 0) throw new Error(problems.join('; '));
  return config;
};

describe('createSpeechEngines', () => {
  describe('local engines: embedded Whisper and espeak-ng, the echo responder by name', () => {
    const engines = createSpeechEngines(configFrom({ llm_engine: 'echo' }));

    it('describes what runs each stage', () => {
      expect(engines.describe()).toEqual({
        asr: { engine: 'whisper', model: 'whisper-tiny.en', base_url: '', has_api_key: false },
        llm: { engine: 'echo', model: 'echo', base_url: '', has_api_key: false },
        tts: { engine: 'espeak', model: 'espeak-ng', base_url: '', has_api_key: false },
      });
    });

    it('runs a whole turn offline: speak, hear, echo', async () => {
      const spoken = await engines.synthesize('How are you doing?');
      expect(isRiffPcm16Mono(spoken.wav)).toBe(true);
      const heard = await engines.transcribe(spoken.wav);
      expect(heard.transcript.toLowerCase()).toContain('how are you');
      const answer = await engines.complete([
        { role: 'system', content: 'You are a phone assistant.' },
        { role: 'user', content: heard.transcript },
      ]);
      expect(answer).toMatchObject({ reply: `You said: ${heard.transcript}`, model: 'echo' });
      for (const ms of [spoken.ms, heard.ms, answer.ms]) expect(ms).toBeGreaterThanOrEqual(0);
    });

    it('echoes without claiming to be a model, and never replies empty', async () => {
      const silent = await engines.complete([{ role: 'user', content: '  ' }]);
      expect(silent.reply).toBe('I did not hear anything to repeat.');
      const md = await engines.complete([{ role: 'user', content: '**bold** move' }]);
      expect(md.reply).toBe('You said: bold move');
    });

    it('honours voice and speed per call', async () => {
      const slow = await engines.synthesize('one two three four', { speed: 0.6 });
      const fast = await engines.synthesize('one two three four', { speed: 1.6 });
      expect(slow.wav.length).toBeGreaterThan(fast.wav.length * 1.5);
      await expect(engines.synthesize('hallo', { voice: 'de' })).resolves.toMatchObject({ wav: expect.any(Buffer) });
    });

    it('refuses audio that is not WAV as a permanent ASR failure', async () => {
      const err = await engines.transcribe(Buffer.from('OggS not a wav')).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ProviderError);
      expect(err).toMatchObject({ stage: 'asr', retryable: false, message: 'invalid audio: not a RIFF/WAVE file' });
    });
  });

  describe('OpenAI-compatible engines (the local test double)', () => {
    let server: FakeOpenAIServer;
    beforeAll(async () => {
      server = await startFakeOpenAIServer();
    });
    afterAll(() => server.close());

    it('routes every stage to the configured server and cleans the reply', async () => {
      const engines = createSpeechEngines(
        configFrom({ mlx_audio_base: server.url.replace(/\/v1$/, ''), llm_base_url: server.url, llm_model: 'fake', llm_api_key: 'k' }),
      );
      expect(engines.describe()).toMatchObject({
        asr: { engine: 'openai', base_url: server.url },
        llm: { engine: 'openai', model: 'fake', has_api_key: true },
        tts: { engine: 'openai', base_url: server.url, model: 'tts-1' },
      });

      server.setTranscript('what are your opening hours');
      expect((await engines.transcribe(silenceWav(300))).transcript).toBe('what are your opening hours');

      server.setReply('<think>look it up</think>## Hours\n- **Nine** to five');
      expect(await engines.complete([{ role: 'user', content: 'hours?' }])).toMatchObject({ reply: 'Hours Nine to five', model: 'fake' });

      server.setReply('');
      expect((await engines.complete([{ role: 'user', content: 'hours?' }])).reply).toBe('Got it. Please continue.');

      const { wav } = await engines.synthesize('Nine to five.', { voice: 'nova', speed: 1.1 });
      expect(parseWav(wav)).toMatchObject({ format: 1, channels: 1 });
      expect(server.requests.at(-1)?.body).toMatchObject({ voice: 'nova', speed: 1.1, input: 'Nine to five.' });
      expect(server.requests.map((r) => r.path)).toEqual([
        '/v1/audio/transcriptions',
        '/v1/chat/completions',
        '/v1/chat/completions',
        '/v1/audio/speech',
      ]);
    });
  });
});
