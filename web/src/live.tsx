/** Live calls: the list, the selected call's transcript, its controls and the browser takeover. */
import { useEffect, useState } from 'preact/hooks';
import { api } from './api';
import { agent, type TurnRequest } from './agent-socket';
import { liveCalls, type LiveCall } from './calls';
import { feed } from './events';
import { useStore } from './store';
import { TemporalLink } from './temporal';
import { Transcript } from './transcript';
import { Badge, Field, Status, time, useAction } from './ui';

export function LiveView() {
  const calls = [...useStore(liveCalls).values()].sort((a, b) => b.created_at - a.created_at);
  const feedState = useStore(feed.state);
  const [selected, setSelected] = useState<string>('');
  const current = calls.find((c) => c.session_id === selected) ?? calls[0];
  return (
    <div class="split">
      <section aria-labelledby="calls-h" class="side">
        <h2 id="calls-h">
          Live calls <span class={`feed feed-${feedState}`}>{feedState}</span>
        </h2>
        <Dial />
        {calls.length === 0 ? <p class="muted">No active call.</p> : null}
        <ul class="calls" aria-label="Active calls">
          {calls.map((c) => (
            <li key={c.session_id}>
              <button type="button" class={c === current ? 'call selected' : 'call'} aria-pressed={c === current} onClick={() => setSelected(c.session_id)} data-session={c.session_id}>
                <b>{c.caller_number || 'unknown number'}</b> <Badge value={c.call_direction || 'call'} /> <Badge value={c.status} />
                {c.takeover_agent_id ? <Badge value="taken over" /> : null}
                <small>
                  {c.turns.length} turns · since {time(c.created_at)}
                </small>
              </button>
            </li>
          ))}
        </ul>
      </section>
      {current ? <CallPanel call={current} key={current.session_id} /> : <section class="main muted">Calls appear here as they start: dial one, or wait for the phone.</section>}
    </div>
  );
}

function Dial() {
  const [number, setNumber] = useState('');
  const dial = useAction(async () => {
    const res = await api<{ ok: boolean; detail: string }>('/api/call/dial', { method: 'POST', body: { number } });
    return res.ok ? `Dialled ${number}` : res;
  });
  return (
    <form class="row" onSubmit={(e) => (e.preventDefault(), dial.run())}>
      <Field label="Number to dial">
        <input name="number" value={number} onInput={(e) => setNumber(e.currentTarget.value)} placeholder="+15550100042" required />
      </Field>
      <button disabled={dial.busy}>Dial</button>
      <Status error={dial.error} note={dial.note} />
    </form>
  );
}

function CallPanel({ call }: { call: LiveCall }) {
  const sid = call.session_id;
  return (
    <section class="main" aria-labelledby="call-h">
      <header class="call-head">
        <h2 id="call-h">
          {call.caller_number || 'unknown number'} <Badge value={call.call_direction || 'call'} /> <Badge value={call.status} />
        </h2>
        <p class="muted">
          session <code>{sid}</code> · holder {call.takeover_agent_id ? <code>{call.takeover_agent_id}</code> : 'none (LLM answers)'} · <TemporalLink workflowId={`call-session-${sid}`} label="workflow" />
        </p>
      </header>
      <div class="columns">
        <div>
          <h3>Transcript</h3>
          <Transcript turns={call.turns} partial={call.partial} />
        </div>
        <div>
          <Takeover call={call} />
          <Controls sid={sid} />
        </div>
      </div>
    </section>
  );
}

function Takeover({ call }: { call: LiveCall }) {
  const sid = call.session_id;
  useStore(agent.agentId);
  const requests = [...useStore(agent.requests).values()].filter((r) => r.session_id === sid);
  const mine = agent.holds(call.takeover_agent_id);
  const take = useAction(() => agent.takeover(sid));
  const release = useAction(() => agent.release(sid));
  return (
    <section class="card" aria-labelledby="takeover-h">
      <h3 id="takeover-h">Takeover</h3>
      {mine ? (
        <>
          <p>You hold this call: each caller turn comes here, and what you type is spoken to the caller.</p>
          {requests.length === 0 ? <p class="muted">Waiting for the caller to speak…</p> : requests.map((r) => <ReplyForm request={r} key={r.request_id} />)}
          <button type="button" onClick={() => release.run()} disabled={release.busy}>
            Release
          </button>
        </>
      ) : (
        <button type="button" onClick={() => take.run()} disabled={take.busy}>
          Take over
        </button>
      )}
      <Status error={take.error || release.error} />
    </section>
  );
}

