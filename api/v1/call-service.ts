/**
 * Ad-hoc calls, SMS and approval requests for the /v1 routes: line choice, the rows, the start
 * of each one's workflow and the messages sent to it. Routes parse, call these and map the rows.
 */
import { randomUUID } from 'node:crypto';
import { approvalWorkflowId, CALL_TERMINAL, callWorkflowId } from '../../common/missions';
import { PhoneNumberAttribute } from '../../common/search-attributes';
import type { Approval, CallRecord, Message } from '../../generated/prisma/sqlite/client';
import { SMS_NOT_SUPPORTED } from '../../infra/telephony/driver';
import type { SendSmsInput } from '../../activities/missions/calls';
import { decideApprovalUpdate, endCallUpdate, type AdHocCallInput, type ApprovalInput } from '../../workflows/missions/messages';
import { type Caller, invalid, notFound, V1Error, type V1Deps } from './common';
import { tryUpdate } from './temporal';

export interface MessageQuery {
  limit: number;
  offset: number;
  contact: string | undefined;
  direction: string | undefined;
}

export function createCallService(deps: V1Deps) {
  const { db, temporal, config } = deps;
  const lines = config.missions.lines;

  return {
    /** The number a call goes to when the request names none: the configured owner's. */
    ownerPhone(): string {
      if (!config.missions.ownerPhone) throw invalid('/to', 'no `to` given and PARLEY_OWNER_PHONE is not configured', 'owner_phone_not_configured');
      return config.missions.ownerPhone;
    },

    /** Places a call from the first free line of the account (409 `line_busy` when none is). */
    async placeCall(caller: Caller, to: string, greeting: string | null, purpose: string | null): Promise<{ id: string; from: string }> {
      const usable = lines.filter((l) => !caller.test || l.driver === 'sim');
      if (usable.length === 0) throw invalid('/from', 'this account has no line to call from', 'no_line');
      const leases = await db.lineLease.findMany({ where: { number: { in: usable.map((l) => l.number) }, expiresAt: { gt: new Date() } } });
      const line = usable.find((l) => !leases.some((x) => x.number === l.number));
      if (!line) throw new V1Error(409, 'line_busy', 'every line is on a call');
      const id = randomUUID();
      await db.callRecord.create({ data: { id, accountId: caller.accountId, from: line.number, to, status: 'initiating', greeting, purpose } });
      const input: AdHocCallInput = { callId: id, accountId: caller.accountId, from: line.number, to };
      await temporal.workflow.start('adHocCallWorkflow', { taskQueue: config.taskQueue, workflowId: callWorkflowId(id), args: [input], typedSearchAttributes: [{ key: PhoneNumberAttribute, value: to }] });
      return { id, from: line.number };
    },

    /** A call of the caller's account, else 404. */
    async callOf(accountId: string, callId: string): Promise<CallRecord> {
      const c = await db.callRecord.findFirst({ where: { id: callId, accountId } });
      if (!c) throw notFound('call');
      return c;
    },

    /** Ends an ad-hoc call through its workflow; an event's call is ended by cancelling the event. */
    async endCall(call: CallRecord, reason: string): Promise<CallRecord> {
      if (CALL_TERMINAL.has(call.status)) return call;
      if (call.eventId) throw new V1Error(409, 'owned_by_workflow', 'this call belongs to a scheduled event: DELETE the event instead');
      await tryUpdate(() => temporal.workflow.getHandle(callWorkflowId(call.id)).executeUpdate(endCallUpdate));
      return db.callRecord.update({ where: { id: call.id }, data: { reason } });
    },

    /** Sends an SMS through `sendMessageWorkflow` from a simulated line if there is one; a refusal is a 422. */
    async sendMessage(caller: Caller, to: string, text: string): Promise<Message> {
      const line = lines.find((l) => l.driver === 'sim') ?? lines[0];
      if (!line) throw invalid('/from', 'this account has no line to text from', 'no_line');
      const id = randomUUID();
      const input: SendSmsInput = { messageId: id, accountId: caller.accountId, eventId: null, from: line.number, to, text };
      const sent = await temporal.workflow.execute('sendMessageWorkflow', { taskQueue: config.taskQueue, workflowId: `message-${id}`, args: [input] });
      if (!sent.ok) {
        const unsupported = sent.detail === SMS_NOT_SUPPORTED;
        throw new V1Error(422, unsupported ? 'sms_not_supported' : 'sms_failed', unsupported ? `SMS is ${SMS_NOT_SUPPORTED} (${line.number})` : `the SMS was not sent: ${sent.detail}`);
      }
      return (await db.message.findUnique({ where: { id } }))!;
    },

    /** A page of the account's messages, newest first, and how many there are in all. */
    async messagesOf(accountId: string, q: MessageQuery): Promise<{ total: number; rows: Message[] }> {
      const where = { accountId, ...(q.direction ? { direction: q.direction } : {}), ...(q.contact ? { OR: [{ from: q.contact }, { to: q.contact }] } : {}) };
      const [total, rows] = await Promise.all([db.message.count({ where }), db.message.findMany({ where, orderBy: { createdAt: 'desc' }, skip: q.offset, take: q.limit })]);
      return { total, rows };
    },

    /** One entry per contact: its last message and how many there are. */
    async conversationsOf(accountId: string) {
      const ours = new Set(lines.map((l) => l.number));
      const rows = await db.message.findMany({ where: { accountId }, orderBy: { createdAt: 'desc' } });
      const seen = new Map<string, { contact: string; last_message: string; last_message_at: string; message_count: number }>();
      for (const m of rows) {
        const contact = m.direction === 'inbound' || ours.has(m.to) ? m.from : m.to;
        const c = seen.get(contact);
        if (c) c.message_count += 1;
        else seen.set(contact, { contact, last_message: m.body, last_message_at: m.createdAt.toISOString(), message_count: 1 });
      }
      return [...seen.values()];
    },

    /** Stores an approval request and starts its workflow, which expires it. */
    async requestApproval(caller: Caller, action: string, details: string | null, requireBiometric: boolean, expiresInS: number): Promise<Approval> {
      const id = randomUUID();
      const expiresInMs = expiresInS * 1000 * config.missions.timeScale;
      const approval = await db.approval.create({ data: { id, accountId: caller.accountId, action, details, requireBiometric, expiresAt: new Date(Date.now() + expiresInMs) } });
      const input: ApprovalInput = { approvalId: id, expiresInMs };
      await temporal.workflow.start('approvalWorkflow', { taskQueue: config.taskQueue, workflowId: approvalWorkflowId(id), args: [input] });
      return approval;
    },

    approvalsOf(accountId: string, status: string | undefined): Promise<Approval[]> {
      return db.approval.findMany({ where: { accountId, ...(status && status !== 'all' ? { status } : {}) }, orderBy: { createdAt: 'desc' } });
    },

    /** An approval request of the caller's account, else 404. */
    async approvalOf(accountId: string, approvalId: string): Promise<Approval> {
      const a = await db.approval.findFirst({ where: { id: approvalId, accountId } });
      if (!a) throw notFound('approval request');
      return a;
    },

    /** Decides through the approval's workflow; the first decision wins (409 `already_decided`). */
    async decide(caller: Caller, approval: Approval, decision: 'approved' | 'denied', note: string | null): Promise<Approval> {
      if (approval.requireBiometric && caller.scope !== 'admin') throw new V1Error(403, 'forbidden', 'a require_biometric request needs an admin key');
      if (approval.status !== 'pending') throw new V1Error(409, 'already_decided', `the request is already ${approval.status}`);
      const done = await tryUpdate(() => temporal.workflow.getHandle(approvalWorkflowId(approval.id)).executeUpdate(decideApprovalUpdate, { args: [{ decision, note }] }));
      const after = (await db.approval.findUnique({ where: { id: approval.id } }))!;
      if (!done.ok) throw new V1Error(409, 'already_decided', `the request is already ${after.status}`);
      return after;
    },
  };
}
