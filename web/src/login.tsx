/** The login screen, shown when the gateway has a bearer token and this tab has none that works. */
import { useState } from 'preact/hooks';
import { api, credentials, HttpError } from './api';
import { Field, Status } from './ui';

export function Login({ onLogin }: { onLogin: () => void }) {
  const [token, setToken] = useState('');
  const [apiKey, setApiKey] = useState(credentials.apiKey());
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  async function submit(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError('');
    credentials.save(token.trim(), apiKey.trim());
    try {
      await api('/api/status');
      onLogin();
    } catch (err) {
      credentials.save('', apiKey.trim());
      setError(err instanceof HttpError && err.status === 401 ? 'Wrong token: access refused.' : (err as Error).message);
    } finally {
      setBusy(false);
    }
  }
  return (
    <main class="login">
      <form class="card narrow" onSubmit={submit} aria-labelledby="login-h">
        <h1 id="login-h">Parley Control Center</h1>
        <p>This gateway needs its bearer token (PARLEY_BEARER_TOKEN or the admin token).</p>
        <Field label="Token">
          <input type="password" name="token" autoComplete="current-password" value={token} onInput={(e) => setToken(e.currentTarget.value)} required autoFocus />
        </Field>
        <Field label="Missions API key (optional)" hint="A /v1 key (prl_live_…) shows its account's missions and approvals.">
          <input type="password" name="api_key" autoComplete="off" value={apiKey} onInput={(e) => setApiKey(e.currentTarget.value)} />
        </Field>
        <button disabled={busy}>Sign in</button>
        <Status error={error} />
      </form>
    </main>
  );
}
