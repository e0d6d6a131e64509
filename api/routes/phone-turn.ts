/** POST /api/turn (contract §2.2–§2.4): one phone turn → the session workflow's processTurn update. */
import { createHash, randomUUID } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { WithStartWorkflowOperation } from '@temporalio/client';
import { callSessionWorkflowId, isValidSessionId, sessionIdFromUuid } from '../../common/ids';
import { PhoneNumberAttribute, SessionIdAttribute } from '../../common/search-attributes';
import { getBlob, putBlob } from '../../infra/blobs';
import { classifyTemporalError } from '../../infra/temporal-errors';
import { parseWav } from '../../infra/speech/wav';
import { processTurnUpdate, type CallDirection, type CallSessionInput, type TurnRequest, type TurnResult } from '../../workflows/call-session/messages';
import type { callSessionWorkflow } from '../../workflows/call-session/workflow';
import { badRequest } from '../errors';
import { errors, LIMITS, OpenObject } from '../schemas/gateway';
import { readTurnForm, TURN_FIELD_LIMITS } from '../turn-form';
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

const flag = Type.Optional(Type.Union([Type.Boolean(), Type.String({ maxLength: LIMITS.short })], { description: '"true" or true' }));
const text = (max: number, description: string) => Type.Optional(Type.String({ maxLength: max, description }));
const turnFields = {
  session_id: text(TURN_FIELD_LIMITS.session_id, 'Session id; absent or "" starts a session'),
  forced_reply: text(TURN_FIELD_LIMITS.forced_reply, 'Speak this instead of asking the LLM'),
  transcript_hint: text(TURN_FIELD_LIMITS.transcript_hint, 'Transcript to use when skip_asr is set'),
  skip_asr: flag,
  reset_session: flag,
  caller_number: text(TURN_FIELD_LIMITS.caller_number, 'The caller, as the phone shows it'),
  call_direction: text(TURN_FIELD_LIMITS.call_direction, 'incoming or outgoing'),
  request_id: text(TURN_FIELD_LIMITS.request_id, 'Idempotency key of the turn'),
  line_number: text(TURN_FIELD_LIMITS.caller_number, 'Parley addition: the account line an incoming call rings (the simulated phone sends it)'),
};
const TurnFields = Type.Object(turnFields, { additionalProperties: true });
const TurnAnswer = OpenObject(
  {
    ok: Type.Optional(Type.Boolean()),
    session_id: Type.String(),
    transcript: Type.Optional(Type.String()),
    reply: Type.Optional(Type.String()),
    audio_base64: Type.Optional(Type.String()),
    ended: Type.Optional(Type.Boolean()),
    stale: Type.Optional(Type.Boolean()),
    detail: Type.Optional(Type.String()),
  },
  'The turn: transcript, reply and its audio, or ok:false with why (contract §2.2)',
);

const schema = {
  tags: ['phone'],
  summary: 'One phone turn',
  consumes: ['multipart/form-data', 'application/json', 'application/x-www-form-urlencoded'],
  body: {
    content: {
      // Multipart is streamed and bounded by readTurnForm; this schema documents it.
      'multipart/form-data': { schema: Type.Object({ ...turnFields, audio: Type.Optional(Type.String({ format: 'binary', description: 'WAV of the caller' })) }) },
      'application/json': { schema: TurnFields },
      'application/x-www-form-urlencoded': { schema: TurnFields },
    },
  },
  response: { 200: TurnAnswer, ...errors(400, 413, 500, 503) },
};

export const phoneTurnRoutes: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { config, temporal, db } = app;

  app.post('/api/turn', { schema }, async (req, reply) => {
    const receivedAt = Date.now();
    const { fields, audio } = await readTurnForm(req);
    const sid = fields.session_id ?? '';
    if (sid && !isValidSessionId(sid)) throw badRequest('invalid session_id');
    const forcedReply = fields.forced_reply ? fields.forced_reply : null;
    if (!audio && forcedReply === null) throw badRequest('audio required');
    if (audio && forcedReply === null) {
      try {
        parseWav(audio);
      } catch (err) {
        throw badRequest(`ASR failed: ${(err as Error).message}`);
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
    if (resetSession && !sid) await endSessions(app, { except: sessionId, reason: 'superseded' });

    const input: CallSessionInput = {
      sessionId,
      source: 'turn',
      callerNumber: turn.callerNumber,
      callDirection: turn.callDirection,
      sessionTtlSeconds: config.sessionTtl,
    };
    const ended = { ok: false, session_id: sessionId, ended: true, detail: 'session ended' };
    let result: TurnResult | null = null;
    // A turn of a session that exists (the common case) is a plain update: Update-With-Start
    // costs the server a start attempt on every turn. A session the server does not know (a
    // sid from the phone whose workflow never started) starts with its first turn, as before.
    // An ended session the client could not tell from an unknown one gets there too, and the
    // start's REJECT_DUPLICATE answers `ended` (infra/temporal-errors.ts).
    if (sid && !resetSession) {
      try {
        result = await temporal.workflow.getHandle<typeof callSessionWorkflow>(callSessionWorkflowId(sessionId)).executeUpdate(processTurnUpdate, { args: [turn] });
      } catch (err) {
        const { kind, message } = classifyTemporalError(err);
        if (kind === 'closed') return ended;
        if (kind === 'rejected') throw badRequest(message);
        if (kind !== 'not_found') throw err;
      }
    }
    try {
      result ??= await temporal.workflow.executeUpdateWithStart(processTurnUpdate, {
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
      const { kind, message } = classifyTemporalError(err);
      if (kind === 'already_started') return ended;
      if (kind === 'rejected') throw badRequest(message);
      throw err;
    }
    const body: Record<string, unknown> = { ...result.body };
    if (result.audioBlobId) body.audio_base64 = (await getBlob(db, result.audioBlobId))?.toString('base64') ?? '';
    app.metrics.observeTurn(result.outcome, result.body, result.replySource);
    // A failed turn is the contract's 500 `{detail}` (its turn.error event is written); every other outcome answers 200.
    return reply.code(result.outcome === 'error' ? 500 : 200).send(body);
  });
};
