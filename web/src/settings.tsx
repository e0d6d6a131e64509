/** Settings: call policy, security (admin token), TTS with a preview, LLM, system status. */
import { useEffect, useState } from 'preact/hooks';
import { api } from './api';
import { Field, Status, useAction } from './ui';

type Body = Record<string, unknown>;
type Kind = 'string' | 'number' | 'boolean' | 'list' | 'text';
/** [GET field, POST key, kind, label] */
type FieldSpec = [string, string, Kind, string];

const CALL_POLICY: FieldSpec[] = [
  ['auto_answer', 'call_auto_answer', 'boolean', 'Auto-answer incoming calls'],
  ['auto_answer_delay_ms', 'call_auto_answer_delay_ms', 'number', 'Auto-answer delay (ms)'],
  ['greeting_incoming_template', 'greeting_incoming', 'text', 'Greeting, incoming ({owner} is substituted)'],
  ['greeting_outgoing_template', 'greeting_outgoing', 'text', 'Greeting, outgoing'],
  ['greeting_owner', 'greeting_owner', 'string', 'Owner name'],
  ['max_duration_sec', 'max_duration_sec', 'number', 'Maximum call length (s, 0 = off)'],
  ['max_duration_message', 'max_duration_message', 'string', 'Message at the maximum length'],
  ['keep_history', 'keep_history', 'boolean', "Remember each caller's conversation"],
];

const SECURITY: FieldSpec[] = [
  ['caller_allowlist', 'caller_allowlist', 'list', 'Allowlist (comma-separated; empty allows all)'],
  ['caller_blocklist', 'caller_blocklist', 'list', 'Blocklist (comma-separated)'],
  ['unknown_callers_allowed', 'unknown_callers_allowed', 'boolean', 'Allow callers without a number'],
  ['auth_reject_message', 'auth_reject_message', 'string', 'Rejection message'],
  ['auth_max_attempts', 'auth_max_attempts', 'number', 'Passphrase attempts (0 = unlimited)'],
];

const TTS: FieldSpec[] = [
  ['voice', 'voice', 'string', 'Voice'],
  ['speed', 'speed', 'number', 'Speed'],
  ['lang', 'lang', 'string', 'Language'],
];

const LLM: FieldSpec[] = [
  ['model', 'model', 'string', 'Model'],
  ['base_url', 'base_url', 'string', 'Base URL (admin)'],
  ['max_tokens', 'max_tokens', 'number', 'Max tokens'],
  ['temperature', 'temperature', 'number', 'Temperature'],
  ['top_p', 'top_p', 'number', 'Top p'],
  ['top_k', 'top_k', 'number', 'Top k'],
  ['repeat_penalty', 'repeat_penalty', 'number', 'Repeat penalty'],
  ['max_history_turns', 'max_history_turns', 'number', 'Turns kept verbatim'],
];

function toInput(kind: Kind, v: unknown): string | boolean {
  if (kind === 'boolean') return v === true;
  if (kind === 'list') return Array.isArray(v) ? v.join(', ') : '';
  return v === null || v === undefined ? '' : String(v);
}

function fromInput(kind: Kind, v: string | boolean): unknown {
  if (kind === 'boolean') return v === true;
  if (kind === 'number') return Number(v);
  if (kind === 'list') return String(v).split(',').map((s) => s.trim()).filter(Boolean);
  return v;
}

/** A form over one config section: shows the GET body, posts only what changed. */
function SectionForm({ title, path, fields, admin, extra }: { title: string; path: string; fields: FieldSpec[]; admin?: string; extra?: (values: Body) => preact.JSX.Element }) {
  const [body, setBody] = useState<Body | null>(null);
  const [values, setValues] = useState<Record<string, string | boolean>>({});
  const [secret, setSecret] = useState('');
  const load = useAction(async () => {
    const b = await api<Body>(path);
    setBody(b);
    setValues(Object.fromEntries(fields.map(([g, , k]) => [g, toInput(k, b[g])])));
  });
  useEffect(() => void load.run(), [path]);
  const save = useAction(async () => {
    const changes: Body = {};
    for (const [g, p, k] of fields) if (values[g] !== toInput(k, body?.[g])) changes[p] = fromInput(k, values[g]);
    if (secret && path === '/api/config/call') changes.auth_passphrase = secret;
    if (secret && path === '/api/config/llm') changes.api_key = secret;
    if (Object.keys(changes).length === 0) return 'Nothing changed';
    await api(path, { method: 'POST', body: changes, admin });
    setSecret('');
    await load.run();
    return 'Saved';
  });
  const id = title.toLowerCase().replace(/\W+/g, '-');
  return (
    <form class="card" aria-labelledby={id} onSubmit={(e) => (e.preventDefault(), save.run())}>
      <h3 id={id}>{title}</h3>
      {fields.map(([g, , k, label]) => (
        <Field label={label} key={g}>
          {k === 'boolean' ? (
            <input type="checkbox" checked={values[g] === true} onChange={(e) => setValues({ ...values, [g]: e.currentTarget.checked })} />
          ) : k === 'text' ? (
            <textarea rows={2} value={String(values[g] ?? '')} onInput={(e) => setValues({ ...values, [g]: e.currentTarget.value })} />
          ) : (
            <input type={k === 'number' ? 'number' : 'text'} step="any" value={String(values[g] ?? '')} onInput={(e) => setValues({ ...values, [g]: e.currentTarget.value })} />
          )}
        </Field>
      ))}
      {path === '/api/config/call' && fields === SECURITY ? (
        <Field label={`Passphrase (${body?.auth_required ? 'set; type to replace' : 'none'})`}>
          <input type="password" autoComplete="off" value={secret} onInput={(e) => setSecret(e.currentTarget.value)} />
        </Field>
      ) : null}
      {path === '/api/config/llm' ? (
        <Field label={`API key (admin; ${body?.has_api_key ? 'set' : 'none'})`}>
          <input type="password" autoComplete="off" value={secret} onInput={(e) => setSecret(e.currentTarget.value)} />
        </Field>
      ) : null}
      {extra && body ? extra(body) : null}
      <button disabled={save.busy}>Save {title.toLowerCase()}</button>
      <Status error={load.error || save.error} note={save.note} />
    </form>
  );
}

