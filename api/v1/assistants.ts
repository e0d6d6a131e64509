/** /v1 assistants, their connection ids and scheduled events; account phones (Parley's lines). */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { EVENT_TERMINAL, STEP_ID_PATTERN, type EventKind } from '../../common/missions';
import { bodyOf, callerOf, e164, invalid, notFound, optionalString, paged, pageOf, paramsOf, queryOf, route, type V1Deps } from './common';
import { V1 } from './schemas';
import { readWhenChanged, waitOf } from './wait';
import { assistantView, eventView, phoneView } from './views';
import { ASSISTANT_FEATURES, assertChannelEnabled, assistantFields, createAssistantService, scheduledAtOf } from './assistant-service';

/** Routes of the assistants family, account phones and scheduled events. */
export async function assistantRoutes(app: FastifyInstance, deps: V1Deps): Promise<void> {
  const assistants = createAssistantService(deps);
  const assistantFor = (req: FastifyRequest) => assistants.assistantOf(callerOf(req).accountId, paramsOf(req).a);

  route(app, 'POST', '/assistants', V1.createAssistant, async (req, reply) => {
    const warnings: string[] = [];
    const fields = assistantFields(bodyOf(req), true, warnings);
    const { assistant, created } = await assistants.createAssistant(callerOf(req), fields);
    if (!created) return reply.code(200).send(assistantView(assistant));
    return reply.code(201).send({ ...assistantView(assistant), ...(warnings.length ? { warnings } : {}) });
  });

  route(app, 'GET', '/assistants', V1.listAssistants, async (req) => {
    const page = paged(await assistants.listAssistants(callerOf(req).accountId, queryOf(req).name ?? ''), pageOf(req, 25));
    return { data: page.data.map(assistantView), meta: page.meta };
  });

  route(app, 'GET', '/assistants/:a', V1.getAssistant, async (req) => assistantView(await assistantFor(req)));

  route(app, 'PATCH', '/assistants/:a', V1.patchAssistant, async (req) => {
    const a = await assistantFor(req);
    const warnings: string[] = [];
    const updated = await assistants.updateAssistant(a.id, assistantFields(bodyOf(req), false, warnings));
    return { ...assistantView(updated), ...(warnings.length ? { warnings } : {}) };
  });

  route(app, 'GET', '/assistants/:a/connection-id', V1.connectionId, async (req) => {
    const a = await assistantFor(req);
    const feature = queryOf(req).feature ?? 'telephony';
    if (!ASSISTANT_FEATURES.includes(feature)) throw invalid('/feature', 'feature must be telephony or messaging');
    const enabled = (JSON.parse(a.featuresJson) as string[]).includes(feature);
    return { connection_id: enabled ? `${feature}-${a.id}` : null, feature };
  });

  // Account phones: the configured lines, synced into the database so assignments persist.
  await assistants.syncLines();

  route(app, 'GET', '/numbers/account-phones', V1.listPhones, async (req) => {
    const page = paged(await assistants.linesOf(callerOf(req).accountId), pageOf(req, 50));
    return { data: page.data.map(phoneView), meta: page.meta };
  });

  route(app, 'GET', '/numbers/account-phones/available', V1.availablePhone, async (req) => {
    // Q5: no line is a 200 with `phone: null`, so setup-agent keeps its assistant.
    const [first] = await assistants.linesOf(callerOf(req).accountId);
    return { phone: first ? phoneView(first) : null };
  });

  route(app, 'PATCH', '/numbers/account-phones/:p', V1.patchPhone, async (req) => {
    const line = (await assistants.linesOf(callerOf(req).accountId)).find((l) => l.id === paramsOf(req).p);
    if (!line) throw notFound('phone');
    const body = bodyOf(req);
    if (!('connection_id' in body) || (body.connection_id !== null && typeof body.connection_id !== 'string')) throw invalid('/connection_id', 'connection_id is required (a string or null)');
    const type = body.type ?? 'voice';
    if (type !== 'voice' && type !== 'sms') throw invalid('/type', 'type must be voice or sms');
    return { data: phoneView(await assistants.assignLine(line.id, body.connection_id as string | null, type)) };
  });

  route(app, 'POST', '/assistants/:a/events', V1.scheduleEvent, async (req, reply) => {
    const caller = callerOf(req);
    const assistant = await assistantFor(req);
    const body = bodyOf(req);
    const channel = body.channel;
    if (channel !== 'call' && channel !== 'sms') throw invalid('/channel', 'channel must be call or sms');
    const to = e164(body.to, '/to');
    const from = e164(body.from, '/from');
    assistants.assertOwnLine(caller, from);
    const at = scheduledAtOf(body.scheduled_at);
    const textBody = optionalString(body, 'text_body', 1600) ?? null;
    if (channel === 'sms' && !textBody) throw invalid('/text_body', 'text_body is required for an SMS');
    assertChannelEnabled(assistant, channel);
    const kind = (body.kind ?? 'service') as EventKind;
    if (!['automated', 'service', 'professional'].includes(kind)) throw invalid('/kind', 'kind must be automated, service or professional');
    const stepId = optionalString(body, 'step_id') ?? null;
    if (stepId !== null && !STEP_ID_PATTERN.test(stepId)) throw invalid('/step_id', 'step_id must match [A-Za-z0-9._~-]{1,64}');
    const missionId = optionalString(body, 'mission_id') ?? null;
    const runId = optionalString(body, 'run_id') ?? null;
    const { event, created } = await assistants.scheduleEvent(caller, assistant, { channel, to, from, at, textBody, kind, stepId, missionId, runId });
    return reply.code(created ? 201 : 200).send(eventView(event));
  });

  const eventFor = (req: FastifyRequest) => assistants.eventOf(callerOf(req).accountId, paramsOf(req).a, paramsOf(req).e);

  // `?wait`: answers when the event changes or ends (P4: no polling loop in the bot).
  route(app, 'GET', '/assistants/:a/events/:e', V1.getEvent, async (req) => eventView(await readWhenChanged(() => eventFor(req), (e) => EVENT_TERMINAL.has(e.status), waitOf(req))));

  route(app, 'DELETE', '/assistants/:a/events/:e', V1.cancelEvent, async (req, reply) => {
    await assistants.cancelEvent(await eventFor(req));
    return reply.code(204).send();
  });

  route(app, 'GET', '/assistants/:a/events', V1.listEvents, async (req) => {
    const a = await assistantFor(req);
    const q = queryOf(req);
    const page = paged(await assistants.eventsOf(a.id, q.status, q.run_id), pageOf(req, 50));
    return { data: page.data.map(eventView), meta: page.meta };
  });
}
