/** Phone session routes (contract §2.1): POST /api/session/new, /reset and /end. */
import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { WithStartWorkflowOperation } from '@temporalio/client';
import { isWorkflowGone } from '../../infra/temporal-errors';
import { endSession, fenceSession } from '../sessions';
import { callSessionWorkflowId, isValidSessionId, sessionIdFromUuid } from '../../common/ids';
import { PhoneNumberAttribute, SessionIdAttribute } from '../../common/search-attributes';
import { openSessionUpdate, resetSessionUpdate, type CallSessionInput } from '../../workflows/call-session/messages';
import type { callSessionWorkflow } from '../../workflows/call-session/workflow';
import { badRequest } from '../errors';
import { errors, OkSession, OptionalSessionId } from '../schemas/gateway';

const SessionBody = Type.Object({ session_id: OptionalSessionId }, { additionalProperties: true });
const tags = ['phone'];

export const phoneSessionRoutes: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { config, temporal, db } = app;

  app.post(
    '/api/session/new',
    { schema: { tags, summary: 'Start a session', body: Type.Object({}, { additionalProperties: true }), response: { 200: Type.Object({ session_id: Type.String() }) } } },
    async () => {
      const sessionId = sessionIdFromUuid(randomUUID());
      const input: CallSessionInput = {
        sessionId,
        source: 'api',
        callerNumber: '',
        callDirection: '',
        sessionTtlSeconds: config.sessionTtl,
      };
      // Update-with-start: the reply leaves only once the workflow has recorded the session,
      // so the very next GET /api/agent/sessions already lists it.
      return temporal.workflow.executeUpdateWithStart(openSessionUpdate, {
        startWorkflowOperation: new WithStartWorkflowOperation<typeof callSessionWorkflow>('callSessionWorkflow', {
          workflowId: callSessionWorkflowId(sessionId),
          taskQueue: config.taskQueue,
          args: [input],
          workflowIdConflictPolicy: 'FAIL',
          typedSearchAttributes: [
            { key: SessionIdAttribute, value: sessionId },
            { key: PhoneNumberAttribute, value: '' },
          ],
        }),
      });
    },
  );

  app.post('/api/session/reset', { schema: { tags, summary: 'Wipe a session’s conversation, keep its id', body: SessionBody, response: { 200: OkSession, ...errors(400) } } }, async (req) => {
    const sessionId = req.body.session_id || undefined;
    if (!sessionId || !isValidSessionId(sessionId)) return { ok: true, session_id: sessionId ?? '' };
    await fenceSession(db, sessionId);
    try {
      return await temporal.workflow.getHandle(callSessionWorkflowId(sessionId)).executeUpdate(resetSessionUpdate);
    } catch (err) {
      // Resetting an unknown or ended session is a no-op the old gateway answered ok.
      if (isWorkflowGone(err)) return { ok: true, session_id: sessionId };
      throw err;
    }
  });

  app.post('/api/session/end', { schema: { tags, summary: 'End a session', body: SessionBody, response: { 200: OkSession, ...errors(400) } } }, async (req) => {
    const sessionId = req.body.session_id || undefined;
    if (!sessionId) throw badRequest('session_id required');
    // Unknown session, an ended one, or one already ending: the contract answers ok:false.
    if (!isValidSessionId(sessionId)) return { ok: false, session_id: sessionId };
    return { ok: await endSession({ temporal, db }, sessionId, 'end_session'), session_id: sessionId };
  });
};
