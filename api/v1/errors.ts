/**
 * The /v1 surface's error mapper: every failure becomes the W3 body
 * `{error:{code,message}, message, errors:[{code, detail, source:{pointer}}]}`. Schema misses
 * are 422 with the pointer of the field, oversized input 413, an unreachable Temporal 503.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { classifyTemporalError } from '../../infra/temporal-errors';
import { ApiError, describeValidation, type FastifyClientError } from '../errors';

/** W3: `{error:{code,message}, message, errors:[{code, detail, source:{pointer}}]}`. */
export function errorBody(code: string, message: string, pointer?: string) {
  return { error: { code, message }, message, errors: [{ code, detail: message, ...(pointer ? { source: { pointer } } : {}) }] };
}

/** Prisma's codes for "the database does not answer" (P1001 can't reach, P1002 timed out, P1017 closed). */
const DB_UNAVAILABLE = new Set(['P1001', 'P1002', 'P1017']);

export function v1ErrorHandler(err: FastifyError | Error, req: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (err instanceof ApiError) {
    // The shared JSON parser's refusal keeps /v1's own wording (M04).
    const message = err.code === 'invalid_json' ? 'the body is not valid JSON' : err.message;
    return reply.code(err.status).send(errorBody(err.code, message, err.pointer));
  }
  const e = err as FastifyClientError;
  if (e.validation) {
    const v = describeValidation(e);
    return reply.code(v.tooLong ? 413 : 422).send(errorBody(v.tooLong ? 'payload_too_large' : 'validation_failed', v.message, v.pointer));
  }
  if (e.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || e.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') return reply.code(400).send(errorBody('invalid_json', 'the body is not valid JSON'));
  if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) return reply.code(e.statusCode).send(errorBody(e.statusCode === 413 ? 'payload_too_large' : 'bad_request', e.message));
  // Temporal or the database is unreachable: 503, so clients know to come back.
  const prismaCode = (err as { errorCode?: string; code?: string }).errorCode ?? (err as { code?: string }).code ?? '';
  if (classifyTemporalError(err).kind === 'unavailable' || DB_UNAVAILABLE.has(prismaCode)) {
    req.log.warn({ err, url: req.url }, 'v1: a backing service is unavailable');
    return reply.code(503).send(errorBody('unavailable', 'a backing service (Temporal or the database) is unavailable'));
  }
  req.log.error({ err, url: req.url }, 'v1 request failed');
  return reply.code(500).send(errorBody('internal_error', 'Internal Server Error'));
}
