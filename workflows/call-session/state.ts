/** The call session's state, kept apart from the workflow body so handlers stay one-liners. */
import { ApplicationFailure } from '@temporalio/workflow';
import type { CallSessionInput, CallState, EndReason } from './messages';

export class CallSession {
  readonly createdAt = Date.now();
  lastActivityAt = this.createdAt;
  /** Bumped on every activity; the TTL timer restarts whenever it changes. */
  activityCount = 0;
  recorded = false;
  endReason: EndReason | null = null;
  closed = false;

  constructor(readonly input: CallSessionInput) {}

  touch(): void {
    this.activityCount += 1;
    this.lastActivityAt = Date.now();
  }

  validateEnd(): void {
    if (this.endReason !== null) throw ApplicationFailure.nonRetryable('session already ended', 'SessionEnded');
  }

  requestEnd(reason: EndReason): void {
    this.endReason ??= reason;
  }

  view(): CallState {
    return {
      sessionId: this.input.sessionId,
      status: this.closed ? 'ended' : this.endReason ? 'ending' : 'active',
      source: this.input.source,
      callerNumber: this.input.callerNumber,
      callDirection: this.input.callDirection,
      createdAt: this.createdAt,
      lastActivityAt: this.lastActivityAt,
      endReason: this.endReason,
    };
  }
}
