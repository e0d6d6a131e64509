import { proxyActivities } from '@temporalio/workflow';
import type { RetentionActivities, RetentionPolicy } from '../../activities/retention';

// A large backlog may take a while to delete; a failed run is simply retried by the next one.
const retention = proxyActivities<RetentionActivities>({
  startToCloseTimeout: '5 minutes',
  retry: { maximumAttempts: 3 },
});

/** One retention pass; the `parley-retention` Schedule starts it every hour. */
export async function retentionWorkflow(policy: RetentionPolicy): Promise<{ audioBlobs: number; events: number }> {
  return retention.pruneExpiredData(policy);
}
