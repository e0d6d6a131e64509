/**
 * The API reference UI (/docs) in a real Chromium (playwright-core + Debian's chromium) against
 * the app listening on a real port, with a bearer token set: the page and its assets load
 * without the token and without the network (no CDN), the UI fetches the document and renders
 * the operations of every surface, and the console stays free of errors (the page's content
 * security policy included). The page is opened over plain HTTP by a host name other than
 * localhost, as from another machine on the LAN: Chromium treats localhost as secure, a LAN
 * address not.
 * The app is the one `npm start` serves (buildApp), without a worker: /docs needs none.
 */
import { instantEngines } from '../../bench/instant-engines';
import type { TelephonyDriver } from '../../infra/telephony/driver';
import { findChromium, openBrowser, type BrowserSession } from '../support/browser';
import { startStack, type Stack } from '../support/stack';

jest.setTimeout(120_000);

const chromiumPath = findChromium();
if (!chromiumPath && process.env.CI) throw new Error('the browser suite is required under CI, and no Chromium was found (install Debian package chromium)');
const suite = chromiumPath ? describe : describe.skip;

/** Registers the call-control routes; never dialled here. */
const unusedDriver: TelephonyDriver = {
  dial: async () => ({ ok: false, detail: 'not dialled in this test' }),
  hangup: async () => ({ ok: false, detail: 'not dialled in this test' }),
};

let stack: Stack;
let base: string;
/** Resolved to 127.0.0.1 by Chromium alone (--host-resolver-rules); Node's fetch uses `local`. */
const HOST = 'parley-docs.test';
let local: string;
let session: BrowserSession | undefined;

suite('the API reference UI (/docs) in Chromium', () => {
  beforeAll(async () => {
    stack = await startStack({ PARLEY_BEARER_TOKEN: 'api-docs-test-token' }, { worker: false, engines: instantEngines(), telephony: unusedDriver });
    await stack.app.listen({ host: '127.0.0.1', port: 0 });
    const address = stack.app.server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    base = `http://${HOST}:${port}`;
    local = `http://127.0.0.1:${port}`;
  });

  afterAll(async () => {
    await session?.close();
    await stack?.close();
  });

  test('renders every operation of the OpenAPI document, each surface included, with no console error and no request off the machine', async () => {
    session = await openBrowser(chromiumPath!, [`--host-resolver-rules=MAP ${HOST} 127.0.0.1`]);
    const { page } = session;
    const offMachine: string[] = [];
    const failed: string[] = [];
    page.on('request', (r) => {
      if (!r.url().startsWith(base) && !r.url().startsWith('data:')) offMachine.push(r.url());
    });
    page.on('requestfailed', (r) => failed.push(`${r.url()}: ${r.failure()?.errorText}`));
    // The UI reads the document from /docs/json: the same document as /openapi.json.
    const spec = page.waitForResponse((r) => r.url() === `${base}/docs/json`);

    const res = await page.goto(`${base}/docs`);
    expect(res?.status()).toBe(200);
    expect((await spec).status()).toBe(200);

    // The document's title and one tag section per surface.
    await page.locator('.swagger-ui .info .title', { hasText: 'Parley' }).waitFor();
    for (const tag of ['phone', 'operator', 'v1', 'dashboard', 'clawdtalk']) {
      await page.locator(`.opblock-tag[data-tag="${tag}"]`).waitFor();
    }
    // Known operations of each surface, as rendered method + path rows.
    const operation = (method: string, path: string) =>
      page.locator(`.opblock-${method}`).filter({ has: page.locator(`.opblock-summary-path[data-path="${path}"]`) }).first();
    for (const [method, path] of [
      ['post', '/api/turn'],
      ['get', '/health'],
      ['post', '/api/call/inject'],
      ['get', '/api/agent/ws'],
      ['post', '/v1/missions'],
      ['get', '/v1/missions/{m}/runs/{r}/memory'],
    ] as const) {
      await operation(method, path).waitFor();
    }
    // Every operation of the document is rendered, not only the ones named above.
    const doc = (await (await fetch(`${local}/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
    const operations = Object.values(doc.paths).reduce((n, methods) => n + Object.keys(methods).length, 0);
    expect(await page.locator('.opblock').count()).toBe(operations);

    // An operation opens with its schema: the UI parsed the TypeBox-generated schemas.
    const inject = operation('post', '/api/call/inject');
    await inject.locator('.opblock-summary').click();
    await inject.locator('.opblock-body').getByText('session_id').first().waitFor();

    await page.waitForLoadState('networkidle');
    expect(session.errors).toEqual([]);
    expect(failed).toEqual([]);
    expect(offMachine).toEqual([]);
  });
});
