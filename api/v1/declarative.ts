/** /v1 routes of declarative runs (spec §5a, §5c): the gates of a run and their decisions. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { MissionRun } from '../../generated/prisma/sqlite/client';
import { bodyOf, callerOf, e164, invalid, optionalString, paged, pageOf, paramsOf, route, V1Error } from './common';
import type { DeclarativeService } from './declarative-service';
import { V1 } from './schemas';
import { gateView } from './views';

/** Gates: `GET …/gates`, `POST …/gates/{g}/approve|deny` (`{note?, selection?:{targets}}`). */
export async function declarativeRoutes(app: FastifyInstance, deps: { service: DeclarativeService; runFor: (req: FastifyRequest) => Promise<MissionRun> }): Promise<void> {
  const { service, runFor } = deps;

  route(app, 'GET', '/missions/:m/runs/:r/gates', V1.listGates, async (req) => {
    const run = await runFor(req);
    const page = paged(await service.gatesOf(run.id), pageOf(req, 50));
    return { data: page.data.map(gateView), meta: page.meta };
  });

  for (const decision of ['approved', 'denied'] as const) {
    route(app, 'POST', `/missions/:m/runs/:r/gates/:g/${decision === 'approved' ? 'approve' : 'deny'}`, V1.decideGate, async (req) => {
      const run = await runFor(req);
      const body = bodyOf(req);
      const note = optionalString(body, 'note', 2000) ?? null;
      let selection: string[] | null = null;
      if (decision === 'approved' && body.selection !== undefined && body.selection !== null) {
        const targets = (body.selection as { targets?: unknown }).targets;
        if (!Array.isArray(targets) || targets.length === 0) throw invalid('/selection/targets', 'selection.targets must list the E.164 numbers to keep');
        selection = targets.map((t, i) => e164(t, `/selection/targets/${i}`));
      }
      if (callerOf(req).accountId !== run.accountId) throw new V1Error(404, 'not_found', 'run not found');
      return { data: gateView(await service.decideGate(run.id, paramsOf(req).g, decision, note, selection)) };
    });
  }
}
