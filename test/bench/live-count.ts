// Counting over informer caches as events arrive, so that waiting for "1000 pods Ready" neither lists 1000
// pods again and again nor misses the moment: every count is kept up to date per event, and a wait resolves
// at the event that made its condition true.
import { EventEmitter } from 'node:events';
import { type Informer, type KubeConfig, type KubernetesListObject, type KubernetesObject, type ObjectCache, makeInformer } from '@kubernetes/client-node';

/** Anything that tells of changes: a wait listens to these. */
export interface ChangeSource {
  readonly changes: EventEmitter;
}

/** A number kept up to date from one ChangeSource. */
export interface Count {
  readonly total: number;
  readonly source: ChangeSource;
  dispose(): void;
}

/** An informer whose cache is filled, restarted after an error, that tells listeners of every change. */
export class Watched<T extends KubernetesObject> implements ChangeSource {
  readonly changes = new EventEmitter();
  private stopped = false;

  private constructor(
    readonly what: string,
    private readonly informer: Informer<T> & ObjectCache<T>,
  ) {
    const changed = (kind: 'upsert' | 'delete') => (object: T) => this.changes.emit('change', kind, object);
    informer.on('add', changed('upsert'));
    informer.on('update', changed('upsert'));
    informer.on('delete', changed('delete'));
    informer.on('error', () => {
      // The informer stops on an error other than 410 Gone; start it again (it lists afresh and reports deletions).
      if (!this.stopped) setTimeout(() => void this.informer.start().catch(() => undefined), 500);
    });
    this.changes.setMaxListeners(100);
  }

  /** Starts watching `path` (e.g. /api/v1/namespaces/x/pods); resolves once the first list is in the cache. */
  static async start<T extends KubernetesObject>(kc: KubeConfig, path: string, list: () => Promise<KubernetesListObject<T>>): Promise<Watched<T>> {
    const watched = new Watched(path, makeInformer(kc, path, list));
    await watched.informer.start();
    return watched;
  }

  list(): ReadonlyArray<T> {
    return this.informer.list();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.informer.stop();
  }
}

const keyOf = (object: KubernetesObject): string => `${object.metadata?.namespace ?? ''}/${object.metadata?.name ?? ''}`;

/**
 * The sum of `value(object)` over the objects of a Watched cache, kept up to date per event: e.g. 1 per Ready
 * pod, or each Service's runningCount. `dispose` stops following the cache.
 */
export class LiveCount<T extends KubernetesObject> implements Count {
  private readonly values = new Map<string, number>();
  private sum = 0;
  private readonly onChange = (kind: 'upsert' | 'delete', object: T): void => this.apply(kind, object);

  constructor(
    readonly source: Watched<T>,
    private readonly value: (object: T) => number,
  ) {
    for (const object of source.list()) this.apply('upsert', object);
    source.changes.on('change', this.onChange);
  }

  get total(): number {
    return this.sum;
  }

  private apply(kind: 'upsert' | 'delete', object: T): void {
    const key = keyOf(object);
    const next = kind === 'delete' ? 0 : this.value(object);
    this.sum += next - (this.values.get(key) ?? 0);
    if (next === 0) this.values.delete(key);
    else this.values.set(key, next);
  }

  dispose(): void {
    this.source.changes.off('change', this.onChange);
  }
}

/**
 * Resolves with the performance.now() of the first change (of any of `sources`) after which `condition` holds,
 * or at once when it already holds; rejects after `timeoutMs` with `describe()` in the message. `onChange` sees
 * every change first (the chart's samples).
 */
export function until(
  what: string,
  sources: ReadonlyArray<ChangeSource>,
  condition: () => boolean,
  { timeoutMs, describe, onChange }: { timeoutMs: number; describe: () => string; onChange?: (at: number) => void },
): Promise<number> {
  return new Promise((resolve, reject) => {
    const check = (): void => {
      const at = performance.now();
      onChange?.(at);
      if (condition()) finish(() => resolve(at));
    };
    // After the counters of the same event: they subscribed when they were made, before this wait.
    const listener = (): void => check();
    const timer = setTimeout(
      () => finish(() => reject(new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}; last seen: ${describe()}`))),
      timeoutMs,
    );
    const finish = (settle: () => void): void => {
      clearTimeout(timer);
      for (const source of sources) source.changes.off('change', listener);
      settle();
    };
    for (const source of sources) source.changes.on('change', listener);
    check();
  });
}
