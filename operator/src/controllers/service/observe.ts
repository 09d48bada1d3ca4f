// The Service controller's one read: everything a plan decides from, taken from the informer caches (no API
// request) and frozen into a ServiceSnapshot. Resolving the task definition and translating it for the Cluster
// happen here too, since both read the caches (revisions, nodes, pods); what they produce is pure data.
import type { V1DaemonSet, V1Pod, V1ReplicaSet, V1Service } from '@kubernetes/client-node';
import type { CapacityProviderStrategyItem, Cluster } from '../../api/cluster.js';
import type { Service } from '../../api/service.js';
import { RESOURCES, type SharedInformer } from '../../runtime/informer.js';
import { matchesLabelSelector } from '../../translate/cluster-status.js';
import { ANNOTATIONS, LABELS } from '../../translate/labels.js';
import type { Issue } from '../../translate/issues.js';
import { workloadStrategy } from '../../translate/capacity-providers.js';
import { revisionSpec } from '../../translate/revisions.js';
import { deploymentId, replicaSetName } from '../../translate/service-deployments.js';
import { classifyServiceTask } from '../../translate/service-tasks.js';
import { DEPLOYMENT_ANNOTATIONS, serviceTarget, type ServiceTarget } from '../../translate/service-workload.js';
import { byAge, clusterNameOf, isControlledBy, resolveTaskDefinition, VALID, type Validity } from '../common.js';
import type { OperatorContext } from '../context.js';
import { isoTime, nameOf, type ObservedDeployment, type ObservedTask, type ServiceSnapshot, type TakenName } from './snapshot.js';
import type { IndexLookup } from '../indexes.js';
import type { TargetGroupBinding } from '../../translate/target-group-bindings.js';
import { ownWarnings } from '../../translate/not-applied.js';
import type { MetricsReading } from '../../translate/utilization.js';

export interface ServiceCaches {
  replicaSets: SharedInformer<V1ReplicaSet>;
  pods: SharedInformer<V1Pod>;
  daemonSets: SharedInformer<V1DaemonSet>;
  coreServices: SharedInformer<V1Service>;
  /** Index lookups (controllers/indexes.ts): a Service's ReplicaSets, a ReplicaSet's or DaemonSet's pods, a cluster's task pods. */
  replicaSetsOf: IndexLookup<V1ReplicaSet>;
  podsOf: IndexLookup<V1Pod>;
  clusterPods: (namespace: string, cluster: string) => V1Pod[];
  /** Whether TargetGroupBindings are served (asked before the observation), and the operator's own. */
  targetGroupBindings: { served: boolean; list: (namespace: string) => TargetGroupBinding[] };
}

/**
 * The deployments of a Service's ReplicaSets (oldest first): each ReplicaSet is one, except those of one
 * capacity provider each, which make one deployment together (the deployment annotation names it).
 */
export function deploymentsOfReplicaSets(
  replicaSets: readonly V1ReplicaSet[],
  service: Service,
  tasksOf: (rs: V1ReplicaSet) => ObservedTask[],
): ObservedDeployment[] {
  const groups = new Map<string, V1ReplicaSet[]>();
  for (const rs of replicaSets) {
    const key = rs.metadata?.annotations?.[DEPLOYMENT_ANNOTATIONS.deployment] ?? nameOf(rs);
    groups.set(key, [...(groups.get(key) ?? []), rs]);
  }
  return [...groups].map(([name, group]) => {
    const [first] = group;
    const single = deploymentOfReplicaSet(first ?? {}, service, group.flatMap(tasksOf));
    const strategyText = first?.metadata?.annotations?.[DEPLOYMENT_ANNOTATIONS.strategy];
    if (!first || strategyText === undefined) return single;
    const withState = group.map((rs) => deploymentOfReplicaSet(rs, service, [])).find((d) => d.state) ?? single;
    return {
      ...single,
      ...(withState.state ? { state: withState.state } : {}),
      ...(withState.stateReason ? { stateReason: withState.stateReason } : {}),
      name,
      strategy: parseStrategy(strategyText),
      parts: group.map((rs) => ({
        name: nameOf(rs),
        provider: rs.spec?.template?.metadata?.annotations?.[ANNOTATIONS.capacityProvider] ?? '',
        template: rs.spec?.template ?? {},
        labels: rs.metadata?.labels ?? {},
        live: rs,
      })),
    };
  });
}

