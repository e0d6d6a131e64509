/**
 * The agent plane (event hub, agent sockets; api/agents/plane.ts) as the `agentPlane`
 * decorator: started when the app is ready to serve sockets, closed with the app.
 */
import fp from 'fastify-plugin';
import { AgentPlane } from '../agents/plane';
import type { SendBufferLimits } from '../paced-socket';

declare module 'fastify' {
  interface FastifyInstance {
    agentPlane: AgentPlane;
  }
}

export const agentPlanePlugin = fp<{ sendBuffer?: SendBufferLimits }>(
  async (app, opts) => {
    const plane = new AgentPlane(app, app.log, opts.sendBuffer);
    await plane.start();
    app.decorate('agentPlane', plane);
    app.addHook('onClose', async () => plane.close());
  },
  { name: 'parley-agent-plane', dependencies: ['parley-services'], fastify: '5.x' },
);
