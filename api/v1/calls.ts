/** /v1 calls (call.sh), messages (sms.sh) and approvals (approval.sh). */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { approvalWorkflowId, CALL_TERMINAL, callWorkflowId } from '../../common/missions';
import { PhoneNumberAttribute } from '../../common/search-attributes';
import { SMS_NOT_SUPPORTED } from '../../infra/telephony/driver';
import type { SendSmsInput } from '../../activities/missions/calls';
import { decideApprovalUpdate, endCallUpdate, type AdHocCallInput, type ApprovalInput } from '../../workflows/missions/messages';
import { bodyOf, callerOf, e164, invalid, notFound, optionalObject, optionalString, paged, pageOf, paramsOf, queryOf, requiredString, route, V1Error, type V1Deps } from './common';
import { V1 } from './schemas';
import { tryUpdate } from './temporal';
import { approvalView, callView } from './views';

export async function callRoutes(app: FastifyInstance, deps: V1Deps): Promise<void> {
  const { db, temporal, config } = deps;
  const lines = config.missions.lines;

  route(app, 'POST', '/calls', V1.placeCall, async (req, reply) => {
    const caller = callerOf(req);
    const body = bodyOf(req);
    let to: string;
    if (body.to === undefined || body.to === null || body.to === '') {
      if (!config.missions.ownerPhone) throw invalid('/to', 'no `to` given and PARLEY_OWNER_PHONE is not configured', 'owner_phone_not_configured');
      to = config.missions.ownerPhone;
    } else to = e164(body.to, '/to');
    const greeting = optionalString(body, 'greeting') ?? null;
    const purpose = optionalString(optionalObject(body, 'context') ?? {}, 'purpose') ?? null;
    const usable = lines.filter((l) => !caller.test || l.driver === 'sim');
    if (usable.length === 0) throw invalid('/from', 'this account has no line to call from', 'no_line');
    const leases = await db.lineLease.findMany({ where: { number: { in: usable.map((l) => l.number) }, expiresAt: { gt: new Date() } } });
    const line = usable.find((l) => !leases.some((x) => x.number === l.number));
    if (!line) throw new V1Error(409, 'line_busy', 'every line is on a call');
    const id = randomUUID();
    await db.callRecord.create({ data: { id, accountId: caller.accountId, from: line.number, to, status: 'initiating', greeting, purpose } });
    const input: AdHocCallInput = { callId: id, accountId: caller.accountId, from: line.number, to };
    await temporal.workflow.start('adHocCallWorkflow', { taskQueue: config.taskQueue, workflowId: callWorkflowId(id), args: [input], typedSearchAttributes: [{ key: PhoneNumberAttribute, value: to }] });
    return reply.code(201).send({ call_id: id, status: 'initiating', to, from: line.number });
  });

  async function callFor(req: FastifyRequest) {
    const c = await db.callRecord.findFirst({ where: { id: paramsOf(req).c, accountId: callerOf(req).accountId } });
    if (!c) throw notFound('call');
    return c;
  }

  route(app, 'GET', '/calls/:c', V1.getCall, async (req) => callView(await callFor(req)));

  route(app, 'POST', '/calls/:c/end', V1.endCall, async (req) => {
    const call = await callFor(req);
    const reason = optionalString(bodyOf(req), 'reason') ?? 'user_ended';
    if (CALL_TERMINAL.has(call.status)) return callView(call);
    if (call.eventId) throw new V1Error(409, 'owned_by_workflow', 'this call belongs to a scheduled event: DELETE the event instead');
    await tryUpdate(() => temporal.workflow.getHandle(callWorkflowId(call.id)).executeUpdate(endCallUpdate));
    const after = await db.callRecord.update({ where: { id: call.id }, data: { reason } });
    return callView(after);
  });

  // ── Messages ────────────────────────────────────────────────────────────────────────────
  const messageView = (m: { id: string; direction: string; from: string; to: string; body: string; status: string; createdAt: Date }) => ({
    id: m.id,
    direction: m.direction,
    from: m.from,
    to: m.to,
    body: m.body,
    status: m.status,
    created_at: m.createdAt.toISOString(),
  });

  route(app, 'POST', '/messages/send', V1.sendMessage, async (req, reply) => {
    const caller = callerOf(req);
    const body = bodyOf(req);
    const to = e164(body.to, '/to');
    const text = requiredString(body, 'message', 1600);
    if (Array.isArray(body.media_urls) && body.media_urls.length > 0) throw invalid('/media_urls', 'MMS media is not supported by Parley lines', 'media_not_supported');
    const line = lines.find((l) => l.driver === 'sim') ?? lines[0];
    if (!line) throw invalid('/from', 'this account has no line to text from', 'no_line');
    const id = randomUUID();
    const input: SendSmsInput = { messageId: id, accountId: caller.accountId, eventId: null, from: line.number, to, text };
    const sent = await temporal.workflow.execute('sendMessageWorkflow', { taskQueue: config.taskQueue, workflowId: `message-${id}`, args: [input] });
    if (!sent.ok) {
      const unsupported = sent.detail === SMS_NOT_SUPPORTED;
      throw new V1Error(422, unsupported ? 'sms_not_supported' : 'sms_failed', unsupported ? `SMS is ${SMS_NOT_SUPPORTED} (${line.number})` : `the SMS was not sent: ${sent.detail}`);
    }
    const m = (await db.message.findUnique({ where: { id } }))!;
    return reply.code(201).send(messageView(m));
  });

  route(app, 'GET', '/messages', V1.listMessages, async (req) => {
    const caller = callerOf(req);
    const q = queryOf(req);
    const limit = Number(q.limit ?? 20);
    const offset = Number(q.offset ?? 0);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw invalid('/limit', 'limit must be a whole number from 1 to 100');
    if (!Number.isInteger(offset) || offset < 0) throw invalid('/offset', 'offset must be a whole number from 0');
    const contact = q.contact ? e164(q.contact, '/contact') : undefined;
    if (q.direction && q.direction !== 'inbound' && q.direction !== 'outbound') throw invalid('/direction', 'direction must be inbound or outbound');
    const where = { accountId: caller.accountId, ...(q.direction ? { direction: q.direction } : {}), ...(contact ? { OR: [{ from: contact }, { to: contact }] } : {}) };
    const [total, rows] = await Promise.all([db.message.count({ where }), db.message.findMany({ where, orderBy: { createdAt: 'desc' }, skip: offset, take: limit })]);
    return { messages: rows.map(messageView), pagination: { total, limit, offset } };
  });

  route(app, 'GET', '/messages/conversations', V1.conversations, async (req) => {
    const ours = new Set(lines.map((l) => l.number));
    const rows = await db.message.findMany({ where: { accountId: callerOf(req).accountId }, orderBy: { createdAt: 'desc' } });
    const seen = new Map<string, { contact: string; last_message: string; last_message_at: string; message_count: number }>();
    for (const m of rows) {
      const contact = m.direction === 'inbound' || ours.has(m.to) ? m.from : m.to;
      const c = seen.get(contact);
      if (c) c.message_count += 1;
      else seen.set(contact, { contact, last_message: m.body, last_message_at: m.createdAt.toISOString(), message_count: 1 });
    }
    return { conversations: [...seen.values()] };
  });

  // ── Approvals ───────────────────────────────────────────────────────────────────────────
  route(app, 'POST', '/approvals', V1.requestApproval, async (req, reply) => {
    const caller = callerOf(req);
    const body = bodyOf(req);
    const action = requiredString(body, 'action', 2000);
    const details = optionalString(body, 'details', 10000) ?? null;
    if (body.require_biometric !== undefined && typeof body.require_biometric !== 'boolean') throw invalid('/require_biometric', 'require_biometric must be true or false');
    const expiresIn = body.expires_in ?? 300;
    if (typeof expiresIn !== 'number' || !Number.isInteger(expiresIn) || expiresIn < 10 || expiresIn > 86400) throw invalid('/expires_in', 'expires_in must be whole seconds from 10 to 86400');
    const id = randomUUID();
    const expiresInMs = expiresIn * 1000 * config.missions.timeScale;
    const approval = await db.approval.create({ data: { id, accountId: caller.accountId, action, details, requireBiometric: body.require_biometric === true, expiresAt: new Date(Date.now() + expiresInMs) } });
    const input: ApprovalInput = { approvalId: id, expiresInMs };
    await temporal.workflow.start('approvalWorkflow', { taskQueue: config.taskQueue, workflowId: approvalWorkflowId(id), args: [input] });
    // Q8: Parley's approval inbox (this API, the CLI) counts as the one device notified.
    return reply.code(201).send({ request_id: id, status: 'pending', devices_notified: 1, devices_failed: 0, expires_at: approval.expiresAt.toISOString() });
  });

  route(app, 'GET', '/approvals', V1.listApprovals, async (req) => {
    const status = queryOf(req).status;
    const rows = await db.approval.findMany({ where: { accountId: callerOf(req).accountId, ...(status && status !== 'all' ? { status } : {}) }, orderBy: { createdAt: 'desc' } });
    const page = paged(rows, pageOf(req, 50));
    return { data: page.data.map(approvalView), meta: page.meta };
  });

  async function approvalFor(req: FastifyRequest) {
    const a = await db.approval.findFirst({ where: { id: paramsOf(req).id, accountId: callerOf(req).accountId } });
    if (!a) throw notFound('approval request');
    return a;
  }

  route(app, 'GET', '/approvals/:id', V1.getApproval, async (req) => approvalView(await approvalFor(req)));

  for (const decision of ['approved', 'denied'] as const) {
    route(app, 'POST', `/approvals/:id/${decision === 'approved' ? 'approve' : 'deny'}`, V1.decideApproval, async (req) => {
      const approval = await approvalFor(req);
      if (approval.requireBiometric && callerOf(req).scope !== 'admin') throw new V1Error(403, 'forbidden', 'a require_biometric request needs an admin key');
      const note = optionalString(bodyOf(req), 'note') ?? null;
      if (approval.status !== 'pending') throw new V1Error(409, 'already_decided', `the request is already ${approval.status}`);
      const done = await tryUpdate(() => temporal.workflow.getHandle(approvalWorkflowId(approval.id)).executeUpdate(decideApprovalUpdate, { args: [{ decision, note }] }));
      const after = (await db.approval.findUnique({ where: { id: approval.id } }))!;
      if (!done.ok) throw new V1Error(409, 'already_decided', `the request is already ${after.status}`);
      return approvalView(after);
    });
  }
}
