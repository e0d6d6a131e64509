/** /v1 missions, runs, plan and steps, run events, linked agents, run memory and insights. */
import { createHash, randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  canonicalRunStatus,
  eventWorkflowId,
  RUN_EVENT_TYPES,
  RUN_TERMINAL,
  runWorkflowId,
  slugify,
  STEP_ID_PATTERN,
  STEP_STATUSES,
  stepTransitionAllowed,
} from '../../common/missions';
import { MissionIdAttribute, RunIdAttribute } from '../../common/search-attributes';
import { cancelEventUpdate, pauseEventSignal, resumeEventSignal, touchRunSignal, updateRunUpdate, type MissionRunInput, type RunPatch } from '../../workflows/missions/messages';
import { bodyOf, callerOf, invalid, notFound, optionalObject, optionalString, paged, pageOf, paramsOf, queryOf, requiredString, route, V1Error, type V1Deps } from './common';
import { V1 } from './schemas';
import { tryUpdate } from './temporal';
import { readWhenChanged, waitOf } from './wait';
import { insightView, missionView, runEventView, runView, stepView } from './views';
import { memoryRoutes } from './memory';
import { declarativeRoutes } from './declarative';
import { createDeclarativeService } from './declarative-service';

/** Routes of the missions family (runs, plans, events, agents, memory, insights). */
export async function missionRoutes(app: FastifyInstance, deps: V1Deps): Promise<void> {
  const { db, temporal, config } = deps;
  const declarative = createDeclarativeService(deps);

  async function missionFor(req: FastifyRequest) {
    const m = await db.mission.findFirst({ where: { id: paramsOf(req).m, accountId: callerOf(req).accountId } });
    if (!m) throw notFound('mission');
    return m;
  }

  async function runFor(req: FastifyRequest) {
    const { m, r } = paramsOf(req);
    const run = await db.missionRun.findFirst({ where: { id: r, missionId: m, accountId: callerOf(req).accountId } });
    if (!run) throw notFound('run');
    return run;
  }

  /** Any write but a status change keeps the run from going idle. */
  const touch = (runId: string) => temporal.workflow.getHandle(runWorkflowId(runId)).signal(touchRunSignal).catch(() => undefined);

  const openEvents = (runId: string) => db.scheduledEvent.findMany({ where: { runId, status: { in: ['pending', 'in_progress'] } } });

  /** A cancelled run cancels its open events (spec §4); `hangup: false` lets live calls finish. */
  async function cancelOpenEvents(runId: string, hangup: boolean) {
    const events = (await openEvents(runId)).filter((e) => hangup || e.status === 'pending');
    await Promise.all(events.map((e) => tryUpdate(() => temporal.workflow.getHandle(eventWorkflowId(e.id)).executeUpdate(cancelEventUpdate)).catch(() => undefined)));
  }

  async function withLatest(m: Awaited<ReturnType<typeof missionFor>>) {
    return missionView(m, m.latestRunId ? await db.missionRun.findUnique({ where: { id: m.latestRunId } }) : null);
  }

  route(app, 'POST', '/missions', V1.createMission, async (req, reply) => {
    const caller = callerOf(req);
    const body = bodyOf(req);
    const name = requiredString(body, 'name', 200);
    const instructions = requiredString(body, 'instructions');
    if (body.spec !== undefined) {
      if (queryOf(req).dry_run === 'true') return reply.code(200).send({ data: await declarative.dryRun(caller, body.spec) });
      const { mission, run } = await declarative.create(caller, name, instructions, body.spec);
      return reply.code(201).send({ data: { ...missionView(mission, run), run_id: run.id, workflow_id: runWorkflowId(run.id) } });
    }
    const requestHash = createHash('sha256').update(`${name}\n${instructions}`).digest('hex');
    const since = new Date(Date.now() - config.missions.dedupeWindowSec * 1000);
    const dupe = await db.mission.findFirst({ where: { accountId: caller.accountId, requestHash, latestRunId: null, createdAt: { gte: since } }, orderBy: { createdAt: 'desc' } });
    if (dupe) return reply.code(200).send({ data: await withLatest(dupe) });
    const m = await db.mission.create({ data: { id: randomUUID(), accountId: caller.accountId, name, instructions, slug: slugify(name), requestHash } });
    return reply.code(201).send({ data: missionView(m, null) });
  });

  route(app, 'GET', '/missions', V1.listMissions, async (req) => {
    const caller = callerOf(req);
    const { slug } = queryOf(req);
    const missions = await db.mission.findMany({ where: { accountId: caller.accountId, ...(slug ? { slug } : {}) }, orderBy: { createdAt: 'desc' } });
    const page = paged(missions, pageOf(req, 20));
    return { data: await Promise.all(page.data.map(withLatest)), meta: page.meta };
  });

  route(app, 'GET', '/missions/:m', V1.getMission, async (req) => ({ data: await withLatest(await missionFor(req)) }));

  route(app, 'POST', '/missions/:m/runs', V1.startRun, async (req, reply) => {
    const caller = callerOf(req);
    const mission = await missionFor(req);
    if (mission.mode === 'declarative') {
      const { run } = await declarative.rerun(caller, mission);
      return reply.code(201).send({ data: runView(run) });
    }
    const input = optionalObject(bodyOf(req), 'input') ?? {};
    const run = await db.missionRun.create({ data: { id: randomUUID(), missionId: mission.id, accountId: caller.accountId, inputJson: JSON.stringify(input) } });
    await db.mission.update({ where: { id: mission.id }, data: { latestRunId: run.id } });
    const args: MissionRunInput = { runId: run.id, missionId: mission.id, accountId: caller.accountId, idleTimeoutMs: config.missions.compatRunIdleTimeoutSec * 1000 * config.missions.timeScale };
    await temporal.workflow.start('missionRunWorkflow', {
      taskQueue: config.taskQueue,
      workflowId: runWorkflowId(run.id),
      args: [args],
      typedSearchAttributes: [
        { key: MissionIdAttribute, value: mission.id },
        { key: RunIdAttribute, value: run.id },
      ],
    });
    return reply.code(201).send({ data: runView(run) });
  });

  route(app, 'GET', '/missions/:m/runs', V1.listRuns, async (req) => {
    const mission = await missionFor(req);
    const runs = await db.missionRun.findMany({ where: { missionId: mission.id }, orderBy: { createdAt: 'desc' } });
    const page = paged(runs, pageOf(req, 50));
    return { data: page.data.map(runView), meta: page.meta };
  });

  // `?wait`: answers when the run changes or ends.
  route(app, 'GET', '/missions/:m/runs/:r', V1.getRun, async (req) => ({ data: runView(await readWhenChanged(() => runFor(req), (r) => RUN_TERMINAL.has(r.status), waitOf(req))) }));

  route(app, 'PATCH', '/missions/:m/runs/:r', V1.patchRun, async (req) => {
    const run = await runFor(req);
    const body = bodyOf(req);
    const patch: RunPatch = {};
    if (body.status !== undefined) {
      const status = canonicalRunStatus(body.status);
      if (!status) throw invalid('/status', 'status must be one of pending, running, paused, succeeded (completed), failed, cancelled (canceled)');
      patch.status = status;
    }
    const summary = optionalString(body, 'result_summary');
    if (summary !== undefined) patch.result_summary = summary;
    const payload = optionalObject(body, 'result_payload');
    if (payload !== undefined) patch.result_payload = payload;
    if (!RUN_TERMINAL.has(run.status) && patch.status !== 'cancelled' && (await db.mission.findUnique({ where: { id: run.missionId } }))?.mode === 'declarative') {
      // §4: a declarative run is written by its workflow; only `cancelled` (a cancel) is taken.
      throw new V1Error(409, 'owned_by_workflow', 'a declarative run is written by its workflow: use the cancel, pause and resume signals');
    }
    if (RUN_TERMINAL.has(run.status)) {
      // A closed run: re-sending its status is a no-op, anything else is final.
      if (patch.status === run.status) return { data: runView(run) };
      throw new V1Error(409, 'run_terminal', `the run is ${run.status}`);
    }
    const handle = temporal.workflow.getHandle(runWorkflowId(run.id));
    if (patch.status === 'cancelled') await cancelOpenEvents(run.id, true);
    const done = await tryUpdate(() => handle.executeUpdate(updateRunUpdate, { args: [patch] }));
    const after = (await db.missionRun.findUnique({ where: { id: run.id } }))!;
    if (!done.ok && patch.status !== after.status) throw new V1Error(409, 'run_terminal', `the run is ${after.status}`);
    return { data: runView(after) };
  });

  route(app, 'POST', '/missions/:m/runs/:r/plan', V1.postPlan, async (req, reply) => {
    const run = await runFor(req);
    const steps = bodyOf(req).steps;
    if (!Array.isArray(steps) || steps.length < 1 || steps.length > 100) throw invalid('/steps', 'steps must be a list of 1 to 100 steps');
    const wanted = steps.map((raw, i) => {
      const s = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
      if (typeof s.step_id !== 'string' || !STEP_ID_PATTERN.test(s.step_id)) throw invalid(`/steps/${i}/step_id`, 'step_id must match [A-Za-z0-9._~-]{1,64}');
      if (typeof s.description !== 'string' || !s.description) throw invalid(`/steps/${i}/description`, 'description is required');
      if (s.sequence !== undefined && !Number.isInteger(s.sequence)) throw invalid(`/steps/${i}/sequence`, 'sequence must be a whole number');
      return { stepId: s.step_id, description: s.description, sequence: (s.sequence as number | undefined) ?? i + 1 };
    });
    const seen = new Set<string>();
    wanted.forEach((s, i) => {
      if (seen.has(s.stepId)) throw invalid(`/steps/${i}/step_id`, `duplicate step_id ${s.stepId}`);
      seen.add(s.stepId);
    });
    const existing = await db.planStep.findMany({ where: { runId: run.id }, orderBy: { sequence: 'asc' } });
    const key = (s: { stepId: string; description: string; sequence: number }) => `${s.stepId}\n${s.description}\n${s.sequence}`;
    const sorted = [...wanted].sort((a, b) => a.sequence - b.sequence);
    if (existing.length > 0) {
      if (existing.map(key).join('\n\n') === sorted.map(key).join('\n\n')) return reply.code(200).send({ data: { run_id: run.id, steps: existing.map(stepView) } });
      if (existing.some((s) => s.status !== 'pending')) throw new V1Error(409, 'plan_in_progress', 'the plan has started: only an all-pending plan may be replaced');
    }
    await db.$transaction([
      db.planStep.deleteMany({ where: { runId: run.id } }),
      ...wanted.map((s) => db.planStep.create({ data: { id: randomUUID(), runId: run.id, ...s } })),
    ]);
    void touch(run.id);
    const created = await db.planStep.findMany({ where: { runId: run.id }, orderBy: { sequence: 'asc' } });
    return reply.code(201).send({ data: { run_id: run.id, steps: created.map(stepView) } });
  });

  route(app, 'GET', '/missions/:m/runs/:r/plan', V1.getPlan, async (req) => {
    const run = await runFor(req);
    const steps = await db.planStep.findMany({ where: { runId: run.id }, orderBy: { sequence: 'asc' } });
    return { data: { run_id: run.id, steps: steps.map(stepView) } };
  });

  route(app, 'PATCH', '/missions/:m/runs/:r/plan/steps/:s', V1.patchStep, async (req) => {
    const run = await runFor(req);
    const status = bodyOf(req).status;
    if (typeof status !== 'string' || !(STEP_STATUSES as readonly string[]).includes(status)) throw invalid('/status', `status must be one of ${STEP_STATUSES.join(', ')}`);
    const step = await db.planStep.findUnique({ where: { runId_stepId: { runId: run.id, stepId: paramsOf(req).s } } });
    if (!step) throw notFound('step');
    if (!stepTransitionAllowed(step.status, status)) throw new V1Error(409, 'invalid_transition', `a ${step.status} step cannot become ${status}`);
    const updated = step.status === status ? step : await db.planStep.update({ where: { id: step.id }, data: { status } });
    void touch(run.id);
    return { data: stepView(updated) };
  });

  route(app, 'POST', '/missions/:m/runs/:r/events', V1.postRunEvent, async (req, reply) => {
    const run = await runFor(req);
    const body = bodyOf(req);
    const type = body.type;
    if (typeof type !== 'string' || !(RUN_EVENT_TYPES as readonly string[]).includes(type)) throw invalid('/type', `type must be one of ${RUN_EVENT_TYPES.join(', ')}`);
    const summary = requiredString(body, 'summary', 2000);
    const agentId = optionalString(body, 'agent_id') ?? null;
    const stepId = optionalString(body, 'step_id') ?? null;
    const payload = optionalObject(body, 'payload');
    const warnings: string[] = [];
    if (stepId && !(await db.planStep.findUnique({ where: { runId_stepId: { runId: run.id, stepId } } }))) warnings.push('unknown_step_id');
    for (let tries = 0; ; tries++) {
      const last = await db.runEvent.findFirst({ where: { runId: run.id }, orderBy: { seq: 'desc' } });
      try {
        const event = await db.runEvent.create({
          data: { id: randomUUID(), runId: run.id, seq: (last?.seq ?? 0) + 1, type, summary, agentId, stepId, payloadJson: payload ? JSON.stringify(payload) : null },
        });
        void touch(run.id);
        return reply.code(201).send({ data: runEventView(event), ...(warnings.length ? { warnings } : {}) });
      } catch (err) {
        // Two writers raced for the same seq: read the new last one and try again.
        if (tries >= 4) throw err;
      }
    }
  });

  route(app, 'GET', '/missions/:m/runs/:r/events', V1.listRunEvents, async (req) => {
    const run = await runFor(req);
    const after = Number(queryOf(req).after_seq ?? 0);
    const events = await db.runEvent.findMany({ where: { runId: run.id, seq: { gt: Number.isFinite(after) ? after : 0 } }, orderBy: { seq: 'asc' } });
    const page = paged(events, pageOf(req, 50));
    return { data: page.data.map(runEventView), meta: page.meta };
  });

  const linkView = (l: { runId: string; assistantId: string; createdAt: Date }) => ({ run_id: l.runId, telnyx_agent_id: l.assistantId, linked_at: l.createdAt.toISOString() });

  route(app, 'POST', '/missions/:m/runs/:r/agents', V1.linkAgent, async (req, reply) => {
    const run = await runFor(req);
    const assistantId = requiredString(bodyOf(req), 'telnyx_agent_id');
    const assistant = await db.assistant.findFirst({ where: { id: assistantId, accountId: callerOf(req).accountId } });
    if (!assistant) throw invalid('/telnyx_agent_id', 'unknown assistant', 'unknown_assistant');
    const existing = await db.runAgent.findUnique({ where: { runId_assistantId: { runId: run.id, assistantId } } });
    if (existing) return reply.code(200).send({ data: linkView(existing) });
    const link = await db.runAgent.create({ data: { runId: run.id, assistantId } });
    void touch(run.id);
    return reply.code(201).send({ data: linkView(link) });
  });

  route(app, 'GET', '/missions/:m/runs/:r/agents', V1.listAgents, async (req) => {
    const run = await runFor(req);
    const links = await db.runAgent.findMany({ where: { runId: run.id }, orderBy: { createdAt: 'asc' } });
    return { data: links.map(linkView), meta: paged(links, { size: 100, number: 1 }).meta };
  });

  route(app, 'DELETE', '/missions/:m/runs/:r/agents/:a', V1.unlinkAgent, async (req, reply) => {
    const run = await runFor(req);
    const gone = await db.runAgent.deleteMany({ where: { runId: run.id, assistantId: paramsOf(req).a } });
    if (gone.count === 0) throw notFound('link');
    return reply.code(204).send();
  });

  route(app, 'GET', '/missions/conversations/:c/insights', V1.insights, async (req) => {
    const call = await db.callRecord.findFirst({ where: { id: paramsOf(req).c, accountId: callerOf(req).accountId } });
    if (!call) throw notFound('conversation');
    const insights = await db.insight.findMany({ where: { callId: call.id }, orderBy: { createdAt: 'asc' } });
    return { data: insights.map(insightView) };
  });

  // §5c signals. Each answers 202; one that does not fit the run's status is 409.

  route(app, 'POST', '/missions/:m/runs/:r/cancel', V1.cancelRun, async (req, reply) => {
    const run = await runFor(req);
    const body = bodyOf(req);
    const reason = optionalString(body, 'reason') ?? 'cancelled';
    if (RUN_TERMINAL.has(run.status)) throw new V1Error(409, 'invalid_transition', `the run is ${run.status}`);
    await cancelOpenEvents(run.id, body.hangup !== false);
    await tryUpdate(() => temporal.workflow.getHandle(runWorkflowId(run.id)).executeUpdate(updateRunUpdate, { args: [{ status: 'cancelled', result_summary: reason }] }));
    return reply.code(202).send({ data: runView((await db.missionRun.findUnique({ where: { id: run.id } }))!) });
  });

  for (const [signal, from, to, event] of [
    ['pause', 'running', 'paused', pauseEventSignal],
    ['resume', 'paused', 'running', resumeEventSignal],
  ] as const) {
    route(app, 'POST', `/missions/:m/runs/:r/${signal}`, V1.signalRun, async (req, reply) => {
      const run = await runFor(req);
      if (run.status !== from) throw new V1Error(409, 'invalid_transition', `only a ${from} run can ${signal} (this one is ${run.status})`);
      await tryUpdate(() => temporal.workflow.getHandle(runWorkflowId(run.id)).executeUpdate(updateRunUpdate, { args: [{ status: to }] }));
      await Promise.all((await openEvents(run.id)).map((e) => temporal.workflow.getHandle(eventWorkflowId(e.id)).signal(event).catch(() => undefined)));
      return reply.code(202).send({ data: runView((await db.missionRun.findUnique({ where: { id: run.id } }))!) });
    });
  }

  await memoryRoutes(app, { db, temporal, config, runFor, touch });
  await declarativeRoutes(app, { service: declarative, runFor });
}
