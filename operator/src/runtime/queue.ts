// A work queue of string keys with the guarantees of client-go's workqueue: a key waiting to be processed is
// held once however often it is added, a key is never processed by two workers at once, a key added while it
// is being processed is processed again afterwards, and failures retry with per-key exponential backoff.
import { type Cancel, type Clock, realClock } from './clock.js';

/** Per-key retry delays. */
export interface RateLimiter {
  /** The delay before the next retry of `key`; each call counts one more failure. */
  when(key: string): number;
  /** Clears the failures of `key` (after a success). */
  forget(key: string): void;
  /** How many failures of `key` are counted. */
  retries(key: string): number;
}

/** base·2^failures, capped: 5 ms, 10 ms, 20 ms ... 5 min, like client-go's default per-item limiter. */
export class ExponentialBackoff implements RateLimiter {
  private readonly failures = new Map<string, number>();

  constructor(
    private readonly baseMs = 5,
    private readonly maxMs = 5 * 60_000,
  ) {}

  when(key: string): number {
    const failures = this.failures.get(key) ?? 0;
    this.failures.set(key, failures + 1);
    // 2^failures overflows to Infinity long after the cap is reached; Math.min keeps the cap.
    return Math.min(this.baseMs * 2 ** failures, this.maxMs);
  }

  forget(key: string): void {
    this.failures.delete(key);
  }

  retries(key: string): number {
    return this.failures.get(key) ?? 0;
  }
}

export interface WorkQueueOptions {
  clock?: Clock;
  rateLimiter?: RateLimiter;
}

export class WorkQueue {
  private readonly clock: Clock;
  private readonly rateLimiter: RateLimiter;
  /** Keys ready to be handed out, in arrival order. */
  private readonly ready: string[] = [];
  /** Keys that need processing (ready, or re-added while processing). */
  private readonly dirty = new Set<string>();
  private readonly processing = new Set<string>();
  /** Keys waiting for `addAfter`: only the earliest deadline per key is kept. */
  private readonly delayed = new Map<string, { readyAt: number; cancel: Cancel }>();
  /** Workers blocked in `get`. */
  private readonly getters: Array<(key: string | undefined) => void> = [];
  private readonly idleWaiters: Array<() => void> = [];
  private shuttingDown = false;

  constructor({ clock = realClock, rateLimiter = new ExponentialBackoff() }: WorkQueueOptions = {}) {
    this.clock = clock;
    this.rateLimiter = rateLimiter;
  }

  /** Keys ready and not yet handed to a worker. */
  get depth(): number {
    return this.ready.length;
  }

  get isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  add(key: string): void {
    if (this.shuttingDown || this.dirty.has(key)) return;
    this.dirty.add(key);
    if (this.processing.has(key)) return; // `done` puts it back
    this.handOut(key);
  }

  addAfter(key: string, ms: number): void {
    if (this.shuttingDown) return;
    if (ms <= 0) return this.add(key);
    const readyAt = this.clock.now() + ms;
    const waiting = this.delayed.get(key);
    if (waiting && waiting.readyAt <= readyAt) return;
    waiting?.cancel();
    const cancel = this.clock.setTimeout(() => {
      this.delayed.delete(key);
      this.add(key);
    }, ms);
    this.delayed.set(key, { readyAt, cancel });
  }

  /** Adds `key` after its backoff delay; each call doubles the next delay until `forget`. */
  addRateLimited(key: string): void {
    this.addAfter(key, this.rateLimiter.when(key));
  }

  forget(key: string): void {
    this.rateLimiter.forget(key);
  }

  retries(key: string): number {
    return this.rateLimiter.retries(key);
  }

  /** The next key to process, or undefined once the queue shuts down. Pair every key with `done`. */
  get(): Promise<string | undefined> {
    if (this.shuttingDown) return Promise.resolve(undefined);
    const key = this.ready.shift();
    if (key !== undefined) return Promise.resolve(this.take(key));
    return new Promise((resolve) => this.getters.push(resolve));
  }

  /** Marks `key` processed; if it was added meanwhile it becomes ready again. */
  done(key: string): void {
    this.processing.delete(key);
    if (this.dirty.has(key) && !this.shuttingDown) this.handOut(key);
    if (this.shuttingDown && this.processing.size === 0) this.idleWaiters.splice(0).forEach((wake) => wake());
  }

  /**
   * Stops handing out work and resolves once the keys being processed are done. Keys still waiting are
   * dropped: controllers are level-triggered and enqueue every object again when they next start.
   */
  shutdown(): Promise<void> {
    if (!this.shuttingDown) {
      this.shuttingDown = true;
      for (const { cancel } of this.delayed.values()) cancel();
      this.delayed.clear();
      this.ready.length = 0;
      this.dirty.clear();
      this.getters.splice(0).forEach((wake) => wake(undefined));
    }
    if (this.processing.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Runs `n` workers that take keys and pass them to `handler` until shutdown; resolves when all have stopped.
   * The handler should settle every error itself; one that escapes is retried with backoff so no worker dies.
   */
  async runWorkers(n: number, handler: (key: string) => Promise<void>): Promise<void> {
    const worker = async (): Promise<void> => {
      for (let key = await this.get(); key !== undefined; key = await this.get()) {
        try {
          await handler(key);
        } catch {
          this.addRateLimited(key);
        } finally {
          this.done(key);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, n) }, worker));
  }

  private handOut(key: string): void {
    const getter = this.getters.shift();
    if (getter) getter(this.take(key));
    else this.ready.push(key);
  }

  private take(key: string): string {
    this.dirty.delete(key);
    this.processing.add(key);
    return key;
  }
}
