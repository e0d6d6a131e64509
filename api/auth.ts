/**
 * Access rules of contract §6: the Origin check, the bearer token on every route and
 * WebSocket upgrade, the opt-in token-less loopback agent API, and the admin token that
 * guards security writes.
 */
import { timingSafeEqual, createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { normalizeOrigin, type Config } from '../infra/config';

type AccessConfig = Pick<Config, 'bearerToken' | 'adminToken' | 'allowedOrigins' | 'legacyOpenAgentApi'>;

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

/** Phone routes (§2.1): they always need the token, legacy_open_agent_api or not. */
const PHONE_ROUTES = new Set([
  'GET /health',
  'POST /api/asr',
  'POST /api/session/new',
  'POST /api/session/reset',
  'POST /api/session/end',
  'POST /api/turn',
  'GET /api/config/call',
]);

/** The agent WebSocket, /ws/events and the §4 operator routes: what legacy_open_agent_api opens. */
export function isAgentSurface(method: string, url: string): boolean {
  const path = url.split('?')[0];
  if (path === '/ws/events' || path === '/api/agent/ws') return true;
  return path.startsWith('/api/') && !PHONE_ROUTES.has(`${method === 'HEAD' ? 'GET' : method} ${path}`);
}

function isLoopbackPeer(req: FastifyRequest): boolean {
  const ip = req.socket?.remoteAddress ?? req.ip ?? '';
  return ip === '::1' || ip.startsWith('127.') || ip.startsWith('::ffff:127.');
}

/**
 * The onRequest check for every route (WebSocket upgrades included, so a refused socket is
 * never upgraded): foreign Origin → 403 even with the token (a browser page must not drive the
 * phone), then the bearer token → 401, unless legacy_open_agent_api lets a local, Origin-less
 * client reach the agent surface (the unchanged OpenClaw plugin sends no credentials).
 */
export function bearerAuth(config: AccessConfig) {
  return async (req: FastifyRequest, reply: FastifyReply) => {
    // The /v1 missions plane has its own API keys and error shape (api/v1/guards.ts).
    if (req.url === '/v1' || req.url.startsWith('/v1/') || req.url.startsWith('/v1?')) return;
    if (!originAllowed(req, config)) {
      await reply.code(403).send({ detail: 'Forbidden' });
      return;
    }
    if (!config.bearerToken) return;
    // WS /ws (the ClawdTalk voice plane) authenticates with a /v1 key in its first message.
    if (req.url === '/ws' || req.url.startsWith('/ws?')) return;
    const token = tokenFrom(req);
    if (sameSecret(token, config.bearerToken)) return;
    if (config.adminToken && sameSecret(token, config.adminToken)) return;
    if (config.legacyOpenAgentApi && req.headers.origin === undefined && isLoopbackPeer(req) && isAgentSurface(req.method, req.url)) return;
    await reply.code(401).send({ detail: 'Unauthorized' });
  };
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

/**
 * For a security write: true when allowed; otherwise it has answered 403 and the route must
 * apply nothing. Without `admin_token` the bearer token (already checked) is enough.
 */
export async function requireAdmin(config: Pick<Config, 'adminToken'>, req: FastifyRequest, reply: FastifyReply): Promise<boolean> {
  if (!config.adminToken || sameSecret(tokenFrom(req), config.adminToken)) return true;
  await reply.code(403).send({ ok: false, detail: 'admin token required', error: 'admin token required' });
  return false;
}
