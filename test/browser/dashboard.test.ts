/**
 * The Control Center in a real Chromium (playwright-core + Debian's chromium) against a fresh
 * `npm start` with a bearer token, the built-in SIMULATED phone at human pace, and a local
 * OpenAI-compatible TEST server for ASR, LLM and TTS (it is not a model: it answers canned text).
 * Checks: login (wrong token refused, right token in), no console errors on any screen, a
 * simulated call live with its transcript, a browser takeover whose typed reply the phone gets,
 * and an approval decided from the inbox.
 */
import { startFakeOpenAIServer, type FakeOpenAIServer } from '../support/fake-openai-server';
import { childRunning, embeddedEnv, npmStart, stopNpmStart, type Started } from '../support/npm-start';
import { findChromium, openBrowser, type BrowserSession } from '../support/browser';

jest.setTimeout(300_000);

const chromiumPath = findChromium();
if (!chromiumPath && process.env.CI) throw new Error('the browser suite is required under CI, and no Chromium was found (install Debian package chromium)');
const suite = chromiumPath ? describe : describe.skip;

const TOKEN = 'dashboard-test-token';
const API_KEY = 'prl_live_DashboardTestKey0123456789abcdef'.slice(0, 41);
const SHOTS = process.env.PARLEY_SCREENSHOTS;

let llm: FakeOpenAIServer;
let parley: Started;
let base: string;
const sessions: BrowserSession[] = [];

async function browser(): Promise<BrowserSession> {
  const s = await openBrowser(chromiumPath!);
  sessions.push(s);
  return s;
}

/** Opens the dashboard and signs in; returns once the live view is up. */
async function signedIn(): Promise<BrowserSession> {
  const s = await browser();
  // What the page's WebSockets did, for the message below when the feed never goes live.
  const sockets: string[] = [];
  s.page.on('websocket', (ws) => {
    const name = new URL(ws.url()).pathname;
    sockets.push(`${name} open`);
    ws.on('framesent', (f) => sockets.push(`${name} sent ${String(f.payload).slice(0, 100)}`));
    ws.on('framereceived', (f) => sockets.push(`${name} got ${String(f.payload).slice(0, 100)}`));
    ws.on('socketerror', (e) => sockets.push(`${name} error ${e}`));
    ws.on('close', () => sockets.push(`${name} closed`));
  });
  await s.page.goto(base);
  await s.page.getByLabel('Token').fill(TOKEN);
  await s.page.getByLabel('Missions API key (optional)').fill(API_KEY);
  await s.page.getByRole('button', { name: 'Sign in' }).click();
  await s.page.getByRole('heading', { name: /Live calls/ }).waitFor();
  // The live view loads its snapshot, then subscribes: slow on a loaded CI machine.
  await s.page.locator('.feed-live').waitFor({ timeout: 90_000 }).catch(async (err: Error) => {
    // Say what the page and the server saw, so a failure here can be read from CI's output.
    const feed = await s.page.locator('.feed').textContent().catch(() => '?');
    throw new Error(`${err.message}\nfeed state: ${feed}\nsockets: ${JSON.stringify(sockets.slice(-30))}\npage errors: ${JSON.stringify(s.errors.slice(-10))}\nnpm start output (end):\n${parley.output().slice(-6000)}`);
  });
  return s;
}

