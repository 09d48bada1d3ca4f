// The one way controllers write, as kube-controller-manager's PodControlInterface is for its controllers:
// children are created, applied and deleted here, with the ReplicaSet controller's expectations built in, and
// the primary objects' status and finalizers are written here with the resourceVersion they were computed
// from. Controllers never call the API for writes themselves, so every rule below holds everywhere:
//
// - A create records its expectation before the request (the watch may deliver the child before the response
//   is read) and clears it when the request fails. AlreadyExists is an answer, not an error: `create` says so.
// - Nothing the operator did not create is adopted: a child that does not exist in the cache is created with a
//   POST, never server-side applied (an apply would take over an object of the same name that the informer,
//   label-selected, does not show), and `apply` refuses a live object some other controller owns, or none.
// - Applies are skipped when the live object carries the hash of an identical desired object, and sent with
//   the live object's resourceVersion: a stale cache gets a 409, which means "re-read and re-plan". An apply made
//   for an owner is expected like a create: until the cache shows a version after the one it replaced, the owner
//   is not caught up (a plan would count, say, the replicas the write replaced, and nothing would refuse it: a
//   write it then makes to another object is not conditional on this one).
// - Deletes carry a uid precondition (and the resourceVersion where the caller decided on that very version).
// - Status and finalizer writes carry the resourceVersion of the object they were computed from, so a stale
//   cache can never overwrite a newer status (failure counts, events) with an older one.
import { type KubernetesObject, PatchStrategy, setHeaderOptions, type V1DeleteOptions } from '@kubernetes/client-node';
import { type Applier, FIELD_MANAGER, needsApply, sameJson, type WriteResult, withAppliedHash } from './apply.js';
import { type ApiClients, statusCodeOf } from './clients.js';
import { type Clock, realClock } from './clock.js';
import { controllerOf } from './controller.js';
import { Expectations } from './expectations.js';
import type { ResourceType, SharedInformer } from './informer.js';
import { objectKey } from './keys.js';

export type { WriteResult } from './apply.js';

/** The kind of a primary object (`Service`, `Task`) and its work queue key: whose expectations these are. */
export interface Owner {
  kind: string;
  key: string;
}

export interface DeleteOptions {
  /** Delete only the very version seen (e.g. a pod that must still be unscheduled). Default: uid only. */
  resourceVersion?: boolean;
  /** Seconds of grace; the object's own default when absent. */
  gracePeriodSeconds?: number;
}

/** `create`: whether the child was created now, or an object of that name was there already. */
export type CreateOutcome = 'created' | 'exists';

/** A live object that belongs to someone else: the operator leaves it alone and says so. */
export class NotOwnedError extends Error {
  constructor(readonly object: string) {
    super(`${object} exists and was not created by this object; it is left alone`);
    this.name = 'NotOwnedError';
  }
}

type WithStatus = KubernetesObject & { status?: unknown };
type CustomResource = Pick<ResourceType, 'apiVersion' | 'kind' | 'plural'>;

