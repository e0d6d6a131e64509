/** POST /api/turn (contract §2.2–§2.4): one phone turn → the session workflow's processTurn update. */
import { createHash, randomUUID } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import { WithStartWorkflowOperation, WorkflowExecutionAlreadyStartedError, WorkflowUpdateFailedError } from '@temporalio/client';
import { callSessionWorkflowId, isValidSessionId, sessionIdFromUuid } from '../../common/ids';
import { PhoneNumberAttribute, SessionIdAttribute } from '../../common/search-attributes';
import { getBlob, putBlob } from '../../infra/blobs';
import { parseWav } from '../../infra/speech/wav';
import { processTurnUpdate, type CallDirection, type CallSessionInput, type TurnRequest, type TurnResult } from '../../workflows/call-session/messages';
import type { callSessionWorkflow } from '../../workflows/call-session/workflow';
import type { AppDeps } from '../app';
import { readTurnForm } from '../turn-form';
import { endSessions } from '../sessions';

/** Key for single-flight and replay (§5): explicit request id, else a hash of the whole request. */
function requestKey(fields: Record<string, string>, audio: Buffer | null, explicit: string | undefined, sid: string): string | null {
  if (explicit) return `id:${explicit}`;
  if (!sid) return null; // sid-less requests are deduplicated only by an explicit key
  const h = createHash('sha256').update(sid);
  for (const k of Object.keys(fields).sort()) if (k !== 'request_id') h.update(`\0${k}=${fields[k]}`);
  if (audio) h.update(audio);
  return `sha:${h.digest('hex')}`;
}

function direction(raw: string | undefined): CallDirection {
  return raw === 'incoming' || raw === 'outgoing' ? raw : '';
}

export const phoneTurnRoutes: FastifyPluginAsync<AppDeps> = async (app, deps) => {
  const { config, temporal, db } = deps;

  app.post('/api/turn', async (req, reply) => {
    const receivedAt = Date.now();
    const { fields, audio } = await readTurnForm(req);
    const sid = fields.session_id ?? '';
    if (sid && !isValidSessionId(sid)) return reply.code(400).send({ detail: 'invalid session_id' });
    const forcedReply = fields.forced_reply ? fields.forced_reply : null;
    if (!audio && forcedReply === null) return reply.code(400).send({ detail: 'audio required' });
    if (audio && forcedReply === null) {
      try {
        parseWav(audio);
      } catch (err) {
        return reply.code(400).send({ detail: `ASR failed: ${(err as Error).message}` });
      }
    }

    const resetSession = fields.reset_session === 'true';
    const sessionId = sid || sessionIdFromUuid(randomUUID());
    const explicitKey = fields.request_id || (req.headers['idempotency-key'] as string | undefined);
    const turn: TurnRequest = {
      turnId: randomUUID().replace(/-/g, ''),
      requestKey: requestKey(fields, audio, explicitKey, sid),
      audioBlobId: audio && forcedReply === null ? await putBlob(db, audio) : null,
      forcedReply,
      transcriptHint: fields.transcript_hint ?? '',
      skipAsr: fields.skip_asr === 'true',
      resetSession,
      callerNumber: fields.caller_number ?? '',
      callDirection: direction(fields.call_direction),
      receivedAt,
      // An incoming call's line, when the phone names it (the simulated phone does).
      ...(fields.line_number ? { lineNumber: fields.line_number } : {}),
    };

    // A greeting (reset, no sid) supersedes the phone's other open sessions (contract §5).
    if (resetSession && !sid) await endSessions(deps, { except: sessionId, reason: 'superseded' });

    const input: CallSessionInput = {
      sessionId,
      source: 'turn',
      callerNumber: turn.callerNumber,
      callDirection: turn.callDirection,
      sessionTtlSeconds: config.sessionTtl,
    };
    let result: TurnResult;
    try {
      result = await temporal.workflow.executeUpdateWithStart(processTurnUpdate, {
        args: [turn],
        startWorkflowOperation: new WithStartWorkflowOperation<typeof callSessionWorkflow>('callSessionWorkflow', {
          workflowId: callSessionWorkflowId(sessionId),
          taskQueue: config.taskQueue,
          args: [input],
          workflowIdConflictPolicy: 'USE_EXISTING',
          // An ended session stays ended: its id is never started again.
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
          typedSearchAttributes: [
            { key: SessionIdAttribute, value: sessionId },
            { key: PhoneNumberAttribute, value: turn.callerNumber },
          ],
        }),
      });
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) {
        return { ok: false, session_id: sessionId, ended: true, detail: 'session ended' };
      }
      if (err instanceof WorkflowUpdateFailedError) return reply.code(400).send({ detail: err.cause?.message ?? err.message });
      throw err;
    }
    const body: Record<string, unknown> = { ...result.body };
    if (result.audioBlobId) body.audio_base64 = (await getBlob(db, result.audioBlobId))?.toString('base64') ?? '';
    return reply.code(result.httpStatus).send(body);
  });
};
