/** The missions board: missions, runs, plan progress, targets, events, schedule, memory, controls. */
import { useEffect, useState } from 'preact/hooks';
import { credentials } from '../api';
import { useStore } from '../store';
import { TemporalLink } from '../temporal';
import { Badge, Field, Status, iso, useAction } from '../ui';
import { Approvals } from './approvals';
import { followMissions, missionTick, missions, type Gate, type Mission, type Run, type RunEvent, type ScheduledEvent, type Step } from './data';
import { SpecEditor } from './spec-editor';

export function MissionsView({ onKey }: { onKey: (key: string) => void }) {
  if (!credentials.apiKey()) return <NeedKey onKey={onKey} />;
  return <Board />;
}

function NeedKey({ onKey }: { onKey: (key: string) => void }) {
  const [key, setKey] = useState('');
  return (
    <form class="card narrow" onSubmit={(e) => (e.preventDefault(), onKey(key.trim()))}>
      <h2>Missions need a /v1 API key</h2>
      <p>Mission data belongs to an API key's account. Create one with <code>npx parley keys create --name dashboard</code> and enter it here; it is kept for this browser session only.</p>
      <Field label="API key">
        <input type="password" autoComplete="off" value={key} onInput={(e) => setKey(e.currentTarget.value)} required />
      </Field>
      <button>Use this key</button>
    </form>
  );
}

function Board() {
  const tick = useStore(missionTick);
  const [list, setList] = useState<Mission[]>([]);
  const [selected, setSelected] = useState<string>('');
  const [creating, setCreating] = useState(false);
  const load = useAction(async () => setList(await missions.list()));
  useEffect(() => followMissions(), []);
  useEffect(() => void load.run(), [tick]);
  const mission = list.find((m) => m.id === selected);
  return (
    <div class="split">
      <section class="side" aria-labelledby="missions-h">
        <Approvals />
        <h2 id="missions-h">Missions</h2>
        <button type="button" onClick={() => (setCreating(true), setSelected(''))}>
          New declarative mission
        </button>
        <Status error={load.error} />
        <ul class="calls" aria-label="Missions">
          {list.map((m) => (
            <li key={m.id}>
              <button type="button" class={m.id === selected ? 'call selected' : 'call'} onClick={() => (setSelected(m.id), setCreating(false))}>
                <b>{m.name}</b> <Badge value={m.mode ?? 'compat'} /> {m.status ? <Badge value={m.status} /> : null}
              </button>
            </li>
          ))}
        </ul>
        {list.length === 0 ? <p class="muted">No mission yet.</p> : null}
      </section>
      {creating ? (
        <SpecEditor onCreated={(id) => (setCreating(false), setSelected(id), missionTick.update((n) => n + 1))} />
      ) : mission ? (
        <MissionPanel mission={mission} key={mission.id} />
      ) : (
        <section class="main muted">Pick a mission.</section>
      )}
    </div>
  );
}

function MissionPanel({ mission }: { mission: Mission }) {
  const tick = useStore(missionTick);
  const [runs, setRuns] = useState<Run[]>([]);
  const [runId, setRunId] = useState(mission.latest_run_id ?? '');
  const load = useAction(async () => setRuns(await missions.runs(mission.id)));
  useEffect(() => void load.run(), [tick]);
  const run = runs.find((r) => r.id === runId) ?? runs[0];
  return (
    <section class="main" aria-labelledby="mission-h">
      <h2 id="mission-h">{mission.name}</h2>
      <p class="muted">{mission.instructions}</p>
      <div class="row" role="tablist" aria-label="Runs">
        {runs.map((r, i) => (
          <button type="button" role="tab" aria-selected={r === run} class={r === run ? 'tab active' : 'tab'} key={r.id} onClick={() => setRunId(r.id)}>
            Run {runs.length - i} <Badge value={r.status} />
          </button>
        ))}
      </div>
      <Status error={load.error} />
      {run ? <RunPanel mission={mission} run={run} key={run.id} /> : <p class="muted">No run.</p>}
    </section>
  );
}

