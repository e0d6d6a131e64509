/**
 * TEST DOUBLE: a local stand-in for an OpenAI-compatible server, for tests only. It listens on
 * 127.0.0.1 on an ephemeral port, records every request and answers /v1/chat/completions,
 * /v1/audio/transcriptions, /v1/audio/speech and /v1/models with canned, configurable
 * results. It is not a model: nothing here understands speech or text.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createEspeakWasm } from '../../infra/speech/espeak-wasm';
import { encodeWav } from '../../infra/speech/wav';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  /** Parsed JSON, or for multipart bodies the text fields plus `file: {filename, contentType, bytes}`. */
  body: Record<string, unknown>;
}

type ChatMessage = { role: string; content: string };
type SpeechKind = 'tone' | 'espeak' | 'mp3';
export type ReplyFn = (messages: ChatMessage[]) => string;

export interface FakeOpenAIServer {
  /** Base URL including /v1, as the providers expect it. */
  url: string;
  requests: RecordedRequest[];
  /** Fixed chat reply, or a function of the request's messages. */
  setReply(reply: string | ReplyFn): void;
  setTranscript(text: string): void;
  /**
   * `tone` (default): a 440 Hz beep; `espeak`: the text spoken by espeak-ng; `mp3`: bytes
   * that are not WAV, like a server that ignores response_format.
   */
  setSpeech(kind: SpeechKind): void;
  /** The next `times` requests (any route) fail with `status` and an OpenAI-style error body. */
  failNext(times: number, status: number, message?: string): void;
  close(): Promise<void>;
}

export const DEFAULT_FAKE_TRANSCRIPT = 'hello from the test server';
const FAKE_MODEL = 'fake-test-model';

const defaultReply: ReplyFn = (messages) => {
  const lastUser = [...messages].reverse().find((m) => m.role === 'user');
  return `Test model says: ${lastUser?.content ?? ''}`;
};

/** A short sine beep, ~60 ms per character of input, as a 24 kHz WAV (the app's rate). */
function toneWav(text: string): Buffer {
  const sampleRate = 24000;
  const samples = new Int16Array(Math.round(sampleRate * Math.min(5, 0.2 + text.length * 0.06)));
  for (let i = 0; i < samples.length; i++) samples[i] = Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / sampleRate));
  return encodeWav({ samples, sampleRate });
}

/** Just enough multipart/form-data parsing for what the OpenAI SDK sends. */
function parseMultipart(body: Buffer, contentType: string): Record<string, unknown> {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/.exec(contentType);
  if (!boundary) return {};
  const delimiter = Buffer.from(`--${boundary[1] ?? boundary[2]}`);
  const fields: Record<string, unknown> = {};
  let start = body.indexOf(delimiter);
  while (start !== -1) {
    const next = body.indexOf(delimiter, start + delimiter.length);
    if (next === -1) break;
    const part = body.subarray(start + delimiter.length + 2, next - 2);
    const split = part.indexOf('\r\n\r\n');
    const head = part.subarray(0, split).toString('utf8');
    const content = part.subarray(split + 4);
    const name = /name="([^"]*)"/.exec(head)?.[1] ?? '';
    const filename = /filename="([^"]*)"/.exec(head)?.[1];
    if (filename !== undefined) {
      const type = /content-type:\s*([^\r\n]+)/i.exec(head)?.[1] ?? '';
      fields[name] = { filename, contentType: type, bytes: Buffer.from(content) };
    } else {
      fields[name] = content.toString('utf8');
    }
    start = next;
  }
  return fields;
}

/** Starts the test double; call `close()` in afterAll. */
export async function startFakeOpenAIServer(): Promise<FakeOpenAIServer> {
  const requests: RecordedRequest[] = [];
  let reply: ReplyFn = defaultReply;
  let transcript = DEFAULT_FAKE_TRANSCRIPT;
  let speech: SpeechKind = 'tone';
  let failures = { left: 0, status: 500, message: '' };
  const espeak = createEspeakWasm();

  const send = (res: http.ServerResponse, status: number, body: unknown, type = 'application/json') => {
    const data = Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body));
    res.writeHead(status, { 'content-type': type, 'content-length': data.length });
    res.end(data);
  };

  const handle = async (req: http.IncomingMessage, raw: Buffer, res: http.ServerResponse) => {
    const path = (req.url ?? '').split('?')[0];
    const contentType = req.headers['content-type'] ?? '';
    const body: Record<string, unknown> = contentType.startsWith('multipart/form-data')
      ? parseMultipart(raw, contentType)
      : raw.length > 0
        ? JSON.parse(raw.toString('utf8'))
        : {};
    requests.push({ method: req.method ?? '', path, headers: req.headers, body });

    if (failures.left > 0) {
      failures.left -= 1;
      return send(res, failures.status, { error: { message: failures.message, type: 'test_failure', code: null } });
    }
    if (req.method === 'GET' && path === '/v1/models') {
      return send(res, 200, { object: 'list', data: [{ id: FAKE_MODEL, object: 'model', created: 0, owned_by: 'parley-test' }] });
    }
    if (req.method === 'POST' && path === '/v1/chat/completions') {
      const content = reply((body.messages as ChatMessage[]) ?? []);
      return send(res, 200, {
        id: `chatcmpl-test-${requests.length}`,
        object: 'chat.completion',
        created: Math.floor(Date.now() / 1000),
        model: (body.model as string) || FAKE_MODEL,
        choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop', logprobs: null }],
        usage: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 },
      });
    }
    if (req.method === 'POST' && path === '/v1/audio/transcriptions') {
      return send(res, 200, { text: transcript });
    }
    if (req.method === 'POST' && path === '/v1/audio/speech') {
      const input = String(body.input ?? '');
      if (speech === 'mp3') return send(res, 200, Buffer.from('ID3\u0004\u0000 not really an mp3'), 'audio/mpeg');
      const wav = speech === 'espeak' ? await espeak.speak(input, 'en', Number(body.speed ?? 1)) : toneWav(input);
      return send(res, 200, wav, 'audio/wav');
    }
    return send(res, 404, { error: { message: `no route ${req.method} ${path} in the test double`, type: 'not_found', code: null } });
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      handle(req, Buffer.concat(chunks), res).catch((err: Error) => send(res, 500, { error: { message: err.message, type: 'test_double_error', code: null } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    setReply: (r) => {
      reply = typeof r === 'string' ? () => r : r;
    },
    setTranscript: (t) => {
      transcript = t;
    },
    setSpeech: (kind) => {
      speech = kind;
    },
    failNext: (times, status, message = `test double failure ${status}`) => {
      failures = { left: times, status, message };
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
