/**
 * Create a declarative mission: a JSON editor checked against the spec schema as you type, a
 * dry run (`POST /v1/missions?dry_run=true`, nothing dialled) to preview the plan and schedule,
 * then the create.
 */
import Ajv, { type ErrorObject } from 'ajv';
import { useMemo, useState } from 'preact/hooks';
import { HttpError } from '../api';
import { Field, Status, useAction } from '../ui';
import { missions } from './data';
import { EXAMPLE_SPEC, specSchema } from './spec-schema';

const validate = new Ajv({ allErrors: true, strict: false }).compile(specSchema);

interface Problem {
  pointer: string;
  message: string;
}

function check(text: string): { spec: unknown; problems: Problem[] } {
  let spec: unknown;
  try {
    spec = JSON.parse(text);
  } catch (err) {
    return { spec: null, problems: [{ pointer: '', message: `not JSON: ${(err as Error).message}` }] };
  }
  if (validate(spec)) return { spec, problems: [] };
  return { spec, problems: (validate.errors ?? []).filter((e: ErrorObject) => e.keyword !== 'if').map((e: ErrorObject) => ({ pointer: `/spec${e.instancePath}`, message: e.message ?? 'invalid' })) };
}

/** The server's 422 pointers (W3 body), shown like the local ones. */
function serverProblems(err: unknown): Problem[] {
  if (!(err instanceof HttpError)) return [{ pointer: '', message: (err as Error).message }];
  const body = err.body as { errors?: Array<{ detail?: string; source?: { pointer?: string } }> };
  return body.errors?.length ? body.errors.map((e) => ({ pointer: e.source?.pointer ?? '', message: e.detail ?? err.message })) : [{ pointer: '', message: err.message }];
}

export function SpecEditor({ onCreated }: { onCreated: (missionId: string) => void }) {
  const [name, setName] = useState('Window cleaning quotes');
  const [instructions, setInstructions] = useState('Find the cheapest window cleaner available this week.');
  const [text, setText] = useState(JSON.stringify(EXAMPLE_SPEC, null, 2));
  const [preview, setPreview] = useState<Record<string, unknown> | null>(null);
  const [remote, setRemote] = useState<Problem[]>([]);
  const local = useMemo(() => check(text), [text]);
  const body = () => ({ name, instructions, spec: local.spec });
  const dry = useAction(async () => {
    setRemote([]);
    setPreview(null);
    try {
      setPreview(await missions.dryRun(body()));
    } catch (err) {
      setRemote(serverProblems(err));
    }
  });
  const create = useAction(async () => {
    setRemote([]);
    try {
      const res = await missions.create(body());
      onCreated(res.data.id);
    } catch (err) {
      setRemote(serverProblems(err));
    }
  });
  const problems = [...local.problems, ...remote];
  return (
    <section class="main" aria-labelledby="spec-h">
      <h2 id="spec-h">New declarative mission</h2>
      <div class="columns">
        <form onSubmit={(e) => (e.preventDefault(), dry.run())}>
          <Field label="Name">
            <input value={name} onInput={(e) => setName(e.currentTarget.value)} required maxLength={200} />
          </Field>
          <Field label="Instructions">
            <textarea rows={2} value={instructions} onInput={(e) => setInstructions(e.currentTarget.value)} required />
          </Field>
          <Field label="Spec (JSON, missions contract §5a)">
            <textarea class="code" rows={22} spellcheck={false} value={text} onInput={(e) => setText(e.currentTarget.value)} aria-invalid={local.problems.length > 0} />
          </Field>
          {problems.length ? (
            <ul class="problems" role="alert" aria-label="Spec problems">
              {problems.map((p, i) => (
                <li key={i}>
                  <code>{p.pointer || '/'}</code> {p.message}
                </li>
              ))}
            </ul>
          ) : (
            <p class="note">The spec matches the schema.</p>
          )}
          <div class="row">
            <button disabled={dry.busy || local.problems.length > 0}>Dry run</button>
            <button type="button" onClick={() => create.run()} disabled={create.busy || local.problems.length > 0 || !preview}>
              Create and start
            </button>
          </div>
          <Status error={dry.error || create.error} />
        </form>
        <div>
          <h3>Dry-run preview</h3>
          {preview ? <DryRun preview={preview} /> : <p class="muted">Run a dry run to see the plan and schedule before anything is dialled.</p>}
        </div>
      </div>
    </section>
  );
}

function DryRun({ preview }: { preview: Record<string, unknown> }) {
  const data = (preview.data ?? preview) as Record<string, unknown>;
  const plan = (data.plan as { steps?: Array<{ step_id: string; description?: string }> } | Array<{ step_id: string; description?: string }> | undefined) ?? undefined;
  const steps = Array.isArray(plan) ? plan : (plan?.steps ?? []);
  const schedule = (data.schedule ?? data.events ?? data.attempts) as Array<Record<string, unknown>> | undefined;
  return (
    <div>
      {steps.length ? (
        <ol class="steps">
          {steps.map((s) => (
            <li key={s.step_id}>
              <b>{s.step_id}</b> {s.description ?? ''}
            </li>
          ))}
        </ol>
      ) : null}
      {Array.isArray(schedule) && schedule.length ? (
        <table aria-label="Planned calls">
          <thead>
            <tr>
              {Object.keys(schedule[0]).slice(0, 6).map((k) => (
                <th key={k}>{k}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {schedule.map((row, i) => (
              <tr key={i}>
                {Object.keys(schedule[0]).slice(0, 6).map((k) => (
                  <td key={k}>{typeof row[k] === 'object' ? JSON.stringify(row[k]) : String(row[k] ?? '')}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <details open={!steps.length && !schedule}>
        <summary>Full answer</summary>
        <pre>{JSON.stringify(preview, null, 2)}</pre>
      </details>
    </div>
  );
}
