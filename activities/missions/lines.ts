/**
 * Phone lines as the missions plane uses them: place one call and learn how it ended, send one
 * SMS. Wraps the telephony drivers (the simulated phone, an Android phone over ADB).
 */
import type { Db } from '../../infra/db';
import type { LineConfig } from '../../infra/missions-config';
import type { TelephonyDriver } from '../../infra/telephony/driver';
import { SMS_NOT_SUPPORTED } from '../../infra/telephony/driver';
import type { SimDriver } from '../../infra/telephony/sim-driver';
import { SIM_OUTCOME_SUFFIXES } from '../../infra/telephony/sim-phone';
import type { MachinePolicy } from '../../common/missions';

/** How a placed call ended (spec §4 driver mapping). */
export interface LineCallResult {
  call_status: 'completed' | 'no-answer' | 'busy' | 'failed' | 'canceled';
  outcome: 'answered' | 'voicemail' | null;
  /** The voice session the call opened ("" when it was never answered). */
  session_id: string;
  detail?: string;
}

export interface DialedCall {
  /** The session once the callee answered, else "". */
  sessionId(): string;
  done: Promise<LineCallResult>;
  /** Hangs up (before or after answer); `done` then settles. */
  hangup(): Promise<void>;
}

export interface SmsResult {
  ok: boolean;
  detail: string;
  /** A reply the line received at once (the simulated phone answers every text). */
  reply?: string;
}

/** How one dial is placed. */
export interface DialOptions {
  /** E07: a machine that answers gets a message, a hang-up, or (AMD off) is not told apart. */
  onMachine: MachinePolicy;
}

/** What the missions activities need from the lines; tests inject scripted ones. */
export interface LineDrivers {
  dial(line: LineConfig, to: string, options?: DialOptions): Promise<{ ok: true; call: DialedCall } | { ok: false; detail: string }>;
  sendSms(line: LineConfig, to: string, text: string): Promise<SmsResult>;
}

/** Simulated lines: every dial is a SimPhone call against Parley's own phone API. */
export function simLineDrivers(sim: SimDriver): Pick<LineDrivers, 'dial' | 'sendSms'> {
  return {
    async dial(_line, to, options) {
      const dialed = await sim.dial({ number: to, onMachine: options?.onMachine });
      if (!dialed.ok || !dialed.command_id) return { ok: false, detail: dialed.detail };
      const info = sim.activeCalls().find((c) => c.command_id === dialed.command_id);
      if (!info) return { ok: false, detail: 'sim: the call ended before it could be followed' };
      let hungUpByUs = false;
      const sessionId = () => sim.activeCalls().find((c) => c.command_id === dialed.command_id)?.session_id ?? '';
      const done = info.done.then((r): LineCallResult => {
        const base = { session_id: r.session_id, detail: r.detail };
        switch (r.outcome) {
          case 'completed':
            return { ...base, call_status: 'completed', outcome: 'answered' };
          case 'voicemail':
            // A message left, or AMD's hang-up on the machine: `detail` tells which (MACHINE_REASONS).
            return { ...base, call_status: 'completed', outcome: 'voicemail' };
          case 'hung-up':
            // Hung up by us before anybody answered: `canceled`; after talking: `completed`.
            return r.session_id ? { ...base, call_status: 'completed', outcome: 'answered' } : { ...base, call_status: hungUpByUs ? 'canceled' : 'failed', outcome: null };
          case 'failed':
            // Dropped after the callee answered and talked: the conversation happened.
            return r.session_id && r.turns > 1 ? { ...base, call_status: 'completed', outcome: 'answered' } : { ...base, call_status: 'failed', outcome: null };
          default:
            return { ...base, call_status: r.outcome, outcome: null };
        }
      });
      return {
        ok: true,
        call: {
          sessionId,
          done,
          async hangup() {
            hungUpByUs = true;
            sim.hangupCommand(dialed.command_id!);
          },
        },
      };
    },
    async sendSms(_line, to, text) {
      // The simulated phone "receives" the text and answers it, unless its number fails calls.
      if (SIM_OUTCOME_SUFFIXES[to.replace(/\D/g, '').slice(-4) as keyof typeof SIM_OUTCOME_SUFFIXES] === 'failed') {
        return { ok: false, detail: 'sim: the network refused the message' };
      }
      return { ok: true, detail: 'sim: delivered', reply: `Simulated reply: got your message "${text.slice(0, 80)}"` };
    },
  };
}

/**
 * ADB lines: the Clawfinger app places the call; Parley learns its fate from the voice session
 * the app opens. The app reports neither busy nor ringing states, so an unanswered call is
 * `no-answer` after `answerTimeoutMs` and a busy line also looks like `no-answer`. It has no AMD
 * either: `onMachine` cannot apply, and a machine that answers is a conversation.
 */
export function adbLineDrivers(adb: TelephonyDriver, db: Db, options: { answerTimeoutMs?: number; watchMs?: number } = {}): Pick<LineDrivers, 'dial' | 'sendSms'> {
  const answerTimeoutMs = options.answerTimeoutMs ?? 45_000;
  const watchMs = options.watchMs ?? 1000;
  return {
    async dial(line, to) {
      const since = new Date();
      const dialed = await adb.dial({ number: to, serial: line.serial || undefined });
      if (!dialed.ok) return { ok: false, detail: dialed.detail };
      let sid = '';
      let hungUp = false;
      const done = (async (): Promise<LineCallResult> => {
        // The app's session row is the only signal of the call's progress an ADB line has.
        for (;;) {
          const session = await db.callSession.findFirst({ where: { createdAt: { gte: since }, callDirection: 'outgoing' }, orderBy: { createdAt: 'asc' } });
          if (session) sid = session.id;
          if (session?.status === 'ended') return { call_status: 'completed', outcome: 'answered', session_id: session.id };
          if (!session && Date.now() - since.getTime() > answerTimeoutMs) {
            await adb.hangup({ serial: line.serial || undefined });
            return { call_status: 'no-answer', outcome: null, session_id: '' };
          }
          if (hungUp && !session) return { call_status: 'canceled', outcome: null, session_id: '' };
          await new Promise((r) => setTimeout(r, watchMs));
        }
      })();
      return {
        ok: true,
        call: {
          sessionId: () => sid,
          done,
          async hangup() {
            hungUp = true;
            await adb.hangup({ serial: line.serial || undefined });
          },
        },
      };
    },
    async sendSms() {
      // The Clawfinger app has no SMS command that reports delivery: refuse rather than guess.
      return { ok: false, detail: SMS_NOT_SUPPORTED };
    },
  };
}

/** Routes each line to its driver. */
export function lineDrivers(drivers: { sim?: Pick<LineDrivers, 'dial' | 'sendSms'>; adb?: Pick<LineDrivers, 'dial' | 'sendSms'> }): LineDrivers {
  const pick = (line: LineConfig) => {
    const d = drivers[line.driver];
    if (!d) throw new Error(`no ${line.driver} driver in this worker`);
    return d;
  };
  return {
    dial: (line, to, options) => pick(line).dial(line, to, options),
    sendSms: (line, to, text) => pick(line).sendSms(line, to, text),
  };
}
