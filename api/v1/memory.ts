/** Run memory (spec §5b): a versioned JSON object per run, kept after the run ends. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { MissionRun } from '../../generated/prisma/sqlite/client';
import { V1 } from './schemas';
import { bodyOf, invalid, notFound, paramsOf, route, V1Error, type V1Deps } from './common';

type Json = Record<string, unknown>;

const MAX_BYTES = 1024 * 1024;

/** RFC 7396 JSON merge patch: objects merge, `null` deletes, anything else replaces. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return patch;
  const out: Json = typeof target === 'object' && target !== null && !Array.isArray(target) ? { ...(target as Json) } : {};
  for (const [k, v] of Object.entries(patch as Json)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

export async function memoryRoutes(
  app: FastifyInstance,
  deps: V1Deps & { runFor(req: FastifyRequest): Promise<MissionRun>; touch(runId: string): Promise<unknown> },
): Promise<void> {
  const { db } = deps;
  const base = '/missions/:m/runs/:r/memory';

  function current(run: MissionRun): Json {
    return JSON.parse(run.memoryJson) as Json;
  }

  /** Writes `next` if the memory is still at the version read (and at `If-Match`, when sent). */
  async function write(req: FastifyRequest, run: MissionRun, next: Json) {
    const ifMatch = req.headers['if-match'];
    if (typeof ifMatch === 'string' && ifMatch.replace(/^W\//, '').replace(/"/g, '') !== String(run.memoryVersion)) {
      throw new V1Error(412, 'precondition_failed', `memory is at version ${run.memoryVersion}`);
    }
    const text = JSON.stringify(next);
    if (Buffer.byteLength(text) > MAX_BYTES) throw invalid('/', 'memory is capped at 1 MB', 'memory_too_large');
    const saved = await db.missionRun.updateMany({ where: { id: run.id, memoryVersion: run.memoryVersion }, data: { memoryJson: text, memoryVersion: run.memoryVersion + 1 } });
    if (saved.count === 0) throw new V1Error(412, 'precondition_failed', 'memory changed meanwhile: read it and try again');
    void deps.touch(run.id);
    return { data: next, version: run.memoryVersion + 1 };
  }

  route(app, 'GET', base, V1.getMemory, async (req, reply) => {
    const run = await deps.runFor(req);
    return reply.header('ETag', `"${run.memoryVersion}"`).send({ data: current(run), version: run.memoryVersion });
  });

  route(app, 'PUT', base, V1.putMemory, async (req) => {
    const run = await deps.runFor(req);
    const body = bodyOf(req);
    // `{data:{…}}` (what GET returns) or the memory object itself.
    const next = Object.keys(body).length === 1 && typeof body.data === 'object' && body.data !== null && !Array.isArray(body.data) ? (body.data as Json) : body;
    return write(req, run, next);
  });

  route(app, 'PATCH', base, V1.patchMemory, async (req) => {
    const run = await deps.runFor(req);
    return write(req, run, mergePatch(current(run), bodyOf(req)) as Json);
  });

  route(app, 'GET', `${base}/:key`, V1.getMemoryKey, async (req) => {
    const run = await deps.runFor(req);
    const { key } = paramsOf(req);
    const memory = current(run);
    if (!(key in memory)) throw notFound(`memory key ${key}`);
    return { data: memory[key], key, version: run.memoryVersion };
  });

  route(app, 'PUT', `${base}/:key`, V1.putMemoryKey, async (req) => {
    const run = await deps.runFor(req);
    const body = bodyOf(req);
    if (!('value' in body)) throw invalid('/value', 'value is required');
    return write(req, run, { ...current(run), [paramsOf(req).key]: body.value });
  });

  route(app, 'POST', `${base}/:key/append`, V1.appendMemoryKey, async (req, reply) => {
    const run = await deps.runFor(req);
    const body = bodyOf(req);
    if (!('item' in body)) throw invalid('/item', 'item is required');
    const { key } = paramsOf(req);
    const memory = current(run);
    const old = memory[key];
    const list = old === undefined ? [] : Array.isArray(old) ? old : [old];
    return reply.code(200).send(await write(req, run, { ...memory, [key]: [...list, body.item] }));
  });
}
