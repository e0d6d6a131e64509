/** /v1 missions, runs, plan and steps, run events, linked agents, run memory and insights. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { canonicalRunStatus, RUN_EVENT_TYPES, RUN_TERMINAL, runWorkflowId, STEP_ID_PATTERN, STEP_STATUSES } from '../../common/missions';
import type { RunPatch } from '../../workflows/missions/messages';
import { bodyOf, callerOf, invalid, optionalObject, optionalString, paged, pageOf, paramsOf, queryOf, requiredString, route, type V1Deps } from './common';
import { V1 } from './schemas';
import { readWhenChanged, waitOf } from './wait';
import { insightView, missionView, runEventView, runView, stepView } from './views';
import { memoryRoutes } from './memory';
import { declarativeRoutes } from './declarative';
import { createDeclarativeService } from './declarative-service';
import { createMissionService, type PlannedStep } from './mission-service';

const linkView = (l: { runId: string; assistantId: string; createdAt: Date }) => ({ run_id: l.runId, telnyx_agent_id: l.assistantId, linked_at: l.createdAt.toISOString() });

/** Routes of the missions family (runs, plans, events, agents, memory, insights). */
export async function missionRoutes(app: FastifyInstance, deps: V1Deps): Promise<void> {
  const declarative = createDeclarativeService(deps);
  const missions = createMissionService(deps);

  const missionFor = (req: FastifyRequest) => missions.missionOf(callerOf(req).accountId, paramsOf(req).m);
  const runFor = (req: FastifyRequest) => missions.runOf(callerOf(req).accountId, paramsOf(req).m, paramsOf(req).r);
  const withLatest = async (m: Parameters<typeof missions.withLatest>[0]) => {
    const { mission, latest } = await missions.withLatest(m);
    return missionView(mission, latest);
  };

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
    const { mission, created } = await missions.createMission(caller, name, instructions);
    return created ? reply.code(201).send({ data: missionView(mission, null) }) : reply.code(200).send({ data: await withLatest(mission) });
  });

  route(app, 'GET', '/missions', V1.listMissions, async (req) => {
    const page = paged(await missions.listMissions(callerOf(req).accountId, queryOf(req).slug), pageOf(req, 20));
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
    const run = await missions.startRun(caller, mission, optionalObject(bodyOf(req), 'input') ?? {});
    return reply.code(201).send({ data: runView(run) });
  });

  route(app, 'GET', '/missions/:m/runs', V1.listRuns, async (req) => {
    const mission = await missionFor(req);
    const page = paged(await missions.listRuns(mission.id), pageOf(req, 50));
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
    return { data: runView(await missions.patchRun(run, patch)) };
  });

  route(app, 'POST', '/missions/:m/runs/:r/plan', V1.postPlan, async (req, reply) => {
    const run = await runFor(req);
    const steps = bodyOf(req).steps;
    if (!Array.isArray(steps) || steps.length < 1 || steps.length > 100) throw invalid('/steps', 'steps must be a list of 1 to 100 steps');
    const wanted = steps.map((raw, i): PlannedStep => {
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
    const { steps: saved, created } = await missions.setPlan(run, wanted);
    return reply.code(created ? 201 : 200).send({ data: { run_id: run.id, steps: saved.map(stepView) } });
  });

  route(app, 'GET', '/missions/:m/runs/:r/plan', V1.getPlan, async (req) => {
    const run = await runFor(req);
    return { data: { run_id: run.id, steps: (await missions.planOf(run.id)).map(stepView) } };
  });

  route(app, 'PATCH', '/missions/:m/runs/:r/plan/steps/:s', V1.patchStep, async (req) => {
    const run = await runFor(req);
    const status = bodyOf(req).status;
    if (typeof status !== 'string' || !(STEP_STATUSES as readonly string[]).includes(status)) throw invalid('/status', `status must be one of ${STEP_STATUSES.join(', ')}`);
    return { data: stepView(await missions.setStepStatus(run, paramsOf(req).s, status)) };
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
    const { event, warnings } = await missions.appendRunEvent(run, { type, summary, agentId, stepId, payload });
    return reply.code(201).send({ data: runEventView(event), ...(warnings.length ? { warnings } : {}) });
  });

  route(app, 'GET', '/missions/:m/runs/:r/events', V1.listRunEvents, async (req) => {
    const run = await runFor(req);
    const after = Number(queryOf(req).after_seq ?? 0);
    const page = paged(await missions.runEventsAfter(run.id, Number.isFinite(after) ? after : 0), pageOf(req, 50));
    return { data: page.data.map(runEventView), meta: page.meta };
  });

  route(app, 'POST', '/missions/:m/runs/:r/agents', V1.linkAgent, async (req, reply) => {
    const run = await runFor(req);
    const { link, created } = await missions.linkAgent(run, callerOf(req).accountId, requiredString(bodyOf(req), 'telnyx_agent_id'));
    return reply.code(created ? 201 : 200).send({ data: linkView(link) });
  });

  route(app, 'GET', '/missions/:m/runs/:r/agents', V1.listAgents, async (req) => {
    const links = await missions.agentsOf((await runFor(req)).id);
    return { data: links.map(linkView), meta: paged(links, { size: 100, number: 1 }).meta };
  });

  route(app, 'DELETE', '/missions/:m/runs/:r/agents/:a', V1.unlinkAgent, async (req, reply) => {
    const run = await runFor(req);
    await missions.unlinkAgent(run.id, paramsOf(req).a);
    return reply.code(204).send();
  });

  route(app, 'GET', '/missions/conversations/:c/insights', V1.insights, async (req) => ({ data: (await missions.insightsOf(callerOf(req).accountId, paramsOf(req).c)).map(insightView) }));

  // §5c signals. Each answers 202; one that does not fit the run's status is 409.

  route(app, 'POST', '/missions/:m/runs/:r/cancel', V1.cancelRun, async (req, reply) => {
    const run = await runFor(req);
    const body = bodyOf(req);
    const reason = optionalString(body, 'reason') ?? 'cancelled';
    return reply.code(202).send({ data: runView(await missions.cancelRun(run, reason, body.hangup !== false)) });
  });

  for (const signal of ['pause', 'resume'] as const) {
    route(app, 'POST', `/missions/:m/runs/:r/${signal}`, V1.signalRun, async (req, reply) => reply.code(202).send({ data: runView(await missions.pauseOrResume(await runFor(req), signal)) }));
  }

  await memoryRoutes(app, { missions, runFor });
  await declarativeRoutes(app, { service: declarative, runFor });
}
