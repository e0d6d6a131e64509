/**
 * Declarative missions (spec §5a) for the /v1 routes: validating a spec (zones from numbers
 * through libphonenumber's timezone map), the dry run, the atomic create of mission + run +
 * plan (+ inline assistant) with the start of `run-<id>`, and gate decisions.
 */
import { randomUUID, createHash } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { timezones } from 'libphonenumber-geo-carrier';
import { approvalWorkflowId, RUN_TERMINAL, runWorkflowId, slugify } from '../../common/missions';
import { planMission, type DryRunPlan } from '../../common/mission-planner';
import { planOf, SpecError, validateSpec, type MissionSpec } from '../../common/mission-spec';
import { normalizeNumber } from '../../common/phone-number';
import { MissionIdAttribute, RunIdAttribute } from '../../common/search-attributes';
import type { Config } from '../../infra/config';
import type { Db } from '../../infra/db';
import type { Mission } from '../../generated/prisma/sqlite/client';
import { decideApprovalUpdate, type DeclarativeRunInput } from '../../workflows/missions/messages';
import { invalid, type Caller, V1Error } from './common';
import { tryUpdate } from './temporal';

/** The IANA zones a number may be in, per libphonenumber's prefix-to-timezone map. */
async function zonesOf(raw: unknown): Promise<[string, string[]] | null> {
  if (typeof raw !== 'string') return null;
  const parsed = parsePhoneNumberFromString(normalizeNumber(raw));
  if (!parsed) return null;
  return [parsed.number, (await timezones(parsed)) ?? []];
}

