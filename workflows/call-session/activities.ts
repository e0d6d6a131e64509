/**
 * Every activity the call-session workflow calls, with its timeouts and retries in one place.
 * Activities are imported as types only: their code runs in the worker, never in the workflow.
 */
import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { StoreActivities } from '../../activities/store';
import type { TurnActivities } from '../../activities/turn';
import type { BotActivities } from '../../activities/clawdtalk';
import { BOOKKEEPING_ATTEMPT_MS, NON_RETRYABLE_STAGE_ERRORS, STAGE_BUDGETS, STAGE_RETRY_INITIAL_MS, type StageName } from '../../common/turn-stages';

// The turn's stages run as local activities: a turn is one workflow task, with no server round
// trip per stage (each regular activity cost ~40 ms of dispatch here, measured: see README
// "Design decisions"). A reset or end arriving mid-turn is caught by the session's fencing
// token when the turn commits.
//
// Each provider stage gets a total budget, retry included (scheduleToClose): STAGE_BUDGETS
// (common/turn-stages.ts) says why they add up to 36 s. A stage out of budget answers the
// contract's error.
const stage = (name: StageName) => {
  const b = STAGE_BUDGETS[name];
  return proxyLocalActivities<TurnActivities>({
    startToCloseTimeout: b.startToCloseMs,
    scheduleToCloseTimeout: b.scheduleToCloseMs,
    retry: { initialInterval: STAGE_RETRY_INITIAL_MS, maximumAttempts: b.maximumAttempts, nonRetryableErrorTypes: NON_RETRYABLE_STAGE_ERRORS },
  });
};
export const asrStage = stage('asr');
export const llmStage = stage('llm');
export const ttsStage = stage('tts');

// A plain turn (no takeover, bot, inject or greeting) as ONE local activity (`answerTurn`:
// caller policy, ASR, LLM, TTS and the commit), and a known reply's TTS and commit as one
// (`speakAndCommit`). Each part keeps its budget above, enforced inside the activity
// (activities/turn-progress.ts). Every local activity costs an activation of the workflow thread
// and a marker; five of them were most of a turn's orchestration cost (docs/capacity.md).
// Temporal still owns the retries: a failed part fails the attempt, and the retry resumes at
// that part (finished parts are kept by the worker), so each stage keeps its attempts and
// budget, and bookkeeping is retried until the database answers, as below.
export const turnAnswer = proxyLocalActivities<TurnActivities>({
  // Only an outer bound for one attempt: each part has its own, shorter limit inside.
  startToCloseTimeout: '60 seconds',
  retry: { initialInterval: STAGE_RETRY_INITIAL_MS, maximumInterval: '5 seconds', nonRetryableErrorTypes: NON_RETRYABLE_STAGE_ERRORS },
});

// Bookkeeping is a few database writes: local, and retried until the database answers,
// whatever the turn's fate.
export const bookkeeping = proxyLocalActivities<TurnActivities>({
  startToCloseTimeout: BOOKKEEPING_ATTEMPT_MS,
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
