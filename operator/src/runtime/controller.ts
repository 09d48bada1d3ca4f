// A controller in the controller-runtime mould: events of any informer become keys in a work queue, workers
// hand each key to one reconcile function, which reads the cache, converges the world, and reports whether
// to look again later. Errors retry with per-key backoff; success resets it. A periodic resync re-enqueues
// every object of the primary kind, repairing whatever a missed event left behind.
import type { KubernetesObject, V1OwnerReference } from '@kubernetes/client-node';
import { WritesFencedError, statusCodeOf } from './clients.js';
import { type Cancel, type Clock, realClock } from './clock.js';
import { crashFields, handleCrash } from './handle-crash.js';
import type { SharedInformer } from './informer.js';
import { keyOf, objectKey, splitKey } from './keys.js';
import { type Logger, errorFields, silentLogger } from './logging.js';
import { Metrics } from './metrics.js';
import { WorkQueue } from './queue.js';

export interface ReconcileContext {
  /** `namespace/name`, or `name` for a cluster-scoped kind. */
  key: string;
  namespace?: string;
  name: string;
  /** Logs with `controller` and `key` on every line. */
  log: Logger;
  /** Aborted when the controller stops (shutdown or lost leadership): stop early, write nothing more. */
  signal: AbortSignal;
}

/** What a reconcile may ask for: to run again after a while even if nothing changes (timeouts, retention). */
// eslint-disable-next-line @typescript-eslint/no-invalid-void-type -- a reconcile that asks for nothing just returns
export type ReconcileResult = { requeueAfterMs?: number } | void;

export type Reconcile = (context: ReconcileContext) => Promise<ReconcileResult>;

/** The keys of the primary objects an event of some object concerns (none: ignore the event). */
export type KeyMapper<T> = (obj: T) => string | readonly string[] | undefined;

/** Maps an object to its own key. */
export const ownKey: KeyMapper<KubernetesObject> = (obj) => objectKey(obj);

/** Maps a child to the key of its controller (the ownerReference with controller: true) if it is of `kind`. */
export function controllerOwnerKey(kind: string, apiVersion?: string): KeyMapper<KubernetesObject> {
  return (obj) => {
    const owner = controllerOf(obj);
    if (!owner || owner.kind !== kind || (apiVersion !== undefined && owner.apiVersion !== apiVersion)) return undefined;
    return keyOf(owner.name, obj.metadata?.namespace);
  };
}

/** The ownerReference with `controller: true`, if any. */
export function controllerOf(obj: KubernetesObject): V1OwnerReference | undefined {
  return obj.metadata?.ownerReferences?.find((reference) => reference.controller === true);
}

export interface WatchOptions<T> {
  /**
   * Whether an update, given the object before it, concerns this controller. Adds and deletes always do.
   * When it does, the keys of the old object are enqueued as well as those of the new.
   */
  relevantUpdate?: (obj: T, old: T) => boolean;
  /** Enqueue this much later, so that a burst of events costs one reconcile (and at most one status write). */
  coalesceMs?: number;
}

export interface ControllerOptions {
  name: string;
  /** The informer of the kind this controller reconciles; its objects are enqueued by their own key. */
  primary: SharedInformer<KubernetesObject>;
  reconcile: Reconcile;
  /** Workers; one key is never reconciled by two at once. Default 1. */
  concurrency?: number;
  /** Every how often all primary objects are enqueued again. Default 5 minutes; 0 turns it off. */
  resyncPeriodMs?: number;
}

export interface ControllerDependencies {
  log?: Logger;
  metrics?: Metrics;
  clock?: Clock;
}

export class Controller {
  readonly name: string;
  /** Replaced at each run after the first (the one before was shut down). */
  private currentQueue: WorkQueue;
  private readonly primary: SharedInformer<KubernetesObject>;
  private readonly reconcile: Reconcile;
  private readonly concurrency: number;
  private readonly resyncPeriodMs: number;
  private readonly log: Logger;
  private readonly metrics: Metrics;
  private readonly clock: Clock;
  private running = false;
  private runs = 0;
  private readonly ticks: Array<{ periodMs: number; tick: () => Promise<void> }> = [];

  constructor(options: ControllerOptions, { log, metrics, clock = realClock }: ControllerDependencies = {}) {
    this.name = options.name;
    this.primary = options.primary;
    this.reconcile = options.reconcile;
    this.concurrency = Math.max(1, options.concurrency ?? 1);
    this.resyncPeriodMs = options.resyncPeriodMs ?? 5 * 60_000;
    this.log = (log ?? silentLogger()).child({ controller: this.name });
    this.metrics = metrics ?? new Metrics();
    this.clock = clock;
    this.currentQueue = new WorkQueue({ clock });
    this.watch(this.primary, ownKey);
  }

  get queue(): WorkQueue {
    return this.currentQueue;
  }

