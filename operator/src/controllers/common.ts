// Pieces the controllers share: owner references, task definition lookups in the cache, the `default`
// Cluster that ECS creates on first use, and the Valid condition.
import type { KubernetesObject, V1ControllerRevision, V1OwnerReference, V1ServiceAccount } from '@kubernetes/client-node';
import type { Cluster } from '../api/cluster.js';
import { ECS_API_VERSION, type Condition } from '../api/meta.js';
import type { TaskDefinition } from '../api/taskdefinition.js';
import type { Owner } from '../runtime/child-writer.js';
import { RESOURCES } from '../runtime/informer.js';
import type { Logger } from '../runtime/logging.js';
import { LABELS, MANAGED_BY_VALUE } from '../translate/labels.js';
import { toLabelValue } from '../translate/names.js';
import { familyOf, parseTaskDefinitionReference, REVISION_LABELS, resolveRevision, type Resolution } from '../translate/revisions.js';
import { DEFAULT_CLUSTER } from '../translate/workload.js';
import type { OperatorContext } from './context.js';
import { validCondition, type Validity } from './plan-common.js';

export { VALID, type Validity } from './plan-common.js';

/** Pure, beside the Task → Pod translation that needs them. */
export { clusterNameOf, DEFAULT_CLUSTER } from '../translate/workload.js';

/** The ownerReference that makes `owner` the controller of a child (deletion cascades, adoption is refused). */
export function controllerReference(owner: KubernetesObject & { kind: string }): V1OwnerReference {
  return {
    apiVersion: owner.apiVersion ?? ECS_API_VERSION,
    kind: owner.kind,
    name: owner.metadata?.name ?? '',
    uid: owner.metadata?.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** Whether `child` is controlled by `owner` (same uid). */
export function isControlledBy(child: KubernetesObject, owner: KubernetesObject): boolean {
  return child.metadata?.ownerReferences?.some((r) => r.controller === true && r.uid === owner.metadata?.uid) ?? false;
}

/** The TaskDefinition of `family` in `namespace`: the oldest one that declares it (a later one conflicts). */
export function taskDefinitionOfFamily(context: OperatorContext, namespace: string, family: string): TaskDefinition | undefined {
  return context.informers
    .for(RESOURCES.taskDefinitions)
    .list(namespace)
    .filter((td) => familyOf(td) === family && !td.metadata.deletionTimestamp)
    .sort(byAge)[0];
}

/** Oldest first; the name breaks ties, so every replica picks the same. */
export function byAge(a: KubernetesObject, b: KubernetesObject): number {
  const time = (o: KubernetesObject) => new Date(o.metadata?.creationTimestamp ?? 0).getTime();
  return time(a) - time(b) || (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? '');
}

/** Every revision of `family` in `namespace`, its TaskDefinition's or left over after it was deleted. */
export function revisionsOfFamily(context: OperatorContext, namespace: string, family: string): V1ControllerRevision[] {
  const label = toLabelValue(family);
  return context.informers
    .for(RESOURCES.controllerRevisions)
    .list(namespace)
    .filter((r) => r.metadata?.labels?.[LABELS.family] === label && r.metadata.labels[REVISION_LABELS.taskDefinition] !== undefined);
}

/** Resolves an ECS task definition reference (`family`, `family:N`, ARN) against the cache. */
export function resolveTaskDefinition(
  context: OperatorContext,
  namespace: string,
  reference: string,
  forNewWork: boolean,
): Resolution & { taskDefinition?: TaskDefinition } {
  const parsed = parseTaskDefinitionReference(reference);
  if (!parsed) return resolveRevision(reference, [], undefined, { forNewWork });
  const td = taskDefinitionOfFamily(context, namespace, parsed.family);
  const revisions = revisionsOfFamily(context, namespace, parsed.family);
  const resolution = resolveRevision(reference, revisions, td, { forNewWork });
  return td ? { ...resolution, taskDefinition: td } : resolution;
}

/**
 * The keys of the Tasks or Services of `namespace` whose task definition reference names `family`. An object
 * stored before its CRD required `spec` may have none: it refers to nothing.
 */
export function keysReferringTo(objects: ReadonlyArray<KubernetesObject & { spec?: { taskDefinition?: string } }>, family: string): string[] {
  return objects
    .filter((o) => parseTaskDefinitionReference(o.spec?.taskDefinition ?? '')?.family === family)
    .map((o) => `${o.metadata?.namespace}/${o.metadata?.name}`);
}

/** The `default` Cluster of `namespace`, which ECS creates on first use; labelled as the operator's. */
export function defaultClusterObject(namespace: string): Cluster {
  return {
    apiVersion: ECS_API_VERSION,
    kind: 'Cluster',
    metadata: { name: DEFAULT_CLUSTER, namespace, labels: { [LABELS.managedBy]: MANAGED_BY_VALUE } },
    spec: {},
  };
}

/**
 * The named Cluster from the cache. `default` is created when first needed, as ECS does (the informer brings
 * it); another missing cluster is the caller's error to report.
 */
export async function findOrCreateCluster(context: OperatorContext, namespace: string, name: string): Promise<Cluster | undefined> {
  const cluster = context.informers.for(RESOURCES.clusters).get(name, namespace);
  if (!cluster && name === DEFAULT_CLUSTER) await context.writer.createShared(defaultClusterObject(namespace));
  return cluster;
}

/**
 * Creates the ServiceAccounts a workload needs (its task role's). They are shared by every task of the role,
 * so they are never owned; one that exists already is left as it is.
 */
export async function createServiceAccounts(context: OperatorContext, namespace: string, accounts: readonly V1ServiceAccount[]): Promise<void> {
  for (const account of accounts) {
    await context.writer.createShared({ apiVersion: 'v1', kind: 'ServiceAccount', ...account, metadata: { ...account.metadata, namespace } });
  }
}

/** Sets the Valid condition (observedGeneration of `obj`) and records the Event a change of it is worth. */
export function setValid(context: OperatorContext, obj: KubernetesObject, conditions: Condition[] | undefined, validity: Validity): Condition[] {
  const valid = validCondition(conditions, validity, obj.metadata?.generation ?? 0, new Date(context.clock.now()));
  for (const event of valid.events) context.events[event.type](obj, event.reason, event.message);
  return valid.conditions;
}

/**
 * Why a reconcile cannot plan now, if it cannot: its object is `gone` (its expectations are dropped with it), or
 * the cache is `behind` the creates and deletes it made, or still shows the version of `primary` that its last
 * status write replaced (the events that show them bring the key back).
 */
export function planBlocked(context: OperatorContext, owner: Owner, exists: boolean, log: Logger, primary?: KubernetesObject): 'gone' | 'behind' | undefined {
  if (!exists) {
    context.writer.forget(owner);
    return 'gone';
  }
  if (primary && !context.writer.isCurrent(primary)) {
    log.debug('waiting for the cache to show the last status write');
    return 'behind';
  }
  if (context.writer.caughtUp(owner)) return undefined;
  log.debug('waiting for the cache to show earlier writes', { pending: context.writer.pending(owner) });
  return 'behind';
}
