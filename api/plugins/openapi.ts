/**
 * OpenAPI 3 generated from the route schemas (@fastify/swagger), served at GET /openapi.json,
 * and the reference UI at /docs (@fastify/swagger-ui, which serves its assets from the package:
 * no CDN). Both are public on purpose: they describe the API and hold no secret, and a browser
 * cannot send the bearer header to read them.
 */
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import fp from 'fastify-plugin';
import { Type } from '@sinclair/typebox';

/** Paths served without the bearer token (api/auth.ts). */
export const PUBLIC_DOC_PATHS = ['/openapi.json', '/docs'];

/** Everything /docs loads is served by this app; images may be inline (data:) icons. */
const DOCS_CSP = {
  'default-src': "'self'",
  'base-uri': "'self'",
  'font-src': "'self' data:",
  'frame-ancestors': "'self'",
  'img-src': "'self' data:",
  'object-src': "'none'",
  'script-src': "'self'",
  'script-src-attr': "'none'",
  'style-src': "'self'",
};

interface SocketRoute {
  url: string;
  schema: { tags?: string[]; summary?: string; querystring?: { properties?: Record<string, unknown> } };
}

/**
 * @fastify/websocket hides WebSocket routes from the document; they are part of the API, so
 * they are added back as GET operations answering 101, with their query parameters.
 */
function socketOperations(routes: SocketRoute[]): Record<string, unknown> {
  return Object.fromEntries(
    routes.map(({ url, schema }) => [
      url,
      {
        get: {
          tags: schema.tags,
          summary: schema.summary,
          parameters: Object.entries(schema.querystring?.properties ?? {}).map(([name, prop]) => ({ in: 'query', name, required: false, schema: prop })),
          responses: { 101: { description: 'Switching Protocols: the WebSocket is open' } },
        },
      },
    ]),
  );
}

export const openapiPlugin = fp(
  async (app) => {
    const sockets: SocketRoute[] = [];
    // Runs before @fastify/websocket's own onRoute hook (registered later), which hides the route.
    app.addHook('onRoute', (route) => {
      if (route.websocket) sockets.push({ url: route.url, schema: { ...((route.schema ?? {}) as SocketRoute['schema']) } });
    });
    await app.register(swagger, {
      transformObject: (doc) => {
        const openapi = (doc as { openapiObject: { paths?: Record<string, unknown> } }).openapiObject;
        openapi.paths = { ...openapi.paths, ...socketOperations(sockets) };
        return openapi as never;
      },
      openapi: {
        openapi: '3.0.3',
        info: {
          title: 'Parley',
          version: '0.1.0',
          description:
            'AI phone work, durably on Temporal. Phone API and agent/operator REST (gateway contract: `Authorization: Bearer <bearer_token>`), agent WebSockets, and the ClawdTalk-compatible `/v1` missions plane (API keys).',
        },
        tags: [
          { name: 'phone', description: 'What the Clawfinger phone app calls' },
          { name: 'operator', description: 'Agent and operator REST and WebSockets' },
          { name: 'v1', description: 'ClawdTalk-compatible missions plane' },
          { name: 'dashboard', description: 'The Control Center’s read routes' },
          { name: 'clawdtalk', description: 'ClawdTalk-compatible voice WebSocket' },
        ],
        components: {
          securitySchemes: {
            bearer: { type: 'http', scheme: 'bearer', description: 'The gateway bearer_token' },
            apiKey: { type: 'http', scheme: 'bearer', description: 'A /v1 API key (prl_live_… or prl_test_…)' },
          },
        },
        security: [{ bearer: [] }],
      },
    });
    await app.register(swaggerUi, {
      routePrefix: '/docs',
      // Not the package's default policy: its `upgrade-insecure-requests` sends the page's assets
      // to https:// whenever /docs is opened over plain HTTP by a name other than localhost (a LAN
      // address), leaving a blank page, and its `https:` and validator sources are not needed.
      staticCSP: DOCS_CSP,
      // The base layout has no top bar: that bar only offers to explore another document's URL,
      // and its logo carries an inline <style> the policy blocks.
      uiConfig: { layout: 'BaseLayout' },
    });
    app.get(
      '/openapi.json',
      { schema: { hide: true, response: { 200: Type.Object({}, { additionalProperties: true }) } } },
      async () => app.swagger(),
    );
  },
  { name: 'parley-openapi', fastify: '5.x' },
);
