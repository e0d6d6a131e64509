/** The session log: ended (and live) calls, searchable, with transcript, audio, outcome and caller history. */
import { useEffect, useState } from 'preact/hooks';
import { api } from './api';
import type { TurnView } from './calls';
import { TemporalLink } from './temporal';
import { Transcript } from './transcript';
import { Badge, Field, Status, dateTime, useAction } from './ui';

interface CallRow {
  session_id: string;
  workflow_id: string;
  status: string;
  caller_number: string;
  call_direction: string;
  end_reason: string | null;
  turn_count: number;
  created_at: number;
  ended_at: number | null;
}

interface CallerHistoryRow {
  number: string;
  total_calls: number;
  last_call_at: number;
  turn_count: number;
}

export function SessionsView() {
  const [q, setQ] = useState('');
  const [status, setStatus] = useState<'' | 'ended' | 'active'>('ended');
  const [rows, setRows] = useState<CallRow[]>([]);
  const [selected, setSelected] = useState<CallRow | null>(null);
  const search = useAction(async (text: string = q, state: typeof status = status) => {
    const params = new URLSearchParams();
    if (text.trim()) params.set('q', text.trim());
    if (state) params.set('status', state);
    setRows(await api<CallRow[]>(`/api/dashboard/calls?${params}`));
  });
  useEffect(() => void search.run(), [status]);
  /** Caller history: every call of one number, live or ended. */
  const callsOf = (number: string) => {
    setQ(number);
    setStatus('');
    void search.run(number, '');
  };
  return (
    <div class="split">
      <section class="side" aria-labelledby="log-h">
        <h2 id="log-h">Session log</h2>
        <form class="row" role="search" onSubmit={(e) => (e.preventDefault(), search.run())}>
          <Field label="Search number, session or words">
            <input type="search" value={q} onInput={(e) => setQ(e.currentTarget.value)} />
          </Field>
          <Field label="Status">
            <select value={status} onChange={(e) => setStatus(e.currentTarget.value as typeof status)}>
              <option value="ended">ended</option>
              <option value="active">active</option>
              <option value="">all</option>
            </select>
          </Field>
          <button disabled={search.busy}>Search</button>
        </form>
        <Status error={search.error} />
        <ul class="calls" aria-label="Sessions">
          {rows.map((r) => (
            <li key={r.session_id}>
              <button type="button" class={selected?.session_id === r.session_id ? 'call selected' : 'call'} onClick={() => setSelected(r)}>
                <b>{r.caller_number || 'unknown number'}</b> <Badge value={r.call_direction || 'call'} /> <Badge value={r.end_reason ?? r.status} />
                <small>
                  {dateTime(r.created_at)} · {r.turn_count} turns
                </small>
              </button>
            </li>
          ))}
        </ul>
        {rows.length === 0 && !search.busy ? <p class="muted">No session matches.</p> : null}
        <CallerHistory />
      </section>
      {selected ? <SessionDetail row={selected} key={selected.session_id} onNumber={callsOf} /> : <section class="main muted">Pick a session.</section>}
    </div>
  );
}

function SessionDetail({ row, onNumber }: { row: CallRow; onNumber: (n: string) => void }) {
  const [turns, setTurns] = useState<TurnView[] | null>(null);
  const [error, setError] = useState('');
  useEffect(() => {
    api<{ turns: TurnView[] }>(`/api/sessions/${row.session_id}`)
      .then((d) => setTurns(d.turns))
      .catch((e: Error) => setError(e.message));
  }, [row.session_id]);
  return (
    <section class="main" aria-labelledby="session-h">
      <h2 id="session-h">
        {row.caller_number || 'unknown number'} <Badge value={row.call_direction || 'call'} />
      </h2>
      <dl class="facts">
        <dt>Outcome</dt>
        <dd>{row.status === 'ended' ? `ended: ${row.end_reason ?? 'unknown'}` : 'active'}</dd>
        <dt>Started</dt>
        <dd>{dateTime(row.created_at)}</dd>
        <dt>Ended</dt>
        <dd>{dateTime(row.ended_at)}</dd>
        <dt>Session</dt>
        <dd>
          <code>{row.session_id}</code> <TemporalLink workflowId={row.workflow_id} label="workflow" />
        </dd>
        <dt>Caller history</dt>
        <dd>{row.caller_number ? <button type="button" class="link" onClick={() => onNumber(row.caller_number)}>all calls of {row.caller_number}</button> : '—'}</dd>
      </dl>
      <Status error={error} />
      {turns ? <Transcript turns={turns} /> : null}
    </section>
  );
}

function CallerHistory() {
  const [rows, setRows] = useState<CallerHistoryRow[]>([]);
  const load = useAction(async () => setRows(await api<CallerHistoryRow[]>('/api/caller-history')));
  const forget = useAction(async (n: string) => {
    await api(`/api/caller-history/${encodeURIComponent(n)}`, { method: 'DELETE' });
    await load.run();
  });
  useEffect(() => void load.run(), []);
  return (
    <section aria-labelledby="history-h">
      <h3 id="history-h">Remembered callers (keep_history)</h3>
      {rows.length === 0 ? <p class="muted">None.</p> : null}
      <table>
        <tbody>
          {rows.map((r) => (
            <tr key={r.number}>
              <td>{r.number}</td>
              <td>{r.total_calls} calls</td>
              <td>{dateTime(r.last_call_at)}</td>
              <td>
                <button type="button" class="link" onClick={() => forget.run(r.number)} aria-label={`Forget ${r.number}`}>
                  forget
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <Status error={load.error || forget.error} />
    </section>
  );
}
