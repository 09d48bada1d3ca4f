// Writes, with the rule that a converged object costs no request. Children are written with server-side apply
// under one field manager; whether an apply is needed at all is decided locally, by comparing a hash of the
// desired object with the one the live object carries in an annotation. Status goes through the /status
// subresource, and only when the computed status differs from the live one.
import { type KubernetesObject, PatchStrategy, type V1DeleteOptions, setHeaderOptions } from '@kubernetes/client-node';
import { ECS_GROUP } from '../api/meta.js';
import { shortHash, stableStringify } from '../translate/hash.js';
import { type ApiClients, statusCodeOf } from './clients.js';
import type { ResourceType } from './informer.js';

/** The one field manager of everything the operator writes. */
export const FIELD_MANAGER = 'ecs-operator';
/** Hash of the desired object last applied, on every object the operator applies. */
export const APPLIED_HASH_ANNOTATION = `${ECS_GROUP}/applied-hash`;

const serverSideApply = setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply);

/** Hash of what `desired` asks for, leaving out the hash annotation itself and metadata the server owns. */
export function appliedHash(desired: KubernetesObject): string {
  const { [APPLIED_HASH_ANNOTATION]: _hash, ...annotations } = desired.metadata?.annotations ?? {};
  const { resourceVersion: _rv, managedFields: _mf, ...metadata } = desired.metadata ?? {};
  return shortHash(stableStringify({ ...desired, metadata: { ...metadata, annotations } }), 16);
}

/** `desired` with its hash annotation set. */
export function withAppliedHash<T extends KubernetesObject>(desired: T): T {
  const annotations = { ...desired.metadata?.annotations, [APPLIED_HASH_ANNOTATION]: appliedHash(desired) };
  return { ...desired, metadata: { ...desired.metadata, annotations } };
}

/** Whether applying `desired` could change `live`: it is missing, or it was last applied from something else. */
export function needsApply(desired: KubernetesObject, live: KubernetesObject | undefined): boolean {
  return live?.metadata?.annotations?.[APPLIED_HASH_ANNOTATION] !== appliedHash(desired);
}

/** A value as JSON.stringify sees it: toJSON() applied (Dates become their text), non-finite numbers null. */
function jsonValue(value: unknown): unknown {
  if (value !== null && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    return (value as { toJSON: () => unknown }).toJSON();
  }
  if (typeof value === 'number' && !Number.isFinite(value)) return null;
  return value;
}

/** Members JSON.stringify leaves out of an object (and writes as null in an array). */
const omitted = (value: unknown): boolean => value === undefined || typeof value === 'function' || typeof value === 'symbol';

function jsonEqual(left: unknown, right: unknown): boolean {
  const a = jsonValue(left);
  const b = jsonValue(right);
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return omitted(a) && omitted(b);
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) {
      const x: unknown = a[i];
      const y: unknown = b[i];
      if (!jsonEqual(omitted(x) ? null : x, omitted(y) ? null : y)) return false;
    }
    return true;
  }
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  let count = 0;
  for (const key of Object.keys(ra)) {
    const x = ra[key];
    if (omitted(x)) continue;
    count++;
    if (!Object.prototype.hasOwnProperty.call(rb, key) || !jsonEqual(x, rb[key])) return false;
  }
  for (const key of Object.keys(rb)) if (!omitted(rb[key])) count--;
  return count === 0;
}

/**
 * Deep equality of JSON values, ignoring the order of object keys (Dates compare by their JSON text): what
 * comparing the two values' JSON with sorted keys gives, without building it. Status comparisons run on every
 * reconcile, and a Cluster's status with its container instances is large.
 */
export function sameJson(a: unknown, b: unknown): boolean {
  return jsonEqual(a ?? null, b ?? null);
}

export interface WriteResult<T> {
  /** The object as the server returned it, or the live object when nothing was sent. */
  object: T;
  /** Whether a request was sent. */
  written: boolean;
}

type WithStatus = KubernetesObject & { status?: unknown };

export class Applier {
  constructor(private readonly clients: ApiClients) {}

  /**
   * Server-side applies `desired` (with its hash annotation) unless `live`, the object from the cache, shows it
   * was already applied from an identical desired object. `desired` names only the fields the operator owns.
   */
  async apply<T extends KubernetesObject>(desired: T, live: T | undefined): Promise<WriteResult<T>> {
    if (live && !needsApply(desired, live)) return { object: live, written: false };
    const object = await this.clients.objects.patch(withAppliedHash(desired), undefined, undefined, FIELD_MANAGER, true, PatchStrategy.ServerSideApply);
    return { object, written: true };
  }

  /**
   * Writes `status` to the /status subresource of `live` (a custom resource of `resource`) by server-side
   * apply, unless it equals the live status; as of `resourceVersion` when given. A 404 (the object was
   * deleted meanwhile) writes nothing.
   */
  async applyStatus<T extends WithStatus>(
    resource: Pick<ResourceType, 'apiVersion' | 'kind' | 'plural'>,
    live: T,
    status: T['status'],
    { resourceVersion }: { resourceVersion?: string } = {},
  ): Promise<WriteResult<T>> {
    if (sameJson(live.status, status)) return { object: live, written: false };
    const [group, version] = resource.apiVersion.split('/');
    const { name = '', namespace = '' } = live.metadata ?? {};
    if (!group || !version) throw new Error(`status of ${resource.kind}: only custom resources are written here`);
    // With a resourceVersion the apply is conditional: a 409 says the status was computed from a stale copy.
    const metadata = { name, namespace, ...(resourceVersion ? { resourceVersion } : {}) };
    const body = { apiVersion: resource.apiVersion, kind: resource.kind, metadata, status };
    try {
      const object = (await this.clients.custom.patchNamespacedCustomObjectStatus(
        { group, version, namespace, plural: resource.plural, name, body, fieldManager: FIELD_MANAGER, force: true },
        serverSideApply,
      )) as T;
      return { object, written: true };
    } catch (error) {
      if (statusCodeOf(error) === 404) return { object: live, written: false };
      throw error;
    }
  }

  /**
   * Deletes `obj` in the background (children of it are collected by the garbage collector), only if it is
   * still the object with that uid. Returns false when it was already gone.
   */
  async delete(obj: KubernetesObject): Promise<boolean> {
    const uid = obj.metadata?.uid;
    const body: V1DeleteOptions = { propagationPolicy: 'Background', ...(uid ? { preconditions: { uid } } : {}) };
    try {
      await this.clients.objects.delete(obj, undefined, undefined, undefined, undefined, 'Background', body);
      return true;
    } catch (error) {
      if (statusCodeOf(error) === 404) return false;
      throw error;
    }
  }
}
