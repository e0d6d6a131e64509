/**
 * `npm start` end to end: the real supervisor starts the dev server, worker and API; sessions
 * show up in the API and the Temporal UI; SIGTERM leaves no process behind; a second start
 * keeps the sessions and events of the first.
 */
import path from 'node:path';
import { createDb } from '../../infra/db';
import { createTestDb, usingPostgres } from '../support/db';
import { embeddedEnv, npmStart as start, stopNpmStart } from '../support/npm-start';

jest.setTimeout(240_000);

test('npm start: ready line, health, UI, sessions; SIGTERM cleans up; restart keeps data', async () => {
  const testDb = usingPostgres() ? await createTestDb() : null;
  await testDb?.db.$disconnect();
  const { dataDir, port, uiPort, env } = await embeddedEnv({ PARLEY_SESSION_TTL: '600', DATABASE_URL: testDb?.url ?? '' });
  const api = `http://127.0.0.1:${port}`;
  const post = (url: string, body?: unknown, base = api) =>
    fetch(base + url, { method: 'POST', headers: body ? { 'content-type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined }).then((r) => r.json() as Promise<Record<string, string>>);
  const activeSessions = (base = api) => fetch(`${base}/api/agent/sessions`).then((r) => r.json() as Promise<string[]>);

  const first = await start(env);
  expect(first.output()).toContain(`API http://127.0.0.1:${port}`);
  expect(first.output()).toContain(`Temporal UI http://127.0.0.1:${uiPort}`);
  expect((await fetch(`${api}/health`)).status).toBe(200);
  expect((await fetch(`http://127.0.0.1:${uiPort}/`)).status).toBe(200);

  const { session_id: ended } = await post('/api/session/new');
  const { session_id: kept } = await post('/api/session/new');
  expect(await activeSessions()).toEqual([kept, ended]); // most recent first

  // The Web UI's own HTTP API finds the session by its search attribute.
  const query = encodeURIComponent(`ParleySessionId="${ended}"`);
  const listed = (await fetch(`http://127.0.0.1:${uiPort}/api/v1/namespaces/default/workflows?query=${query}`).then((r) => r.json())) as {
    executions: Array<{ execution: { workflowId: string } }>;
  };
  expect(listed.executions.map((e) => e.execution.workflowId)).toEqual([`call-session-${ended}`]);

  expect(await post('/api/session/end', { session_id: ended })).toEqual({ ok: true, session_id: ended });
  expect(await activeSessions()).toEqual([kept]);

  const firstStop = await stopNpmStart(first);
  expect(firstStop.tree.length).toBeGreaterThanOrEqual(3); // dev server, worker, API (and helpers)
  expect(firstStop.code).toBe(0);
  expect(firstStop.leftovers).toEqual([]);

  // Fresh ports for the second start: what must survive is the data, and another test's
  // server may have taken a port freed by the first one.
  const again = await embeddedEnv({ PARLEY_SESSION_TTL: '600', DATABASE_URL: testDb?.url ?? '', PARLEY_DATA_DIR: dataDir });
  const second = await start(again.env);
  const api2 = `http://127.0.0.1:${again.port}`;
  try {
    expect(await activeSessions(api2)).toEqual([kept]);
    const db = createDb(env.DATABASE_URL || `file:${path.join(dataDir, 'parley.db')}`);
    const events = await db.event.findMany({ orderBy: { seq: 'asc' } });
    await db.$disconnect();
    expect(events.map((e) => [e.type, e.sessionId])).toEqual([
      ['session.started', ended],
      ['session.started', kept],
      ['session.ended', ended],
    ]);
    // The session's workflow outlived the restart: it still answers.
    expect(await post('/api/session/end', { session_id: kept }, api2)).toEqual({ ok: true, session_id: kept });
  } finally {
    const secondStop = await stopNpmStart(second);
    expect(secondStop.code).toBe(0);
    expect(secondStop.leftovers).toEqual([]);
    await testDb?.close();
  }
});
