// Time as a dependency: the queue, informers and leader election take a Clock so unit tests drive time by hand.

/** Cancels a scheduled callback; calling it after the callback ran does nothing. */
export type Cancel = () => void;

export interface Clock {
  /** Milliseconds since the epoch: for times other processes read (a Lease's renewTime). */
  now(): number;
  /**
   * Milliseconds on a clock that only moves forward, whatever is done to the wall clock: for how long
   * something has lasted on this process (a lease's validity).
   */
  monotonic(): number;
  /** Runs `callback` after `ms` milliseconds. */
  setTimeout(callback: () => void, ms: number): Cancel;
  /** Resolves after `ms` milliseconds, or as soon as `signal` aborts (it never rejects: callers check the signal). */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** Wall-clock time. Timers are unref'd: a pending retry or resync never keeps a finished process alive. */
export const realClock: Clock = {
  now: () => Date.now(),
  monotonic: () => performance.now(),
  setTimeout(callback, ms) {
    const timer = setTimeout(callback, Math.max(0, ms));
    timer.unref();
    return () => clearTimeout(timer);
  },
  sleep: (ms, signal) => sleepOn(realClock, ms, signal),
};

/** `sleep` for any clock, built on its `setTimeout`. */
export function sleepOn(clock: Pick<Clock, 'setTimeout'>, ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      cancel();
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const cancel = clock.setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
