/**
 * The API's one error model. Services and route handlers throw an `ApiError` (or answer a domain
 * outcome); each surface maps it once to its wire shape: the phone and operator routes to the
 * gateway's `{detail}` bodies (api/surfaces/gateway-errors.ts), /v1 to its W3 body
 * (api/v1/common.ts). Nothing below the surfaces builds an HTTP body.
 */

/** A client-visible failure: HTTP status, machine code, message, optional compatibility fields. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /**
     * Fields a compatibility contract adds beside the message, e.g. `{ok:false}` or
     * `{error: message}` on the gateway's config routes. /v1 ignores them.
     */
    readonly extra: Record<string, unknown> = {},
    /** JSON pointer of the offending input, when one field is to blame. */
    readonly pointer?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const badRequest = (message: string, extra?: Record<string, unknown>, pointer?: string) => new ApiError(400, 'bad_request', message, extra, pointer);
export const notFound = (message: string, extra?: Record<string, unknown>) => new ApiError(404, 'not_found', message, extra);
export const conflict = (message: string, extra?: Record<string, unknown>) => new ApiError(409, 'conflict', message, extra);
export const forbidden = (message: string, extra?: Record<string, unknown>) => new ApiError(403, 'forbidden', message, extra);
export const tooLarge = (message: string, pointer?: string) => new ApiError(413, 'payload_too_large', message, {}, pointer);
export const unprocessable = (message: string, pointer?: string, code = 'validation_failed') => new ApiError(422, code, message, {}, pointer);

/** Fastify's own client errors (bad JSON, too large, schema validation) carry these fields. */
export interface FastifyClientError extends Error {
  statusCode?: number;
  code?: string;
  validation?: Array<{ instancePath: string; message?: string; keyword: string; params: Record<string, unknown> }>;
  validationContext?: string;
}

/** The pointer and a readable sentence for a schema validation failure. */
export function describeValidation(err: FastifyClientError): { pointer: string; message: string; tooLong: boolean } {
  const first = err.validation?.[0];
  if (!first) return { pointer: '', message: err.message, tooLong: false };
  const field =
    first.keyword === 'required'
      ? `${first.instancePath}/${String(first.params.missingProperty)}`
      : first.keyword === 'additionalProperties'
        ? `${first.instancePath}/${String(first.params.additionalProperty)}`
        : first.instancePath;
  const where = err.validationContext ?? 'body';
  const name = field ? `${where}${field.replace(/\//g, '.')}` : where;
  const message = first.keyword === 'required' ? `${String(first.params.missingProperty)} required` : `${name} ${first.message ?? 'is invalid'}`;
  return { pointer: field || '/', message, tooLong: first.keyword === 'maxLength' };
}
