/**
 * docs/configuration.md holds the tables of infra/config-keys.ts as `npm run docs:config` writes
 * them, and every key loadConfig reads at boot is declared there (it throws otherwise).
 */
import fs from 'node:fs';
import { CONFIG_SECTIONS } from '../../../infra/config-keys';
import { CONFIG_DOC, renderConfigDoc } from '../../../infra/config-docs';
import { loadConfig } from '../../../infra/config';
import { TMP_DIR } from '../../support/paths';

test('docs/configuration.md is up to date with infra/config-keys.ts (run `npm run docs:config`)', () => {
  const doc = fs.readFileSync(CONFIG_DOC, 'utf8');
  expect(renderConfigDoc(doc)).toBe(doc);
});

test('a key added to, or changed in, the declaration makes the document stale', () => {
  const doc = fs.readFileSync(CONFIG_DOC, 'utf8');
  const process = CONFIG_SECTIONS.find((s) => s.id === 'process')!;
  process.rows.push({ keys: ['not_yet_documented'], default: '`1`', meaning: 'a key the document does not have' });
  try {
    expect(renderConfigDoc(doc)).not.toBe(doc);
    expect(renderConfigDoc(doc)).toContain('| `PARLEY_NOT_YET_DOCUMENTED` | `1` | a key the document does not have |');
  } finally {
    process.rows.pop();
  }
  expect(() => renderConfigDoc(doc.replace('<!-- config:tracing:end -->', ''))).toThrow(/markers/);
});

test('every key read at boot is declared, whatever the drivers and providers', () => {
  for (const env of [
    {},
    { PARLEY_TELEPHONY_DRIVER: 'adb', PARLEY_LINES: '[]' },
    { PARLEY_ASR_BASE_URL: 'http://127.0.0.1:1/v1', PARLEY_LLM_BASE_URL: 'http://127.0.0.1:1/v1', PARLEY_TTS_BASE_URL: 'http://127.0.0.1:1/v1', PARLEY_TTS_LANGUAGES: '{"de":{"base_url":"http://127.0.0.1:2/v1"}}', PARLEY_PIPER_BASE: 'http://127.0.0.1:3' },
    { PARLEY_LLM_ENGINE: 'llama', PARLEY_MLX_AUDIO_BASE: 'http://127.0.0.1:4' },
  ]) {
    expect(() => loadConfig(env, TMP_DIR)).not.toThrow();
  }
});
