/**
 * WS /ws: the ClawdTalk voice plane. The unchanged `ws-client.js` (started by `connect.sh`)
 * connects here when skill-config.json's `server` is Parley; it authenticates with its `/v1`
 * key in its first message, so the upgrade itself carries no credentials (api/auth.ts lets it through).
 */
import type { FastifyPluginAsync } from 'fastify';
import { VoicePlane, type VoicePlaneDeps } from './plane';

/** Serves `WS /ws` for ClawdTalk clients (shared/specs/clawdtalk-voice.md). */
export const clawdtalkRoutes: FastifyPluginAsync<VoicePlaneDeps> = async (app, deps) => {
  const plane = new VoicePlane(deps, app.log);
  plane.start();
  app.addHook('onClose', async () => plane.close());
  app.get('/ws', { websocket: true }, (socket) => plane.open(socket));
};
