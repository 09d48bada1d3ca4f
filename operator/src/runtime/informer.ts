// Shared informers: one list-then-watch cache per resource path (and label selector), shared by every
// controller that reads that resource. Built on client-node's ListWatch (what `makeInformer` returns), with
// what it lacks: it relists by itself only on 410 Gone and merely emits `error` otherwise, so a SharedInformer
// restarts it with backoff on every error, and relists after a few watches in a row failed (a watch that
// keeps failing from one resourceVersion would otherwise be retried from it forever); it tells when the first
// list reached the cache (hasSynced) and whether the cache is still fresh (a list or a working watch within a
// bound, for /readyz); and objects of core kinds are deserialized into client-node's typed models on the watch
// as on the list, so a cached Pod has Dates where its type says Date whichever way it arrived.
// On top of ListWatch's cache it keeps what client-go's indexer keeps: the last state of each object, so that
// update handlers see the old object beside the new one and can ignore changes that do not concern them, and
// named indexes (objects by owner uid, by node ...) kept right on every add, update, delete and relist.
// Cached objects are trimmed on ingest (managedFields and the last-applied annotation, which nothing reads
// from the cache and which can double an object's size), and lists are paginated.
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
import { LABELS, MANAGED_BY_VALUE } from '../translate/labels.js';
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
  /** The objects of the kind the operator ever reads, when not all: informers select them unless told otherwise. */
  readonly labelSelector?: string;
  /** A kind that ignores `page` answers with every object at once. */
  list(clients: ApiClients, namespace: string | undefined, labelSelector: string | undefined, page?: ListPage): Promise<KubernetesListObject<T>>;
}

/** One page of a list: `limit` objects at most, from where `_continue` (the previous page's token) left off. */
export interface ListPage {
  limit?: number;
  _continue?: string;
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
    list: (clients, namespace, labelSelector, page) =>
      namespace
        ? clients.custom.listNamespacedCustomObject({ ...coordinates, namespace, labelSelector, ...page })
        : clients.custom.listClusterCustomObject({ ...coordinates, labelSelector, ...page }),
  };
}

function coreResource<T extends KubernetesObject>(
  apiVersion: string,
  kind: string,
  plural: string,
  namespaced: boolean,
  list: ResourceType<T>['list'],
  labelSelector?: string,
): ResourceType<T> {
  return { apiVersion, kind, plural, namespaced, model: `V1${kind}`, list, ...(labelSelector ? { labelSelector } : {}) };
}

/**
 * The operator's own objects. ReplicaSets and ControllerRevisions are read only when the operator made them
 * (each Deployment keeps ten old ReplicaSets, each StatefulSet and DaemonSet its revisions: none of them is
 * cached). Pods and Nodes are not selected: every pod on a node uses up its resources.
 */
const MANAGED_BY_OPERATOR = `${LABELS.managedBy}=${MANAGED_BY_VALUE}`;

/** Every kind the operator reads. */
export const RESOURCES = {
  clusters: ecsResource('Cluster'),
  taskDefinitions: ecsResource('TaskDefinition'),
  tasks: ecsResource('Task'),
  services: ecsResource('Service'),
  scheduledTasks: ecsResource('ScheduledTask'),
  pods: coreResource<V1Pod>('v1', 'Pod', 'pods', true, ({ core }, namespace, labelSelector, page) =>
    namespace ? core.listNamespacedPod({ namespace, labelSelector, ...page }) : core.listPodForAllNamespaces({ labelSelector, ...page }),
  ),
  nodes: coreResource<V1Node>('v1', 'Node', 'nodes', false, ({ core }, _namespace, labelSelector, page) => core.listNode({ labelSelector, ...page })),
  replicaSets: coreResource<V1ReplicaSet>(
    'apps/v1',
    'ReplicaSet',
    'replicasets',
    true,
    ({ apps }, namespace, labelSelector, page) =>
      namespace ? apps.listNamespacedReplicaSet({ namespace, labelSelector, ...page }) : apps.listReplicaSetForAllNamespaces({ labelSelector, ...page }),
    MANAGED_BY_OPERATOR,
  ),
  controllerRevisions: coreResource<V1ControllerRevision>(
    'apps/v1',
    'ControllerRevision',
    'controllerrevisions',
    true,
    ({ apps }, namespace, labelSelector, page) =>
      namespace
        ? apps.listNamespacedControllerRevision({ namespace, labelSelector, ...page })
        : apps.listControllerRevisionForAllNamespaces({ labelSelector, ...page }),
    MANAGED_BY_OPERATOR,
  ),
  serviceAccounts: coreResource<V1ServiceAccount>('v1', 'ServiceAccount', 'serviceaccounts', true, ({ core }, namespace, labelSelector, page) =>
    namespace ? core.listNamespacedServiceAccount({ namespace, labelSelector, ...page }) : core.listServiceAccountForAllNamespaces({ labelSelector, ...page }),
  ),
};

