/**
 * The SIMULATED phone: a stand-in for the Clawfinger Android app that talks to Parley over real
 * HTTP exactly as the app does (contract §2): it fetches the call config, posts the greeting turn,
 * then speaks a scripted persona line by line (espeak-ng WAV) and "plays" each reply. Nothing here
 * touches a real phone line; it exists for demos, the `parley phone` CLI and end-to-end tests.
 */
import { randomUUID } from 'node:crypto';
import { createEspeakWasm } from '../speech/espeak-wasm';
import { silenceWav, toPcm16Mono, wavDurationMs } from '../speech/wav';
import { MACHINE_REASONS, type MachinePolicy } from '../../common/missions';
import type { Persona } from './personas';

export type SimPace = 'realtime' | 'fast';
/** The app only ever places calls for Parley; `incoming` simulates a caller ringing the phone. */
export type SimCallDirection = 'outgoing' | 'incoming';
export type SimOutcome = 'completed' | 'no-answer' | 'busy' | 'failed' | 'voicemail' | 'hung-up';
/**
 * Why the simulated call ended: the script ran out, the gateway ended it (`ended`, `rejected`,
 * `hangup`), `abort()` was called, a built-in outcome number, or an HTTP/TTS error.
 */
export type SimHangupReason = 'script-complete' | 'ended' | 'rejected' | 'hangup' | 'aborted' | 'error' | 'no-answer' | 'busy' | 'failed' | 'voicemail';

export type SimEvent =
  | { type: 'ring'; number: string }
  | { type: 'answered'; number: string }
  /** The persona starts saying a line (before it is synthesised and posted). */
  | { type: 'speaking'; line: string }
  | {
      type: 'turn';
      /** The persona line just spoken; null for the greeting turn. */
      caller_line: string | null;
      session_id: string;
      transcript: string;
      reply: string;
      model: string;
      /** Round trip of the /api/turn request as the phone saw it. */
      ms: number;
    }
  | { type: 'hangup'; reason: SimHangupReason; outcome: SimOutcome; detail?: string };

export interface SimCallOptions {
  /** Parley's base URL, e.g. `http://127.0.0.1:8996`. */
  baseUrl: string;
  /** The phone's `gateway.bearer`; sent as `Authorization: Bearer …` when set. */
  bearerToken?: string;
  /** The number "dialled" (outgoing) or calling (incoming); its last four digits pick built-in outcomes. */
  number: string;
  persona: Persona;
  pace: SimPace;
  direction?: SimCallDirection;
  /**
   * Incoming calls: the account line the caller rings (sent as `line_number`, a Parley addition
   * the real app does not send; Parley then assumes its first line).
   */
  line?: string;
  onEvent?: (event: SimEvent) => void;
  /** Text → WAV for the caller's lines; defaults to espeak-ng with the persona's voice. */
  synthesize?: (text: string, persona: Persona) => Promise<Buffer>;
  /** E07, for a voicemail callee: the greeting left as a message (default), a hang-up, or no AMD. */
  onMachine?: MachinePolicy;
}

export interface SimCallResult {
  outcome: SimOutcome;
  /** The session the greeting opened; "" when the call never got that far. */
  session_id: string;
  /** Completed /api/turn exchanges, the greeting included. */
  turns: number;
  detail?: string;
}

/** Last four digits of the number → a built-in outcome (anything else answers and talks). */
export const SIM_OUTCOME_SUFFIXES = { '0000': 'no-answer', '0001': 'busy', '0002': 'failed', '0003': 'voicemail' } as const;

/** What a simulated IVR says before a person picks up. */
export const IVR_MENU = 'Thank you for calling. For sales press 1, for service press 2, or say representative to reach a person.';

/** The hint the app sends when no greeting is configured (an LLM turn, contract §2.2). */
export const DEFAULT_GREETING_HINT = 'Output exactly this and nothing else: Hello, I am your assistant.';

export const SIM_TIMINGS: Record<SimPace, { ringMs: number; ringTimeoutMs: number; pauseMs: [number, number] }> = {
  realtime: { ringMs: 2_000, ringTimeoutMs: 30_000, pauseMs: [600, 1_200] },
  fast: { ringMs: 50, ringTimeoutMs: 200, pauseMs: [0, 0] },
};

