/**
 * The SIMULATED telephony driver: instead of broadcasting to the Clawfinger app over ADB, a dial
 * starts a SimPhone that calls Parley's own phone API over HTTP. One simulated phone, serial
 * `sim`; several simulated calls may run at once (the real app refuses a dial while a call is live).
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import type { DialInput, DialResult, HangupInput, TelephonyDriver, TelephonyResult } from './driver';
import { SMS_NOT_SUPPORTED } from './driver';
import { loadPersonas, personaFor, type Persona } from './personas';
import { SimPhone, type SimCallResult, type SimEvent, type SimPace } from './sim-phone';

export const SIM_SERIAL = 'sim';

/** pino-compatible: `createLogger(...)` fits. */
export interface SimDriverLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface SimDriverOptions {
  /** Where the simulated phone finds Parley, e.g. `http://127.0.0.1:8996`. */
  baseUrl: string;
  bearerToken?: string;
  /** The caller decides the default (e.g. from `PARLEY_SIM_PACE`). */
  pace: SimPace;
  /** Personas file; default the shipped `sim/personas.json`. Read on every dial, so edits apply at once. */
  personasFile?: string;
  log?: SimDriverLog;
  /** A file to append one JSON line to per accepted dial (the lines' own count of what they dialled). */
  dialLog?: string;
  /** Text → WAV for the caller's lines; default espeak-ng. */
  synthesize?: (text: string, persona: Persona) => Promise<Buffer>;
}

export interface SimCallInfo {
  command_id: string;
  number: string;
  persona: string;
  started_at: Date;
  /** "" until the greeting turn has answered. */
  session_id: string;
  /** Settles when the call ends. */
  done: Promise<SimCallResult>;
}

export interface SimDriver extends TelephonyDriver {
  /** Calls still running, oldest first. */
  activeCalls(): SimCallInfo[];
  /** Hangs up the one call placed by `command_id` and ends its session (false when it is not running here). */
  hangupCommand(command_id: string): boolean;
  /** Aborts every call and waits for them to finish (graceful shutdown). */
  close(): Promise<void>;
}

interface ActiveCall {
  phone: SimPhone;
  info: Omit<SimCallInfo, 'session_id'>;
}

/** Builds the simulated driver. */
export function createSimDriver(options: SimDriverOptions): SimDriver {
  const active = new Map<string, ActiveCall>();
  const log = options.log;

  function wrongSerial(serial: string | undefined): TelephonyResult | null {
    return serial && serial !== SIM_SERIAL ? { ok: false, detail: `sim: no phone with serial ${serial} (the simulated phone is "${SIM_SERIAL}")` } : null;
  }

  return {
    async dial(input: DialInput): Promise<DialResult> {
      const refused = wrongSerial(input.serial);
      if (refused) return refused;
      const command_id = `sim-${randomUUID()}`;
      // Synchronously, the moment the line takes the dial: the record survives a worker killed
      // right after (the duplicate-dial test counts these lines).
      if (options.dialLog) fs.appendFileSync(options.dialLog, JSON.stringify({ at: new Date().toISOString(), number: input.number, command_id, on_machine: input.onMachine ?? 'leave_message' }) + '\n');
      let persona: Persona;
      try {
        persona = personaFor(await loadPersonas(options.personasFile), input.number);
      } catch (err) {
        return { ok: false, detail: `sim: ${err instanceof Error ? err.message : String(err)}`, serial: SIM_SERIAL };
      }
      const phone = new SimPhone({
        baseUrl: options.baseUrl,
        bearerToken: options.bearerToken,
        number: input.number,
        persona,
        pace: options.pace,
        direction: 'outgoing',
        synthesize: options.synthesize,
        onMachine: input.onMachine,
        onEvent: (event: SimEvent) => log?.info({ command_id, ...event }, `sim call ${event.type}`),
      });
      // run() never rejects; the catch only keeps a bug from becoming an unhandled rejection.
      const done = phone.run().catch((err: unknown): SimCallResult => ({ outcome: 'failed', session_id: phone.sessionId, turns: 0, detail: String(err) }));
      active.set(command_id, { phone, info: { command_id, number: input.number, persona: persona.name, started_at: new Date(), done } });
      void done.then((result) => {
        active.delete(command_id);
        if (result.outcome === 'failed') log?.warn({ command_id, ...result }, 'sim call ended');
        else log?.info({ command_id, ...result }, 'sim call ended');
      });
      return { ok: true, detail: `sim: dialling ${input.number}`, command_id, serial: SIM_SERIAL };
    },

    async hangup(input: HangupInput): Promise<TelephonyResult> {
      const refused = wrongSerial(input.serial);
      if (refused) return refused;
      // With a session id, only the simulated call on that session hangs up: several
      // simulated calls can run at once (the benchmark runs hundreds).
      const calls = [...active.values()].filter((call) => !input.session_id || call.phone.sessionId === input.session_id);
      // Every phone in sim mode is simulated: one run elsewhere (`parley phone`) hangs up itself,
      // so a hangup for its session counts as delivered and the session ends.
      if (calls.length === 0 && input.session_id) return { ok: true, detail: 'sim: hung up (phone outside this process)', serial: SIM_SERIAL };
      if (calls.length === 0) return { ok: false, detail: 'sim: no active call', serial: SIM_SERIAL };
      // A call already posting its own /api/call/hangup still counts: this hangup reached it.
      for (const call of calls) call.phone.abort();
      return { ok: true, detail: `sim: hung up ${calls.length} call(s)`, serial: SIM_SERIAL };
    },

    async sendSms(): Promise<TelephonyResult> {
      return { ok: false, detail: SMS_NOT_SUPPORTED };
    },

    hangupCommand(command_id: string): boolean {
      const call = active.get(command_id);
      if (!call) return false;
      call.phone.abort();
      // Parley hung up (call.sh end, an event's DELETE): the callee's phone reports the hang-up, so
      // the voice session ends with the call instead of lingering `active` until its TTL. In the
      // background: ending a session waits for its turn in flight, the hang-up itself need not.
      void call.phone.reportHangup().then((detail) => log?.info({ command_id, detail }, 'sim call: hang-up reported'));
      return true;
    },

    activeCalls(): SimCallInfo[] {
      return [...active.values()].map(({ phone, info }) => ({ ...info, session_id: phone.sessionId }));
    },

    async close(): Promise<void> {
      const calls = [...active.values()];
      for (const call of calls) call.phone.abort();
      await Promise.all(calls.map((call) => call.info.done));
    },
  };
}
