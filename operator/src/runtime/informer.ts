// Shared informers: one list-then-watch cache per resource path (and label selector), shared by every
// controller that reads that resource. Built on client-node's ListWatch (what `makeInformer` returns), with
// what it lacks: it relists by itself only on 410 Gone and merely emits `error` otherwise, so a SharedInformer
// restarts it with backoff on every error, and relists after a few watches in a row failed (a watch that
// keeps failing from one resourceVersion would otherwise be retried from it forever); it tells when the first
// list reached the cache (hasSynced) and whether the cache is still fresh (a list or a working watch within a
// bound, for /readyz); and objects of core kinds are deserialized into client-node's typed models on the watch
// as on the list, so a cached Pod has Dates where its type says Date whichever way it arrived.
import {
  type KubernetesListObject,
  type KubernetesObject,
  ListWatch,
  type V1ControllerRevision,
  type V1Node,
  type V1Pod,
  type V1ReplicaSet,
  type V1ServiceAccount,
  Watch,
} from '@kubernetes/client-node';
import { ObjectSerializer } from '@kubernetes/client-node/dist/serializer.js';
import { ECS_GROUP, ECS_KINDS, ECS_VERSION, type EcsKind, type EcsResourceOf } from '../api/index.js';
import { type ApiClients, describeRequest, statusCodeOf } from './clients.js';
import { type Cancel, type Clock, realClock } from './clock.js';
import { crashFields, handleCrash } from './handle-crash.js';
import { objectKey } from './keys.js';
import { type Logger, errorFields, silentLogger } from './logging.js';
import type { Metrics } from './metrics.js';
import { ExponentialBackoff } from './queue.js';

/** A kind the operator reads: how to address it and how to list it. */
export interface ResourceType<T extends KubernetesObject = KubernetesObject> {
  readonly apiVersion: string;
  readonly kind: string;
  readonly plural: string;
  readonly namespaced: boolean;
  /** client-node model name (`V1Pod`) of core kinds; custom kinds stay plain JSON. */
  readonly model?: string;
  list(clients: ApiClients, namespace: string | undefined, labelSelector: string | undefined): Promise<KubernetesListObject<T>>;
}

/** `/api/v1/namespaces/NS/pods`, `/apis/ecs.operator.dev/v1alpha1/tasks` ... (no namespace: all namespaces). */
export function resourcePath(resource: ResourceType, namespace?: string): string {
  const root = resource.apiVersion === 'v1' ? '/api/v1' : `/apis/${resource.apiVersion}`;
  const scope = resource.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  return `${root}${scope}/${resource.plural}`;
}

function ecsResource<K extends EcsKind>(kind: K): ResourceType<EcsResourceOf[K]> {
  const { plural } = ECS_KINDS[kind];
  const coordinates = { group: ECS_GROUP, version: ECS_VERSION, plural };
  return {
    apiVersion: `${ECS_GROUP}/${ECS_VERSION}`,
    kind,
    plural,
    namespaced: true,
    list: (clients, namespace, labelSelector) =>
      namespace
        ? clients.custom.listNamespacedCustomObject({ ...coordinates, namespace, labelSelector })
        : clients.custom.listClusterCustomObject({ ...coordinates, labelSelector }),
  };
}

function coreResource<T extends KubernetesObject>(
  apiVersion: string,
  kind: string,
  plural: string,
  namespaced: boolean,
  list: ResourceType<T>['list'],
): ResourceType<T> {
  return { apiVersion, kind, plural, namespaced, model: `V1${kind}`, list };
}

/** Every kind the operator reads. */
export const RESOURCES = {
  clusters: ecsResource('Cluster'),
  taskDefinitions: ecsResource('TaskDefinition'),
  tasks: ecsResource('Task'),
  services: ecsResource('Service'),
  scheduledTasks: ecsResource('ScheduledTask'),
  pods: coreResource<V1Pod>('v1', 'Pod', 'pods', true, ({ core }, namespace, labelSelector) =>
    namespace ? core.listNamespacedPod({ namespace, labelSelector }) : core.listPodForAllNamespaces({ labelSelector }),
  ),
  nodes: coreResource<V1Node>('v1', 'Node', 'nodes', false, ({ core }, _namespace, labelSelector) =>
    core.listNode({ labelSelector }),
  ),
  replicaSets: coreResource<V1ReplicaSet>('apps/v1', 'ReplicaSet', 'replicasets', true, ({ apps }, namespace, labelSelector) =>
    namespace
      ? apps.listNamespacedReplicaSet({ namespace, labelSelector })
      : apps.listReplicaSetForAllNamespaces({ labelSelector }),
  ),
  controllerRevisions: coreResource<V1ControllerRevision>(
    'apps/v1',
    'ControllerRevision',
    'controllerrevisions',
    true,
    ({ apps }, namespace, labelSelector) =>
      namespace
        ? apps.listNamespacedControllerRevision({ namespace, labelSelector })
        : apps.listControllerRevisionForAllNamespaces({ labelSelector }),
  ),
  serviceAccounts: coreResource<V1ServiceAccount>('v1', 'ServiceAccount', 'serviceaccounts', true, ({ core }, namespace, labelSelector) =>
    namespace ? core.listNamespacedServiceAccount({ namespace, labelSelector }) : core.listServiceAccountForAllNamespaces({ labelSelector }),
  ),
};