/** What a ListWatch needs of client-node's Watch; tests and the e2e suite put their own in between. */
export type Watcher = Pick<Watch, 'watch'>;
type WatchQuery = Parameters<Watch['watch']>[1];
type WatchCallback = Parameters<Watch['watch']>[2];
type DoneCallback = Parameters<Watch['watch']>[3];

export type ObjectHandler<T> = (obj: T) => void;
/** An update: the object as it is now and as the cache held it before. */
export type UpdateHandler<T> = (obj: T, old: T) => void;
/** Any event; `old` is given on updates only. */
export type ChangeHandler<T> = (obj: T, old?: T) => void;
/** The values an object is filed under in one index (none: not in the index). */
export type IndexFunction<T> = (obj: T) => readonly string[];
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
  /** Objects per page of a list (client-go's reflector asks for 500). */
  listPageSize?: number;
  /** Draws a number in [0, 1) for the watch timeout's jitter; Math.random unless given. */
  random?: () => number;
}

/**
 * How long each watch asks the API server to keep it open, as client-go's reflector does: at least 5 minutes,
 * jittered up to twice that so that the watches of many informers (and replicas) do not all end together.
 */
export const MIN_WATCH_TIMEOUT_SECONDS = 300;

/**
 * client-node's Watch aborts a watch after 30 s without a byte, which ends every watch of a quiet resource twice
 * a minute (a new request each time, and ~20 a minute for the operator's informers). A watch ends when the API
 * server closes it at its timeoutSeconds; the client-side limit only has to catch a connection that died
 * silently, so it is set just beyond the longest timeout a watch asks for.
 */
export const WATCH_INACTIVITY_TIMEOUT_MS = (2 * MIN_WATCH_TIMEOUT_SECONDS + 30) * 1000;

/** client-node's Watch with the inactivity limit above (its field is private in the typings, public at runtime). */
export function quietWatch(kc: ConstructorParameters<typeof Watch>[0]): Watch {
  const watch = new Watch(kc);
  if (!('requestTimeoutMs' in watch)) throw new Error("client-node's Watch no longer has requestTimeoutMs; see quietWatch");
  Object.assign(watch, { requestTimeoutMs: WATCH_INACTIVITY_TIMEOUT_MS });
  return watch;
}

/** The annotation `kubectl apply` keeps a whole copy of the object in; nothing reads it from the cache. */
const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';

/**
 * Drops from an object what the operator never reads from its cache and what can make up most of its size:
 * managedFields (written, when needed, by server-side apply, which reads them on the server) and kubectl's
 * last-applied copy of the object. Changes the object in place (it was just deserialized) and returns it.
 */
export function trimForCache<T extends KubernetesObject>(obj: T): T {
  const metadata = obj.metadata;
  if (!metadata) return obj;
  delete metadata.managedFields;
  if (metadata.annotations && LAST_APPLIED_ANNOTATION in metadata.annotations) {
    const { [LAST_APPLIED_ANNOTATION]: _dropped, ...rest } = metadata.annotations;
    if (Object.keys(rest).length > 0) metadata.annotations = rest;
    else delete metadata.annotations;
  }
  return obj;
}