function TtsPreview({ voices }: { voices: string[] }) {
  const [text, setText] = useState('Hello! This is how I sound on the phone.');
  const [voice, setVoice] = useState('');
  const preview = useAction(async () => {
    const res = await api<{ audio_base64: string }>('/api/tts/preview', { method: 'POST', body: { text, ...(voice ? { voice } : {}) } });
    await new Audio(`data:audio/wav;base64,${res.audio_base64}`).play();
    return 'Playing preview';
  });
  return (
    <fieldset>
      <legend>Preview</legend>
      <Field label="Sample text">
        <input value={text} onInput={(e) => setText(e.currentTarget.value)} />
      </Field>
      <Field label="Voice (empty = current)">
        <input list="tts-voices" value={voice} onInput={(e) => setVoice(e.currentTarget.value)} />
      </Field>
      <datalist id="tts-voices">{voices.map((v) => <option value={v} key={v} />)}</datalist>
      <button type="button" onClick={() => preview.run()} disabled={preview.busy}>
        Play preview
      </button>
      <Status error={preview.error} note={preview.note} />
    </fieldset>
  );
}

function SystemStatus() {
  const [status, setStatus] = useState<Body | null>(null);
  const load = useAction(async () => setStatus(await api<Body>('/api/status')));
  const reload = useAction(async () => {
    await api('/api/config', { method: 'POST' });
    await load.run();
    return 'Config file reloaded';
  });
  useEffect(() => void load.run(), []);
  const ok = (v: unknown) => ((v as { ok?: boolean } | undefined)?.ok ? 'ok' : 'down');
  return (
    <section class="card" aria-labelledby="status-h">
      <h3 id="status-h">Status</h3>
      {status ? (
        <dl class="facts">
          <dt>Uptime</dt>
          <dd>{String(status.uptime_s)} s</dd>
          <dt>Calls</dt>
          <dd>
            {String(status.active_sessions)} active, {String(status.ended_sessions)} ended, {String(status.error_count)} errors
          </dd>
          <dt>Providers</dt>
          <dd>
            ASR {ok(status.asr)} · LLM {ok(status.llm)} · TTS {ok(status.tts)}
          </dd>
          <dt>Agents</dt>
          <dd>{(status.agents as Array<{ name: string; agent_id: string }>).map((a) => `${a.name} (${a.agent_id})`).join(', ') || 'none'}</dd>
          <dt>Dashboards</dt>
          <dd>{String(status.ui_subscribers)}</dd>
          <dt>Event log head</dt>
          <dd>seq {String(status.latest_seq)}</dd>
        </dl>
      ) : null}
      <details>
        <summary>Configuration (secrets removed)</summary>
        <pre>{JSON.stringify(status?.config ?? {}, null, 2)}</pre>
      </details>
      <div class="row">
        <button type="button" class="secondary" onClick={() => load.run()}>
          Refresh
        </button>
        <button type="button" class="secondary" onClick={() => reload.run()}>
          Reload config file (admin)
        </button>
      </div>
      <Status error={load.error || reload.error} note={reload.note} />
    </section>
  );
}

export function SettingsView() {
  const [admin, setAdmin] = useState('');
  return (
    <div class="grid">
      <SectionForm title="Call policy" path="/api/config/call" fields={CALL_POLICY} />
      <div>
        <SectionForm title="Security" path="/api/config/call" fields={SECURITY} admin={admin} />
        <Field label="Admin token (for security writes; kept only on this page)" hint="Needed when PARLEY_ADMIN_TOKEN is set.">
          <input type="password" autoComplete="off" value={admin} onInput={(e) => setAdmin(e.currentTarget.value)} />
        </Field>
      </div>
      <SectionForm title="TTS" path="/api/config/tts" fields={TTS} extra={(b) => <TtsPreview voices={(b.voices as string[]) ?? []} />} />
      <SectionForm title="LLM" path="/api/config/llm" fields={LLM} admin={admin} />
      <SystemStatus />
    </div>
  );
}
