/** The Control Center shell: login when needed, then tabs for live calls, the log, missions and settings. */
import { useEffect, useState } from 'preact/hooks';
import { api, credentials, HttpError } from './api';
import { startLiveCalls } from './calls';
import { Login } from './login';
import { LiveView } from './live';
import { MissionsView } from './missions/board';
import { SessionsView } from './sessions';
import { SettingsView } from './settings';
import { temporalUi } from './temporal';

const TABS = [
  ['live', 'Live calls'],
  ['log', 'Session log'],
  ['missions', 'Missions'],
  ['settings', 'Settings'],
] as const;
type Tab = (typeof TABS)[number][0];

function tabFromHash(): Tab {
  const h = location.hash.slice(1);
  return (TABS.find(([id]) => id === h)?.[0] ?? 'live') as Tab;
}

export function App() {
  const [phase, setPhase] = useState<'checking' | 'login' | 'ready'>('checking');
  const [error, setError] = useState('');
  const [tab, setTab] = useState<Tab>(tabFromHash());
  const [, setKeyVersion] = useState(0);

  async function enter() {
    try {
      const meta = await api<{ temporal_ui_port: number | null; temporal_namespace: string }>('/api/dashboard/meta');
      temporalUi.set({ port: meta.temporal_ui_port, namespace: meta.temporal_namespace });
      await startLiveCalls();
      setPhase('ready');
    } catch (err) {
      if (err instanceof HttpError && err.status === 401) setPhase('login');
      else setError((err as Error).message);
    }
  }

  useEffect(() => {
    // Ask first whether a token is needed, so a tab without one goes straight to the login screen.
    void api<{ token_required: boolean }>('/api/dashboard/auth').then(
      (auth) => (auth.token_required && !credentials.token() ? setPhase('login') : enter()),
      (err: Error) => setError(err.message),
    );
    const onHash = () => setTab(tabFromHash());
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);

  if (phase === 'login') return <Login onLogin={() => void enter()} />;
  if (phase === 'checking') return <main class="login">{error ? <p class="error" role="alert">{error}</p> : <p>Connecting…</p>}</main>;
  return (
    <>
      <header class="top">
        <h1>Parley Control Center</h1>
        <nav aria-label="Sections">
          {TABS.map(([id, label]) => (
            <a key={id} href={`#${id}`} aria-current={tab === id ? 'page' : undefined}>
              {label}
            </a>
          ))}
        </nav>
        {credentials.token() ? (
          <button
            type="button"
            class="secondary"
            onClick={() => {
              credentials.clear();
              location.hash = '';
              location.reload();
            }}
          >
            Sign out
          </button>
        ) : null}
      </header>
      <main>
        {tab === 'live' ? <LiveView /> : null}
        {tab === 'log' ? <SessionsView /> : null}
        {tab === 'missions' ? (
          <MissionsView
            onKey={(key) => {
              credentials.save(credentials.token(), key);
              setKeyVersion((n) => n + 1);
            }}
          />
        ) : null}
        {tab === 'settings' ? <SettingsView /> : null}
      </main>
    </>
  );
}
