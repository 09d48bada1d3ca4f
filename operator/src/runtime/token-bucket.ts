// The client-side rate limit of kube-controller-manager's clients (client-go's token bucket: --kube-api-qps
// tokens a second, up to --kube-api-burst saved up). A burst of reconciles, a resync of thousands of objects
// say, then queues in the operator instead of hitting the API server all at once, and API Priority and
// Fairness is left to arbitrate between clients rather than to absorb one client's bursts.
import { type Clock, realClock } from './clock.js';

export class TokenBucket {
  /** Tokens in the bucket as of `updatedAt`; below zero, tokens already promised to requests waiting. */
  private tokens: number;
  private updatedAt: number;

  constructor(
    private readonly qps: number,
    private readonly burst: number,
    private readonly clock: Pick<Clock, 'monotonic' | 'sleep'> = realClock,
  ) {
    if (!(qps > 0)) throw new Error(`a rate limit needs a positive rate, not ${qps}`);
    if (!(burst >= 1)) throw new Error(`a rate limit needs a burst of at least 1, not ${burst}`);
    this.tokens = burst;
    this.updatedAt = clock.monotonic();
  }

  /**
   * Resolves when the caller may send one request: at once while tokens are left, else when its token will
   * have been added. Callers are served in the order they asked (each takes the next token to come).
   */
  take(): Promise<void> {
    const now = this.clock.monotonic();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.updatedAt) * this.qps) / 1000);
    this.updatedAt = now;
    this.tokens -= 1;
    if (this.tokens >= 0) return Promise.resolve();
    return this.clock.sleep((-this.tokens * 1000) / this.qps);
  }
}
