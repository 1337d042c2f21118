// Sign-in attempts with backoff, per user and per client address. In-process: each replica
// counts its own attempts, so with N replicas behind a round-robin Service an attacker gets up
// to N times the budget, still doubling the wait after every failure.

/** How many failures are free, and how the wait grows after them. */
export interface ThrottlePolicy {
  freeFailures: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** A key's failures are forgotten after this long without one. */
  forgetAfterMs: number;
}

export const DEFAULT_THROTTLE: ThrottlePolicy = { freeFailures: 5, baseDelayMs: 1_000, maxDelayMs: 15 * 60_000, forgetAfterMs: 60 * 60_000 };

interface Failures {
  count: number;
  last: number;
  blockedUntil: number;
}

/** Exponential backoff on failed sign-ins for each key (`user:alice`, `address:10.1.2.3`). */
export class SignInThrottle {
  private readonly failures = new Map<string, Failures>();

  constructor(
    private readonly policy: ThrottlePolicy = DEFAULT_THROTTLE,
    private readonly now: () => number = Date.now,
  ) {}

  /** Seconds to wait before the next attempt for any of the keys, or 0 when it may go ahead. */
  retryAfterSeconds(keys: string[]): number {
    const now = this.now();
    let waitMs = 0;
    for (const key of keys) {
      const entry = this.current(key, now);
      if (entry) waitMs = Math.max(waitMs, entry.blockedUntil - now);
    }
    return Math.ceil(waitMs / 1000);
  }

  /** Counts a failed attempt against every key; from the (free + 1)th on, each doubles the wait. */
  recordFailure(keys: string[]): void {
    const now = this.now();
    for (const key of keys) {
      const entry = this.current(key, now) ?? { count: 0, last: now, blockedUntil: 0 };
      entry.count += 1;
      entry.last = now;
      const over = entry.count - this.policy.freeFailures;
      if (over > 0) entry.blockedUntil = now + Math.min(this.policy.maxDelayMs, this.policy.baseDelayMs * 2 ** (over - 1));
      this.failures.set(key, entry);
    }
    this.prune(now);
  }

  /** A successful sign-in clears the user's record (not the address's: others may share it). */
  recordSuccess(keys: string[]): void {
    for (const key of keys) this.failures.delete(key);
  }

  private current(key: string, now: number): Failures | undefined {
    const entry = this.failures.get(key);
    if (entry && now - entry.last > this.policy.forgetAfterMs) {
      this.failures.delete(key);
      return undefined;
    }
    return entry;
  }

  // Bounded memory under a spray of user names: drop what has been forgotten anyway.
  private prune(now: number): void {
    if (this.failures.size < 10_000) return;
    for (const [key, entry] of this.failures) if (now - entry.last > this.policy.forgetAfterMs || entry.blockedUntil < now) this.failures.delete(key);
  }
}

const globalKey = Symbol.for('meshdeck.signInThrottle');
/** This process's throttle, shared by the sign-in route and the credentials check. */
export function signInThrottle(): SignInThrottle {
  const g = globalThis as typeof globalThis & { [globalKey]?: SignInThrottle };
  return (g[globalKey] ??= new SignInThrottle());
}
