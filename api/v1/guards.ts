/**
 * The /v1 plane's request guards: API-key authentication (§2), rate limits (§5f) and
 * Idempotency-Key replay (§5e).
 */
import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Db } from '../../infra/db';
import type { MissionsConfig } from '../../infra/missions-config';
import { sha256Hex } from '../../infra/missions-config';
import { KEY_PATTERN, keyPrefix, sameHash } from '../../infra/api-keys';
import type { Caller } from './common';
import { errorBody } from './errors';
import { Buckets } from '../rate-buckets';

function tooMany(reply: FastifyReply, retryAfter: number, limit: number, remaining: number) {
  return reply
    .code(429)
    .header('Retry-After', String(retryAfter))
    .header('RateLimit-Limit', String(limit))
    .header('RateLimit-Remaining', String(Math.max(0, remaining)))
    .header('RateLimit-Reset', String(retryAfter))
    .send(errorBody('rate_limited', `Too many requests: retry after ${retryAfter} s`));
}

export function createGuards(deps: { db: Db; missions: MissionsConfig; log: FastifyRequest['log'] }) {
  const { db, missions } = deps;
  const requests = new Buckets(missions.rateLimitRps, missions.rateLimitBurst);
  const creates = new Buckets(missions.rateLimitCreatesPerMin / 60, missions.rateLimitCreatesPerMin);
  // Repeated failed authentications from one address: 20 a minute, then 429. Guesses at one
  // key (its prefix) from many addresses: 60 a minute, then 429. A valid key always passes.
  const failures = new Buckets(20 / 60, 20);
  const prefixFailures = new Buckets(1, 60);

  /** The caller an API key stands for, or null for a missing, unknown or revoked key. */
  async function callerForKey(key: string): Promise<Caller | null> {
    if (!key) return null;
    const hash = sha256Hex(key);
    const test = key.startsWith('prl_test_');
    if (missions.apiKeyHashes.some((h) => sameHash(h, hash))) return { keyId: `config:${hash.slice(0, 8)}`, accountId: 'default', scope: 'client', test };
    if (!KEY_PATTERN.test(key)) return null;
    const row = await db.apiKey.findUnique({ where: { hash } });
    return row && !row.revokedAt ? { keyId: row.id, accountId: row.accountId, scope: row.scope === 'admin' ? 'admin' : 'client', test } : null;
  }

  async function authenticate(req: FastifyRequest, reply: FastifyReply): Promise<void> {
    // §5d: the stream authenticates itself (header or first message) and closes with 4401.
    if (req.url.split('?')[0].replace(/\/$/, '') === '/v1/stream') return;
    const header = req.headers.authorization ?? '';
    const key = header.startsWith('Bearer ') ? header.slice(7).trim() : '';
    const caller = await callerForKey(key);
    if (!caller) {
      // Only a Parley key's prefix is counted and logged; anything else might be someone's secret.
      const prefix = KEY_PATTERN.test(key) ? keyPrefix(key) : '';
      const byAddress = failures.take(req.ip);
      const byPrefix = prefix ? prefixFailures.take(prefix) : 0;
      if (byAddress > 0) return void tooMany(reply, byAddress, 20, 0);
      if (byPrefix > 0) return void tooMany(reply, byPrefix, 60, 0);
      req.log.info({ prefix }, 'v1: rejected API key');
      return void reply.code(401).header('WWW-Authenticate', 'Bearer').send(errorBody('unauthorized', 'Missing or invalid API key'));
    }
    req.caller = caller;
    const wait = requests.take(caller.keyId);
    if (wait > 0) return void tooMany(reply, wait, missions.rateLimitRps, requests.remaining(caller.keyId));
    if (req.method === 'POST') {
      const w = creates.take(caller.keyId);
      if (w > 0) return void tooMany(reply, w, missions.rateLimitCreatesPerMin, creates.remaining(caller.keyId));
    }
  }

  const IDEMPOTENCY_TTL_MS = 24 * 3600_000;

  /** Idempotency-Key on POST: replay, 422 for another body, 409 while the first is in flight. */
  async function idempotency(req: FastifyRequest, reply: FastifyReply): Promise<void> {
    const key = req.headers['idempotency-key'];
    if (req.method !== 'POST' || typeof key !== 'string' || !key || !req.caller) return;
    const id = createHash('sha256').update(`${req.caller.accountId}\n${req.method}\n${req.url.split('?')[0].replace(/\/$/, '')}\n${key}`).digest('hex');
    const bodyHash = createHash('sha256').update(JSON.stringify(req.body ?? {})).digest('hex');
    const existing = await db.idempotencyRecord.findUnique({ where: { id } });
    if (existing && existing.expiresAt.getTime() < Date.now()) await db.idempotencyRecord.deleteMany({ where: { id, expiresAt: existing.expiresAt } });
    else if (existing) {
      if (existing.bodyHash !== bodyHash) return void reply.code(422).send(errorBody('idempotency_key_reused', 'this Idempotency-Key was used with another body', '/'));
      if (existing.state !== 'done') return void reply.code(409).send(errorBody('idempotency_in_flight', 'the first request with this Idempotency-Key is still in flight'));
      return void reply.code(existing.statusCode ?? 200).header('Idempotent-Replayed', 'true').header('content-type', 'application/json; charset=utf-8').send(existing.responseJson ?? '{}');
    }
    try {
      await db.idempotencyRecord.create({ data: { id, bodyHash, state: 'in_flight', expiresAt: new Date(Date.now() + IDEMPOTENCY_TTL_MS) } });
    } catch {
      return void reply.code(409).send(errorBody('idempotency_in_flight', 'the first request with this Idempotency-Key is still in flight'));
    }
    (req as FastifyRequest & { idempotencyId?: string }).idempotencyId = id;
  }

  /** Stores the response of a keyed request (failures free the key again: nothing was created). */
  async function remember(req: FastifyRequest, reply: FastifyReply, payload: unknown): Promise<unknown> {
    const id = (req as FastifyRequest & { idempotencyId?: string }).idempotencyId;
    if (!id) return payload;
    if (reply.statusCode >= 400) await db.idempotencyRecord.deleteMany({ where: { id } });
    else await db.idempotencyRecord.update({ where: { id }, data: { state: 'done', statusCode: reply.statusCode, responseJson: typeof payload === 'string' ? payload : JSON.stringify(payload ?? {}) } });
    return payload;
  }

  return { authenticate, idempotency, remember, callerForKey };
}