const rest = async (path: string, init: { method?: string; body?: unknown; bearer?: string } = {}) => {
  const res = await fetch(`${base}${path}`, {
    method: init.method ?? 'GET',
    headers: { authorization: `Bearer ${init.bearer ?? TOKEN}`, 'content-type': 'application/json' },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
};

suite('the Control Center in Chromium', () => {
  beforeAll(async () => {
    llm = await startFakeOpenAIServer();
    // Insight extraction (missions) asks for one JSON object; every other chat gets a sentence.
    llm.setReply((messages) => (String(messages[0]?.content ?? '').includes('extract insights') ? '{"summary": "Free on Tuesday afternoon"}' : 'The assistant heard you.'));
    llm.setTranscript('I would like to move my appointment.');
    const ports = await embeddedEnv({
      PARLEY_BEARER_TOKEN: TOKEN,
      PARLEY_API_KEYS: API_KEY,
      PARLEY_ASR_BASE_URL: llm.url,
      PARLEY_LLM_BASE_URL: llm.url,
      PARLEY_LLM_MODEL: 'local-test-model',
      PARLEY_TTS_BASE_URL: llm.url,
      // Human pace: a call lasts about a minute, long enough to take it over from the page.
      PARLEY_SIM_PACE: 'realtime',
    });
    base = `http://127.0.0.1:${ports.port}`;
    parley = await npmStart(ports.env);
  });

  afterEach(async () => {
    await Promise.all(sessions.splice(0).map((s) => s.close().catch(() => undefined)));
  });

  afterAll(async () => {
    if (parley) expect((await stopNpmStart(parley)).leftovers).toEqual([]);
    await llm?.close();
  });

  test('with a token set, a wrong token is refused and the right one signs in', async () => {
    const s = await browser();
    await s.page.goto(base);
    await s.page.getByLabel('Token').fill('not-the-token');
    await s.page.getByRole('button', { name: 'Sign in' }).click();
    await s.page.getByRole('alert').filter({ hasText: 'Wrong token' }).waitFor();
    expect(await s.page.getByRole('heading', { name: /Live calls/ }).count()).toBe(0);

    await s.page.getByLabel('Token').fill(TOKEN);
    await s.page.getByRole('button', { name: 'Sign in' }).click();
    await s.page.getByRole('heading', { name: /Live calls/ }).waitFor();
    // Kept for the browser session: a reload stays signed in.
    await s.page.reload();
    await s.page.getByRole('heading', { name: /Live calls/ }).waitFor();
  });

  test('every screen loads with no console error', async () => {
    const s = await signedIn();
    for (const [tab, heading] of [
      ['log', 'Session log'],
      ['missions', 'Missions'],
      ['settings', 'Call policy'],
      ['live', 'Live calls'],
    ] as const) {
      await s.page.getByRole('link', { name: new RegExp(tab === 'log' ? 'Session log' : tab === 'live' ? 'Live calls' : tab, 'i') }).click();
      await s.page.getByRole('heading', { name: new RegExp(`^${heading}`) }).first().waitFor();
      await s.page.waitForLoadState('networkidle');
      if (SHOTS) await s.page.screenshot({ path: `${SHOTS}/${tab}.png` });
      if (tab === 'settings') {
        // The TTS preview speaks through the configured provider and plays in the page.
        await s.page.getByRole('button', { name: 'Play preview' }).click();
        await s.page.getByRole('status').filter({ hasText: 'Playing preview' }).waitFor();
      }
    }
    expect(s.errors).toEqual([]);
  });

  test('a simulated call appears live with its transcript; a takeover from the page answers a turn and the phone gets the typed reply', async () => {
    const s = await signedIn();
    await s.page.getByLabel('Number to dial').fill('+15550100071');
    await s.page.getByRole('button', { name: 'Dial' }).click();
    const call = s.page.locator('button.call', { hasText: '+15550100071' });
    await call.waitFor({ timeout: 60_000 });
    await call.click();
    // The greeting, then the caller's first words, arrive through /ws/events.
    const transcript = s.page.getByRole('list', { name: 'Transcript' });
    await transcript.getByText("Hi, this is the owner's assistant calling.").waitFor({ timeout: 60_000 });
    await transcript.getByText('I would like to move my appointment.').first().waitFor({ timeout: 60_000 });

    await s.page.getByRole('button', { name: 'Take over' }).click();
    await s.page.getByText('You hold this call').waitFor();
    const reply = s.page.getByLabel('Your reply');
    await reply.waitFor({ timeout: 60_000 });
    await s.page.getByRole('timer').waitFor();
    if (SHOTS) await s.page.screenshot({ path: `${SHOTS}/takeover.png` });
    await reply.fill('Typed in the browser: Tuesday at three works.');
    await s.page.getByRole('button', { name: 'Send reply' }).click();
    // First as the turn's reply in progress, then as a completed turn (turn.complete).
    await transcript.locator('li[data-turn]', { hasText: 'Typed in the browser: Tuesday at three works.' }).waitFor({ timeout: 60_000 });

    // The phone got it: the stored turn is the answer /api/turn gave the simulated phone.
    const sid = (await call.getAttribute('data-session'))!;
    const stored = await rest(`/api/sessions/${sid}`);
    expect(stored.body.turns).toEqual(expect.arrayContaining([expect.objectContaining({ reply: 'Typed in the browser: Tuesday at three works.', model: 'agent', reply_source: 'agent' })]));

    await s.page.getByRole('button', { name: 'Release' }).click();
    await s.page.getByRole('button', { name: 'Take over' }).waitFor();
    await s.page.getByRole('button', { name: 'Hang up' }).click();
    await call.waitFor({ state: 'detached', timeout: 30_000 });
    expect(s.errors).toEqual([]);
  });

  test('the session log finds the ended call by number, with its transcript and outcome', async () => {
    const s = await signedIn();
    await s.page.getByRole('link', { name: 'Session log' }).click();
    await s.page.getByLabel('Search number, session or words').fill('0100071');
    await s.page.getByRole('button', { name: 'Search' }).click();
    await s.page.getByRole('list', { name: 'Sessions' }).locator('button.call', { hasText: '+15550100071' }).first().click();
    await s.page.getByText('ended: hangup').waitFor();
    await s.page.getByRole('list', { name: 'Transcript' }).getByText('Typed in the browser: Tuesday at three works.').waitFor();
    if (SHOTS) await s.page.screenshot({ path: `${SHOTS}/log.png` });
    expect(s.errors).toEqual([]);
  });

  test('the missions board shows a run: plan progress, targets, timeline, a scheduled call with its countdown, memory; pause, resume, cancel', async () => {
    const v1 = (method: string, path: string, body?: unknown) => rest(`/v1${path}`, { method, body, bearer: API_KEY });
    const mission = (await v1('POST', '/missions', { name: 'Window cleaning quotes', instructions: 'Find a window cleaner for Friday.' })).body.data;
    const run = (await v1('POST', `/missions/${mission.id}/runs`, { input: { original_request: 'windows' } })).body.data;
    await v1('PATCH', `/missions/${mission.id}/runs/${run.id}`, { status: 'running' });
    await v1('POST', `/missions/${mission.id}/runs/${run.id}/plan`, { steps: [{ step_id: 'calls', description: 'Call two firms' }, { step_id: 'report', description: 'Report the best quote' }] });
    await v1('PATCH', `/missions/${mission.id}/runs/${run.id}/plan/steps/calls`, { status: 'in_progress' });
    await v1('POST', `/missions/${mission.id}/runs/${run.id}/events`, { type: 'custom', summary: 'Clear View quoted $240', step_id: 'calls' });
    const memory = await v1('PUT', `/missions/${mission.id}/runs/${run.id}/memory`, { targets: { '+13125550101': { status: 'completed', attempts: 1, last_call_status: 'completed', insights: { price_usd: 240 } } } });
    expect(memory).toMatchObject({ status: 200, body: { data: { targets: { '+13125550101': { status: 'completed' } } } } });
    const assistant = (await v1('POST', '/assistants', { name: 'Quoter', instructions: 'Ask for a quote.' })).body;
    const at = new Date(Date.now() + 3600_000).toISOString();
    const event = (await v1('POST', `/assistants/${assistant.id}/events`, { channel: 'call', to: '+13125550102', from: '+15550100001', scheduled_at: at, mission_id: mission.id, run_id: run.id, step_id: 'calls' })).body;
    expect(event.status).toBe('pending');

    const s = await signedIn();
    await s.page.getByRole('link', { name: 'Missions' }).click();
    await s.page.getByRole('list', { name: 'Missions' }).getByRole('button', { name: /Window cleaning quotes/ }).click();
    await s.page.getByText('Call two firms').waitFor();
    expect(await s.page.getByRole('progressbar', { name: 'Plan progress' }).getAttribute('max')).toBe('2');
    await s.page.getByRole('list', { name: 'Run events' }).getByText('Clear View quoted $240').waitFor();
    await s.page.getByRole('table', { name: 'Targets' }).getByText('+13125550101').waitFor();
    const scheduled = s.page.getByRole('table', { name: 'Scheduled events' });
    await scheduled.getByText('+13125550102').waitFor();
    await scheduled.getByText(/in 59 min|in 1 h/).waitFor();
    expect(await s.page.getByRole('link', { name: /run workflow/ }).getAttribute('href')).toContain(`/workflows/run-${run.id}`);
    expect(await scheduled.getByRole('link', { name: /event/ }).getAttribute('href')).toContain(`/workflows/event-${event.id}`);
    if (SHOTS) await s.page.screenshot({ path: `${SHOTS}/missions-run.png` });

    await s.page.getByRole('button', { name: 'Pause' }).click();
    await s.page.getByRole('tab', { name: /paused/ }).waitFor();
    await s.page.getByRole('button', { name: 'Resume' }).click();
    await s.page.getByRole('tab', { name: /running/ }).waitFor();
    await s.page.getByRole('button', { name: 'Cancel run' }).click();
    await s.page.getByRole('tab', { name: /cancelled/ }).waitFor();
    expect((await v1('GET', `/assistants/${assistant.id}/events/${event.id}`)).body.status).toBe('cancelled');
    expect(s.errors).toEqual([]);
  });

  test('after the API process dies and comes back, the page reconnects by itself and catches up from its last seq, without a reload', async () => {
    const s = await signedIn();
    await s.page.evaluate('window.parleyNoReload = true');
    const api = childRunning(parley, 'api/server.ts')!;
    process.kill(api, 'SIGKILL');
    await s.page.locator('.feed-reconnecting').waitFor({ timeout: 30_000 });
    // The supervisor restarts the API; a call dialled at once starts while the page may still be
    // in its reconnect backoff: its events reach the page by the subscribe replay.
    for (let up = false; !up; ) up = await fetch(`${base}/api/dashboard/auth`).then((r) => r.ok, () => false);
    expect((await rest('/api/call/dial', { method: 'POST', body: { number: '+15550100073' } })).body).toMatchObject({ ok: true });
    const call = s.page.locator('button.call', { hasText: '+15550100073' });
    await call.waitFor({ timeout: 60_000 });
    await s.page.locator('.feed-live').waitFor();
    expect(await s.page.evaluate('window.parleyNoReload')).toBe(true);
    await rest('/api/call/hangup', { method: 'POST', body: { session_id: await call.getAttribute('data-session') } });
    await call.waitFor({ state: 'detached', timeout: 30_000 });
  });

  test('a declarative mission from the JSON editor (dry run first); its gate approved from the inbox with a selection lets the run proceed', async () => {
    const s = await signedIn();
    await s.page.getByRole('link', { name: 'Missions' }).click();
    await s.page.getByRole('button', { name: 'New declarative mission' }).click();
    await s.page.getByLabel('Name').fill('Two rounds with Dr Osei');
    const editor = s.page.getByLabel('Spec (JSON, missions contract §5a)');
    // A schema problem is shown with its pointer before anything is sent.
    await editor.fill(JSON.stringify({ class: 'raid', targets: [] }));
    await s.page.getByRole('list', { name: 'Spec problems' }).getByText('/spec/class').waitFor();
    expect(await s.page.getByRole('button', { name: 'Dry run' }).isDisabled()).toBe(true);
    const spec = {
      class: 'multi_round',
      targets: [{ name: 'Dr Osei', phone: '+12025550158', timezone: 'America/New_York', kind: 'service' }],
      assistant: { instructions: 'Ask when they are free.' },
      schedule: { business_hours: false, avoid: [] },
      throttle: { spacing: 'PT30S' },
    };
    await editor.fill(JSON.stringify(spec, null, 2));
    await s.page.getByText('The spec matches the schema.').waitFor();
    expect(await s.page.getByRole('button', { name: 'Create and start' }).isDisabled()).toBe(true);
    await s.page.getByRole('button', { name: 'Dry run' }).click();
    await s.page.getByRole('table', { name: 'Planned calls' }).getByText('+12025550158').waitFor();
    expect((await rest('/v1/missions?slug=two-rounds-with-dr-osei', { bearer: API_KEY })).body.data).toEqual([]);
    if (SHOTS) await s.page.screenshot({ path: `${SHOTS}/spec-editor.png` });
    await s.page.getByRole('button', { name: 'Create and start' }).click();
    await s.page.getByRole('heading', { name: 'Two rounds with Dr Osei' }).waitFor();

    // Round 1 calls the simulated callee; then the gate waits in the inbox.
    const gate = s.page.getByRole('form', { name: /Approval: Mission gate gate_1/ });
    await gate.waitFor({ timeout: 150_000 });
    await gate.getByRole('checkbox', { name: /\+12025550158/ }).waitFor();
    if (SHOTS) await s.page.screenshot({ path: `${SHOTS}/gate.png` });
    await gate.getByLabel('Note').fill('round 2 for Dr Osei');
    await gate.getByRole('button', { name: 'Approve' }).click();
    await gate.waitFor({ state: 'detached' });

    const mission = (await rest('/v1/missions?slug=two-rounds-with-dr-osei', { bearer: API_KEY })).body.data[0];
    const gates = (await rest(`/v1/missions/${mission.id}/runs/${mission.latest_run_id}/gates`, { bearer: API_KEY })).body.data;
    expect(gates[0]).toMatchObject({ gate_id: 'gate_1', status: 'approved', note: 'round 2 for Dr Osei', selection: ['+12025550158'] });
    // The run proceeds past its gate: round 2 starts (its step leaves `pending`), never skipped.
    await s.page.locator('li[data-step="round_2"]:is([data-status="in_progress"], [data-status="completed"])').waitFor({ timeout: 150_000 });
    expect(s.errors).toEqual([]);
  });

  test('an approval decided from the inbox: approved with its note', async () => {
    const created = await rest('/v1/approvals', { method: 'POST', body: { action: 'Book the Tuesday slot', expires_in: 600 }, bearer: API_KEY });
    expect(created.status).toBe(201);
    const id = created.body.request_id as string;

    const s = await signedIn();
    await s.page.getByRole('link', { name: 'Missions' }).click();
    const item = s.page.getByRole('form', { name: 'Approval: Book the Tuesday slot' });
    await item.waitFor();
    if (SHOTS) await s.page.screenshot({ path: `${SHOTS}/missions.png` });
    await item.getByLabel('Note').fill('ok from the dashboard');
    await item.getByRole('button', { name: 'Approve' }).click();
    await item.waitFor({ state: 'detached' });

    const after = await rest(`/v1/approvals/${id}`, { bearer: API_KEY });
    expect(after.body).toMatchObject({ status: 'approved', note: 'ok from the dashboard' });
    expect(s.errors).toEqual([]);
  });
});