function parseStrategy(text: string): CapacityProviderStrategyItem[] {
  try {
    const parsed: unknown = JSON.parse(text);
    return Array.isArray(parsed) ? (parsed as CapacityProviderStrategyItem[]) : [];
  } catch {
    return [];
  }
}

/** The deployment a live ReplicaSet runs, as its labels and annotations tell it. */
export function deploymentOfReplicaSet(rs: V1ReplicaSet, service: Service, tasks: readonly ObservedTask[]): ObservedDeployment {
  const annotations = rs.metadata?.annotations ?? {};
  const labels = rs.metadata?.labels ?? {};
  const state = annotations[DEPLOYMENT_ANNOTATIONS.rolloutState];
  const reason = annotations[DEPLOYMENT_ANNOTATIONS.rolloutStateReason];
  return {
    name: nameOf(rs),
    id: annotations[DEPLOYMENT_ANNOTATIONS.id] ?? deploymentId(service.metadata.uid ?? '', nameOf(rs)),
    taskDefinition: annotations[ANNOTATIONS.taskDefinition] ?? `${labels[LABELS.family]}:${labels[LABELS.revision]}`,
    live: rs,
    template: rs.spec?.template ?? {},
    labels,
    ...(state === 'COMPLETED' || state === 'FAILED' ? { state } : {}),
    ...(reason ? { stateReason: reason } : {}),
    tasks,
    ...(rs.metadata?.creationTimestamp ? { createdAt: isoTime(rs.metadata.creationTimestamp) } : {}),
  };
}

export function observeService(context: OperatorContext, caches: ServiceCaches, service: Service, podUsage?: MetricsReading): ServiceSnapshot {
  const now = context.clock.now();
  const namespace = service.metadata.namespace ?? '';
  const resourceName = nameOf(service);
  const grace = service.spec.healthCheckGracePeriodSeconds ?? 0;
  const podsOf = (owner: { metadata?: { uid?: string } }): ObservedTask[] =>
    caches.podsOf(owner.metadata?.uid ?? '').map((pod) => ({ pod, observed: classifyServiceTask(pod, { now, gracePeriodSeconds: grace }) }));

  const ownedReplicaSets = caches.replicaSetsOf(service.metadata.uid ?? '').sort(byAge);
  const deployments = deploymentsOfReplicaSets(ownedReplicaSets, service, podsOf);
  const daemonSets = caches.daemonSets.list(namespace).filter((ds) => isControlledBy(ds, service));
  const clusterName = clusterNameOf(service.spec);
  const cluster = context.informers.for(RESOURCES.clusters).get(clusterName, namespace);
  const clusterNodes = cluster
    ? context.informers
        .for(RESOURCES.nodes)
        .list()
        .filter((n) => matchesLabelSelector(n.metadata?.labels, cluster.spec.nodeSelector))
    : [];
  const clusterPods = caches.clusterPods(namespace, clusterName);
  const strategy = service.spec.schedulingStrategy ?? 'REPLICA';

  const daemonSet = daemonSets.find((ds) => nameOf(ds) === resourceName);
  // A deployment that runs already may go on with an INACTIVE revision, as ECS lets a service keep it.
  const runs = (name: string, reference: string) =>
    strategy === 'DAEMON' ? daemonSet?.metadata?.annotations?.[ANNOTATIONS.taskDefinition] === reference : deployments.some((d) => d.name === name);
  const { validity, target, warnings } = resolveTarget(context, service, cluster, clusterName, { nodes: clusterNodes, pods: clusterPods, runs });

  const foreign: TakenName[] = [];
  for (const name of target ? (target.parts ?? [target]).map((p) => p.name) : []) {
    const sameName = caches.replicaSets.get(name, namespace);
    if (strategy === 'REPLICA' && sameName && !isControlledBy(sameName, service)) foreign.push({ kind: 'ReplicaSet', name });
  }
  const sameDaemonSet = caches.daemonSets.get(resourceName, namespace);
  if (strategy === 'DAEMON' && sameDaemonSet && !isControlledBy(sameDaemonSet, service)) foreign.push({ kind: 'DaemonSet', name: resourceName });

  return {
    service,
    now,
    clusterName,
    strategy,
    validity,
    deployments,
    daemonSets,
    foreign,
    ...(cluster ? { cluster } : {}),
    ...(target ? { target } : {}),
    daemonTasks: daemonSets.flatMap(podsOf),
    coreServices: caches.coreServices.list(namespace),
    taken: [],
    clusterNodes,
    clusterPods,
    targetWarnings: warnings,
    targetGroupBindingServed: caches.targetGroupBindings.served,
    targetGroupBindings: caches.targetGroupBindings.served ? caches.targetGroupBindings.list(namespace) : [],
    ...(podUsage ? { podUsage } : {}),
  };
}

