import { allHandlersFinished, condition, proxyActivities, setHandler } from '@temporalio/workflow';
import type { StoreActivities } from '../../activities/store';
import { CallSession } from './state';
import {
  CallSessionInput,
  CallSessionResult,
  callStateQuery,
  endSessionUpdate,
  openSessionUpdate,
} from './messages';

// Database writes are short; a stuck database should surface within seconds, and Temporal
// keeps retrying (with backoff) until it is back, so no session end is ever lost.
const store = proxyActivities<StoreActivities>({
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '200 milliseconds', maximumInterval: '10 seconds' },
});

/** One live call: holds its state, answers queries, and ends on request or after session_ttl idle. */
export async function callSessionWorkflow(input: CallSessionInput): Promise<CallSessionResult> {
  const session = new CallSession(input);
  setHandler(callStateQuery, () => session.view());
  setHandler(openSessionUpdate, async () => {
    await condition(() => session.recorded);
    return { session_id: input.sessionId };
  });
  setHandler(
    endSessionUpdate,
    async ({ reason }) => {
      session.requestEnd(reason);
      await condition(() => session.closed);
      return { ok: true, session_id: input.sessionId } as const;
    },
    { validator: (_request) => session.validateEnd() },
  );

  await store.recordSessionStarted({
    sessionId: input.sessionId,
    source: input.source,
    callerNumber: input.callerNumber,
    callDirection: input.callDirection,
  });
  session.recorded = true;

  while (session.endReason === null) {
    const seen = session.activityCount;
    const woke = await condition(
      () => session.endReason !== null || session.activityCount !== seen,
      input.sessionTtlSeconds * 1000,
    );
    if (!woke) session.requestEnd('stale');
  }

  const endReason = session.endReason;
  await store.recordSessionEnded({ sessionId: input.sessionId, reason: endReason });
  session.closed = true;
  await condition(allHandlersFinished);
  return { sessionId: input.sessionId, endReason };
}
