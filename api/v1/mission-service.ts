/**
 * Missions, runs, plans, run events, linked agents, run memory and insights for the /v1 routes:
 * the lookups within the caller's account and every rule that reads or writes the projection or
 * messages a run's workflow. Routes parse, call these and map the rows with api/v1/views.ts.
 */
import { createHash, randomUUID } from 'node:crypto';
import { eventWorkflowId, mergePatch, RUN_TERMINAL, runWorkflowId, slugify, stepTransitionAllowed } from '../../common/missions';
import { MissionIdAttribute, RunIdAttribute } from '../../common/search-attributes';
import type { Mission, MissionRun } from '../../generated/prisma/sqlite/client';
import { cancelEventUpdate, pauseEventSignal, resumeEventSignal, touchRunSignal, updateRunUpdate, type MissionRunInput, type RunPatch } from '../../workflows/missions/messages';
import { invalid, notFound, type Caller, V1Error, type V1Deps } from './common';
import { tryUpdate } from './temporal';

type Json = Record<string, unknown>;

/** Run memory's cap (spec §5b). */
const MEMORY_MAX_BYTES = 1024 * 1024;

export interface PlannedStep {
  stepId: string;
  description: string;
  sequence: number;
}

export interface RunEventFields {
  type: string;
  summary: string;
  agentId: string | null;
  stepId: string | null;
  payload: Json | undefined;
}