function Countdown({ request }: { request: TurnRequest }) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(t);
  }, []);
  const left = Math.max(0, request.received_at + request.timeout_ms - now);
  return (
    <span class={left < 5000 ? 'countdown urgent' : 'countdown'} role="timer">
      {(left / 1000).toFixed(0)} s left
    </span>
  );
}

function ReplyForm({ request }: { request: TurnRequest }) {
  const [text, setText] = useState('');
  const send = useAction(() => agent.reply(request, text));
  return (
    <form class="turn-request" onSubmit={(e) => (e.preventDefault(), send.run())}>
      <p>
        <b>Caller said:</b> {request.transcript || <i>(nothing heard)</i>} <Countdown request={request} />
      </p>
      <Field label="Your reply">
        <textarea name="reply" rows={2} value={text} onInput={(e) => setText(e.currentTarget.value)} required autoFocus />
      </Field>
      <button disabled={send.busy || !text.trim()}>Send reply</button>
      <Status error={send.error} />
    </form>
  );
}

function TextAction({ label, button, onSubmit, clear }: { label: string; button: string; onSubmit: (text: string) => Promise<unknown>; clear?: { label: string; run: () => Promise<unknown> } }) {
  const [text, setText] = useState('');
  const act = useAction(async () => {
    const out = await onSubmit(text);
    setText('');
    return out && typeof out === 'object' && (out as { ok?: unknown }).ok === false ? out : `${button}: done`;
  });
  const undo = useAction(async () => {
    await clear!.run();
    return `${clear!.label}: done`;
  });
  return (
    <form class="row" onSubmit={(e) => (e.preventDefault(), act.run())}>
      <Field label={label}>
        <input value={text} onInput={(e) => setText(e.currentTarget.value)} required />
      </Field>
      <button disabled={act.busy}>{button}</button>
      {clear ? (
        <button type="button" class="secondary" onClick={() => undo.run()} disabled={undo.busy}>
          {clear.label}
        </button>
      ) : null}
      <Status error={act.error || undo.error} note={act.note || undo.note} />
    </form>
  );
}

function Controls({ sid }: { sid: string }) {
  const post = (path: string, body: object) => api(path, { method: 'POST', body });
  const del = (path: string) => api(path, { method: 'DELETE' });
  const hangup = useAction(() => post('/api/call/hangup', { session_id: sid }));
  const end = useAction(() => post('/api/session/end', { session_id: sid }));
  return (
    <section class="card" aria-labelledby="control-h">
      <h3 id="control-h">Call control</h3>
      <div class="row">
        <button type="button" class="danger" onClick={() => hangup.run()} disabled={hangup.busy}>
          Hang up
        </button>
        <button type="button" class="secondary" onClick={() => end.run()} disabled={end.busy}>
          End session
        </button>
        <Status error={hangup.error || end.error} />
      </div>
      <TextAction label="Inject speech (spoken at the caller's next turn)" button="Inject" onSubmit={(text) => post('/api/call/inject', { text, session_id: sid })} />
      <TextAction
        label="Force the next reply (said verbatim by the LLM's next turn)"
        button="Force reply"
        onSubmit={(text) => post(`/api/instructions/${sid}/turn`, { text: `Output exactly this and nothing else: ${text}` })}
      />
      <TextAction
        label="Knowledge for this call"
        button="Inject knowledge"
        onSubmit={(context) => post(`/api/agent/context/${sid}`, { context })}
        clear={{ label: 'Clear knowledge', run: () => del(`/api/agent/context/${sid}`) }}
      />
      <TextAction
        label="Session instructions (replace the system prompt for this call)"
        button="Set"
        onSubmit={(text) => post(`/api/instructions/${sid}`, { text })}
        clear={{ label: 'Clear', run: () => del(`/api/instructions/${sid}`) }}
      />
      <TextAction label="One-turn instruction (next LLM turn only)" button="Set for one turn" onSubmit={(text) => post(`/api/instructions/${sid}/turn`, { text })} />
    </section>
  );
}
