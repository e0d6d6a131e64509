/** Bearer-token check for every route when `bearer_token` is configured (contract §6). */
import { timingSafeEqual, createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../infra/config';

function sameSecret(a: string, b: string): boolean {
  // Hash first so the comparison takes the same time whatever the lengths.
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}

export function tokenFrom(req: FastifyRequest): string {
  const header = req.headers.authorization ?? '';
  if (header.startsWith('Bearer ')) return header.slice(7).trim();
  const query = req.query as Record<string, unknown> | undefined;
  return typeof query?.token === 'string' ? query.token : '';
}

export function bearerAuth(config: Pick<Config, 'bearerToken'>) {
  return async (req: FastifyRequest, reply: FastifyReply) => {
    // The /v1 missions plane has its own API keys (api/v1/guards.ts).
    if (!config.bearerToken || req.url === '/v1' || req.url.startsWith('/v1/')) return;
    if (!sameSecret(tokenFrom(req), config.bearerToken)) {
      await reply.code(401).send({ detail: 'Unauthorized' });
    }
  };
}
