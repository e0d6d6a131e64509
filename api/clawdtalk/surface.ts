/**
 * The ClawdTalk voice plane's surface: `WS /ws`. The unchanged `ws-client.js` (started by
 * `connect.sh`) connects here when skill-config.json's `server` is Parley. Its upgrade carries no
 * credentials (the client authenticates with its `/v1` key in its first message, api/clawdtalk/
 * plane.ts), so this surface's hook checks only the Origin: a browser page elsewhere gets 403.
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { originAllowed } from '../auth';
import { VoicePlane } from './plane';

const Upgrade = Type.Null({ description: 'Not served: the route only upgrades to a WebSocket (101)' });

/** Serves `WS /ws` for ClawdTalk clients (docs/clawdtalk-voice.md). */
export const clawdtalkSurface: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
    if (!originAllowed(req, app.config)) await reply.code(403).send({ detail: 'Forbidden' });
  });
  const plane = new VoicePlane({ config: app.config, db: app.db, temporal: app.temporal }, app.log);
  plane.start();
  app.addHook('onClose', async () => plane.close());
  app.get(
    '/ws',
    {
      websocket: true,
      schema: {
        tags: ['clawdtalk'],
        summary: 'ClawdTalk client WebSocket (upgrade): auth with a /v1 key, then call, SMS and approval events',
        response: { 101: Upgrade, 403: Type.Object({ detail: Type.String() }) },
      },
    },
    (socket) => plane.open(socket),
  );
};