/** What a ListWatch needs of client-node's Watch; tests and the e2e suite put their own in between. */
export type Watcher = Pick<Watch, 'watch'>;
type WatchQuery = Parameters<Watch['watch']>[1];
type WatchCallback = Parameters<Watch['watch']>[2];
type DoneCallback = Parameters<Watch['watch']>[3];

export type ObjectHandler<T> = (obj: T) => void;
/** Removes the handler it was returned for. */
export type Unsubscribe = () => void;

export interface InformerOptions {
  /** Watch this namespace only (ignored for cluster-scoped kinds); all namespaces when absent. */
  namespace?: string;
  labelSelector?: string;
  clock?: Clock;
  log?: Logger;
  metrics?: Metrics;
  /** Defaults to client-node's Watch on the clients' kubeconfig. */
  watcher?: Watcher;
  /** Restart delays after an error: 1 s doubling to 30 s unless given. */
  restartBackoff?: { baseMs: number; maxMs: number };
  /** Watches failed in a row after which the next restart lists afresh instead of watching on. Default 3. */
  relistAfterWatchFailures?: number;
  /** How long the cache may go without a successful list or a working watch before it counts as stale. Default 60 s. */
  staleAfterMs?: number;
}

/** The answer on which ListWatch lists afresh: 410 Gone. */
const gone = (): Error => Object.assign(new Error('relisting after repeated watch failures'), { statusCode: 410 });

/** Errors ListWatch itself recovers from without a restart: 410 Gone (relists) and its client-side timeout. */
function isRecoverable(error: unknown): boolean {
  return statusCodeOf(error) === 410 || (error instanceof Error && error.name === 'TimeoutError');
}

export class SharedInformer<T extends KubernetesObject> {
  readonly path: string;
  readonly labelSelector: string | undefined;
  private readonly listWatch: ListWatch<T>;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly metrics: Metrics | undefined;
  private readonly backoff: ExponentialBackoff;
  private readonly syncWaiters: Array<() => void> = [];
  private synced = false;
  private running = false;
  private cancelRestart: Cancel | undefined;
  /** Label of this resource in metrics: `pods`, `tasks.ecs.operator.dev`. */
  private readonly resourceLabel: string;
  private readonly relistAfterWatchFailures: number;
  private readonly staleAfterMs: number;
  /** Watches in a row that ended in an error (or an ERROR event) instead of working. */
  private watchFailures = 0;
  /** Whether a watch is open and has not reported an error. */
  private watching = false;
  /** Monotonic time when the cache was last known current: a list applied, or a working watch seen. */
  private freshAt = Number.NEGATIVE_INFINITY;

  constructor(
    clients: ApiClients,
    readonly resource: ResourceType<T>,
    options: InformerOptions = {},
  ) {
    const namespace = resource.namespaced ? options.namespace : undefined;
    this.path = resourcePath(resource, namespace);
    this.labelSelector = options.labelSelector;
    this.clock = options.clock ?? realClock;
    this.log = (options.log ?? silentLogger()).child({ informer: this.path, labelSelector: this.labelSelector });
    this.metrics = options.metrics;
    this.backoff = new ExponentialBackoff(options.restartBackoff?.baseMs ?? 1000, options.restartBackoff?.maxMs ?? 30_000);
    this.resourceLabel = describeRequest('GET', this.path).resource;
    this.relistAfterWatchFailures = options.relistAfterWatchFailures ?? 3;
    this.staleAfterMs = options.staleAfterMs ?? 60_000;
    const watcher = this.observe(options.watcher ?? new Watch(clients.kc));
    // List items of built-in kinds come without apiVersion and kind; watch events carry them. Set them so that
    // any cached object can be passed to a write as it is.
    const list = async () => {
      const result = await resource.list(clients, namespace, this.labelSelector);
      for (const item of result.items) {
        item.apiVersion ??= resource.apiVersion;
        item.kind ??= resource.kind;
      }
      this.freshAt = this.clock.monotonic();
      this.backoff.forget(this.path);
      return result;
    };
    this.listWatch = new ListWatch<T>(this.path, watcher as Watch, list, false, this.labelSelector, undefined, {
      delayFn: (ms) => this.clock.sleep(ms),
    });
    this.listWatch.on('error', (error: unknown) => this.restartAfterError(error));
  }

