/**
 * TEST DOUBLE: phone lines whose callees behave by number, instantly and without audio, for the
 * missions tests. Suffix 0000 never answers, 0001 is busy, 0002 fails, 0003 is a voicemail
 * (a message left, AMD's hang-up or, AMD off, no answer: as the dial's `onMachine` says),
 * 0009 rings until hung up; anything else answers, says one line (stored as a voice session with
 * one turn, so insights have a transcript) and hangs up. `sequence` scripts outcomes per number
 * for successive attempts (e.g. busy, then answer).
 */
import { randomUUID } from 'node:crypto';
import type { Db } from '../../infra/db';
import type { LineConfig } from '../../infra/missions-config';
import type { LineCallResult, LineDrivers } from '../../activities/missions/lines';
import { MACHINE_REASONS } from '../../common/missions';
import type { MissionLines } from '../../worker/activities';

export type Scripted = 'answer' | 'no-answer' | 'busy' | 'failed' | 'voicemail' | 'hold';

export interface ScriptedLines extends MissionLines {
  dials: Array<{ from: string; to: string; at: number }>;
  texts: Array<{ from: string; to: string; text: string }>;
  /** Outcomes for the next attempts to `to`, in order. */
  script(to: string, outcomes: Scripted[]): void;
}

const BY_SUFFIX: Record<string, Scripted> = { '0000': 'no-answer', '0001': 'busy', '0002': 'failed', '0003': 'voicemail', '0009': 'hold' };
export const CALLEE_LINE = 'Hello, our price is 240 dollars and we can come tomorrow.';

export function scriptedLines(db: Db, lines: LineConfig[], options: { callMs?: number } = {}): ScriptedLines {
  const dials: ScriptedLines['dials'] = [];
  const texts: ScriptedLines['texts'] = [];
  const scripts = new Map<string, Scripted[]>();
  const callMs = options.callMs ?? 50;
  const drivers: LineDrivers = {
    async dial(line, to, options) {
      dials.push({ from: line.number, to, at: Date.now() });
      const behaviour = scripts.get(to)?.shift() ?? BY_SUFFIX[to.slice(-4)] ?? 'answer';
      let sid = '';
      let hangup: () => void = () => undefined;
      const done = new Promise<LineCallResult>((resolve) => {
        hangup = () => resolve(sid ? { call_status: 'completed', outcome: 'answered', session_id: sid } : { call_status: 'canceled', outcome: null, session_id: '' });
        const later = (r: LineCallResult) => setTimeout(() => resolve(r), callMs);
        if (behaviour === 'hold') return;
        if (behaviour === 'answer') {
          sid = randomUUID().replace(/-/g, '');
          void db.callSession
            .create({ data: { id: sid, workflowId: `scripted-${sid}`, status: 'ended', callerNumber: to, callDirection: 'outgoing', turns: { create: { id: randomUUID(), seq: 1, transcript: CALLEE_LINE, reply: 'Thank you, noted.' } } } })
            .then(() => later({ call_status: 'completed', outcome: 'answered', session_id: sid }));
          return;
        }
        if (behaviour === 'voicemail') {
          const onMachine = options?.onMachine ?? 'leave_message';
          return later({ call_status: onMachine === 'undetected' ? 'no-answer' : 'completed', outcome: onMachine === 'undetected' ? null : 'voicemail', session_id: '', detail: MACHINE_REASONS[onMachine] });
        }
        later({ call_status: behaviour, outcome: null, session_id: '' });
      });
      return { ok: true, call: { sessionId: () => sid, done, hangup: async () => hangup() } };
    },
    async sendSms(line, to, text) {
      texts.push({ from: line.number, to, text });
      if (to.endsWith('0002')) return { ok: false, detail: 'scripted: refused' };
      return { ok: true, detail: 'scripted: delivered', reply: `Reply to: ${text}` };
    },
  };
  return { lines, drivers, dials, texts, script: (to, outcomes) => void scripts.set(to, [...outcomes]) };
}