/** The app's read timeout: a turn slower than this is lost on the real phone too. */
const TURN_TIMEOUT_MS = 45_000;
const HANGUP_TIMEOUT_MS = 10_000;

const defaultEspeak = createEspeakWasm();

function espeakSynthesize(text: string, persona: Persona): Promise<Buffer> {
  return defaultEspeak.speak(text, persona.voice ?? 'en-us', persona.speed ?? 1);
}

class SimCallError extends Error {
  override readonly name = 'SimCallError';
}

/** What the app reads from a /api/turn body (contract §2.3). */
interface TurnBody {
  session_id?: string;
  transcript?: string;
  reply?: string;
  model?: string;
  audio_wav_base64?: string;
  audio_base64?: string;
  audioBase64?: string;
  ended?: boolean;
  rejected?: boolean;
  hangup?: boolean;
  detail?: string;
}

/** One simulated call; `run()` once, `abort()` from anywhere to hang up early. */
export class SimPhone {
  private readonly controller = new AbortController();
  private readonly timing: (typeof SIM_TIMINGS)[SimPace];
  private readonly direction: SimCallDirection;
  private started = false;
  /** Set once the call is winding down on its own: an abort then changes nothing. */
  private ending = false;
  private hangupOnAbort = false;
  private sid = '';
  private turns = 0;

  constructor(private readonly options: SimCallOptions) {
    this.timing = SIM_TIMINGS[options.pace];
    this.direction = options.direction ?? 'outgoing';
  }

  get sessionId(): string {
    return this.sid;
  }

  /**
   * Hangs up early. By default the phone just goes quiet, like the app when Parley's ADB
   * hangup reaches it (Parley ends the session itself); `hangup: true` also posts
   * /api/call/hangup, as when the person on the line hangs up. False if the call is already ending.
   */
  abort({ hangup = false }: { hangup?: boolean } = {}): boolean {
    if (this.ending || this.controller.signal.aborted) return false;
    this.hangupOnAbort = hangup;
    this.controller.abort();
    return true;
  }

  /** Places the call and plays it out; never rejects (failures become outcome `failed`). */
  async run(): Promise<SimCallResult> {
    if (this.started) throw new Error('SimPhone.run() called twice');
    this.started = true;
    try {
      return await this.converse();
    } catch (err) {
      if (this.controller.signal.aborted) {
        this.ending = true;
        const detail = this.hangupOnAbort && this.sid ? await this.hangupGateway() : undefined;
        return this.finish('hung-up', 'aborted', detail);
      }
      this.ending = true;
      return this.finish('failed', 'error', err instanceof Error ? err.message : String(err));
    }
  }

  private async converse(): Promise<SimCallResult> {
    const { number, persona } = this.options;
    // A persona's behaviour wins over the built-in number suffixes (both are deterministic).
    const scripted = persona.behaviour && persona.behaviour !== 'answer' && persona.behaviour !== 'ivr' ? persona.behaviour : undefined;
    const builtIn = scripted ?? SIM_OUTCOME_SUFFIXES[number.replace(/\D/g, '').slice(-4) as keyof typeof SIM_OUTCOME_SUFFIXES];
    if (builtIn === 'busy') return this.finish('busy', 'busy', 'sim: the line is busy');
    if (builtIn === 'failed') return this.finish('failed', 'failed', 'sim: the network could not place the call');

    this.emit({ type: 'ring', number });
    if (builtIn === 'no-answer') {
      await this.sleep(this.timing.ringTimeoutMs);
      return this.finish('no-answer', 'no-answer', `sim: no answer after ${this.timing.ringTimeoutMs} ms`);
    }
    await this.sleep(this.timing.ringMs);
    this.emit({ type: 'answered', number });
    // AMD hears the machine before Parley says anything: no session, nothing recorded (E07).
    const onMachine = this.options.onMachine ?? 'leave_message';
    if (builtIn === 'voicemail' && onMachine !== 'leave_message') {
      return this.finish(onMachine === 'hang_up' ? 'voicemail' : 'no-answer', 'voicemail', MACHINE_REASONS[onMachine]);
    }

    const config = await this.request('GET', '/api/config/call');
    const greeting = String((this.direction === 'outgoing' ? config.greeting_outgoing : config.greeting_incoming) ?? '').trim();
    const stop = await this.turn(null, this.greetingForm(greeting));
    if (stop) return this.finish('hung-up', stop);
    if (builtIn === 'voicemail') {
      // The greeting went onto the tape: the message left.
      this.ending = true;
      await this.hangupGateway();
      return this.finish('voicemail', 'voicemail', MACHINE_REASONS.leave_message);
    }

    // An IVR answers with its menu first; the person behind it follows (E07's IVR guidance).
    const lines = persona.behaviour === 'ivr' ? [IVR_MENU, ...persona.lines] : persona.lines;
    for (const line of lines) {
      this.emit({ type: 'speaking', line });
      // Sent at the synthesiser's rate (espeak-ng: 22.05 kHz), not the app's 24 kHz: both are in
      // the accepted 8–48 kHz (contract §2.2), and resampling would only cost time.
      const wav = toPcm16Mono(await this.synthesize(line));
      // The app posts once the caller has finished speaking; in real time that takes as long as the line.
      if (this.options.pace === 'realtime') await this.sleep(wavDurationMs(wav));
      const lineStop = await this.turn(line, this.lineForm(wav));
      if (lineStop) return this.finish('hung-up', lineStop);
    }
    this.ending = true;
    return this.finish('completed', 'script-complete', await this.hangupGateway());
  }

