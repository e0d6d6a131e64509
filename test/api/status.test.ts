/** GET /api/status (G69) and POST /api/config, the config reload across processes. */
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { instantEngines } from '../../bench/instant-engines';
import { takeover } from '../../api/session-control';
import { loadConfig } from '../../infra/config';
import { loadRuntimeSettings } from '../../infra/settings';
import { startStack, Stack } from '../support/stack';
import { TMP_DIR } from '../support/paths';

const TOKEN = 'status-test-token';
const ADMIN = 'status-admin-token';
const configFile = path.join(TMP_DIR, `status-${randomUUID()}.json`);
const writeFile = (data: object) => fs.writeFileSync(configFile, JSON.stringify(data));
let env: Record<string, string>;
let stack: Stack;
beforeAll(async () => {
  fs.mkdirSync(TMP_DIR, { recursive: true });
  writeFile({ greeting_owner: 'Ada', auth_passphrase: 'open sesame', llm_api_key: 'sk-file-secret' });
  env = { PARLEY_CONFIG: configFile, PARLEY_BEARER_TOKEN: TOKEN, PARLEY_ADMIN_TOKEN: ADMIN, PARLEY_TTS_API_KEY: 'tts-secret' };
  stack = await startStack(env, { engines: instantEngines() });
});
afterAll(async () => {
  await stack.close();
  fs.rmSync(configFile, { force: true });
});

const as = (token: string) => ({ authorization: `Bearer ${token}`, 'content-type': 'application/json' });
const SECRET_NAME = /token|key|bearer|secret|password|passphrase/i;
function secretKeys(value: unknown, at = ''): string[] {
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([k, v]) => [...(SECRET_NAME.test(k) ? [`${at}${k}`] : []), ...secretKeys(v, `${at}${k}.`)]);
}

test('G69 /api/status: counts, agents with their takeovers, provider flags, latest_seq, config without secrets', async () => {
  const sid = (await stack.app.inject({ method: 'POST', url: '/api/session/new', headers: as(TOKEN) })).json().session_id;
  const agentId = `agent-${randomUUID().slice(0, 8)}`;
  await stack.testDb.db.agentConnection.create({ data: { agentId, name: 'ops', instanceId: 'test', connectedAt: new Date(1_800_000_000_000) } });
  expect(await takeover({ db: stack.testDb.db, temporal: stack.client, config: stack.config }, sid, agentId)).toMatchObject({ ok: true });

  const res = await stack.app.inject({ method: 'GET', url: '/api/status', headers: as(TOKEN) });
  expect(res.statusCode).toBe(200);
  const body = res.json();
  expect(body).toMatchObject({ total_calls: 1, error_count: 0, active_sessions: 1, ended_sessions: 0, ui_subscribers: 0, mlx_audio: { ok: expect.any(Boolean) }, llm: { ok: true } });
  expect(body.agents).toEqual([{ agent_id: agentId, name: 'ops', connected_at: 1_800_000_000, takeover_sessions: [sid] }]);
  expect(typeof body.uptime_s).toBe('number');
  expect(body.asr).toHaveProperty('ok');
  expect(body.tts).toHaveProperty('ok');
  const latest = await stack.testDb.db.event.findFirst({ orderBy: { seq: 'desc' } });
  expect(body.latest_seq).toBe(latest!.seq);
  expect(body.config).toMatchObject({ greeting_owner: 'Ada', auth_required: true, port: stack.config.port });
  expect(secretKeys(body)).toEqual([]);
  for (const secret of [TOKEN, ADMIN, 'open sesame', 'sk-file-secret', 'tts-secret']) expect(res.body).not.toContain(secret);
  await stack.app.inject({ method: 'POST', url: '/api/session/end', headers: as(TOKEN), payload: { session_id: sid } });
});

test('POST /api/config re-reads the file here and, through config_generation, in every other process', async () => {
  // Another process (the worker, another API replica) with its own view of the same file.
  const worker = loadConfig({ ...env, DATABASE_URL: stack.config.databaseUrl, TEMPORAL_ADDRESS: stack.config.temporalAddress }, TMP_DIR);
  expect((await loadRuntimeSettings(stack.testDb.db, worker)).call.greeting_owner).toBe('Ada');

  writeFile({ greeting_owner: 'Grace', auth_passphrase: 'new sesame', llm_system_prompt: 'Reloaded prompt.' });
  // Without a reload the file is not read again.
  expect((await stack.app.inject({ method: 'GET', url: '/api/config/call', headers: as(TOKEN) })).json().greeting_owner).toBe('Ada');

  // G05: the reload is an admin write.
  const denied = await stack.app.inject({ method: 'POST', url: '/api/config', headers: as(TOKEN) });
  expect(denied.statusCode).toBe(403);

  const res = await stack.app.inject({ method: 'POST', url: '/api/config', headers: as(ADMIN) });
  expect(res.statusCode).toBe(200);
  expect(res.json()).toMatchObject({ ok: true, config: { greeting_owner: 'Grace', llm_system_prompt: 'Reloaded prompt.' } });
  expect(secretKeys(res.json())).toEqual([]);
  expect(res.body).not.toContain('new sesame');
  const event = await stack.testDb.db.event.findFirst({ where: { type: 'status.update' }, orderBy: { seq: 'desc' } });
  expect(JSON.parse(event!.dataJson)).toEqual({ session_id: '', event: 'config_reloaded' });
  expect((await stack.app.inject({ method: 'GET', url: '/api/config/call', headers: as(TOKEN) })).json().greeting_owner).toBe('Grace');

  const elsewhere = await loadRuntimeSettings(stack.testDb.db, worker);
  expect(elsewhere.call.greeting_owner).toBe('Grace');
  expect(elsewhere.llmSystemPrompt).toBe('Reloaded prompt.');

  // A file that no longer validates is refused and the previous one stays in force.
  writeFile({ llm_base_url: 'not a url' });
  const bad = await stack.app.inject({ method: 'POST', url: '/api/config', headers: as(ADMIN) });
  expect(bad.statusCode).toBe(400);
  expect(bad.json().error).toMatch(/llm_base_url/);
  expect((await stack.app.inject({ method: 'GET', url: '/api/config/call', headers: as(TOKEN) })).json().greeting_owner).toBe('Grace');
});
