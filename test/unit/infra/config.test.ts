import { ConfigError, loadConfig } from '../../../infra/config';

const load = (env: Record<string, string>) => loadConfig(env, '/tmp');

test('defaults: loopback:8996, embedded SQLite under .parley, embedded Temporal on 7233', () => {
  const c = load({});
  expect(c).toMatchObject({ host: '127.0.0.1', port: 8996, embeddedTemporal: true, temporalAddress: '127.0.0.1:7233', sessionTtl: 60, telephonyDriver: 'sim' });
  expect(c.databaseUrl).toBe('file:/tmp/.parley/parley.db');
  expect(c.speech.llm.engine).toBe('llama');
});

test('G04 a non-loopback host without a real token refuses to start', () => {
  for (const token of ['', 'CHANGE_ME']) {
    expect(() => load({ PARLEY_HOST: '0.0.0.0', PARLEY_BEARER_TOKEN: token })).toThrow(/not loopback/);
  }
  expect(load({ PARLEY_HOST: '0.0.0.0', PARLEY_BEARER_TOKEN: 'a-real-token' }).host).toBe('0.0.0.0');
});

test('every problem is reported at once, by name', () => {
  try {
    load({ PARLEY_PORT: 'eighty', PARLEY_SESSION_TTL: '0', DATABASE_URL: 'mysql://x', PARLEY_TELEPHONY_DRIVER: 'fax' });
    throw new Error('expected a ConfigError');
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    const message = (err as Error).message;
    for (const part of ['port', 'session_ttl', 'DATABASE_URL', 'telephony_driver']) expect(message).toContain(part);
  }
});

test('legacy GATEWAY_ names work; PARLEY_ wins; TEMPORAL_ADDRESS turns the dev server off', () => {
  expect(load({ GATEWAY_PORT: '9000' }).port).toBe(9000);
  expect(load({ GATEWAY_PORT: '9000', PARLEY_PORT: '9001' }).port).toBe(9001);
  expect(load({ TEMPORAL_ADDRESS: 'temporal:7233' })).toMatchObject({ embeddedTemporal: false, temporalAddress: 'temporal:7233' });
});
