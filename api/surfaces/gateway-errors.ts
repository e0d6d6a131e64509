/**
 * The phone and operator surfaces' error mapper (gateway contract): every failure becomes
 * `{detail}` (plus the compatibility fields an ApiError carries, e.g. `ok:false, error`).
 * Client mistakes are 4xx with their reason; 5xx details stay in the log.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { classifyTemporalError } from '../../infra/temporal-errors';
import { ApiError, describeValidation, type FastifyClientError } from '../errors';

export function gatewayErrorHandler(err: FastifyError | Error, req: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (err instanceof ApiError) return reply.code(err.status).send({ ...err.extra, detail: err.message });
  const e = err as FastifyClientError;
  if (e.validation) {
    const v = describeValidation(e);
    // An oversized text field is 413 (what to shorten is named); any other schema miss is 400.
    // `ok:false, error` as well: the config routes' clients read `error` (contract §4.1).
    return reply.code(v.tooLong ? 413 : 400).send({ ok: false, error: v.message, detail: v.message });
  }
  if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) return reply.code(e.statusCode).send({ detail: e.message });
  if (classifyTemporalError(err).kind === 'unavailable') {
    req.log.warn({ err, url: req.url }, 'Temporal unavailable');
    return reply.code(503).send({ detail: 'Service Unavailable' });
  }
  req.log.error({ err, url: req.url }, 'request failed');
  return reply.code(500).send({ detail: 'Internal Server Error' });
}