interface RunData {
  steps: Step[];
  events: RunEvent[];
  scheduled: ScheduledEvent[];
  memory: Record<string, unknown>;
  gates: Gate[];
}

function RunPanel({ mission, run }: { mission: Mission; run: Run }) {
  const tick = useStore(missionTick);
  const [data, setData] = useState<RunData | null>(null);
  const load = useAction(async () => {
    const [steps, events, scheduled, memory, gates] = await Promise.all([
      missions.plan(mission.id, run.id),
      missions.events(mission.id, run.id),
      missions.scheduled(mission.id, run.id),
      missions.memory(mission.id, run.id).then((m) => m.data),
      missions.gates(mission.id, run.id),
    ]);
    setData({ steps, events, scheduled, memory, gates });
  });
  useEffect(() => void load.run(), [tick, run.id]);
  const signal = useAction(async (s: 'pause' | 'resume' | 'cancel') => {
    await missions.signal(mission.id, run.id, s);
    missionTick.update((n) => n + 1);
  });
  const done = data?.steps.filter((s) => ['completed', 'skipped', 'failed'].includes(s.status)).length ?? 0;
  return (
    <div>
      <p>
        <Badge value={run.status} /> <code>{run.id}</code> <TemporalLink workflowId={run.workflow_id ?? `run-${run.id}`} label="run workflow" />
        {run.result_summary ? <span> · {run.result_summary}</span> : null}
      </p>
      <div class="row">
        <button type="button" class="secondary" onClick={() => signal.run('pause')} disabled={signal.busy || run.status !== 'running'}>
          Pause
        </button>
        <button type="button" class="secondary" onClick={() => signal.run('resume')} disabled={signal.busy || run.status !== 'paused'}>
          Resume
        </button>
        <button type="button" class="danger" onClick={() => signal.run('cancel')} disabled={signal.busy || ['succeeded', 'failed', 'cancelled'].includes(run.status)}>
          Cancel run
        </button>
        <Status error={signal.error || load.error} />
      </div>
      {data ? (
        <div class="columns">
          <div>
            <h3>Plan</h3>
            <progress max={Math.max(1, data.steps.length)} value={done} aria-label="Plan progress" />
            <small class="muted">
              {done} of {data.steps.length} steps done
            </small>
            <ol class="steps">
              {data.steps.map((s) => (
                <li key={s.step_id}>
                  <Badge value={s.status} /> <b>{s.step_id}</b> {s.description}
                </li>
              ))}
            </ol>
            <Targets run={run} memory={data.memory} />
            {data.gates.length ? (
              <>
                <h3>Gates</h3>
                <ul>
                  {data.gates.map((g, i) => (
                    <li key={g.gate_id ?? g.id ?? i}>
                      <Badge value={g.status ?? 'pending'} /> before {g.before ?? '?'} {g.approval_id || g.request_id ? <TemporalLink workflowId={`approval-${g.approval_id ?? g.request_id}`} /> : null}
                    </li>
                  ))}
                </ul>
              </>
            ) : null}
            <Scheduled events={data.scheduled} />
          </div>
          <div>
            <h3>Timeline</h3>
            <ol class="timeline" aria-label="Run events">
              {data.events.map((e) => (
                <li key={e.id}>
                  <span class="muted">#{e.seq}</span> <Badge value={e.type} /> {e.summary} {e.step_id ? <small>({e.step_id})</small> : null} {e.agent_id ? <small>by {e.agent_id}</small> : null}
                </li>
              ))}
            </ol>
            <h3>Memory</h3>
            <pre class="memory" aria-label="Run memory">{JSON.stringify(data.memory, null, 2)}</pre>
          </div>
        </div>
      ) : null}
    </div>
  );
}

interface TargetRow {
  phone: string;
  name?: string;
  state?: string;
  attempts?: number;
  last_call_status?: string | null;
  insights?: unknown;
  score?: number | null;
  rank?: number;
}

