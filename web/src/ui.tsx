/** Small shared pieces: a labelled field, an async action button with its error, times. */
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';

export function Field({ label, children, hint }: { label: string; children: ComponentChildren; hint?: string }) {
  return (
    <label class="field">
      <span>{label}</span>
      {children}
      {hint ? <small>{hint}</small> : null}
    </label>
  );
}

/** Runs `action` on click (or submit), disables itself meanwhile, shows the error or the result. */
export function useAction<A extends unknown[]>(action: (...args: A) => Promise<unknown>): { run: (...args: A) => Promise<void>; busy: boolean; error: string; note: string } {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const [note, setNote] = useState('');
  return {
    busy,
    error,
    note,
    async run(...args: A) {
      setBusy(true);
      setError('');
      setNote('');
      try {
        const out = await action(...args);
        if (out && typeof out === 'object' && (out as { ok?: unknown }).ok === false) setError(String((out as { detail?: unknown; error?: unknown }).detail ?? (out as { error?: unknown }).error ?? 'refused'));
        else if (typeof out === 'string') setNote(out);
      } catch (err) {
        setError((err as Error).message);
      } finally {
        setBusy(false);
      }
    },
  };
}

export function Status({ error, note }: { error: string; note?: string }) {
  if (error) return <p class="error" role="alert">{error}</p>;
  if (note) return <p class="note" role="status">{note}</p>;
  return null;
}

export const time = (epochS: number | null | undefined): string => (epochS ? new Date(epochS * 1000).toLocaleTimeString() : '—');
export const dateTime = (epochS: number | null | undefined): string => (epochS ? new Date(epochS * 1000).toLocaleString() : '—');
export const iso = (s: string | null | undefined): string => (s ? new Date(s).toLocaleString() : '—');

export function Badge({ value }: { value: string }) {
  return <span class={`badge badge-${value.replace(/[^a-z_-]/gi, '')}`}>{value}</span>;
}