/** Every write a controller makes. `ChildWriter` sends them; test/fakes/child-writer.ts records them. */
export interface ChildWrites {
  /** Whether the cache shows every create and delete `owner` made: until then its cache must not be trusted. */
  caughtUp(owner: Owner): boolean;
  /** What `owner` still waits to see, for a log line. */
  pending(owner: Owner): string[];
  /** Drops the expectations of an owner that is gone. */
  forget(owner: Owner): void;
  /**
   * False while `cached` (an object as the cache holds it) is still the version this writer replaced with a
   * status or finalizer write: a plan made from it would be refused (409) or undo the write. The write's own watch
   * event brings the object back to its controller.
   */
  isCurrent(cached: KubernetesObject): boolean;
  /** Creates `child` for `owner` (a POST: never adopts an existing object of that name). */
  create(owner: Owner, child: KubernetesObject): Promise<CreateOutcome>;
  /** Creates an object several owners share and none owns (a task role's ServiceAccount); one that exists is left as it is. */
  createShared(object: KubernetesObject): Promise<CreateOutcome>;
  /**
   * Server-side applies `desired` over `live` (the cached child, controlled by the same owner as `desired`)
   * unless it was already applied from an identical object; `force` applies anyway (a field someone else changed).
   * With `owner`, the owner is not caught up until the cache shows the written version.
   */
  apply<T extends KubernetesObject>(desired: T, live: T, options?: { force?: boolean; owner?: Owner }): Promise<WriteResult<T>>;
  /** Deletes `child` of `owner`; false when it was already gone (or, with a resourceVersion precondition, changed). */
  delete(owner: Owner, child: KubernetesObject, options?: DeleteOptions): Promise<boolean>;
  /** Writes `status` to `live`'s /status when it differs, as of `live`'s resourceVersion (409 when stale). */
  writeStatus<T extends WithStatus>(resource: CustomResource, live: T, status: T['status']): Promise<WriteResult<T>>;
  /** Adds or removes `finalizer` on `live`, as of its resourceVersion; false when nothing was to change or it is gone. */
  setFinalizer(resource: CustomResource, live: KubernetesObject, finalizer: string, present: boolean): Promise<boolean>;
}

/** Expectation keys: children of different kinds may share a name. */
const childKey = (obj: KubernetesObject) => `${obj.kind ?? ''}/${objectKey(obj)}`;
const ownerKey = (owner: Owner) => `${owner.kind}/${owner.key}`;
const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

/** Whether `child`'s controller is the owner that `desired` names (same uid). */
function sameController(child: KubernetesObject, desired: KubernetesObject): boolean {
  const owner = controllerOf(desired)?.uid;
  return owner !== undefined && controllerOf(child)?.uid === owner;
}

export class ChildWriter implements ChildWrites {
  private readonly expectations: Expectations;
  private readonly tracked = new Set<SharedInformer<KubernetesObject>>();
  /** kind/namespace/name -> the resourceVersion its last status or finalizer write replaced. */
  private readonly replaced = new Map<string, string>();

  constructor(
    private readonly clients: ApiClients,
    private readonly applier: Applier,
    { clock = realClock }: { clock?: Clock } = {},
  ) {
    this.expectations = new Expectations({ clock });
  }

  /** Lets the events of `informer` (the cache of a kind of child) clear expectations; once per informer. */
  track<T extends KubernetesObject>(informer: SharedInformer<T>): void {
    const shared = informer as unknown as SharedInformer<KubernetesObject>;
    if (this.tracked.has(shared)) return;
    this.tracked.add(shared);
    const kind = informer.resource.kind;
    this.expectations.observe(informer, (obj) => `${kind}/${objectKey(obj)}`);
  }

  caughtUp(owner: Owner): boolean {
    return this.expectations.satisfied(ownerKey(owner));
  }

  pending(owner: Owner): string[] {
    return this.expectations.pending(ownerKey(owner)).map(({ child, expected }) => `${expected} of ${child}`);
  }

  forget(owner: Owner): void {
    this.expectations.forget(ownerKey(owner));
    this.replaced.delete(ownerKey(owner));
  }

  isCurrent(cached: KubernetesObject): boolean {
    const key = childKey(cached);
    const from = this.replaced.get(key);
    if (from === undefined) return true;
    if (cached.metadata?.resourceVersion === from) return false;
    this.replaced.delete(key);
    return true;
  }

  /** Remembers that a write replaced `live`'s version, for isCurrent. */
  private replacedVersion(live: KubernetesObject, resource: CustomResource): void {
    const from = live.metadata?.resourceVersion;
    if (from) this.replaced.set(childKey({ ...live, kind: resource.kind }), from);
  }

  async create(owner: Owner, child: KubernetesObject): Promise<CreateOutcome> {
    const key = childKey(child);
    this.expectations.expectCreation(ownerKey(owner), key);
    try {
      await this.clients.objects.create(withAppliedHash(child), undefined, undefined, FIELD_MANAGER);
      return 'created';
    } catch (error) {
      this.expectations.creationObserved(key);
      if (statusCodeOf(error) === 409) return 'exists';
      throw error;
    }
  }

