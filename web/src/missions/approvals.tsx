/** The approvals inbox: pending approvals (gates included) to approve or deny, with a note and a target selection. */
import { useEffect, useState } from 'preact/hooks';
import { useStore } from '../store';
import { TemporalLink } from '../temporal';
import { Field, Status, iso, useAction } from '../ui';
import { missionTick, missions, type Approval } from './data';

export function Approvals() {
  const tick = useStore(missionTick);
  const [list, setList] = useState<Approval[]>([]);
  const load = useAction(async () => setList(await missions.approvals('pending')));
  useEffect(() => void load.run(), [tick]);
  return (
    <section class="card inbox" aria-labelledby="inbox-h">
      <h2 id="inbox-h">
        Approvals <span class="count">{list.length}</span>
      </h2>
      {list.length === 0 ? <p class="muted">Nothing waits for a decision.</p> : null}
      <ul>
        {list.map((a) => (
          <li key={a.request_id}>
            <Decision approval={a} />
          </li>
        ))}
      </ul>
      <Status error={load.error} />
    </section>
  );
}

/** Targets a gate may narrow round 2 or the action to, when its details list them. */
function selectable(a: Approval): string[] {
  const d = a.details as { targets?: Array<string | { phone?: string }> } | null | undefined;
  return (d?.targets ?? []).map((t) => (typeof t === 'string' ? t : String(t.phone ?? ''))).filter(Boolean);
}

function Decision({ approval }: { approval: Approval }) {
  const [note, setNote] = useState('');
  const options = selectable(approval);
  const [picked, setPicked] = useState<string[]>(options);
  const decide = useAction(async (d: 'approve' | 'deny') => {
    await missions.decide(approval, d, note, options.length ? picked : null);
    missionTick.update((n) => n + 1);
  });
  return (
    <form class="decision" aria-label={`Approval: ${approval.action}`} onSubmit={(e) => (e.preventDefault(), decide.run('approve'))}>
      <p>
        <b>{approval.action}</b> {approval.require_biometric ? <small>(admin key)</small> : null}
        <br />
        <small>
          expires {iso(approval.expires_at)} · <TemporalLink workflowId={`approval-${approval.request_id}`} label="workflow" />
        </small>
      </p>
      {approval.details ? <pre>{typeof approval.details === 'string' ? approval.details : JSON.stringify(approval.details, null, 2)}</pre> : null}
      {options.length ? (
        <fieldset>
          <legend>Selection</legend>
          {options.map((t) => (
            <label key={t} class="check">
              <input type="checkbox" checked={picked.includes(t)} onChange={(e) => setPicked(e.currentTarget.checked ? [...picked, t] : picked.filter((p) => p !== t))} /> {t}
            </label>
          ))}
        </fieldset>
      ) : null}
      <Field label="Note">
        <input value={note} onInput={(e) => setNote(e.currentTarget.value)} />
      </Field>
      <div class="row">
        <button disabled={decide.busy}>Approve</button>
        <button type="button" class="danger" onClick={() => decide.run('deny')} disabled={decide.busy}>
          Deny
        </button>
      </div>
      <Status error={decide.error} />
    </form>
  );
}
