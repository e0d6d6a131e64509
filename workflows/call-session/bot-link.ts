/** The bot side of a call session's state (workflows/call-session/bot.ts acts on it). */
import type { BotRoute, CarriedBot } from './messages';

/** The bot may take 90–120 s; its answer is welcome (spoken on a later turn) this long after the request. */
export const LATE_WINDOW_MS = 180_000;

export interface OpenRequest {
  at: number;
  /** True while a turn waits on it. */
  waiting: boolean;
}

/** A routed call's route, its open deep tool requests, and the answer or greeting a turn waits for. */
export class BotLink {
  /** Undefined until looked up on the call's first turn; null = not routed. */
  route: BotRoute | null | undefined;
  readonly requests = new Map<string, OpenRequest>();
  /** The final answer to the request a turn waits on. */
  answer: string | null = null;
  awaitingGreeting = false;
  greeting: string | null = null;

  constructor(carried?: CarriedBot) {
    if (!carried) return;
    this.route = carried.route;
    for (const r of carried.requests) this.requests.set(r.requestId, { at: r.at, waiting: false });
  }

  carry(): CarriedBot | undefined {
    if (this.route === undefined) return undefined;
    return { route: this.route, requests: [...this.requests].map(([requestId, r]) => ({ requestId, at: r.at })) };
  }

  forgetExpired(): void {
    for (const [id, r] of this.requests) if (!r.waiting && Date.now() - r.at > LATE_WINDOW_MS) this.requests.delete(id);
  }
}