/** Targets from the run memory (`targets.<E.164>`) and, once the run is done, its result payload (scores, ranking). */
function targetRows(run: Run, memory: Record<string, unknown>): TargetRow[] {
  const rows = new Map<string, TargetRow>();
  const nested = memory.targets && typeof memory.targets === 'object' ? (memory.targets as Record<string, Record<string, unknown>>) : {};
  const flat = Object.fromEntries(Object.entries(memory).filter(([k]) => k.startsWith('targets.')).map(([k, v]) => [k.slice(8), v as Record<string, unknown>]));
  for (const [phone, t] of Object.entries({ ...nested, ...flat })) {
    rows.set(phone, { phone, state: String(t.status ?? ''), attempts: Number(t.attempts ?? 0), last_call_status: (t.last_call_status as string) ?? null, insights: t.insights });
  }
  const payload = run.result_payload as { targets?: Array<Record<string, unknown>>; ranking?: unknown[] } | null;
  for (const t of payload?.targets ?? []) {
    const phone = String(t.phone);
    rows.set(phone, { ...rows.get(phone), phone, name: t.name as string, state: String(t.state ?? rows.get(phone)?.state ?? ''), attempts: Number(t.attempts ?? 0), insights: t.insights ?? rows.get(phone)?.insights, score: (t.score as number) ?? null });
  }
  (payload?.ranking ?? []).forEach((r, i) => {
    const phone = typeof r === 'string' ? r : String((r as { phone?: unknown }).phone ?? '');
    const row = rows.get(phone);
    if (row) row.rank = i + 1;
  });
  return [...rows.values()];
}

function Targets({ run, memory }: { run: Run; memory: Record<string, unknown> }) {
  const rows = targetRows(run, memory);
  if (rows.length === 0) return null;
  return (
    <>
      <h3>Targets</h3>
      <table aria-label="Targets">
        <thead>
          <tr>
            <th>Target</th>
            <th>State</th>
            <th>Attempts</th>
            <th>Last call</th>
            <th>Insights</th>
            <th>Score</th>
            <th>Rank</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((t) => (
            <tr key={t.phone}>
              <td>
                {t.name ? `${t.name} ` : ''}
                <code>{t.phone}</code>
              </td>
              <td>{t.state || '—'}</td>
              <td>{t.attempts ?? 0}</td>
              <td>{t.last_call_status ?? '—'}</td>
              <td>
                <code>{t.insights ? JSON.stringify(t.insights) : '—'}</code>
              </td>
              <td>{t.score ?? '—'}</td>
              <td>{t.rank ?? '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

function Countdown({ at }: { at: string }) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, []);
  const s = Math.round((new Date(at).getTime() - now) / 1000);
  if (s <= 0) return <span class="countdown">due</span>;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return <span class="countdown">in {h ? `${h} h ` : ''}{m ? `${m} min ` : ''}{s % 60} s</span>;
}

function Scheduled({ events }: { events: ScheduledEvent[] }) {
  if (events.length === 0) return null;
  return (
    <>
      <h3>Scheduled events</h3>
      <table aria-label="Scheduled events">
        <thead>
          <tr>
            <th>To</th>
            <th>When</th>
            <th>Status</th>
            <th>Call</th>
            <th>Retries</th>
            <th>Workflow</th>
          </tr>
        </thead>
        <tbody>
          {events.map((e) => {
            const next = e.status === 'pending' ? (e.next_attempt_at ?? e.scheduled_at) : null;
            return (
              <tr key={e.id}>
                <td>
                  {e.channel} <code>{e.to}</code>
                </td>
                <td>
                  {iso(next ?? e.scheduled_at)} {next ? <Countdown at={next} /> : null}
                </td>
                <td>
                  <Badge value={e.status} />
                </td>
                <td>{e.call_status ?? '—'}{e.outcome ? ` (${e.outcome})` : ''}</td>
                <td>{e.retry_count}</td>
                <td>
                  <TemporalLink workflowId={`event-${e.id}`} label="event" />
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </>
  );
}
