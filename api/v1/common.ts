/** Shared pieces of the /v1 plane: its error type, paging (W6), request accessors, validation. */
import type { FastifyInstance, FastifyRequest, RouteHandlerMethod } from 'fastify';
import { isE164, normalizeNumber } from '../../common/phone-number';
import { ApiError } from '../errors';
import type { V1RouteSchema } from './schemas';

/** What /v1 routes use: the shared services (api/plugins/services.ts). */
export type V1Deps = Pick<FastifyInstance, 'config' | 'db' | 'temporal'>;

/** A /v1 failure: status, machine code, message and (for 422) the JSON pointer of the culprit. */
export class V1Error extends ApiError {
  constructor(status: number, code: string, message: string, pointer?: string) {
    super(status, code, message, {}, pointer);
    this.name = 'V1Error';
  }
}

export const notFound = (what: string) => new V1Error(404, 'not_found', `${what} not found`);
export const invalid = (pointer: string, message: string, code = 'validation_failed') => new V1Error(422, code, message, pointer);


/** The authenticated caller of a /v1 request. */
export interface Caller {
  keyId: string;
  accountId: string;
  scope: 'client' | 'admin';
  /** `prl_test_…` keys may use simulated lines only. */
  test: boolean;
}

declare module 'fastify' {
  interface FastifyRequest {
    caller?: Caller;
  }
}

export function callerOf(req: FastifyRequest): Caller {
  if (!req.caller) throw new V1Error(401, 'unauthorized', 'Missing or invalid API key');
  return req.caller;
}

export type Body = Record<string, unknown>;

/** The JSON body as an object ({} for an empty body); anything else is a 422. */
export function bodyOf(req: FastifyRequest): Body {
  const body = req.body ?? {};
  if (typeof body !== 'object' || Array.isArray(body)) throw invalid('', 'the body must be a JSON object');
  return body as Body;
}

export function queryOf(req: FastifyRequest): Record<string, string> {
  const q = (req.query ?? {}) as Record<string, unknown>;
  return Object.fromEntries(Object.entries(q).map(([k, v]) => [k, Array.isArray(v) ? String(v[0]) : String(v)]));
}

export function paramsOf(req: FastifyRequest): Record<string, string> {
  return (req.params ?? {}) as Record<string, string>;
}

export function requiredString(body: Body, key: string, max?: number): string {
  const v = body[key];
  if (typeof v !== 'string' || v.trim() === '') throw invalid(`/${key}`, `${key} is required (a non-empty string)`);
  if (max !== undefined && v.length > max) throw invalid(`/${key}`, `${key} must be at most ${max} characters`);
  return v;
}

export function optionalString(body: Body, key: string, max?: number): string | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw invalid(`/${key}`, `${key} must be a string`);
  if (max !== undefined && v.length > max) throw invalid(`/${key}`, `${key} must be at most ${max} characters`);
  return v;
}

export function optionalObject(body: Body, key: string): Record<string, unknown> | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) throw invalid(`/${key}`, `${key} must be an object`);
  return v as Record<string, unknown>;
}

/** W5: E.164 after normalisation; a leading space (an unencoded `+` in a query) means `+`. */
export function e164(raw: unknown, pointer: string): string {
  const n = typeof raw === 'string' ? normalizeNumber(raw.replace(/^ /, '+').trim()) : '';
  if (!isE164(n)) throw invalid(pointer, `${pointer.slice(1) || 'number'} must be an E.164 phone number such as +13125550101`);
  return n;
}

export const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

export function parseJson<T>(text: string | null | undefined, fallback: T): T {
  if (!text) return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

/** W6 paging: `page[size]`/`page[number]` or `pageSize`/`page`, 1-based, at most 100 a page. */
export function pageOf(req: FastifyRequest, defaultSize: number): { size: number; number: number } {
  const q = queryOf(req);
  const size = Number(q['page[size]'] ?? q.pageSize ?? defaultSize);
  const number = Number(q['page[number]'] ?? q.page ?? 1);
  if (!Number.isInteger(size) || size < 1 || size > 100) throw invalid('/page[size]', 'page size must be a whole number from 1 to 100');
  if (!Number.isInteger(number) || number < 1) throw invalid('/page[number]', 'page number must be a whole number from 1');
  return { size, number };
}

export function paged<T>(items: T[], page: { size: number; number: number }) {
  const total = items.length;
  const data = items.slice((page.number - 1) * page.size, page.number * page.size);
  const total_pages = Math.max(1, Math.ceil(total / page.size));
  return { data, meta: { total_results: total, total, total_pages, page_number: page.number, page_size: page.size } };
}

type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

/**
 * Registers a route with its schema (api/v1/schemas.ts), with and without a trailing slash
 * (W5); the slash twin is left out of the OpenAPI document.
 */
export function route(app: FastifyInstance, method: Method, url: string, schema: V1RouteSchema, handler: RouteHandlerMethod): void {
  const documented = { ...schema, tags: ['v1'], security: [{ apiKey: [] }] };
  app.route({ method, url, schema: documented, handler });
  app.route({ method, url: `${url}/`, schema: { ...documented, hide: true }, handler });
}
