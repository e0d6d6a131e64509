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

export const openapiPlugin = fp(
  async (app) => {
    await app.register(swagger, {
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
        ],
        components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
        security: [{ bearer: [] }],
      },
    });
    await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true });
    app.get(
      '/openapi.json',
      { schema: { hide: true, response: { 200: Type.Object({}, { additionalProperties: true }) } } },
      async () => app.swagger(),
    );
  },
  { name: 'parley-openapi', fastify: '5.x' },
);
