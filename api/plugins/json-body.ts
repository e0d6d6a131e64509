/**
 * The JSON body parser every surface shares. Contract §1 (d): JSON is parsed when the content
 * type is JSON or missing, and an empty body is {} even with a JSON content type (fastify would
 * answer 400). Bodies are bounded: size (fastify's bodyLimit), nesting depth, and no
 * `__proto__` keys, so no handler ever walks a hostile structure.
 */
import fp from 'fastify-plugin';
import { ApiError } from '../errors';

/** Deeper JSON than this is refused: no contract body nests past a handful of levels. */
export const MAX_JSON_DEPTH = 32;

/** Depth of a parsed JSON value (a scalar is 0), walking iteratively so depth cannot overflow the stack. */
function checkShape(value: unknown): void {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (typeof node !== 'object' || node === null) continue;
    if (depth >= MAX_JSON_DEPTH) throw new ApiError(422, 'too_deep', `JSON nested deeper than ${MAX_JSON_DEPTH} levels`);
    if (Array.isArray(node)) {
      for (const item of node) stack.push([item, depth + 1]);
      continue;
    }
    for (const key of Object.keys(node)) {
      if (key === '__proto__') throw new ApiError(400, 'invalid_json', 'invalid JSON body: __proto__ is not an allowed key');
      stack.push([(node as Record<string, unknown>)[key], depth + 1]);
    }
  }
}

/** Parses a JSON body under the limits above; throws an ApiError (a 4xx) otherwise. */
export function parseJsonBody(text: string): unknown {
  const trimmed = text.trim();
  if (trimmed === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(trimmed);
  } catch {
    throw new ApiError(400, 'invalid_json', 'invalid JSON body');
  }
  checkShape(value);
  return value;
}

export const jsonBodyPlugin = fp(
  async (app) => {
    app.removeContentTypeParser('application/json');
    app.addContentTypeParser(['application/json', '*'], { parseAs: 'string' }, (_req, body, done) => {
      try {
        done(null, parseJsonBody(String(body)));
      } catch (err) {
        done(err as Error, undefined);
      }
    });
    // A request without a body (no content type, no length) validates as the empty object too.
    app.addHook('preValidation', async (req) => {
      if (req.body === undefined && !req.isMultipart() && req.method !== 'GET' && req.method !== 'HEAD') req.body = {};
    });
  },
  { name: 'parley-json-body', fastify: '5.x' },
);