  async createShared(object: KubernetesObject): Promise<CreateOutcome> {
    try {
      await this.clients.objects.create(object, undefined, undefined, FIELD_MANAGER);
      return 'created';
    } catch (error) {
      if (statusCodeOf(error) === 409) return 'exists';
      throw error;
    }
  }

  async apply<T extends KubernetesObject>(desired: T, live: T, { force = false, owner }: { force?: boolean; owner?: Owner } = {}): Promise<WriteResult<T>> {
    if (!sameController(live, desired)) throw new NotOwnedError(`${live.kind ?? 'object'} ${objectKey(live)}`);
    if (!force && !needsApply(desired, live)) return { object: live, written: false };
    const replaced = live.metadata?.resourceVersion;
    const withVersion = { ...desired, metadata: { ...desired.metadata, resourceVersion: replaced } };
    // Expected before the request: the watch may deliver the new version before the response is read.
    const key = childKey({ ...live, kind: live.kind ?? desired.kind });
    if (owner && replaced) this.expectations.expectUpdate(ownerKey(owner), key, replaced);
    try {
      const result = await this.applier.apply(withVersion, undefined);
      if (owner && replaced && (result.object as KubernetesObject).metadata?.resourceVersion === replaced) this.expectations.updateDropped(key);
      return result;
    } catch (error) {
      if (owner && replaced) this.expectations.updateDropped(key);
      throw error;
    }
  }

  async delete(owner: Owner, child: KubernetesObject, { resourceVersion = false, gracePeriodSeconds }: DeleteOptions = {}): Promise<boolean> {
    const key = childKey(child);
    const { uid, resourceVersion: version } = child.metadata ?? {};
    const body: V1DeleteOptions = {
      propagationPolicy: 'Background',
      ...(gracePeriodSeconds !== undefined ? { gracePeriodSeconds } : {}),
      ...(uid ? { preconditions: { uid, ...(resourceVersion ? { resourceVersion: version } : {}) } } : {}),
    };
    this.expectations.expectDeletion(ownerKey(owner), key);
    try {
      await this.clients.objects.delete(child, undefined, undefined, gracePeriodSeconds, undefined, 'Background', body);
      return true;
    } catch (error) {
      this.expectations.deletionObserved(key);
      // 404: gone already. 409: a precondition failed (another object of that name, or it changed): the next event decides.
      if (statusCodeOf(error) === 404 || statusCodeOf(error) === 409) return false;
      throw error;
    }
  }

  async writeStatus<T extends WithStatus>(resource: CustomResource, live: T, status: T['status']): Promise<WriteResult<T>> {
    if (sameJson(live.status, status)) return { object: live, written: false };
    const result = await this.applier.applyStatus(resource, live, status, { resourceVersion: live.metadata?.resourceVersion });
    // A write the server found changed nothing keeps the version, and no event will come: nothing to wait for.
    if (result.written && result.object.metadata?.resourceVersion !== live.metadata?.resourceVersion) this.replacedVersion(live, resource);
    return result;
  }

  async setFinalizer(resource: CustomResource, live: KubernetesObject, finalizer: string, present: boolean): Promise<boolean> {
    const finalizers = live.metadata?.finalizers ?? [];
    if (finalizers.includes(finalizer) === present) return false;
    const next = present ? [...finalizers, finalizer] : finalizers.filter((f) => f !== finalizer);
    const [group = '', version = ''] = resource.apiVersion.split('/');
    const { name = '', namespace = '', resourceVersion } = live.metadata ?? {};
    try {
      await this.clients.custom.patchNamespacedCustomObject(
        { group, version, plural: resource.plural, namespace, name, body: { metadata: { finalizers: next, resourceVersion } } },
        mergePatch,
      );
      this.replacedVersion(live, resource);
      return true;
    } catch (error) {
      if (statusCodeOf(error) === 404) return false;
      throw error;
    }
  }
}
