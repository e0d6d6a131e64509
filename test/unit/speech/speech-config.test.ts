import { speechConfigFrom } from '../../../infra/speech-config';

const from = (keys: Record<string, string>) => speechConfigFrom((key) => keys[key]);

describe('speechConfigFrom', () => {
  it('falls back to the local engines and the §4.3 defaults', () => {
    const { config, problems } = from({});
    expect(problems).toEqual([]);
    expect(config.asr).toMatchObject({ engine: 'whisper', base_url: '', model: 'whisper-tiny.en', language: '' });
    expect(from({ asr_engine: 'pocketsphinx' }).config.asr).toMatchObject({ engine: 'pocketsphinx', model: 'en-us' });
    expect(config.tts).toMatchObject({ engine: 'espeak', base_url: '', voice: 'en', speed: 1, language: '' });
    expect(config.llm).toEqual({
      engine: 'llama',
      base_url: '',
      api_key: '',
      model: 'SmolLM2-135M-Instruct-Q4_1',
      model_path: '',
      threads: 1,
      max_sentences: 3,
      voice: '',
      speed: 1,
      language: '',
      max_tokens: 400,
      temperature: 0.2,
      top_p: 1.0,
      top_p_enabled: true,
      top_k: 0,
      top_k_enabled: true,
      repeat_penalty: 1.0,
      stop: [],
      context_tokens: 0,
      context_window: 8192,
      context_tokens_effective: 8192,
      max_history_turns: 8,
    });
  });

  it('uses the OpenAI-compatible engine wherever a base URL is set', () => {
    const { config, problems } = from({
      asr_base_url: 'http://127.0.0.1:9000/v1/',
      asr_model: 'whisper-large-v3',
      asr_language: 'de',
      llm_base_url: 'http://127.0.0.1:8080/v1',
      llm_api_key: 'sk-test',
      llm_model: 'qwen3-8b',
      llm_language: 'German',
      tts_base_url: 'https://tts.example.test/v1',
      tts_model: 'kokoro',
      tts_speed: '1.25',
    });
    expect(problems).toEqual([]);
    expect(config.asr).toMatchObject({ engine: 'openai', base_url: 'http://127.0.0.1:9000/v1', model: 'whisper-large-v3', language: 'de' });
    expect(config.llm).toMatchObject({ engine: 'openai', api_key: 'sk-test', model: 'qwen3-8b', language: 'German' });
    expect(config.tts).toMatchObject({ engine: 'openai', model: 'kokoro', voice: 'af_heart', speed: 1.25 });
  });

  it('accepts the old gateway names (mlx_audio_base, stt_*, voice, speed, tts_lang, lang)', () => {
    const { config, problems } = from({
      mlx_audio_base: 'http://127.0.0.1:8000',
      stt_model: 'mlx-community/whisper-large-v3-turbo',
      stt_language: 'en',
      voice: 'am_adam',
      speed: '0.9',
      tts_lang: 'en',
    });
    expect(problems).toEqual([]);
    expect(config.asr).toMatchObject({ engine: 'openai', base_url: 'http://127.0.0.1:8000/v1', model: 'mlx-community/whisper-large-v3-turbo', language: 'en' });
    expect(config.tts).toMatchObject({ engine: 'openai', base_url: 'http://127.0.0.1:8000/v1', voice: 'am_adam', speed: 0.9, language: 'en' });
    expect(from({ lang: 'de' }).config.tts).toMatchObject({ language: 'de', voice: 'de', engine: 'espeak' });
    expect(from({ mlx_audio_base: 'http://h:8000/v1' }).config.asr.base_url).toBe('http://h:8000/v1');
  });

  it('prefers the generic key over its legacy alias', () => {
    const { config } = from({
      tts_base_url: 'http://new:1/v1',
      mlx_audio_base: 'http://old:2',
      tts_voice: 'nova',
      voice: 'old-voice',
      tts_language: 'fr',
      tts_lang: 'it',
      lang: 'es',
      asr_model: 'new-model',
      stt_model: 'old-model',
    });
    expect(config.tts).toMatchObject({ base_url: 'http://new:1/v1', voice: 'nova', language: 'fr' });
    expect(config.asr).toMatchObject({ base_url: 'http://old:2/v1', model: 'new-model' });
  });

  it('reads the LLM knobs with or without the llm_ prefix', () => {
    const { config, problems } = from({
      llm_base_url: 'http://127.0.0.1:8080/v1',
      max_tokens: '200',
      llm_temperature: '0.7',
      top_p: '0.9',
      top_p_enabled: 'false',
      llm_top_k: '40',
      top_k_enabled: 'true',
      repeat_penalty: '1.1',
      llm_stop: '["\\nUser:", "</s>"]',
      context_tokens: '4096',
      max_history_turns: '4',
    });
    expect(problems).toEqual([]);
    expect(config.llm).toMatchObject({
      max_tokens: 200,
      temperature: 0.7,
      top_p: 0.9,
      top_p_enabled: false,
      top_k: 40,
      top_k_enabled: true,
      repeat_penalty: 1.1,
      stop: ['\nUser:', '</s>'],
      context_tokens: 4096,
      context_tokens_effective: 4096,
      max_history_turns: 4,
    });
    expect(from({ stop: 'END' }).config.llm.stop).toEqual(['END']);
  });

  it('returns every problem instead of throwing, keeping defaults for the bad values', () => {
    const { config, problems } = from({
      tts_speed: 'fast',
      speed: '2',
      llm_base_url: 'localhost:8080',
      llm_max_tokens: '12.5',
      llm_temperature: '-1',
      top_p_enabled: 'maybe',
      llm_stop: '[1, 2]',
      repeat_penalty: '0',
    });
    expect(problems).toEqual([
      'llm_base_url must be an http(s) URL (got "localhost:8080")',
      'llm_max_tokens must be a whole number from 1 to 1000000 (got "12.5")',
      'llm_temperature must be a number from 0 to 2 (got "-1")',
      'top_p_enabled must be true or false (got "maybe")',
      'repeat_penalty must be a number above 0 up to 3 (got "0")',
      'llm_stop must be a list of strings (got [1, 2])',
      'tts_speed must be a number from 0.25 to 4 (got "fast")',
    ]);
    expect(config.tts.speed).toBe(1);
    expect(config.llm).toMatchObject({ engine: 'llama', max_tokens: 400, temperature: 0.2, top_p_enabled: true, repeat_penalty: 1, stop: [] });
  });

  it('selects engines by name: the embedded ones by default, Debian programs, echo or OpenAI-compatible servers', () => {
    expect(from({ llm_engine: 'echo' }).config.llm).toMatchObject({ engine: 'echo', model: 'echo', model_path: '' });
    expect(from({ llm_model_path: '/models/gemma-3-270m-q4_k_m.gguf', llm_threads: '2' }).config.llm).toMatchObject({
      engine: 'llama',
      model: 'gemma-3-270m-q4_k_m',
      model_path: '/models/gemma-3-270m-q4_k_m.gguf',
      threads: 2,
    });
    const debian = from({ asr_engine: 'pocketsphinx-binary', tts_engine: 'espeak-binary' }).config;
    expect([debian.asr.engine, debian.tts.engine]).toEqual(['pocketsphinx-binary', 'espeak-binary']);
    // A base URL means openai (POST /api/config/llm switches to it); the named engine is used without one.
    expect(from({ llm_base_url: 'http://127.0.0.1:8080/v1', llm_engine: 'echo' }).config.llm).toMatchObject({ engine: 'openai', base_url: 'http://127.0.0.1:8080/v1' });
    expect(from({ llm_base_url: '', llm_engine: 'echo' }).config.llm).toMatchObject({ engine: 'echo', base_url: '' });
    expect(from({ llm_base_url: 'http://127.0.0.1:8080/v1' }).config.llm).toMatchObject({ engine: 'openai', base_url: 'http://127.0.0.1:8080/v1' });
    expect(from({ asr_engine: 'vosk', llm_engine: 'openai', tts_engine: 'piper' }).problems).toEqual([
      'asr_engine must be one of openai, whisper, pocketsphinx, pocketsphinx-binary (got "vosk")',
      'llm_engine is openai but no base URL is set for it',
      'tts_engine must be one of openai, espeak, espeak-binary (got "piper")',
    ]);
  });

  it('treats empty values as unset', () => {
    const { config, problems } = from({ tts_speed: '', speed: '1.5', asr_base_url: ' ', llm_model: '' });
    expect(problems).toEqual([]);
    expect(config.tts.speed).toBe(1.5);
    expect(config.asr.engine).toBe('whisper');
  });
});
