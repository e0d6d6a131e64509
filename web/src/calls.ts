/**
 * Live calls: a snapshot from the operator REST routes (§4.1), kept current by the event feed.
 * Ended calls leave this list; the session log reads them from the database.
 */
import { api } from './api';
import { feed, type GatewayEvent } from './events';
import { Store } from './store';

export interface Metrics {
  asr_ms?: number;
  llm_ms?: number;
  tts_ms?: number;
  total_ms?: number;
  llm_model?: string;
}

export interface TurnView {
  turn_id: string;
  transcript: string;
  reply: string;
  model: string;
  reply_source: string;
  metrics: Metrics;
  timestamp: number;
}

export interface LiveCall {
  session_id: string;
  caller_number: string;
  call_direction: string;
  status: string;
  takeover_agent_id: string | null;
  created_at: number;
  turns: TurnView[];
  /** What the current turn has produced so far (transcript, then reply) before turn.complete. */
  partial: { transcript?: string; reply?: string } | null;
}

interface CallState {
  caller_number?: string;
  call_direction?: string;
  status: string;
  takeover_agent_id?: string | null;
  created_at?: number | null;
}

interface SessionDetail {
  turns: Array<TurnView & { forced_reply: boolean }>;
}

export const liveCalls = new Store<Map<string, LiveCall>>(new Map());

async function load(sid: string): Promise<LiveCall | null> {
  const [state, detail] = await Promise.all([api<CallState>(`/api/agent/call/${sid}`), api<SessionDetail>(`/api/sessions/${sid}`).catch(() => ({ turns: [] }))]);
  if (state.status !== 'active') return null;
  return {
    session_id: sid,
    caller_number: state.caller_number ?? '',
    call_direction: state.call_direction ?? '',
    status: state.status,
    takeover_agent_id: state.takeover_agent_id ?? null,
    created_at: state.created_at ?? Date.now() / 1000,
    turns: detail.turns,
    partial: null,
  };
}

function patch(sid: string, fn: (c: LiveCall) => LiveCall): void {
  liveCalls.update((calls) => {
    const call = calls.get(sid);
    if (!call) return calls;
    const next = new Map(calls);
    next.set(sid, fn(call));
    return next;
  });
}

async function add(sid: string): Promise<void> {
  const call = await load(sid).catch(() => null);
  if (!call) return;
  liveCalls.update((calls) => new Map(calls).set(sid, { ...call, turns: mergeTurns(calls.get(sid)?.turns ?? [], call.turns) }));
}

function mergeTurns(a: TurnView[], b: TurnView[]): TurnView[] {
  const byId = new Map<string, TurnView>();
  for (const t of [...a, ...b]) byId.set(t.turn_id, t);
  return [...byId.values()].sort((x, y) => x.timestamp - y.timestamp);
}

function apply(ev: GatewayEvent): void {
  const sid = ev.session_id;
  if (!sid) return;
  const d = ev.data;
  switch (ev.type) {
    case 'session.started':
      if (!liveCalls.get().has(sid)) void add(sid);
      else patch(sid, (c) => ({ ...c, turns: d.source === 'reset' ? [] : c.turns }));
      return;
    case 'turn.transcript':
      patch(sid, (c) => ({ ...c, partial: { transcript: String(d.transcript ?? '') } }));
      return;
    case 'turn.reply':
      patch(sid, (c) => ({ ...c, partial: { ...c.partial, reply: String(d.reply ?? '') } }));
      return;
    case 'turn.complete': {
      const turn: TurnView = {
        turn_id: String(d.turn_id),
        transcript: String(d.transcript ?? ''),
        reply: String(d.reply ?? ''),
        model: String(d.model ?? ''),
        reply_source: String(d.reply_source ?? ''),
        metrics: (d.metrics as Metrics) ?? {},
        timestamp: ev.timestamp,
      };
      if (!liveCalls.get().has(sid)) void add(sid);
      else patch(sid, (c) => ({ ...c, partial: null, turns: mergeTurns(c.turns, [turn]) }));
      return;
    }
    case 'agent.takeover':
      patch(sid, (c) => ({ ...c, takeover_agent_id: String(d.agent_id ?? '') }));
      return;
    case 'agent.release':
      patch(sid, (c) => (c.takeover_agent_id === d.agent_id ? { ...c, takeover_agent_id: null } : c));
      return;
    case 'session.ended':
      liveCalls.update((calls) => {
        const next = new Map(calls);
        next.delete(sid);
        return next;
      });
      return;
  }
}

/** Loads the active calls, then follows the feed from the log head read before the snapshot. */
export async function startLiveCalls(): Promise<void> {
  const status = await api<{ latest_seq: number }>('/api/status');
  const sids = await api<string[]>('/api/agent/sessions');
  const loaded = await Promise.all(sids.map((sid) => load(sid).catch(() => null)));
  liveCalls.set(new Map(loaded.filter((c): c is LiveCall => c !== null).map((c) => [c.session_id, c])));
  feed.on(apply);
  feed.start(status.latest_seq);
}
