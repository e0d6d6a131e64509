/**
 * HTTP access for the dashboard. The gateway token (when one is set) and the optional /v1 API key
 * live in sessionStorage: they last for this browser tab's session and never reach localStorage.
 */
const TOKEN = 'parley.token';
const KEY = 'parley.apiKey';

export const credentials = {
  token: (): string => sessionStorage.getItem(TOKEN) ?? '',
  apiKey: (): string => sessionStorage.getItem(KEY) ?? '',
  save(token: string, apiKey: string): void {
    if (token) sessionStorage.setItem(TOKEN, token);
    else sessionStorage.removeItem(TOKEN);
    if (apiKey) sessionStorage.setItem(KEY, apiKey);
    else sessionStorage.removeItem(KEY);
  },
  clear(): void {
    sessionStorage.removeItem(TOKEN);
    sessionStorage.removeItem(KEY);
  },
};

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(describe(status, body));
  }
}

function describe(status: number, body: unknown): string {
  if (body && typeof body === 'object') {
    const b = body as { detail?: unknown; error?: unknown; message?: unknown };
    if (typeof b.detail === 'string') return b.detail;
    if (typeof b.message === 'string') return b.message;
    if (b.error && typeof b.error === 'object' && typeof (b.error as { message?: unknown }).message === 'string') return (b.error as { message: string }).message;
    if (typeof b.error === 'string') return b.error;
  }
  return `HTTP ${status}`;
}

async function request<T>(url: string, bearer: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (bearer) headers.authorization = `Bearer ${bearer}`;
  const res = await fetch(url, { method: init.method ?? 'GET', headers, body: init.body === undefined ? undefined : JSON.stringify(init.body) });
  const text = await res.text();
  const body = text ? safeJson(text) : {};
  if (!res.ok) throw new HttpError(res.status, body);
  return body as T;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return { detail: text };
  }
}

/** The gateway plane (`/api/*`), with the gateway token; `admin` overrides it for security writes. */
export function api<T = Record<string, unknown>>(path: string, init: { method?: string; body?: unknown; admin?: string } = {}): Promise<T> {
  return request<T>(path, init.admin || credentials.token(), init);
}

/** The missions plane (`/v1/*`), with the API key entered at login. */
export function v1<T = Record<string, unknown>>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  return request<T>(`/v1${path}`, credentials.apiKey(), init);
}

/** Fetches binary data (audio) with the token in the header, as an object URL. */
export async function blobUrl(path: string): Promise<string> {
  const token = credentials.token();
  const res = await fetch(path, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  if (!res.ok) throw new HttpError(res.status, await res.json().catch(() => ({})));
  return URL.createObjectURL(await res.blob());
}

/** A WebSocket URL on this origin; browsers cannot set headers on WebSockets, so the token rides as `?token=`. */
export function wsUrl(path: string, params: Record<string, string> = {}): string {
  const url = new URL(path, location.href);
  url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  const token = credentials.token();
  if (token) url.searchParams.set('token', token);
  return url.toString();
}
