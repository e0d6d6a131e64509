import { startStack } from '../support/stack';

describe('GET /health', () => {
  test('200 with every part up once a worker polls the task queue', async () => {
    const stack = await startStack();
    try {
      let res = await stack.app.inject({ method: 'GET', url: '/health' });
      // The worker's first poll can take a moment to register.
      const deadline = Date.now() + 10_000;
      while (res.statusCode !== 200 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 2100)); // past the probe cache
        res = await stack.app.inject({ method: 'GET', url: '/health' });
      }
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ ok: true, api: { ok: true }, database: { ok: true }, temporal: { ok: true }, worker: { ok: true }, active_sessions: 0 });
      expect(typeof res.json().uptime_s).toBe('number');
    } finally {
      await stack.close();
    }
  });

  test('503 naming the missing worker when nobody polls the task queue', async () => {
    const stack = await startStack({}, { worker: false });
    try {
      const res = await stack.app.inject({ method: 'GET', url: '/health' });
      expect(res.statusCode).toBe(503);
      expect(res.json()).toMatchObject({ ok: false, database: { ok: true }, temporal: { ok: true }, worker: { ok: false } });
      expect(res.json().worker.error).toMatch(/no worker polling/);
    } finally {
      await stack.close();
    }
  });
});

describe('bearer token', () => {
  test('every route needs the token when one is configured', async () => {
    const stack = await startStack({ PARLEY_BEARER_TOKEN: 's3cret' });
    try {
      const denied = await stack.app.inject({ method: 'POST', url: '/api/session/new' });
      expect(denied.statusCode).toBe(401);
      expect(denied.json()).toEqual({ detail: 'Unauthorized' });
      expect((await stack.app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(401);
      const allowed = await stack.app.inject({ method: 'GET', url: '/api/agent/sessions', headers: { authorization: 'Bearer s3cret' } });
      expect(allowed.statusCode).toBe(200);
    } finally {
      await stack.close();
    }
  });
});
