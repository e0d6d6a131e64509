/** GET /health (contract §2.1): 200 when the API, database, Temporal and a worker are up, else 503. */
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { checkHealth } from '../services/probes';
import { OpenObject } from '../schemas/gateway';

// Dashboards and load balancers poll /health; probing Temporal on each call is wasteful.
const CACHE_MS = 2000;

const Probe = OpenObject({ ok: Type.Boolean(), error: Type.Optional(Type.String()) });
const Health = OpenObject(
  {
    ok: Type.Boolean(),
    api: Probe,
    database: Probe,
    temporal: Probe,
    worker: Probe,
    asr: Probe,
    llm: Probe,
    tts: Probe,
    mlx_audio: Probe,
    active_sessions: Type.Union([Type.Integer(), Type.Null()]),
    uptime_s: Type.Integer(),
  },
  'Health of the API and what it depends on',
);

export const healthRoutes: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  let cached: { at: number; body: Awaited<ReturnType<typeof checkHealth>> } | null = null;

  app.get('/health', { schema: { tags: ['phone'], response: { 200: Health, 503: Health } } }, async (_req, reply) => {
    if (!cached || Date.now() - cached.at > CACHE_MS) cached = { at: Date.now(), body: await checkHealth(app) };
    return reply.code(cached.body.ok ? 200 : 503).send(cached.body);
  });
};