interface TargetInput {
  nodes: ServiceSnapshot['clusterNodes'];
  pods: ServiceSnapshot['clusterPods'];
  /** Whether the deployment `name` (of `family:revision` `reference`) runs already. */
  runs: (name: string, reference: string) => boolean;
}

/** The deployment the spec asks for: the resolved revision translated for the cluster, or why there is none. */
function resolveTarget(
  context: OperatorContext,
  service: Service,
  cluster: Cluster | undefined,
  clusterName: string,
  input: TargetInput,
): { validity: Validity; target?: ServiceTarget; warnings: Issue[] } {
  const namespace = service.metadata.namespace ?? '';
  if (!cluster)
    return {
      validity: { valid: false, reason: 'ClusterNotFound', message: `spec.cluster: Cluster '${clusterName}' does not exist in namespace ${namespace}` },
      warnings: [],
    };
  const controllerType = service.spec.deploymentController?.type ?? 'ECS';
  if (controllerType !== 'ECS') {
    return {
      validity: {
        valid: false,
        reason: 'DeploymentControllerNotSupported',
        message: `spec.deploymentController.type: ${controllerType} is not implemented; only ECS rolling updates are`,
      },
      warnings: [],
    };
  }
  let resolution = resolveTaskDefinition(context, namespace, service.spec.taskDefinition, true);
  if (!resolution.ok) {
    const existing = resolveTaskDefinition(context, namespace, service.spec.taskDefinition, false);
    const strategy = workloadStrategy(service.spec, cluster).strategy?.items;
    const name = existing.ok ? replicaSetName(nameOf(service), existing.number, service.spec.forceNewDeployment, strategy) : '';
    if (existing.ok && input.runs(name, `${existing.family}:${existing.number}`)) resolution = existing;
  }
  if (!resolution.ok)
    return { validity: { valid: false, reason: 'TaskDefinitionUnavailable', message: `spec.taskDefinition: ${resolution.reason}` }, warnings: [] };
  const {
    target,
    error,
    warnings: translated,
  } = serviceTarget({
    service,
    cluster,
    strategy: service.spec.schedulingStrategy ?? 'REPLICA',
    spec: revisionSpec(resolution.revision),
    family: resolution.family,
    revision: resolution.number,
    nodes: input.nodes,
    pods: input.pods,
    // The operator's policy, not the tenant's: host access and which existing ServiceAccounts a task role may use.
    hostAccess: context.settings.hostAccess,
    existingServiceAccounts: context.informers.for(RESOURCES.serviceAccounts).list(service.metadata.namespace),
  });
  // The revision's own warnings are its TaskDefinition's to report; the Service's fields' are the Service's.
  const warnings = ownWarnings(translated);
  if (!target) {
    const { path, message } = error ?? { path: 'spec', message: 'cannot be translated' };
    return { validity: { valid: false, reason: 'InvalidSpec', message: `${path}: ${message}` }, warnings };
  }
  return { validity: VALID, target, warnings };
}