  /** Starts listing and watching; returns at once (use waitForSync). */
  start(): void {
    if (this.running) return;
    this.running = true;
    void this.listWatch.start();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.cancelRestart?.();
    this.cancelRestart = undefined;
    await this.listWatch.stop();
  }

  /** True once a complete list has reached the cache. It stays true across restarts: the cache is kept. */
  hasSynced(): boolean {
    return this.synced;
  }

  /**
   * How long the cache has gone without a successful list or a working watch beyond the staleness bound, or
   * 0 while it is fresh (or not synced yet: that is `hasSynced`'s to tell).
   */
  staleForMs(): number {
    if (!this.synced || this.watching) return 0;
    const age = this.clock.monotonic() - this.freshAt;
    return age > this.staleAfterMs ? age : 0;
  }

  /** Resolves once synced, or when `signal` aborts (check `hasSynced` then). */
  waitForSync(signal?: AbortSignal): Promise<void> {
    if (this.synced || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      this.syncWaiters.push(resolve);
      signal?.addEventListener('abort', () => resolve(), { once: true });
    });
  }

  get(name: string, namespace?: string): T | undefined {
    return this.listWatch.get(name, namespace);
  }

  list(namespace?: string): readonly T[] {
    return this.listWatch.list(namespace);
  }

  /** Work queue keys of every cached object. */
  keys(): string[] {
    return this.list().map(objectKey);
  }

  onAdd(handler: ObjectHandler<T>): Unsubscribe {
    return this.subscribe('add', handler);
  }

  /** Called with the new object only (the cache does not keep the old one). */
  onUpdate(handler: ObjectHandler<T>): Unsubscribe {
    return this.subscribe('update', handler);
  }

  /** Called with the last state the cache held, also for deletions noticed by a relist. */
  onDelete(handler: ObjectHandler<T>): Unsubscribe {
    return this.subscribe('delete', handler);
  }

  /** Any add, update or delete. */
  onChange(handler: ObjectHandler<T>): Unsubscribe {
    return this.subscribe('change', handler);
  }

  /** Each handler is guarded: one that throws on an object neither stops the others nor the informer. */
  private subscribe(verb: 'add' | 'update' | 'delete' | 'change', handler: ObjectHandler<T>): Unsubscribe {
    const guarded = handleCrash(handler, (error, key) => {
      this.metrics?.handlerPanics.inc({ informer: this.resourceLabel });
      this.log.error('event handler threw; the event is dropped for it', { event: verb, key, ...errorFields(error), ...crashFields(error) });
    });
    this.listWatch.on(verb, guarded);
    return () => this.listWatch.off(verb, guarded);
  }

  private restartAfterError(error: unknown): void {
    if (!this.running || this.cancelRestart) return;
    this.metrics?.informerRestarts.inc({ resource: this.resourceLabel });
    const delay = this.backoff.when(this.path);
    this.log.warn('list or watch failed; restarting the informer', { ...errorFields(error), retryInMs: delay });
    this.cancelRestart = this.clock.setTimeout(() => {
      this.cancelRestart = undefined;
      if (this.running) void this.listWatch.start();
    }, delay);
  }

  /**
   * Wraps the watcher: ListWatch calls `watch` only after a list has been applied to its cache, which is what
   * marks the informer synced; a watch keeps the cache fresh while it is open and has not failed; after
   * `relistAfterWatchFailures` failed watches in a row the next one is answered with Gone, on which ListWatch
   * lists afresh; objects of core kinds are deserialized into typed models.
   */
  private observe(inner: Watcher): Watcher {
    const model = this.resource.model;
    const typed = (obj: unknown): unknown => (model ? ObjectSerializer.deserialize(obj, model) : obj);
    return {
      watch: async (path: string, query: WatchQuery, callback: WatchCallback, done: DoneCallback) => {
        this.markSynced();
        if (this.watchFailures >= this.relistAfterWatchFailures) {
          this.log.warn('watches keep failing; listing afresh', { watchFailures: this.watchFailures, resourceVersion: query.resourceVersion });
          this.watchFailures = 0;
          this.metrics?.informerRelists.inc({ resource: this.resourceLabel });
          // After ListWatch has taken this call's answer: it sets the request it aborts on stop from it.
          setImmediate(() => done(gone()));
          return new AbortController();
        }
        this.metrics?.apiRequests.inc({ verb: 'watch', resource: this.resourceLabel });
        let failed = false;
        const fail = (): void => {
          if (failed) return;
          failed = true;
          this.watchFailures++;
          if (this.watching) this.freshAt = this.clock.monotonic();
          this.watching = false;
        };
        const controller = await inner.watch(
          path,
          query,
          (phase, obj, raw) => {
            // An ERROR event (other than Gone, which ListWatch handles) means this watch serves nothing more.
            if (phase === 'ERROR' && statusCodeOf(obj) !== 410) fail();
            else if (phase !== 'ERROR') this.worked();
            return callback(phase, phase === 'ERROR' ? obj : typed(obj), raw);
          },
          (error) => {
            if (error && !isRecoverable(error)) fail();
            else if (!failed) this.watchEnded();
            done(error);
          },
        );
        // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- set by the callbacks, which may already have run
        if (!failed) this.watching = true;
        return controller;
      },
    };
  }

  /** A watch that worked until it ended: the cache was current until now. */
  private watchEnded(): void {
    if (this.watching) this.freshAt = this.clock.monotonic();
    this.watching = false;
    this.worked();
  }

  /**
   * The watch delivered an event or ended cleanly: failures in a row start again from zero, and so do the
   * restart delays. A watch that merely connects proves nothing: it may fail again at once.
   */
  private worked(): void {
    this.watchFailures = 0;
    this.backoff.forget(this.path);
  }

  private markSynced(): void {
    if (this.synced) return;
    this.synced = true;
    this.log.debug('informer synced', { objects: this.list().length });
    this.syncWaiters.splice(0).forEach((wake) => wake());
  }
}

