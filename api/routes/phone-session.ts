/** Phone session routes (contract §2.1): POST /api/session/new, /reset and /end. */
import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import { WithStartWorkflowOperation, WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { endSession, fenceSession } from '../sessions';
import { callSessionWorkflowId, isValidSessionId, sessionIdFromUuid } from '../../common/ids';
import { PhoneNumberAttribute, SessionIdAttribute } from '../../common/search-attributes';
import { openSessionUpdate, resetSessionUpdate, type CallSessionInput } from '../../workflows/call-session/messages';
import type { callSessionWorkflow } from '../../workflows/call-session/workflow';
import type { AppDeps } from '../app';

/** `""` in an optional id means absent (contract §1 rule c). */
function optionalId(body: unknown): string | undefined {
  const sid = (body as { session_id?: unknown } | undefined)?.session_id;
  return typeof sid === 'string' && sid !== '' ? sid : undefined;
}

export const phoneSessionRoutes: FastifyPluginAsync<AppDeps> = async (app, { config, temporal, db }) => {
  app.post('/api/session/new', async () => {
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
  });

  app.post('/api/session/reset', async (req) => {
    const sessionId = optionalId(req.body);
    if (!sessionId || !isValidSessionId(sessionId)) return { ok: true, session_id: sessionId ?? '' };
    await fenceSession(db, sessionId);
    try {
      return await temporal.workflow.getHandle(callSessionWorkflowId(sessionId)).executeUpdate(resetSessionUpdate);
    } catch (err) {
      // Resetting an unknown or ended session is a no-op the old gateway answered ok.
      if (err instanceof WorkflowNotFoundError || err instanceof WorkflowUpdateFailedError || /already completed/i.test((err as Error).message)) {
        return { ok: true, session_id: sessionId };
      }
      throw err;
    }
  });

  app.post('/api/session/end', async (req, reply) => {
    const sessionId = optionalId(req.body);
    if (!sessionId) return reply.code(400).send({ detail: 'session_id required' });
    // Unknown session, an ended one, or one already ending: the contract answers ok:false.
    if (!isValidSessionId(sessionId)) return { ok: false, session_id: sessionId };
    return { ok: await endSession({ temporal, db }, sessionId, 'end_session'), session_id: sessionId };
  });
};