export function createDeclarativeService(deps: { db: Db; temporal: Client; config: Config }) {
  const { db, temporal, config } = deps;

  /** Validates a spec; a problem is a 422 with its pointer (`/spec/targets/3/phone`). */
  async function parse(raw: unknown): Promise<MissionSpec> {
    const targets = typeof raw === 'object' && raw !== null && Array.isArray((raw as { targets?: unknown }).targets) ? ((raw as { targets: unknown[] }).targets as Array<{ phone?: unknown; timezone?: unknown }>) : [];
    const pairs = await Promise.all(targets.slice(0, 500).filter((t) => t && typeof t === 'object' && t.timezone === undefined).map((t) => zonesOf(t.phone)));
    const numberZones = Object.fromEntries(pairs.filter((p): p is [string, string[]] => p !== null));
    try {
      return validateSpec(raw, { numberZones });
    } catch (err) {
      if (err instanceof SpecError) throw invalid(err.pointer, err.message, err.code);
      throw err;
    }
  }

  /** The account's lines a run may dial from (`prl_test_` keys: simulated lines only). */
  function linesFor(caller: Caller): string[] {
    const lines = config.missions.lines.filter((l) => !caller.test || l.driver === 'sim').map((l) => l.number);
    if (lines.length === 0) throw invalid('/spec', 'this account has no phone line to call from', 'no_lines');
    return lines;
  }

  async function assistantFor(caller: Caller, spec: MissionSpec, missionId: string): Promise<{ id: string; create: boolean; data?: Parameters<Db['assistant']['create']>[0]['data'] }> {
    if ('assistant_id' in spec.assistant) {
      const a = await db.assistant.findFirst({ where: { id: spec.assistant.assistant_id, accountId: caller.accountId } });
      if (!a) throw invalid('/spec/assistant/assistant_id', 'unknown assistant', 'unknown_assistant');
      return { id: a.id, create: false };
    }
    const id = randomUUID();
    const { instructions, greeting, voice, model } = spec.assistant;
    return {
      id,
      create: true,
      data: {
        id,
        accountId: caller.accountId,
        name: `Mission ${missionId} assistant`,
        instructions,
        greeting,
        voice,
        model,
        toolsJson: JSON.stringify([{ type: 'hangup', hangup: {} }, { type: 'send_dtmf', send_dtmf: {} }]),
        featuresJson: JSON.stringify(['telephony', 'messaging']),
      },
    };
  }

  type Tx = Parameters<Parameters<Db['$transaction']>[0]>[0];

  async function startRun(caller: Caller, spec: MissionSpec, rawSpec: unknown, missionId: string, saveMission: (tx: Tx, runId: string) => Promise<Mission>) {
    const lines = linesFor(caller);
    const runId = randomUUID();
    const [mission, run, assistantId] = await db.$transaction(async (tx) => {
      const assistant = await assistantFor(caller, spec, missionId);
      if (assistant.create) await tx.assistant.create({ data: assistant.data! });
      const m = await saveMission(tx, runId);
      const r = await tx.missionRun.create({ data: { id: runId, missionId, accountId: caller.accountId, status: 'running', inputJson: JSON.stringify({ spec: rawSpec }) } });
      let sequence = 0;
      for (const step of planOf(spec)) await tx.planStep.create({ data: { id: randomUUID(), runId, stepId: step.step_id, description: step.description, sequence: ++sequence } });
      return [m, r, assistant.id] as const;
    });
    const input: DeclarativeRunInput = { runId, missionId, accountId: caller.accountId, spec, lines, assistantId, ownerPhone: config.missions.ownerPhone, timeScale: config.missions.timeScale };
    await temporal.workflow.start('declarativeRunWorkflow', {
      taskQueue: config.taskQueue,
      workflowId: runWorkflowId(runId),
      args: [input],
      typedSearchAttributes: [
        { key: MissionIdAttribute, value: missionId },
        { key: RunIdAttribute, value: runId },
      ],
    });
    return { mission, run };
  }

  return {
    parse,

    /** §5a dry run: the planned schedule, by the same planner the run uses; nothing is created. */
    async dryRun(caller: Caller, rawSpec: unknown): Promise<DryRunPlan & { plan: Array<{ step_id: string; description: string }> }> {
      const spec = await parse(rawSpec);
      const plan = planMission(spec, Date.now(), linesFor(caller));
      return { ...plan, plan: planOf(spec).map(({ step_id, description }) => ({ step_id, description })) };
    },

    /**
     * Creates mission, run 1, its plan and (for inline fields) its assistant in one transaction,
     * then starts `run-<id>`. The run is `running` from the start: the workflow owns it.
     */
    async create(caller: Caller, name: string, instructions: string, rawSpec: unknown) {
      const spec = await parse(rawSpec);
      const missionId = randomUUID();
      const requestHash = createHash('sha256').update(`${name}\n${instructions}\n${JSON.stringify(rawSpec)}`).digest('hex');
      return startRun(caller, spec, rawSpec, missionId, async (tx, runId) =>
        tx.mission.create({ data: { id: missionId, accountId: caller.accountId, name, instructions, slug: slugify(name), requestHash, mode: 'declarative', latestRunId: runId } }),
      );
    },

    /** A further run of a declarative mission, with the spec of its latest run (409 while that one is active). */
    async rerun(caller: Caller, mission: { id: string; name: string; latestRunId: string | null }) {
      const latest = mission.latestRunId ? await db.missionRun.findUnique({ where: { id: mission.latestRunId } }) : null;
      if (latest && !RUN_TERMINAL.has(latest.status)) throw new V1Error(409, 'run_active', `run ${latest.id} of this declarative mission is still ${latest.status}`);
      const rawSpec = (JSON.parse(latest?.inputJson ?? '{}') as { spec?: unknown }).spec;
      const spec = await parse(rawSpec);
      return startRun(caller, spec, rawSpec, mission.id, async (tx, runId) => tx.mission.update({ where: { id: mission.id }, data: { latestRunId: runId } }));
    },

    /** The gates of a run: its approvals, oldest first. */
    gatesOf(runId: string) {
      return db.approval.findMany({ where: { runId }, orderBy: { createdAt: 'asc' } });
    },

    /** Decides a gate through its approval workflow (the first decision wins: 409 `already_decided`). */
    async decideGate(runId: string, gateId: string, decision: 'approved' | 'denied', note: string | null, selection: string[] | null) {
      const gate = await db.approval.findFirst({ where: { runId, OR: [{ gateId }, { id: gateId }] }, orderBy: { createdAt: 'desc' } });
      if (!gate) throw new V1Error(404, 'not_found', 'gate not found (it opens when the run reaches it)');
      if (gate.status !== 'pending') throw new V1Error(409, 'already_decided', `the gate is already ${gate.status}`);
      await tryUpdate(() => temporal.workflow.getHandle(approvalWorkflowId(gate.id)).executeUpdate(decideApprovalUpdate, { args: [{ decision, note, selection }] }));
      return (await db.approval.findUnique({ where: { id: gate.id } }))!;
    },
  };
}

export type DeclarativeService = ReturnType<typeof createDeclarativeService>;