  /** The greeting exactly as the app sends it (contract §2.2): reset, no sid, silent 16 kHz/300 ms audio. */
  private greetingForm(greeting: string): FormData {
    const form = new FormData();
    form.set('reset_session', 'true');
    if (greeting) {
      form.set('forced_reply', greeting);
      form.set('transcript_hint', greeting);
    } else {
      form.set('transcript_hint', DEFAULT_GREETING_HINT);
    }
    this.setCaller(form);
    form.set('audio', wavBlob(silenceWav(300, 16_000)), 'turn.wav');
    return form;
  }

  private lineForm(wav: Buffer): FormData {
    const form = new FormData();
    form.set('session_id', this.sid);
    this.setCaller(form);
    // Parley's idempotency key (contract §2.2): a retried post would get the stored answer.
    form.set('request_id', randomUUID());
    form.set('audio', wavBlob(wav), 'turn.wav');
    return form;
  }

  private setCaller(form: FormData): void {
    form.set('caller_number', this.options.number);
    form.set('call_direction', this.direction);
    if (this.direction === 'incoming' && this.options.line) form.set('line_number', this.options.line);
  }

  /** Posts one turn, reports it and plays the reply; returns why the call must stop, if it must. */
  private async turn(callerLine: string | null, form: FormData): Promise<SimHangupReason | null> {
    const started = performance.now();
    const body = (await this.request('POST', '/api/turn', form, TURN_TIMEOUT_MS)) as TurnBody;
    const ms = Math.round(performance.now() - started);
    if (body.session_id) this.sid = body.session_id;
    this.turns++;
    if (body.ended) return 'ended';
    this.emit({
      type: 'turn',
      caller_line: callerLine,
      session_id: this.sid,
      transcript: body.transcript ?? '',
      reply: body.reply ?? '',
      model: body.model ?? '',
      ms,
    });
    await this.play(body.audio_wav_base64 || body.audio_base64 || body.audioBase64 || '');
    // App semantics: a rejected or hangup body is played to the end, then the phone disconnects.
    if (body.rejected) return 'rejected';
    if (body.hangup) return 'hangup';
    return null;
  }

  /** "Plays" the reply: in real time, its length from the WAV header plus a human pause. */
  private async play(audioBase64: string): Promise<void> {
    if (this.options.pace !== 'realtime') return;
    let audioMs = 0;
    try {
      if (audioBase64) audioMs = wavDurationMs(Buffer.from(audioBase64, 'base64'));
    } catch {
      // An unreadable reply is silence to the phone too; the conversation goes on.
    }
    const [min, max] = this.timing.pauseMs;
    await this.sleep(audioMs + min + Math.random() * (max - min));
  }

  private synthesize(text: string): Promise<Buffer> {
    return (this.options.synthesize ?? espeakSynthesize)(text, this.options.persona);
  }

  /** Ends the session on Parley's side, as the person on the line hanging up (after `abort()` too). */
  reportHangup(): Promise<string | undefined> {
    return this.hangupGateway();
  }

