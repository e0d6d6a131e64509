/** Run memory (spec §5b): a versioned JSON object per run, kept after the run ends. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { MissionRun } from '../../generated/prisma/sqlite/client';
import { V1 } from './schemas';
import { bodyOf, invalid, notFound, paramsOf, route } from './common';
import type { MissionService } from './mission-service';

type Json = Record<string, unknown>;

const ifMatchOf = (req: FastifyRequest) => (typeof req.headers['if-match'] === 'string' ? req.headers['if-match'] : undefined);

/** GET/PUT/PATCH of a run's memory and of one of its keys, and appends to a key's list. */
export async function memoryRoutes(app: FastifyInstance, deps: { missions: MissionService; runFor(req: FastifyRequest): Promise<MissionRun> }): Promise<void> {
  const { missions, runFor } = deps;
  const base = '/missions/:m/runs/:r/memory';
  const write = (req: FastifyRequest, run: MissionRun, next: Json) => missions.writeMemory(run, next, ifMatchOf(req));

  route(app, 'GET', base, V1.getMemory, async (req, reply) => {
    const run = await runFor(req);
    return reply.header('ETag', `"${run.memoryVersion}"`).send({ data: missions.memoryOf(run), version: run.memoryVersion });
  });

  route(app, 'PUT', base, V1.putMemory, async (req) => {
    const run = await runFor(req);
    const body = bodyOf(req);
    // `{data:{…}}` (what GET returns) or the memory object itself.
    const next = Object.keys(body).length === 1 && typeof body.data === 'object' && body.data !== null && !Array.isArray(body.data) ? (body.data as Json) : body;
    return write(req, run, next);
  });

  route(app, 'PATCH', base, V1.patchMemory, async (req) => {
    const run = await runFor(req);
    return write(req, run, missions.merged(run, bodyOf(req)));
  });

  route(app, 'GET', `${base}/:key`, V1.getMemoryKey, async (req) => {
    const run = await runFor(req);
    const { key } = paramsOf(req);
    const memory = missions.memoryOf(run);
    if (!(key in memory)) throw notFound(`memory key ${key}`);
    return { data: memory[key], key, version: run.memoryVersion };
  });

  route(app, 'PUT', `${base}/:key`, V1.putMemoryKey, async (req) => {
    const run = await runFor(req);
    const body = bodyOf(req);
    if (!('value' in body)) throw invalid('/value', 'value is required');
    return write(req, run, { ...missions.memoryOf(run), [paramsOf(req).key]: body.value });
  });

  route(app, 'POST', `${base}/:key/append`, V1.appendMemoryKey, async (req, reply) => {
    const run = await runFor(req);
    const body = bodyOf(req);
    if (!('item' in body)) throw invalid('/item', 'item is required');
    const { key } = paramsOf(req);
    const memory = missions.memoryOf(run);
    const old = memory[key];
    const list = old === undefined ? [] : Array.isArray(old) ? old : [old];
    return reply.code(200).send(await write(req, run, { ...memory, [key]: [...list, body.item] }));
  });
}
