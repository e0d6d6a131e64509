/** In-memory store activities for workflow tests: records what the workflow asked for. */
import type { StoreActivities } from '../../activities/store';

export function createFakeStore() {
  const calls: Array<{ name: keyof StoreActivities; args: unknown }> = [];
  const activities: StoreActivities = {
    async recordSessionStarted(s) {
      calls.push({ name: 'recordSessionStarted', args: s });
    },
    async recordSessionEnded(s) {
      calls.push({ name: 'recordSessionEnded', args: s });
    },
  };
  return { activities, calls };
}
