/**
 * Access rules of contract §6: the Origin check, the bearer token on every route and
 * WebSocket upgrade, the opt-in token-less loopback agent API, and the admin token that
 * guards security writes.
 */
import { timingSafeEqual, createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { normalizeOrigin, type Config } from '../infra/config';
import { forbidden } from './errors';
import { Buckets } from './rate-buckets';

type AccessConfig = Pick<Config, 'bearerToken' | 'adminToken' | 'allowedOrigins' | 'legacyOpenAgentApi'>;

function sameSecret(a: string, b: string): boolean {
  // Hash first so the comparison takes the same time whatever the lengths.
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}

/**
 * The bearer token of a request: the Authorization header, or `?token=` on a WebSocket upgrade
 * only (contract §6: browsers cannot set headers on a WebSocket; REST clients can).
 */
export function tokenFrom(req: FastifyRequest): string {
  const header = req.headers.authorization ?? '';
  if (header.startsWith('Bearer ')) return header.slice(7).trim();
  if (!req.ws) return '';
  const token = new URLSearchParams(req.url.split('?')[1] ?? '').get('token');
  return token ?? '';
}

/**
 * Same-origin (the Origin's host is the Host the request came to) or listed in
 * `allowed_origins`. No Origin header = not a browser page: allowed here.
 */
export function originAllowed(req: FastifyRequest, config: Pick<Config, 'allowedOrigins'>): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  const normal = normalizeOrigin(origin);
  if (!normal) return false;
  const host = (req.headers.host ?? '').toLowerCase();
  if (host && new URL(normal).host === host) return true;
  return config.allowedOrigins.includes(normal);
}

function isLoopbackPeer(req: FastifyRequest): boolean {
  const ip = req.socket?.remoteAddress ?? req.ip ?? '';
  return ip === '::1' || ip.startsWith('127.') || ip.startsWith('::ffff:127.');
}

/** Which access rules apply: the phone's (token always) or the agent and operator surface's. */
export type AccessSurface = 'phone' | 'operator';

/**
 * The onRequest check of a surface (WebSocket upgrades included, so a refused socket is never
 * upgraded): foreign Origin → 403 even with the token (a browser page must not drive the
 * phone), then the bearer token → 401, unless legacy_open_agent_api lets a local, Origin-less
 * client reach the operator surface (the unchanged OpenClaw plugin sends no credentials).
 */
export function accessHook(config: AccessConfig, surface: AccessSurface) {
  const failures = failedTokens(config);
  return async (req: FastifyRequest, reply: FastifyReply) => {
    if (!originAllowed(req, config)) {
      await reply.code(403).send({ detail: 'Forbidden' });
      return;
    }
    if (!config.bearerToken) return;
    // An address over its failed-token budget is refused before its token is even compared:
    // otherwise it could keep guessing at full speed and only the answers would change.
    // (Deliberate addition to contract §6, which has only 401.)
    const lockedFor = failures.check(req.ip);
    if (lockedFor > 0) {
      await reply.code(429).header('Retry-After', String(lockedFor)).send({ detail: 'Too Many Requests' });
      return;
    }
    const token = tokenFrom(req);
    if (sameSecret(token, config.bearerToken)) return;
    if (config.adminToken && sameSecret(token, config.adminToken)) return;
    if (surface === 'operator' && config.legacyOpenAgentApi && req.headers.origin === undefined && isLoopbackPeer(req)) return;
    failures.take(req.ip);
    await reply.code(401).send({ detail: 'Unauthorized' });
  };
}

/** Failed gateway tokens per client address: 20 (burst), then one more every 3 s. */
export const FAILED_TOKEN_BURST = 20;
const FAILED_TOKENS_PER_S = 20 / 60;
// One budget per app (its config), shared by every surface's hook.
const failedTokenBuckets = new WeakMap<AccessConfig, Buckets>();
function failedTokens(config: AccessConfig): Buckets {
  let buckets = failedTokenBuckets.get(config);
  if (!buckets) failedTokenBuckets.set(config, (buckets = new Buckets(FAILED_TOKENS_PER_S, FAILED_TOKEN_BURST)));
  return buckets;
}

/** Setting keys only the admin may write when `admin_token` is set (contract §4.1, §6). */
export const SECURITY_KEYS = new Set([
  'auth_passphrase',
  'auth_reject_message',
  'auth_max_attempts',
  'caller_allowlist',
  'caller_blocklist',
  'unknown_callers_allowed',
  'llm_base_url',
  'llm_api_key',
  'tts_base_url',
  'tts_api_key',
  'tts_languages',
  'piper_base',
]);

/** For a security write: throws 403 unless allowed. Without `admin_token` the bearer token (already checked) is enough. */
export function assertAdmin(config: Pick<Config, 'adminToken'>, req: FastifyRequest): void {
  if (!config.adminToken || sameSecret(tokenFrom(req), config.adminToken)) return;
  throw forbidden('admin token required', { ok: false, error: 'admin token required' });
}
