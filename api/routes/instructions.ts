/**
 * /api/instructions (contract §4.1): the base system prompt (global, persisted) and each live
 * session's override and one-shot turn supplement, which are workflow updates.
 */
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { appendEvent } from '../../infra/event-log';
import { loadRuntimeSettings, saveSettings } from '../../infra/settings';
import type { AppDeps } from '../app';
import { requireAdmin } from '../auth';
import { liveCallState, setInstructions, type Answer } from '../session-control';

type Sid = { Params: { sid: string } };

const textOf = (body: unknown): string | null => {
  const text = (body as { text?: unknown } | null)?.text;
  return typeof text === 'string' ? text : null;
};

export const instructionRoutes: FastifyPluginAsync<AppDeps> = async (app, deps) => {
  const { db, config } = deps;
  const send = (reply: FastifyReply, answer: Answer, extra: Record<string, unknown> = {}) =>
    reply.code(answer.status).send(answer.status === 200 ? { ok: true, session_id: answer.body.session_id, ...extra } : answer.body);

  app.get('/api/instructions', async () => {
    const base = (await loadRuntimeSettings(db, config)).llmSystemPrompt;
    const active = await db.callSession.findMany({ where: { status: 'active' }, orderBy: { lastActiveAt: 'desc' }, select: { id: true } });
    const states = await Promise.all(active.map((s) => liveCallState(deps, s.id)));
    const sessions: Record<string, string> = {};
    for (const state of states) if (state?.instructions.session) sessions[state.sessionId] = state.instructions.session;
    return { base, sessions };
  });

  /** The base prompt for every session without its own instruction; persisted (admin write). */
  app.post('/api/instructions', async (req, reply) => {
    const text = textOf(req.body);
    if (text === null) return reply.code(400).send({ ok: false, detail: 'text required' });
    if (!(await requireAdmin(config, req, reply))) return reply;
    await saveSettings(db, { llm_system_prompt: text });
    await appendEvent(db, { type: 'instructions.updated', data: { scope: 'global' } });
    return { ok: true, scope: 'global' };
  });

  app.post<Sid>('/api/instructions/:sid', async (req, reply) => {
    const text = textOf(req.body);
    if (text === null) return reply.code(400).send({ ok: false, detail: 'text required' });
    return send(reply, await setInstructions(deps, req.params.sid, 'session', text));
  });
  app.delete<Sid>('/api/instructions/:sid', async (req, reply) => send(reply, await setInstructions(deps, req.params.sid, 'session', '')));

  app.post<Sid>('/api/instructions/:sid/turn', async (req, reply) => {
    const text = textOf(req.body);
    if (text === null) return reply.code(400).send({ ok: false, detail: 'text required' });
    return send(reply, await setInstructions(deps, req.params.sid, 'turn', text), { scope: 'turn' });
  });
  app.delete<Sid>('/api/instructions/:sid/turn', async (req, reply) => send(reply, await setInstructions(deps, req.params.sid, 'turn', ''), { scope: 'turn' }));
};
