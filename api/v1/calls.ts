/** /v1 calls (call.sh), messages (sms.sh) and approvals (approval.sh). */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { bodyOf, callerOf, e164, invalid, optionalObject, optionalString, paged, pageOf, paramsOf, queryOf, requiredString, route, type V1Deps } from './common';
import { createCallService } from './call-service';
import { V1 } from './schemas';
import { approvalView, callView } from './views';

const messageView = (m: { id: string; direction: string; from: string; to: string; body: string; status: string; createdAt: Date }) => ({
  id: m.id,
  direction: m.direction,
  from: m.from,
  to: m.to,
  body: m.body,
  status: m.status,
  created_at: m.createdAt.toISOString(),
});

/** Routes of calls, messages and approvals. */
export async function callRoutes(app: FastifyInstance, deps: V1Deps): Promise<void> {
  const calls = createCallService(deps);

  route(app, 'POST', '/calls', V1.placeCall, async (req, reply) => {
    const body = bodyOf(req);
    const to = body.to === undefined || body.to === null || body.to === '' ? calls.ownerPhone() : e164(body.to, '/to');
    const greeting = optionalString(body, 'greeting') ?? null;
    const purpose = optionalString(optionalObject(body, 'context') ?? {}, 'purpose') ?? null;
    const { id, from } = await calls.placeCall(callerOf(req), to, greeting, purpose);
    return reply.code(201).send({ call_id: id, status: 'initiating', to, from });
  });

  const callFor = (req: FastifyRequest) => calls.callOf(callerOf(req).accountId, paramsOf(req).c);

  route(app, 'GET', '/calls/:c', V1.getCall, async (req) => callView(await callFor(req)));

  route(app, 'POST', '/calls/:c/end', V1.endCall, async (req) => {
    const call = await callFor(req);
    const reason = optionalString(bodyOf(req), 'reason') ?? 'user_ended';
    return callView(await calls.endCall(call, reason));
  });

  // ── Messages ────────────────────────────────────────────────────────────────────────────
  route(app, 'POST', '/messages/send', V1.sendMessage, async (req, reply) => {
    const body = bodyOf(req);
    const to = e164(body.to, '/to');
    const text = requiredString(body, 'message', 1600);
    if (Array.isArray(body.media_urls) && body.media_urls.length > 0) throw invalid('/media_urls', 'MMS media is not supported by Parley lines', 'media_not_supported');
    return reply.code(201).send(messageView(await calls.sendMessage(callerOf(req), to, text)));
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
    const { total, rows } = await calls.messagesOf(caller.accountId, { limit, offset, contact, direction: q.direction || undefined });
    return { messages: rows.map(messageView), pagination: { total, limit, offset } };
  });

  route(app, 'GET', '/messages/conversations', V1.conversations, async (req) => ({ conversations: await calls.conversationsOf(callerOf(req).accountId) }));

  // ── Approvals ───────────────────────────────────────────────────────────────────────────
  route(app, 'POST', '/approvals', V1.requestApproval, async (req, reply) => {
    const body = bodyOf(req);
    const action = requiredString(body, 'action', 2000);
    const details = optionalString(body, 'details', 10000) ?? null;
    if (body.require_biometric !== undefined && typeof body.require_biometric !== 'boolean') throw invalid('/require_biometric', 'require_biometric must be true or false');
    const expiresIn = body.expires_in ?? 300;
    if (typeof expiresIn !== 'number' || !Number.isInteger(expiresIn) || expiresIn < 10 || expiresIn > 86400) throw invalid('/expires_in', 'expires_in must be whole seconds from 10 to 86400');
    const approval = await calls.requestApproval(callerOf(req), action, details, body.require_biometric === true, expiresIn);
    // Q8: Parley's approval inbox (this API, the CLI) counts as the one device notified.
    return reply.code(201).send({ request_id: approval.id, status: 'pending', devices_notified: 1, devices_failed: 0, expires_at: approval.expiresAt.toISOString() });
  });

  route(app, 'GET', '/approvals', V1.listApprovals, async (req) => {
    const page = paged(await calls.approvalsOf(callerOf(req).accountId, queryOf(req).status), pageOf(req, 50));
    return { data: page.data.map(approvalView), meta: page.meta };
  });

  const approvalFor = (req: FastifyRequest) => calls.approvalOf(callerOf(req).accountId, paramsOf(req).id);

  route(app, 'GET', '/approvals/:id', V1.getApproval, async (req) => approvalView(await approvalFor(req)));

  for (const decision of ['approved', 'denied'] as const) {
    route(app, 'POST', `/approvals/:id/${decision === 'approved' ? 'approve' : 'deny'}`, V1.decideApproval, async (req) => {
      const approval = await approvalFor(req);
      const note = optionalString(bodyOf(req), 'note') ?? null;
      return approvalView(await calls.decide(callerOf(req), approval, decision, note));
    });
  }
}