  private async hangupGateway(): Promise<string | undefined> {
    if (!this.sid) return undefined;
    try {
      const body = await this.request('POST', '/api/call/hangup', { session_id: this.sid }, HANGUP_TIMEOUT_MS, false);
      return typeof body.detail === 'string' ? body.detail : undefined;
    } catch (err) {
      return `hangup failed: ${err instanceof Error ? err.message : String(err)}`;
    }
  }

  private async request(
    method: 'GET' | 'POST',
    path: string,
    body?: FormData | Record<string, unknown>,
    timeoutMs = TURN_TIMEOUT_MS,
    abortable = true,
  ): Promise<Record<string, unknown>> {
    const headers: Record<string, string> = {};
    if (this.options.bearerToken) headers.authorization = `Bearer ${this.options.bearerToken}`;
    let payload: FormData | string | undefined;
    if (body instanceof FormData) payload = body;
    else if (body) {
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(body);
    }
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = abortable ? AbortSignal.any([this.controller.signal, timeout]) : timeout;
    const url = new URL(path, this.options.baseUrl);
    let res: Response;
    let text: string;
    try {
      res = await fetchReconnecting(url, { method, headers, body: payload, signal });
      text = await res.text();
    } catch (err) {
      if (this.controller.signal.aborted && abortable) throw err;
      if (timeout.aborted) throw new SimCallError(`${method} ${path}: no answer within ${timeoutMs} ms`);
      throw new SimCallError(`${method} ${path}: ${describeFetchError(err)}`);
    }
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : {};
    } catch {
      throw new SimCallError(`${method} ${path}: HTTP ${res.status}, not JSON: ${text.slice(0, 200)}`);
    }
    if (!res.ok) {
      const detail = json && typeof json === 'object' && 'detail' in json ? String(json.detail) : text.slice(0, 200);
      throw new SimCallError(`${method} ${path}: HTTP ${res.status} ${detail}`);
    }
    if (!json || typeof json !== 'object' || Array.isArray(json)) throw new SimCallError(`${method} ${path}: expected a JSON object`);
    return json as Record<string, unknown>;
  }

  private sleep(ms: number): Promise<void> {
    const signal = this.controller.signal;
    return new Promise((resolve, reject) => {
      if (signal.aborted) return reject(signal.reason);
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal.reason);
      };
      const timer = setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  private finish(outcome: SimOutcome, reason: SimHangupReason, detail?: string): SimCallResult {
    this.emit(detail === undefined ? { type: 'hangup', reason, outcome } : { type: 'hangup', reason, outcome, detail });
    const result: SimCallResult = { outcome, session_id: this.sid, turns: this.turns };
    return detail === undefined ? result : { ...result, detail };
  }

  private emit(event: SimEvent): void {
    try {
      this.options.onEvent?.(event);
    } catch {
      // A broken listener must not end the call.
    }
  }
}

/** Runs one simulated call to its end (see SimPhone for early hang-up). */
export function runSimCall(options: SimCallOptions): Promise<SimCallResult> {
  return new SimPhone(options).run();
}

function wavBlob(wav: Buffer): Blob {
  return new Blob([new Uint8Array(wav)], { type: 'audio/wav' });
}

/** How long a phone keeps trying to reach a gateway that refuses connections (an API restarting). */
const RECONNECT_MS = 20_000;
const RECONNECT_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'UND_ERR_SOCKET']);

/**
 * fetch, retried while the gateway is unreachable (as the app does when its network drops):
 * a turn carries its `request_id`, so a post that did reach Parley gets the stored answer.
 */
async function fetchReconnecting(url: URL, init: RequestInit & { signal: AbortSignal }): Promise<Response> {
  const deadline = Date.now() + RECONNECT_MS;
  for (;;) {
    try {
      return await fetch(url, init);
    } catch (err) {
      const code = ((err as Error & { cause?: { code?: string } }).cause ?? {}).code;
      if (init.signal.aborted || !code || !RECONNECT_CODES.has(code) || Date.now() > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

/** undici hides the useful part (ECONNREFUSED …) in `cause`. */
function describeFetchError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = (err as Error & { cause?: unknown }).cause;
  return cause instanceof Error ? `${err.message} (${cause.message})` : err.message;
}
