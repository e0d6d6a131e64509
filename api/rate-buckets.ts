/**
 * Token buckets by key (an API key, a client address, a key prefix): `perSecond` refill up to
 * `capacity`. Process-local: each API replica counts its own traffic (see README).
 */

/** Above this many keys, buckets that are full again (idle keys) are forgotten. */
const PRUNE_ABOVE = 10_000;

export class Buckets {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  constructor(
    readonly perSecond: number,
    readonly capacity: number,
  ) {}

  /** Takes a token: 0 when allowed, else the whole seconds until one is free. */
  take(key: string): number {
    const b = this.refill(key);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return this.wait(b.tokens);
  }

  /** 0 when `key` has a token left, else the whole seconds until it has; takes nothing. */
  check(key: string): number {
    const tokens = this.buckets.has(key) ? this.refill(key).tokens : this.capacity;
    return tokens >= 1 ? 0 : this.wait(tokens);
  }

  remaining(key: string): number {
    return Math.floor(this.buckets.get(key)?.tokens ?? this.capacity);
  }

  private wait(tokens: number): number {
    return Math.max(1, Math.ceil((1 - tokens) / this.perSecond));
  }

  private refill(key: string): { tokens: number; at: number } {
    const now = Date.now();
    const b = this.buckets.get(key) ?? { tokens: this.capacity, at: now };
    b.tokens = Math.min(this.capacity, b.tokens + ((now - b.at) / 1000) * this.perSecond);
    b.at = now;
    if (!this.buckets.has(key)) {
      if (this.buckets.size >= PRUNE_ABOVE) this.prune(now);
      this.buckets.set(key, b);
    }
    return b;
  }

  private prune(now: number): void {
    for (const [key, b] of this.buckets) {
      if (b.tokens + ((now - b.at) / 1000) * this.perSecond >= this.capacity) this.buckets.delete(key);
    }
  }
}
