/** The missions workflows' activity proxies, with their timeouts and retry policies. */
import { ActivityCancellationType, patched, proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { MissionCallActivities } from '../../activities/missions/calls';
import type { DeclarativeActivities } from '../../activities/missions/declarative';
import type { InsightActivities } from '../../activities/missions/insights';
import type { MissionStoreActivities } from '../../activities/missions/store';

/** Projection writes: small database writes, retried until the database answers. */
export const store = proxyActivities<MissionStoreActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});

/**
 * One call attempt: a call may last long, so liveness is the heartbeat (a lost worker is noticed
 * in 30 s). A busy line (`LineBusy`) is retried every few seconds until it frees up; the dial
 * itself is guarded by the call record, so a retry never dials twice.
 */
export const calls = proxyActivities<MissionCallActivities>({
  startToCloseTimeout: '2 hours',
  heartbeatTimeout: '30 seconds',
  // A cancelled attempt hangs up first: the workflow waits for that before it reads the outcome.
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  retry: { initialInterval: '2 seconds', backoffCoefficient: 1.5, maximumInterval: '15 seconds', nonRetryableErrorTypes: ['UnknownLine'] },
});

/**
 * Insights: one model request, so 2 minutes a try; the activity stores `failed` itself on its
 * fifth try (INSIGHT_MAX_TRIES), hence the five attempts.
 */
const INSIGHT_OPTIONS = {
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumAttempts: 5 },
} as const;
const insightsRemote = proxyActivities<InsightActivities>(INSIGHT_OPTIONS);
/**
 * Since this patch an event extracts its insights as a local activity, in the workflow task that
 * saw the call end, with the same timeout and tries. The regular one cost a server round trip, a
 * workflow task and three history events per answered call. A slow model keeps the workflow task
 * open; the SDK heartbeats it, and the event has nothing else to do meanwhile (a cancel or stop
 * is handled when the extraction returns, as it was when the regular activity completed).
 */
export const LOCAL_INSIGHTS_PATCH = 'insights-local';
const insightsLocal = proxyLocalActivities<InsightActivities>(INSIGHT_OPTIONS);
/** The insight extractor of an event (local since LOCAL_INSIGHTS_PATCH; `local` says it is known). */
export const insights = (local: boolean) => (local ? insightsLocal : insightsRemote);

/** A declarative run's writes: small transactions, retried until the database answers (a memory conflict too). */
export const declarative = proxyActivities<DeclarativeActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});

/** An `act` webhook: the receiver gets 10 s a try and five tries, then the act step fails (E09). */
export const webhooks = proxyActivities<Pick<DeclarativeActivities, 'postWebhook'>>({
  startToCloseTimeout: '15 seconds',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumAttempts: 5 },
});

/**
 * Since this patch the events' and the declarative runs' own writes (projection rows, step
 * statuses, run events) run as local activities: each regular one cost a server round trip and
 * a workflow task, and a batch's critical path had ten of them. Histories recorded before the
 * patch keep their regular activities.
 */
export const LOCAL_WRITES_PATCH = 'mission-local-writes';
/** The same small writes, local: retried until the database answers, as the regular ones. */
const storeLocal = proxyLocalActivities<MissionStoreActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});
const declarativeLocal = proxyLocalActivities<DeclarativeActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});
/** The projection writer of an event or a run (local since LOCAL_WRITES_PATCH; `local` says it is known). */
export const projection = (local?: boolean) => (local || patched(LOCAL_WRITES_PATCH) ? storeLocal : store);
/** A declarative run's step, event and memory writes (local since LOCAL_WRITES_PATCH). */
export const runLog = () => (patched(LOCAL_WRITES_PATCH) ? declarativeLocal : declarative);
