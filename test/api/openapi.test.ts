/**
 * The OpenAPI document covers every route with a schema: params, body, and typed 2xx (and 101
 * for WebSocket upgrades) responses. A route added without a schema fails here. /docs renders.
 */
import { instantEngines } from '../../bench/instant-engines';
import { startStack, type Stack } from '../support/stack';
import type { TelephonyDriver } from '../../infra/telephony/driver';

/** Registers the call-control routes; never dialled here. */
const unusedDriver: TelephonyDriver = {
  dial: async () => ({ ok: false, detail: 'not dialled in this test' }),
  hangup: async () => ({ ok: false, detail: 'not dialled in this test' }),
};

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({}, { worker: false, engines: instantEngines(), telephony: unusedDriver });
});
afterAll(async () => stack.close());

interface Operation {
  parameters?: Array<{ in: string; name: string }>;
  requestBody?: { content?: Record<string, { schema?: unknown }> };
  responses?: Record<string, { content?: Record<string, { schema?: unknown }>; description?: string }>;
  tags?: string[];
}

async function document(): Promise<{ openapi: string; paths: Record<string, Record<string, Operation>> }> {
  const res = await stack.app.inject({ method: 'GET', url: '/openapi.json' });
  expect(res.statusCode).toBe(200);
  return res.json();
}

test('every route is in /openapi.json with params, a body where it takes one, and typed 2xx responses', async () => {
  const doc = await document();
  expect(doc.openapi).toMatch(/^3\./);
  const problems: string[] = [];
  let operations = 0;
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      operations += 1;
      const name = `${method.toUpperCase()} ${path}`;
      if (!op.tags?.length) problems.push(`${name}: no tag (surface)`);
      for (const param of path.match(/\{[^}]+\}/g) ?? []) {
        if (!op.parameters?.some((p) => p.in === 'path' && `{${p.name}}` === param)) problems.push(`${name}: path parameter ${param} has no schema`);
      }
      if (['post', 'put', 'patch'].includes(method) && !op.requestBody?.content) problems.push(`${name}: no body schema`);
      const success = Object.entries(op.responses ?? {}).filter(([code]) => /^(2\d\d|101)$/.test(code));
      if (success.length === 0) problems.push(`${name}: no 2xx response schema`);
      for (const [code, response] of success) {
        const typed = code === '204' || code === '101' || Object.values(response.content ?? {}).some((c) => c.schema !== undefined);
        if (!typed) problems.push(`${name}: response ${code} is untyped`);
      }
    }
  }
  expect(problems).toEqual([]);
  // Phone, operator and /v1: well over what any one surface has.
  expect(operations).toBeGreaterThan(80);
});

test('the document includes each surface', async () => {
  const { paths } = await document();
  for (const path of ['/api/turn', '/health', '/api/agent/ws', '/ws/events', '/api/call/inject', '/api/call/hangup', '/v1/missions', '/v1/missions/{m}/runs/{r}/memory']) {
    expect(Object.keys(paths)).toContain(path);
  }
  expect(Object.keys(paths).some((p) => p.endsWith('/') && p.length > 1)).toBe(false);
});

test('/docs serves the reference UI from local assets', async () => {
  const page = await stack.app.inject({ method: 'GET', url: '/docs/' });
  expect(page.statusCode).toBe(200);
  expect(page.body).toContain('swagger');
  expect(page.body).not.toMatch(/https?:\/\/(unpkg|cdn|cdnjs)/);
  const init = await stack.app.inject({ method: 'GET', url: '/docs/static/swagger-initializer.js' });
  expect(init.statusCode).toBe(200);
  const bundle = await stack.app.inject({ method: 'GET', url: '/docs/static/swagger-ui-bundle.js' });
  expect(bundle.statusCode).toBe(200);
  expect(bundle.body.length).toBeGreaterThan(100_000);
});