export type InformerFactoryOptions = Omit<InformerOptions, 'labelSelector'>;

/**
 * One SharedInformer per resource path and label selector, however many controllers ask for it. Informers
 * asked for after `start` start at once.
 */
export class InformerFactory {
  private readonly informers = new Map<string, SharedInformer<KubernetesObject>>();
  private started = false;

  constructor(
    private readonly clients: ApiClients,
    private readonly options: InformerFactoryOptions = {},
  ) {}

  /** The namespace watched, or undefined for all namespaces. */
  get namespace(): string | undefined {
    return this.options.namespace;
  }

  for<T extends KubernetesObject>(resource: ResourceType<T>, { labelSelector }: { labelSelector?: string } = {}): SharedInformer<T> {
    const key = `${resourcePath(resource, this.options.namespace)}?${labelSelector ?? ''}`;
    let informer = this.informers.get(key) as SharedInformer<T> | undefined;
    if (!informer) {
      informer = new SharedInformer(this.clients, resource, { ...this.options, labelSelector });
      this.informers.set(key, informer);
      if (this.started) informer.start();
    }
    return informer;
  }

  get all(): ReadonlyArray<SharedInformer<KubernetesObject>> {
    return [...this.informers.values()];
  }

  start(): void {
    this.started = true;
    for (const informer of this.informers.values()) informer.start();
  }

  hasSynced(): boolean {
    return this.all.every((informer) => informer.hasSynced());
  }

  /** Why the caches cannot be trusted, one line per informer not synced yet or gone stale (for /readyz). */
  notReady(): string[] {
    return this.all.flatMap((informer) => {
      const name = `informer ${informer.path}${informer.labelSelector ? `?labelSelector=${informer.labelSelector}` : ''}`;
      if (!informer.hasSynced()) return [`${name} has not synced`];
      const staleForMs = informer.staleForMs();
      return staleForMs > 0 ? [`${name} has had no successful list or watch for ${Math.round(staleForMs / 1000)} s`] : [];
    });
  }

  async waitForSync(signal?: AbortSignal): Promise<void> {
    await Promise.all(this.all.map((informer) => informer.waitForSync(signal)));
  }

  async stop(): Promise<void> {
    this.started = false;
    await Promise.all(this.all.map((informer) => informer.stop()));
  }
}
