/**
 * Every activity the call-session workflow calls, with its timeouts and retries in one place.
 * Activities are imported as types only: their code runs in the worker, never in the workflow.
 */
import { proxyActivities, proxyLocalActivities, type RetryPolicy } from '@temporalio/workflow';
import type { StoreActivities } from '../../activities/store';
import type { TurnActivities } from '../../activities/turn';
import type { BotActivities } from '../../activities/clawdtalk';

// The turn's stages run as local activities: a turn is one workflow task, with no server round
// trip per stage (each regular activity cost ~40 ms of dispatch here, measured: see README
// "Design decisions"). A reset or end arriving mid-turn is caught by the session's fencing
// token when the turn commits.
//
// The phone gives up after 45 s and the contract answers within turn_budget_s (40 s) of arrival:
// each provider stage gets a total budget, retry included (scheduleToClose), and the three add up
// to 36 s, leaving the rest for bookkeeping. A stage out of budget answers the contract's error.
const stageRetry: RetryPolicy = { initialInterval: '200 milliseconds', maximumAttempts: 2, nonRetryableErrorTypes: ['ProviderRejected'] };
export const asrStage = proxyLocalActivities<TurnActivities>({ startToCloseTimeout: '8 seconds', scheduleToCloseTimeout: '10 seconds', retry: stageRetry });
export const llmStage = proxyLocalActivities<TurnActivities>({ startToCloseTimeout: '15 seconds', scheduleToCloseTimeout: '18 seconds', retry: stageRetry });
export const ttsStage = proxyLocalActivities<TurnActivities>({ startToCloseTimeout: '6 seconds', scheduleToCloseTimeout: '8 seconds', retry: stageRetry });

// Bookkeeping is a few database writes: local, and retried until the database answers,
// whatever the turn's fate.
export const bookkeeping = proxyLocalActivities<TurnActivities>({
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '200 milliseconds', maximumInterval: '5 seconds' },
});

// Injects are synthesised inside the update, before the ack: the contract reports tts_ms.
export const injects = proxyLocalActivities<TurnActivities>({
  startToCloseTimeout: '15 seconds',
  retry: { initialInterval: '200 milliseconds', maximumAttempts: 2 },
});

// Off the request path (compaction, the caller's words on an inject poll): a failure keeps
// the old summary or drops the unheard words (contract §5), the call goes on.
export const background = proxyActivities<TurnActivities>({
  startToCloseTimeout: '60 seconds',
  retry: { maximumAttempts: 3 },
});

// Session rows and events: a stuck database surfaces within seconds and Temporal keeps
// retrying (with backoff) until it is back, so no session start or end is ever lost.
export const store = proxyActivities<StoreActivities>({
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '200 milliseconds', maximumInterval: '10 seconds' },
});

// The bot plane's writes on the turn path (route lookup, deep_tool_request) are a read and a
// write or two: local like the bookkeeping, retried until the database answers.
export const botStage = proxyLocalActivities<BotActivities>({
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '200 milliseconds', maximumInterval: '5 seconds' },
});

// An inbound routed call's call.ended, off the turn path: retried until the database is back.
export const botStore = proxyActivities<BotActivities>({
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '200 milliseconds', maximumInterval: '10 seconds' },
});
