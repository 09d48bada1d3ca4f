// A ChildWrites that sends nothing: it records every write in order and keeps the objects it "wrote" in a
// store, with the same answers the real writer gives (AlreadyExists, a missing object, a stale
// resourceVersion, an object someone else owns). Executor tests assert on `writes` and `store`.
import type { KubernetesObject } from '@kubernetes/client-node';
import { needsApply, sameJson, type WriteResult, withAppliedHash } from '../../operator/src/runtime/apply.js';
import { type ChildWrites, type CreateOutcome, type DeleteOptions, NotOwnedError, type Owner } from '../../operator/src/runtime/child-writer.js';
import { controllerOf } from '../../operator/src/runtime/controller.js';
import { objectKey } from '../../operator/src/runtime/keys.js';

export interface RecordedWrite {
  verb: 'create' | 'createShared' | 'apply' | 'delete' | 'status' | 'finalizer';
  /** `Kind/namespace/name`. */
  object: string;
  /** What was sent: the object, the status, or the finalizers after the write. */
  body?: unknown;
}

type Stored = KubernetesObject & { status?: unknown };

/** An ApiException-like error, as statusCodeOf reads it. */
export class FakeApiError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

const keyOf = (obj: KubernetesObject) => `${obj.kind ?? ''}/${objectKey(obj)}`;

export class FakeChildWriter implements ChildWrites {
  readonly writes: RecordedWrite[] = [];
  readonly store = new Map<string, Stored>();
  /** Owners whose expectations are not met yet (set by tests). */
  readonly behind = new Set<string>();
  private version = 1;

  /** Puts objects in the store as the cache would show them (e.g. the snapshot's children). */
  seed(...objects: Stored[]): this {
    for (const obj of objects) this.store.set(keyOf(obj), this.stamp(obj));
    return this;
  }

  get(kind: string, namespace: string, name: string): Stored | undefined {
    return this.store.get(`${kind}/${namespace}/${name}`);
  }

  caughtUp(owner: Owner): boolean {
    return !this.behind.has(`${owner.kind}/${owner.key}`);
  }

  pending(owner: Owner): string[] {
    return this.caughtUp(owner) ? [] : [`writes of ${owner.kind} ${owner.key}`];
  }

  forget(owner: Owner): void {
    this.behind.delete(`${owner.kind}/${owner.key}`);
  }

  /** The fake's store is its cache: whatever a test passes in is as current as the test says. */
  isCurrent(): boolean {
    return true;
  }

  async create(_owner: Owner, child: KubernetesObject): Promise<CreateOutcome> {
    return this.add('create', withAppliedHash(child));
  }

  async createShared(object: KubernetesObject): Promise<CreateOutcome> {
    return this.add('createShared', object);
  }

  async apply<T extends KubernetesObject>(desired: T, live: T, { force = false }: { force?: boolean; owner?: Owner } = {}): Promise<WriteResult<T>> {
    const owner = controllerOf(desired)?.uid;
    if (owner === undefined || controllerOf(live)?.uid !== owner) throw new NotOwnedError(keyOf(live));
    if (!force && !needsApply(desired, live)) return { object: live, written: false };
    const stored = this.current(live);
    const object = this.stamp({ ...stored, ...withAppliedHash(desired), metadata: { ...stored.metadata, ...withAppliedHash(desired).metadata } }) as T;
    this.store.set(keyOf(object), object);
    this.writes.push({ verb: 'apply', object: keyOf(object), body: desired });
    return { object, written: true };
  }

  async delete(_owner: Owner, child: KubernetesObject, { resourceVersion = false }: DeleteOptions = {}): Promise<boolean> {
    const stored = this.store.get(keyOf(child));
    if (!stored || stored.metadata?.uid !== child.metadata?.uid) return false;
    if (resourceVersion && stored.metadata?.resourceVersion !== child.metadata?.resourceVersion) return false;
    this.store.delete(keyOf(child));
    this.writes.push({ verb: 'delete', object: keyOf(child) });
    return true;
  }

  async writeStatus<T extends Stored>(_resource: unknown, live: T, status: T['status']): Promise<WriteResult<T>> {
    if (sameJson(live.status, status)) return { object: live, written: false };
    this.current(live);
    const object = this.stamp({ ...live, status }) as T;
    this.store.set(keyOf(object), object);
    this.writes.push({ verb: 'status', object: keyOf(object), body: status });
    return { object, written: true };
  }

  async setFinalizer(_resource: unknown, live: KubernetesObject, finalizer: string, present: boolean): Promise<boolean> {
    const finalizers = live.metadata?.finalizers ?? [];
    if (finalizers.includes(finalizer) === present) return false;
    const stored = this.current(live);
    const next = present ? [...finalizers, finalizer] : finalizers.filter((f) => f !== finalizer);
    this.store.set(keyOf(live), this.stamp({ ...stored, metadata: { ...stored.metadata, finalizers: next } }));
    this.writes.push({ verb: 'finalizer', object: keyOf(live), body: next });
    return true;
  }

  private add(verb: 'create' | 'createShared', object: KubernetesObject): CreateOutcome {
    if (this.store.has(keyOf(object))) return 'exists';
    this.store.set(keyOf(object), this.stamp({ ...object, metadata: { ...object.metadata, uid: object.metadata?.uid ?? `uid-${this.version}` } }));
    this.writes.push({ verb, object: keyOf(object), body: object });
    return 'created';
  }

  /** The stored object `live` names, as of `live`'s resourceVersion: otherwise a 409, as the API server answers. */
  private current(live: KubernetesObject): Stored {
    const stored = this.store.get(keyOf(live));
    if (!stored) throw new FakeApiError(404, `${keyOf(live)} not found`);
    const version = live.metadata?.resourceVersion;
    if (version !== undefined && stored.metadata?.resourceVersion !== version) throw new FakeApiError(409, `${keyOf(live)}: the object has been modified`);
    return stored;
  }

  private stamp<T extends KubernetesObject>(obj: T): T {
    return { ...obj, metadata: { ...obj.metadata, resourceVersion: String(this.version++) } };
  }
}
