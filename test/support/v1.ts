/** The /v1 plane over the real stack: a key, scripted lines, and a request helper shaped like the ClawdTalk client's. */
import { createApiKey } from '../../infra/api-keys';
import { scriptedLines, type ScriptedLines } from './scripted-lines';
import { startStack, type Stack } from './stack';

export interface V1 {
  stack: Stack;
  key: string;
  lines: ScriptedLines;
  /** Like telnyx_api.py: JSON content type always, a body only when there is one. */
  call(method: string, url: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: Record<string, any>; headers: Record<string, unknown> }>;
  close(): Promise<void>;
}

/**
 * Every wait of the missions workflows ×0.0001: 60 s lead → 6 ms, 30–120 min retries → 0.2–0.7 s.
 * Runs idle for a year (×0.0001: ~53 min), so a slow test never sees its run abandoned.
 */
export const FAST = { PARLEY_MISSION_TIME_SCALE: '0.0001', PARLEY_COMPAT_RUN_IDLE_TIMEOUT: '31536000', PARLEY_OWNER_PHONE: '+15550109999', PARLEY_LOG_LEVEL: 'silent' };

export async function startV1(env: Record<string, string> = {}, options: { callMs?: number } = {}): Promise<V1> {
  let lines!: ScriptedLines;
  const stack = await startStack({ ...FAST, ...env }, { lines: (db, config) => (lines = scriptedLines(db, config.missions.lines, options)) });
  const { key } = await createApiKey(stack.testDb.db, { name: 'test', admin: false });
  return {
    stack,
    key,
    lines,
    async call(method, url, body, headers = {}) {
      const res = await stack.app.inject({
        method: method as 'GET',
        url,
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...headers },
        ...(body === undefined ? {} : { payload: typeof body === 'string' ? body : JSON.stringify(body) }),
      });
      return { status: res.statusCode, body: res.body ? JSON.parse(res.body) : {}, headers: res.headers };
    },
    close: () => stack.close(),
  };
}

/** ISO time `seconds` from now, as the bot writes it. */
export const inSeconds = (seconds: number) => new Date(Date.now() + seconds * 1000).toISOString().replace(/\.\d+Z$/, 'Z');

/** Reads until `done` holds (the tests wait on the workflow's projection; the product needs no polling). */
export async function until<T>(read: () => Promise<T>, done: (v: T) => boolean, timeoutMs = 45_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (done(v)) return v;
    // A timeout says so, with what was last seen, instead of handing a half-done value to the
    // assertions that follow (which then fail far from the cause).
    if (Date.now() > deadline) throw new Error(`until: not done after ${timeoutMs} ms; last read: ${JSON.stringify(v)?.slice(0, 2000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
