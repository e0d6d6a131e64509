/** The §6 access keys and the per-language TTS providers of §4.3, as configuration. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig } from '../../../infra/config';
import { speechConfigFrom, ttsLanguagesFrom } from '../../../infra/speech-config';
import { redactUrl } from '../../../infra/log';

const load = (env: Record<string, string>) => loadConfig(env, '/tmp');

test('admin_token, allowed_origins, legacy_open_agent_api: defaults and parsing', () => {
  expect(load({})).toMatchObject({ adminToken: '', allowedOrigins: [], legacyOpenAgentApi: false });
  const c = load({ PARLEY_ADMIN_TOKEN: 'adm', PARLEY_ALLOWED_ORIGINS: 'https://A.example.com/, http://localhost:3000', GATEWAY_LEGACY_OPEN_AGENT_API: 'true' });
  expect(c).toMatchObject({ adminToken: 'adm', allowedOrigins: ['https://a.example.com', 'http://localhost:3000'], legacyOpenAgentApi: true });
  expect(load({ PARLEY_ALLOWED_ORIGINS: '["https://x.example"]' }).allowedOrigins).toEqual(['https://x.example']);
});

test('bad access keys are reported by name', () => {
  try {
    load({ PARLEY_ALLOWED_ORIGINS: 'https://ok.example, not an origin, https://x.example/path', PARLEY_LEGACY_OPEN_AGENT_API: 'sometimes' });
    throw new Error('expected a ConfigError');
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    const message = (err as Error).message;
    expect(message).toContain('"not an origin"');
    expect(message).toContain('"https://x.example/path"');
    expect(message).toContain('legacy_open_agent_api');
  }
});

test('reloadFile re-reads the config file; an invalid one is refused and the old one kept', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-config-'));
  const file = path.join(dir, 'parley.config.json');
  try {
    fs.writeFileSync(file, JSON.stringify({ greeting_owner: 'Ada' }));
    const c = loadConfig({ PARLEY_CONFIG: file, PARLEY_GREETING_INCOMING: 'from env' }, dir);
    fs.writeFileSync(file, JSON.stringify({ greeting_owner: 'Grace', greeting_incoming: 'from file' }));
    expect(c.lookup('greeting_owner')).toBe('Ada');
    expect(c.reloadFile()).toEqual([]);
    expect(c.lookup('greeting_owner')).toBe('Grace');
    expect(c.lookup('greeting_incoming')).toBe('from env'); // the environment still wins
    fs.writeFileSync(file, '{ broken');
    expect(c.reloadFile()[0]).toMatch(/not valid JSON/);
    expect(c.lookup('greeting_owner')).toBe('Grace');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('tts_languages and the old piper_* keys give a language its own TTS provider', () => {
  const keys: Record<string, string> = { tts_base_url: 'http://kokoro:8880/v1', tts_voice: 'af_heart', piper_base: 'http://piper:5000/v1', piper_voice: 'de_DE-thorsten', piper_length_scale: '1.25' };
  expect(ttsLanguagesFrom((k) => keys[k])).toEqual({ de: { base_url: 'http://piper:5000/v1', voice: 'de_DE-thorsten', speed: 0.8 } });
  expect(speechConfigFrom((k) => keys[k]).config.tts).toMatchObject({ base_url: 'http://kokoro:8880/v1', voice: 'af_heart', speed: 1 });
  const german = speechConfigFrom((k) => ({ ...keys, lang: 'de' })[k]).config.tts;
  expect(german).toMatchObject({ engine: 'openai', base_url: 'http://piper:5000/v1', voice: 'de_DE-thorsten', speed: 0.8, language: 'de' });

  const fr = { tts_language: 'fr', tts_languages: JSON.stringify({ fr: { base_url: 'http://fr-tts/v1/', api_key: 'k', model: 'fr-model', voice: 'amelie', speed: 1.1 } }) } as Record<string, string>;
  expect(speechConfigFrom((k) => fr[k]).config.tts).toMatchObject({ engine: 'openai', base_url: 'http://fr-tts/v1', api_key: 'k', model: 'fr-model', voice: 'amelie', speed: 1.1 });
  expect(speechConfigFrom((k) => ({ tts_languages: '[1]' })[k as 'tts_languages']).problems[0]).toMatch(/tts_languages/);
});

test('redactUrl hides every token= value', () => {
  expect(redactUrl('/api/agent/ws?token=abc&name=x')).toBe('/api/agent/ws?token=[REDACTED]&name=x');
  expect(redactUrl('/ws/events?since=3&TOKEN=abc')).toBe('/ws/events?since=3&TOKEN=[REDACTED]');
  expect(redactUrl('/api/status')).toBe('/api/status');
});