interface Index<T> {
  readonly values: IndexFunction<T>;
  /** Index value -> key -> object. */
  readonly buckets: Map<string, Map<string, T>>;
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
  private readonly random: () => number;
  /** Watches in a row that ended in an error (or an ERROR event) instead of working. */
  private watchFailures = 0;
  /** Whether a watch is open and has not reported an error. */
  private watching = false;
  /** Monotonic time when the cache was last known current: a list applied, or a working watch seen. */
  private freshAt = Number.NEGATIVE_INFINITY;
  /** The state each object had at its last event: the `old` of the next update, the entries indexes remove. */
  private readonly known = new Map<string, T>();
  // Indexes and handlers are kept with T erased, so that a SharedInformer<Pod> still is a SharedInformer<KubernetesObject>.
  private readonly indexes = new Map<string, Index<KubernetesObject>>();
  private readonly handlers = {
    add: [] as Array<ObjectHandler<KubernetesObject>>,
    update: [] as Array<UpdateHandler<KubernetesObject>>,
    delete: [] as Array<ObjectHandler<KubernetesObject>>,
  };

  constructor(
    clients: ApiClients,
    readonly resource: ResourceType<T>,
    options: InformerOptions = {},
  ) {
    const namespace = resource.namespaced ? options.namespace : undefined;
    this.path = resourcePath(resource, namespace);
    this.labelSelector = options.labelSelector ?? resource.labelSelector;
    this.clock = options.clock ?? realClock;
    this.log = (options.log ?? silentLogger()).child({ informer: this.path, labelSelector: this.labelSelector });
    this.metrics = options.metrics;
    this.backoff = new ExponentialBackoff(options.restartBackoff?.baseMs ?? 1000, options.restartBackoff?.maxMs ?? 30_000);
    this.resourceLabel = describeRequest('GET', this.path).resource;
    this.relistAfterWatchFailures = options.relistAfterWatchFailures ?? 3;
    this.staleAfterMs = options.staleAfterMs ?? 60_000;
    this.random = options.random ?? Math.random;
    const watcher = this.observe(options.watcher ?? quietWatch(clients.kc));
    const pageSize = options.listPageSize ?? 500;
    // List items of built-in kinds come without apiVersion and kind; watch events carry them. Set them so that
    // any cached object can be passed to a write as it is. Pages of one list are one consistent snapshot, at
    // the resourceVersion of the first; a continue token that expired (410) fails the list, which restarts.
    const list = async (): Promise<KubernetesListObject<T>> => {
      const items: T[] = [];
      let first: KubernetesListObject<T> | undefined;
      let token: string | undefined;
      do {
        const page = await resource.list(clients, namespace, this.labelSelector, { limit: pageSize, ...(token ? { _continue: token } : {}) });
        first ??= page;
        for (const item of page.items) {
          item.apiVersion ??= resource.apiVersion;
          item.kind ??= resource.kind;
          items.push(trimForCache(item));
        }
        token = continueTokenOf(page);
      } while (token);
      this.freshAt = this.clock.monotonic();
      this.backoff.forget(this.path);
      return { ...first, items };
    };
    this.listWatch = new ListWatch<T>(this.path, watcher as Watch, list, false, this.labelSelector, undefined, {
      delayFn: (ms) => this.clock.sleep(ms),
    });
    this.listWatch.on('error', (error: unknown) => this.restartAfterError(error));
    // The first handlers ListWatch calls: they keep `known` and the indexes, then call this informer's own.
    this.listWatch.on('add', (obj: T) => {
      this.record(obj);
      this.handlers.add.forEach((handler) => handler(obj));
    });
    this.listWatch.on('update', (obj: T) => {
      const old = this.known.get(objectKey(obj)) ?? obj;
      this.record(obj, old);
      this.handlers.update.forEach((handler) => handler(obj, old));
    });
    this.listWatch.on('delete', (obj: T) => {
      this.forgetObject(this.known.get(objectKey(obj)) ?? obj);
      this.handlers.delete.forEach((handler) => handler(obj));
    });
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

  /**
   * Files every cached object, and each one from now on, under the values `values` gives it in index `name`.
   * Asking again for an index of the same name and function does nothing (informers are shared, and so are
   * their indexes); the same name with another function is a programming error.
   */
  addIndex(name: string, values: IndexFunction<T>): this {
    const existing = this.indexes.get(name);
    if (existing) {
      if (existing.values !== (values as IndexFunction<KubernetesObject>)) throw new Error(`informer ${this.path} already has another index named ${name}`);
      return this;
    }
    const index: Index<KubernetesObject> = { values: values as IndexFunction<KubernetesObject>, buckets: new Map() };
    this.indexes.set(name, index);
    for (const [key, obj] of this.known) file(index, key, obj);
    return this;
  }

  /** The cached objects index `name` files under `value`. */
  byIndex(name: string, value: string): T[] {
    const index = this.indexes.get(name);
    if (!index) throw new Error(`informer ${this.path} has no index named ${name}`);
    return [...(index.buckets.get(value)?.values() ?? [])] as T[];
  }

  onAdd(handler: ObjectHandler<T>): Unsubscribe {
    return this.subscribe('add', handler);
  }

  /** Called with the new object and the one the cache held before it. */
  onUpdate(handler: UpdateHandler<T>): Unsubscribe {
    return this.subscribe('update', handler);
  }

  /** Called with the last state the cache held, also for deletions noticed by a relist. */
  onDelete(handler: ObjectHandler<T>): Unsubscribe {
    return this.subscribe('delete', handler);
  }

  /** Any add, update or delete; updates with the old object as well. */
  onChange(handler: ChangeHandler<T>): Unsubscribe {
    const unsubscribe = [this.onAdd((obj) => handler(obj)), this.onUpdate(handler), this.onDelete((obj) => handler(obj))];
    return () => unsubscribe.forEach((off) => off());
  }

  /** Each handler is guarded: one that throws on an object neither stops the others nor the informer. */
  private subscribe(verb: 'add' | 'update' | 'delete', handler: UpdateHandler<T>): Unsubscribe {
    const guarded = handleCrash(handler as UpdateHandler<KubernetesObject>, (error, key) => {
      this.metrics?.handlerPanics.inc({ informer: this.resourceLabel });
      this.log.error('event handler threw; the event is dropped for it', { event: verb, key, ...errorFields(error), ...crashFields(error) });
    });
    const list: Array<UpdateHandler<KubernetesObject>> = this.handlers[verb];
    list.push(guarded);
    return () => {
      const at = list.indexOf(guarded);
      if (at >= 0) list.splice(at, 1);
    };
  }

  /** Keeps `obj` as the last known state of its key, and files it anew in every index. */
  private record(obj: T, old?: T): void {
    const key = objectKey(obj);
    for (const index of this.indexes.values()) {
      if (old) unfile(index, key, old);
      file(index, key, obj);
    }
    this.known.set(key, obj);
  }

  private forgetObject(obj: T): void {
    const key = objectKey(obj);
    for (const index of this.indexes.values()) unfile(index, key, obj);
    this.known.delete(key);
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
    const typed = (obj: unknown): unknown => trimForCache((model ? ObjectSerializer.deserialize(obj, model) : obj) as KubernetesObject);
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
        // Bookmarks keep the resourceVersion current on a quiet resource, so a watch that ends resumes from it.
        const timeoutSeconds = Math.floor(MIN_WATCH_TIMEOUT_SECONDS * (1 + this.random()));
        const controller = await inner.watch(
          path,
          { ...query, allowWatchBookmarks: true, timeoutSeconds },
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

/** The token of the next page: `_continue` in client-node's typed lists, `continue` in the JSON of custom ones. */
function continueTokenOf(page: KubernetesListObject<KubernetesObject>): string | undefined {
  const metadata: { _continue?: string; continue?: string } | undefined = page.metadata;
  return metadata?._continue || metadata?.continue || undefined;
}

function file<T>(index: Index<T>, key: string, obj: T): void {
  for (const value of index.values(obj)) {
    let bucket = index.buckets.get(value);
    if (!bucket) index.buckets.set(value, (bucket = new Map<string, T>()));
    bucket.set(key, obj);
  }
}

function unfile<T>(index: Index<T>, key: string, obj: T): void {
  for (const value of index.values(obj)) {
    const bucket = index.buckets.get(value);
    bucket?.delete(key);
    if (bucket?.size === 0) index.buckets.delete(value);
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
    const key = `${resourcePath(resource, this.options.namespace)}?${labelSelector ?? resource.labelSelector ?? ''}`;
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
