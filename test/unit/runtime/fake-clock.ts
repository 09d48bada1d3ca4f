// A clock the test moves by hand: timers run in deadline order, and pending promise callbacks settle between them.
import type { Cancel, Clock } from '../../../operator/src/runtime/clock.js';
import { sleepOn } from '../../../operator/src/runtime/clock.js';

interface Timer {
  at: number;
  seq: number;
  callback: () => void;
}

/** Lets every promise callback and I/O callback that is already due run (no time passes). */
export async function settle(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((resolve) => setImmediate(resolve));
}

export class FakeClock implements Clock {
  private time: number;
  private seq = 0;
  private timers: Timer[] = [];

  constructor(start = Date.UTC(2025, 0, 1)) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  /** Moves with `now`: the tests that set the wall clock apart do so on the lease, not here. */
  monotonic(): number {
    return this.time;
  }

  setTimeout(callback: () => void, ms: number): Cancel {
    const timer = { at: this.time + Math.max(0, ms), seq: this.seq++, callback };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((t) => t !== timer);
    };
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return sleepOn(this, ms, signal);
  }

  /** Number of timers not yet run. */
  get pending(): number {
    return this.timers.length;
  }

  /**
   * Moves time forward by `ms` as a blocked event loop sees it: no timer runs, however overdue, until the
   * next `advance`.
   */
  stall(ms: number): void {
    this.time += ms;
  }

  /** Moves time forward by `ms`, running each timer that falls due at its own instant. */
  async advance(ms: number): Promise<void> {
    const target = this.time + ms;
    await settle();
    for (;;) {
      const next = this.timers.filter((t) => t.at <= target).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!next) break;
      this.timers = this.timers.filter((t) => t !== next);
      this.time = Math.max(this.time, next.at); // overdue after a stall: runs late, as it would
      next.callback();
      await settle();
    }
    this.time = target;
    await settle();
  }
}
