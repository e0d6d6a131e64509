/**
 * A phone turn's stage budgets and fixed replies, in one place for both sides: the workflow
 * builds its activity proxies from the budgets, and the one-activity turns (`answerTurn`,
 * `speakAndCommit` in activities/turn.ts, through activities/turn-progress.ts) enforce the same
 * budgets on each stage they run. Pure data: the
 * workflow bundle imports it.
 */

export type StageName = 'asr' | 'llm' | 'tts';

export interface StageBudget {
  /** One attempt's limit. */
  startToCloseMs: number;
  /** The stage's whole budget, retry included, counted from its first attempt. */
  scheduleToCloseMs: number;
  maximumAttempts: number;
}

// The phone gives up after 45 s and the contract answers within turn_budget_s (40 s) of arrival:
// each provider stage gets a total budget, retry included, and the three add up to 36 s, leaving
// the rest for bookkeeping. A stage out of budget answers the contract's error.
export const STAGE_BUDGETS: Record<StageName, StageBudget> = {
  asr: { startToCloseMs: 8_000, scheduleToCloseMs: 10_000, maximumAttempts: 2 },
  llm: { startToCloseMs: 15_000, scheduleToCloseMs: 18_000, maximumAttempts: 2 },
  tts: { startToCloseMs: 6_000, scheduleToCloseMs: 8_000, maximumAttempts: 2 },
};

/** The pause before a stage's second attempt. */
export const STAGE_RETRY_INITIAL_MS = 200;
/** A provider's refusal (bad audio, a rejected request): retrying cannot help. */
export const NON_RETRYABLE_STAGE_ERRORS = ['ProviderRejected'];

/** Bookkeeping (a few database writes) per attempt; retried until the database answers. */
export const BOOKKEEPING_ATTEMPT_MS = 10_000;

export const CLARIFY_REPLY = 'I could not hear that clearly. Please try again.';
export const AUTH_OK_REPLY = 'Authentication successful. How can I help you?';
export const AUTH_RETRY_REPLY = "That's not correct. Please try again.";

/** A failed passphrase attempt (§2.4 step 8): try again, or the reject message and hang up. */
export function failedPassphrase(attemptsSoFar: number, authMaxAttempts: number, rejectMessage: string): { reply: string; hangup: boolean } {
  return authMaxAttempts > 0 && attemptsSoFar >= authMaxAttempts ? { reply: rejectMessage, hangup: true } : { reply: AUTH_RETRY_REPLY, hangup: false };
}