  /**
   * Enqueues the keys `map` gives for every add, update and delete `informer` reports; updates only when
   * `relevantUpdate` (if given) says the change matters to this controller, so that status churn of objects it
   * reads (pod conditions, node heartbeats) costs no reconcile. With `coalesceMs`, keys are enqueued that much
   * later, and a burst of events within it ends in one reconcile. A mapper or predicate that throws on an
   * object (one the API server admitted without a field it reads) enqueues nothing for it.
   */
  watch<T extends KubernetesObject>(informer: SharedInformer<T>, map: KeyMapper<T>, options: WatchOptions<T> = {}): this {
    const onCrash = (what: string) => (error: unknown, key: string) => {
      this.metrics.handlerPanics.inc({ controller: this.name });
      this.log.error(`${what} threw; the event is dropped`, { key, ...errorFields(error), ...crashFields(error) });
    };
    const keysOf = handleCrash(map, onCrash('key mapper'));
    const relevant = options.relevantUpdate ? handleCrash(options.relevantUpdate, onCrash('update predicate')) : undefined;
    const coalesceMs = options.coalesceMs ?? 0;
    const enqueue = (keys: string | readonly string[] | undefined): void => {
      if (typeof keys === 'string') this.queue.addAfter(keys, coalesceMs);
      else keys?.forEach((key) => this.queue.addAfter(key, coalesceMs));
    };
    informer.onChange((obj, old) => {
      if (old && relevant && relevant(obj, old) !== true) return;
      enqueue(keysOf(obj));
      // A change that matters may also concern what the object concerned before (a label moved it away).
      if (old && relevant) enqueue(keysOf(old));
    });
    return this;
  }

  enqueue(key: string, afterMs = 0): void {
    this.queue.addAfter(key, afterMs);
  }

  /**
   * Runs `tick` when the controller starts and then `periodMs` after each run ends, while it runs (on the
   * leader only): for what no informer reports, such as metrics, to enqueue the keys it concerns. A tick that
   * throws is logged, and the next one runs as planned.
   */
  every(periodMs: number, tick: () => Promise<void>): this {
    this.ticks.push({ periodMs, tick });
    return this;
  }

  /**
   * Reconciles until `signal` aborts, then stops taking keys and resolves once the reconciles in flight have
   * finished (the caller bounds that wait). Runs again after that (a replica that lost the lease and leads
   * again) with a fresh queue that starts from every primary object; never twice at once.
   */
  async run(signal: AbortSignal): Promise<void> {
    if (this.running) throw new Error(`controller ${this.name} is already running`);
    this.running = true;
    // The last run shut its queue down (dropping what waited): a new term starts from every object.
    if (this.runs++ === 0) this.metrics.trackQueueDepth(this.name, () => this.queue.depth);
    else this.currentQueue = new WorkQueue({ clock: this.clock });
    const queue = this.queue;
    this.log.info('controller started', { concurrency: this.concurrency, resyncPeriodMs: this.resyncPeriodMs });
    const stopResync = this.resyncEvery(this.resyncPeriodMs);
    const stopTicks = this.ticks.map(({ periodMs, tick }) => this.tickEvery(periodMs, tick));
    this.enqueueAll();
    const stop = (): void => {
      stopResync();
      stopTicks.forEach((stopTick) => stopTick());
      void queue.shutdown();
    };
    if (signal.aborted) stop();
    else signal.addEventListener('abort', stop, { once: true });
    try {
      await queue.runWorkers(this.concurrency, (key) => this.process(key, signal));
    } finally {
      this.running = false;
    }
    this.log.info('controller stopped');
  }

  private enqueueAll(): void {
    for (const key of this.primary.keys()) this.queue.add(key);
  }

  private resyncEvery(periodMs: number): () => void {
    if (periodMs <= 0) return () => undefined;
    let cancel: Cancel | undefined;
    const schedule = (): void => {
      cancel = this.clock.setTimeout(() => {
        this.enqueueAll();
        schedule();
      }, periodMs);
    };
    schedule();
    return () => cancel?.();
  }

  private tickEvery(periodMs: number, tick: () => Promise<void>): () => void {
    let cancel: Cancel | undefined;
    let stopped = false;
    const run = (): void => {
      tick()
        .catch((error: unknown) => this.log.error('periodic task failed', errorFields(error)))
        .finally(() => {
          if (!stopped) cancel = this.clock.setTimeout(run, periodMs);
        });
    };
    run();
    return () => {
      stopped = true;
      cancel?.();
    };
  }

  private async process(key: string, signal: AbortSignal): Promise<void> {
    const log = this.log.child({ key });
    const stopTimer = this.metrics.reconcileDuration.startTimer({ controller: this.name });
    try {
      const result = await this.reconcile({ key, ...splitKey(key), log, signal });
      this.queue.forget(key);
      const requeueAfterMs = result?.requeueAfterMs;
      if (requeueAfterMs !== undefined && requeueAfterMs >= 0) this.queue.addAfter(key, requeueAfterMs);
      this.metrics.reconciles.inc({ controller: this.name, result: requeueAfterMs !== undefined ? 'requeue' : 'success' });
    } catch (error) {
      this.metrics.reconciles.inc({ controller: this.name, result: 'error' });
      this.metrics.reconcileErrors.inc({ controller: this.name });
      if (error instanceof WritesFencedError || signal.aborted) {
        log.debug('reconcile stopped: not leading', errorFields(error));
        return;
      }
      const retries = this.queue.retries(key);
      const fields = { ...errorFields(error), retries };
      // A conflict only means the cache was behind a write: expected now and then, not worth an error line.
      if (statusCodeOf(error) === 409) log.info('conflict; retrying', fields);
      else log.error('reconcile failed; retrying with backoff', fields);
      this.queue.addRateLimited(key);
    } finally {
      stopTimer();
    }
  }
}