export function createMissionService(deps: V1Deps) {
  const { db, temporal, config } = deps;

  /** Any write but a status change keeps the run from going idle. */
  const touch = (runId: string) => temporal.workflow.getHandle(runWorkflowId(runId)).signal(touchRunSignal).catch(() => undefined);

  const openEvents = (runId: string) => db.scheduledEvent.findMany({ where: { runId, status: { in: ['pending', 'in_progress'] } } });

  /** A cancelled run cancels its open events (spec §4); `hangup: false` lets live calls finish. */
  async function cancelOpenEvents(runId: string, hangup: boolean) {
    const events = (await openEvents(runId)).filter((e) => hangup || e.status === 'pending');
    await Promise.all(events.map((e) => tryUpdate(() => temporal.workflow.getHandle(eventWorkflowId(e.id)).executeUpdate(cancelEventUpdate)).catch(() => undefined)));
  }

  const reread = async (runId: string) => (await db.missionRun.findUnique({ where: { id: runId } }))!;

  return {
    touch,

    /** A mission of the caller's account, else 404. */
    async missionOf(accountId: string, missionId: string): Promise<Mission> {
      const m = await db.mission.findFirst({ where: { id: missionId, accountId } });
      if (!m) throw notFound('mission');
      return m;
    },

    /** A run of that mission in the caller's account, else 404. */
    async runOf(accountId: string, missionId: string, runId: string): Promise<MissionRun> {
      const run = await db.missionRun.findFirst({ where: { id: runId, missionId, accountId } });
      if (!run) throw notFound('run');
      return run;
    },

    /** A mission with its latest run (null before the first). */
    async withLatest(m: Mission): Promise<{ mission: Mission; latest: MissionRun | null }> {
      return { mission: m, latest: m.latestRunId ? await db.missionRun.findUnique({ where: { id: m.latestRunId } }) : null };
    },

    /**
     * A compat mission (no spec). The same name and instructions within the dedupe window, while
     * that mission has no run yet, answer the earlier one (`created: false`).
     */
    async createMission(caller: Caller, name: string, instructions: string): Promise<{ mission: Mission; created: boolean }> {
      const requestHash = createHash('sha256').update(`${name}\n${instructions}`).digest('hex');
      const since = new Date(Date.now() - config.missions.dedupeWindowSec * 1000);
      const dupe = await db.mission.findFirst({ where: { accountId: caller.accountId, requestHash, latestRunId: null, createdAt: { gte: since } }, orderBy: { createdAt: 'desc' } });
      if (dupe) return { mission: dupe, created: false };
      const mission = await db.mission.create({ data: { id: randomUUID(), accountId: caller.accountId, name, instructions, slug: slugify(name), requestHash } });
      return { mission, created: true };
    },

    listMissions(accountId: string, slug: string | undefined) {
      return db.mission.findMany({ where: { accountId, ...(slug ? { slug } : {}) }, orderBy: { createdAt: 'desc' } });
    },

    /** A compat run: its row, then `run-<id>` (missionRunWorkflow), which owns its idle timeout. */
    async startRun(caller: Caller, mission: Mission, input: Json): Promise<MissionRun> {
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
      return run;
    },

    listRuns(missionId: string) {
      return db.missionRun.findMany({ where: { missionId }, orderBy: { createdAt: 'desc' } });
    },

    /** PATCH of a run through its workflow's updateRun; answers the run as it is afterwards. */
    async patchRun(run: MissionRun, patch: RunPatch): Promise<MissionRun> {
      const declarative = (await db.mission.findUnique({ where: { id: run.missionId } }))?.mode === 'declarative';
      if (!RUN_TERMINAL.has(run.status) && patch.status !== 'cancelled' && declarative) {
        // §4: a declarative run is written by its workflow; only `cancelled` (a cancel) is taken.
        throw new V1Error(409, 'owned_by_workflow', 'a declarative run is written by its workflow: use the cancel, pause and resume signals');
      }
      if (RUN_TERMINAL.has(run.status)) {
        // A closed run: re-sending its status is a no-op, anything else is final.
        if (patch.status === run.status) return run;
        throw new V1Error(409, 'run_terminal', `the run is ${run.status}`);
      }
      const handle = temporal.workflow.getHandle(runWorkflowId(run.id));
      // A declarative run stops its own events (and answers once they have ended); cancelling them
      // first from here could let the run end on its own before the cancel reached it.
      if (patch.status === 'cancelled' && !declarative) await cancelOpenEvents(run.id, true);
      const done = await tryUpdate(() => handle.executeUpdate(updateRunUpdate, { args: [patch] }));
      const after = await reread(run.id);
      if (!done.ok && patch.status !== after.status) throw new V1Error(409, 'run_terminal', `the run is ${after.status}`);
      return after;
    },

    /**
     * Sets the plan: the same plan again is a no-op (`created: false`); an all-pending plan may
     * be replaced; a started one is a 409.
     */
    async setPlan(run: MissionRun, wanted: PlannedStep[]) {
      const existing = await db.planStep.findMany({ where: { runId: run.id }, orderBy: { sequence: 'asc' } });
      const key = (s: PlannedStep) => `${s.stepId}\n${s.description}\n${s.sequence}`;
      const sorted = [...wanted].sort((a, b) => a.sequence - b.sequence);
      if (existing.length > 0) {
        if (existing.map(key).join('\n\n') === sorted.map(key).join('\n\n')) return { steps: existing, created: false };
        if (existing.some((s) => s.status !== 'pending')) throw new V1Error(409, 'plan_in_progress', 'the plan has started: only an all-pending plan may be replaced');
      }
      await db.$transaction([db.planStep.deleteMany({ where: { runId: run.id } }), ...wanted.map((s) => db.planStep.create({ data: { id: randomUUID(), runId: run.id, ...s } }))]);
      void touch(run.id);
      return { steps: await db.planStep.findMany({ where: { runId: run.id }, orderBy: { sequence: 'asc' } }), created: true };
    },

    planOf(runId: string) {
      return db.planStep.findMany({ where: { runId }, orderBy: { sequence: 'asc' } });
    },

    /** A step's status change, if its transition is allowed (409 otherwise). */
    async setStepStatus(run: MissionRun, stepId: string, status: string) {
      const step = await db.planStep.findUnique({ where: { runId_stepId: { runId: run.id, stepId } } });
      if (!step) throw notFound('step');
      if (!stepTransitionAllowed(step.status, status)) throw new V1Error(409, 'invalid_transition', `a ${step.status} step cannot become ${status}`);
      const updated = step.status === status ? step : await db.planStep.update({ where: { id: step.id }, data: { status } });
      void touch(run.id);
      return updated;
    },

    /** Appends a run event with the next seq; an unknown step id is a warning, not a failure. */
    async appendRunEvent(run: MissionRun, f: RunEventFields) {
      const warnings: string[] = [];
      if (f.stepId && !(await db.planStep.findUnique({ where: { runId_stepId: { runId: run.id, stepId: f.stepId } } }))) warnings.push('unknown_step_id');
      for (let tries = 0; ; tries++) {
        const last = await db.runEvent.findFirst({ where: { runId: run.id }, orderBy: { seq: 'desc' } });
        try {
          const event = await db.runEvent.create({
            data: { id: randomUUID(), runId: run.id, seq: (last?.seq ?? 0) + 1, type: f.type, summary: f.summary, agentId: f.agentId, stepId: f.stepId, payloadJson: f.payload ? JSON.stringify(f.payload) : null },
          });
          void touch(run.id);
          return { event, warnings };
        } catch (err) {
          // Two writers raced for the same seq: read the new last one and try again.
          if (tries >= 4) throw err;
        }
      }
    },

    runEventsAfter(runId: string, afterSeq: number) {
      return db.runEvent.findMany({ where: { runId, seq: { gt: afterSeq } }, orderBy: { seq: 'asc' } });
    },

    /** Links an assistant of the account to the run (idempotent: `created: false` when linked). */
    async linkAgent(run: MissionRun, accountId: string, assistantId: string) {
      const assistant = await db.assistant.findFirst({ where: { id: assistantId, accountId } });
      if (!assistant) throw invalid('/telnyx_agent_id', 'unknown assistant', 'unknown_assistant');
      const existing = await db.runAgent.findUnique({ where: { runId_assistantId: { runId: run.id, assistantId } } });
      if (existing) return { link: existing, created: false };
      const link = await db.runAgent.create({ data: { runId: run.id, assistantId } });
      void touch(run.id);
      return { link, created: true };
    },

    agentsOf(runId: string) {
      return db.runAgent.findMany({ where: { runId }, orderBy: { createdAt: 'asc' } });
    },

    async unlinkAgent(runId: string, assistantId: string): Promise<void> {
      const gone = await db.runAgent.deleteMany({ where: { runId, assistantId } });
      if (gone.count === 0) throw notFound('link');
    },

    /** The insights of a call of the account, oldest first. */
    async insightsOf(accountId: string, callId: string) {
      const call = await db.callRecord.findFirst({ where: { id: callId, accountId } });
      if (!call) throw notFound('conversation');
      return db.insight.findMany({ where: { callId: call.id }, orderBy: { createdAt: 'asc' } });
    },

    /** §5c cancel: the open events first (live calls too unless `hangup` is false), then the run. */
    async cancelRun(run: MissionRun, reason: string, hangup: boolean): Promise<MissionRun> {
      if (RUN_TERMINAL.has(run.status)) throw new V1Error(409, 'invalid_transition', `the run is ${run.status}`);
      // A declarative run stops its own events; cancelling them first from here could let the
      // run end on its own (nothing left to call) before the cancel reached it.
      if ((await db.mission.findUnique({ where: { id: run.missionId } }))?.mode !== 'declarative') await cancelOpenEvents(run.id, hangup);
      await tryUpdate(() => temporal.workflow.getHandle(runWorkflowId(run.id)).executeUpdate(updateRunUpdate, { args: [{ status: 'cancelled', result_summary: reason, hangup }] }));
      return reread(run.id);
    },

    /** §5c pause/resume: the run's status, then the same signal to each of its open events. */
    async pauseOrResume(run: MissionRun, signal: 'pause' | 'resume'): Promise<MissionRun> {
      const [from, to, event] = signal === 'pause' ? (['running', 'paused', pauseEventSignal] as const) : (['paused', 'running', resumeEventSignal] as const);
      if (run.status !== from) throw new V1Error(409, 'invalid_transition', `only a ${from} run can ${signal} (this one is ${run.status})`);
      await tryUpdate(() => temporal.workflow.getHandle(runWorkflowId(run.id)).executeUpdate(updateRunUpdate, { args: [{ status: to }] }));
      await Promise.all((await openEvents(run.id)).map((e) => temporal.workflow.getHandle(eventWorkflowId(e.id)).signal(event).catch(() => undefined)));
      return reread(run.id);
    },

    /** The run's memory object. */
    memoryOf(run: MissionRun): Json {
      return JSON.parse(run.memoryJson) as Json;
    },

    /**
     * Writes `next` if the memory is still at the version read (and at `If-Match`, when sent):
     * a compare-and-set on the version, so two writers never both win.
     */
    async writeMemory(run: MissionRun, next: Json, ifMatch: string | undefined) {
      if (ifMatch !== undefined && ifMatch.replace(/^W\//, '').replace(/"/g, '') !== String(run.memoryVersion)) {
        throw new V1Error(412, 'precondition_failed', `memory is at version ${run.memoryVersion}`);
      }
      const text = JSON.stringify(next);
      if (Buffer.byteLength(text) > MEMORY_MAX_BYTES) throw invalid('/', 'memory is capped at 1 MB', 'memory_too_large');
      const saved = await db.missionRun.updateMany({ where: { id: run.id, memoryVersion: run.memoryVersion }, data: { memoryJson: text, memoryVersion: run.memoryVersion + 1 } });
      if (saved.count === 0) throw new V1Error(412, 'precondition_failed', 'memory changed meanwhile: read it and try again');
      void touch(run.id);
      return { data: next, version: run.memoryVersion + 1 };
    },

    /** RFC 7396 merge of `patch` into the run's memory (what PATCH writes). */
    merged(run: MissionRun, patch: Json): Json {
      return mergePatch(JSON.parse(run.memoryJson), patch) as Json;
    },
  };
}

export type MissionService = ReturnType<typeof createMissionService>;
