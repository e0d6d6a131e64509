/**
 * Instant phone lines for the mission benchmark: every dial is answered and over at once, with
 * no voice session. They exist to measure what the missions engine costs (planning, child
 * workflows, projections); they never serve a real mission.
 */
import type { LineDrivers } from '../activities/missions/lines';

export function instantLines(): LineDrivers {
  return {
    async dial() {
      const done = Promise.resolve({ call_status: 'completed' as const, outcome: 'answered' as const, session_id: '' });
      return { ok: true, call: { sessionId: () => '', done, hangup: async () => undefined } };
    },
    async sendSms() {
      return { ok: true, detail: 'instant: delivered' };
    },
  };
}
