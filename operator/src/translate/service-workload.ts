// What a Service runs, as objects: the deployment a resolved revision makes (its pod template and labels), the
// ReplicaSet of a REPLICA deployment, the DaemonSet of a DAEMON service, and the core Services of its service
// discovery. Pure: the Service controller applies them (with its owner reference) and `ecs-operator translate`
// prints them, so both give the same objects.
import type { V1DaemonSet, V1Node, V1OwnerReference, V1Pod, V1PodTemplateSpec, V1ReplicaSet, V1Service, V1ServiceAccount } from '@kubernetes/client-node';
import type { CapacityProviderStrategyItem, Cluster } from '../api/cluster.js';
import { ECS_GROUP } from '../api/meta.js';
import type { RolloutState, SchedulingStrategy, Service } from '../api/service.js';
import type { TaskDefinitionSpec } from '../api/taskdefinition.js';
import type { Issue } from './issues.js';
import { ANNOTATIONS, LABELS, MANAGED_BY_VALUE } from './labels.js';
import { toLabelValue } from './names.js';
import { daemonRollingUpdate, deploymentPercents } from './rollout.js';
import { splitByStrategy, strategyProviders, workloadStrategy } from './capacity-providers.js';
import { stableStringify } from './hash.js';
import { deploymentId, deploymentLabelValue, providerReplicaSetNames, replicaSetName } from './service-deployments.js';
import { discoveryServices } from './service-discovery.js';
import type { HostAccessPolicy } from './host-access.js';
import { ecsClusterName, ownTags, workloadTemplate, type Workload, type WorkloadInput } from './workload.js';

/** On a deployment's ReplicaSet (or a DAEMON service's DaemonSet). */
export const DEPLOYMENT_ANNOTATIONS = {
  /** The ECS deployment id, `ecs-svc/...` (the label holds its digits). */
  id: `${ECS_GROUP}/deployment-id`,
  /** COMPLETED or FAILED once the deployment got there; absent while IN_PROGRESS. */
  rolloutState: `${ECS_GROUP}/rollout-state`,
  rolloutStateReason: `${ECS_GROUP}/rollout-state-reason`,
  /** On the ReplicaSet of one capacity provider: the deployment it is part of (the names' common prefix). */
  deployment: `${ECS_GROUP}/deployment`,
  /** On the ReplicaSet of one capacity provider: the deployment's strategy (JSON), which splits its tasks. */
  strategy: `${ECS_GROUP}/capacity-provider-strategy`,
} as const;

/** One capacity provider's share of a deployment: its own ReplicaSet, on the provider's nodes. */
export interface DeploymentPart {
  /** The ReplicaSet's name, `web-3-1a2b3c-fargate-spot`. */
  name: string;
  /** The capacity provider, as the strategy names it. */
  provider: string;
  template: V1PodTemplateSpec;
  /** The ReplicaSet's labels: the deployment's and the provider's. */
  labels: Record<string, string>;
}

/**
 * A deployment of a Service: one revision (and forceNewDeployment token), run by one ReplicaSet; with a capacity
 * provider strategy, by one ReplicaSet per provider (`parts`), the deployment's task count split over them by the
 * strategy. The rollout math sees the deployment's totals either way, so its bounds hold for the Service as a
 * whole, and a deployment without a strategy is exactly what it was before strategies were implemented.
 */
export interface ServiceDeploymentObject {
  /** The ReplicaSet's name, `web-3`; with a strategy, the prefix of its parts' names. */
  name: string;
  /** `ecs-svc/...`. */
  id: string;
  /** `family:revision`. */
  taskDefinition: string;
  template: V1PodTemplateSpec;
  labels: Record<string, string>;
  state?: RolloutState;
  stateReason?: string;
  /** With a capacity provider strategy: the strategy and one part per provider, in its order. */
  strategy?: readonly CapacityProviderStrategyItem[];
  parts?: readonly DeploymentPart[];
}

/** What a Service's spec asks to run now: the deployment of the resolved revision. */
export interface ServiceTarget extends ServiceDeploymentObject {
  spec: TaskDefinitionSpec;
  serviceAccounts: V1ServiceAccount[];
}

export interface ServiceTargetInput {
  service: Service;
  cluster: Cluster;
  /** The operator's host-access policy (`context.settings.hostAccess`); absent: no namespace may use the host. */
  hostAccess?: HostAccessPolicy;
  strategy: SchedulingStrategy;
  /** The resolved revision: its spec, family and number. */
  spec: TaskDefinitionSpec;
  family: string;
  revision: number;
  /** The Cluster's container instances, for placement evaluated on nodes. */
  nodes: readonly V1Node[];
  /** The Cluster's task pods in the namespace, for `task:group` evaluated on nodes. */
  pods: readonly V1Pod[];
  /** The namespace's ServiceAccounts (the controller's cache), so that the task role's is checked; see workload.ts. */
  existingServiceAccounts?: readonly V1ServiceAccount[];
}

/** The deployment the spec asks for: the resolved revision translated for the cluster, or its first error. */
export function serviceTarget({
  service,
  cluster,
  hostAccess,
  strategy,
  spec,
  family,
  revision,
  nodes,
  pods,
  existingServiceAccounts,
}: ServiceTargetInput): Omit<Workload, 'template'> & { target?: ServiceTarget } {
  const resourceName = service.metadata.name ?? '';
  const { strategy: resolved, refusal } = workloadStrategy({ ...service.spec, schedulingStrategy: strategy }, cluster);
  if (refusal) return { error: refusal, serviceAccounts: [], warnings: [], nodeEvaluated: false };
  const name = replicaSetName(resourceName, revision, service.spec.forceNewDeployment, resolved?.items);
  const id = deploymentId(service.metadata.uid ?? '', name);
  const serviceLabel = toLabelValue(resourceName);
  const ecsName = service.spec.serviceName ?? resourceName;
  const input: WorkloadInput = {
    cluster,
    spec,
    family,
    revision,
    ...(hostAccess ? { hostAccess } : {}),
    group: `service:${ecsName}`,
    labels: { [LABELS.service]: serviceLabel, [LABELS.deployment]: deploymentLabelValue(id) },
    selectorLabels: { [LABELS.service]: serviceLabel },
    placementConstraints: service.spec.placementConstraints ?? [],
    ...(strategy === 'REPLICA' ? { placementStrategy: service.spec.placementStrategy ?? [] } : {}),
    ...(service.spec.schedulerName ? { schedulerName: service.spec.schedulerName } : {}),
    ...(service.spec.volumeConfigurations ? { volumeConfigurations: service.spec.volumeConfigurations } : {}),
    restartPolicy: 'Always',
    propagateTags: service.spec.propagateTags === 'TASK_DEFINITION',
    ...(service.spec.propagateTags === 'SERVICE' ? { taskTags: ownTags(service.spec.tags) } : {}),
    ...(service.spec.enableECSManagedTags ? { managedTags: { 'aws:ecs:clusterName': ecsClusterName(cluster), 'aws:ecs:serviceName': ecsName } } : {}),
    ...(service.spec.networkConfiguration ? { networkConfiguration: service.spec.networkConfiguration } : {}),
    nodes,
    pods,
    ...(existingServiceAccounts ? { existingServiceAccounts } : {}),
  };
  const { template, ...workload } = workloadTemplate(input);
  if (!template) return workload;
  const labels = {
    [LABELS.managedBy]: MANAGED_BY_VALUE,
    [LABELS.service]: serviceLabel,
    [LABELS.cluster]: toLabelValue(cluster.metadata.name ?? ''),
    [LABELS.deployment]: deploymentLabelValue(id),
    [LABELS.family]: toLabelValue(family),
    [LABELS.revision]: String(revision),
  };
  const target: ServiceTarget = { name, id, taskDefinition: `${family}:${revision}`, spec, template, labels, serviceAccounts: workload.serviceAccounts };
  if (!resolved) return { ...workload, target };
  // One template per provider: the same translation (its warnings said once) kept to the provider's nodes.
  const providers = strategyProviders(resolved.items, cluster);
  const names = providerReplicaSetNames(
    name,
    providers.map((p) => p.name),
  );
  const parts: DeploymentPart[] = [];
  for (const [index, provider] of providers.entries()) {
    const part = workloadTemplate({ ...input, capacityProvider: provider });
    if (!part.template) return { ...part, warnings: workload.warnings };
    parts.push({
      name: names[index] ?? '',
      provider: provider.name,
      template: part.template,
      labels: { ...labels, [LABELS.capacityProvider]: toLabelValue(provider.name) },
    });
  }
  return { ...workload, target: { ...target, strategy: resolved.items, parts } };
}

/** The namespace of a Service's children, when the Service has one. */
function namespaceOf(service: Service): { namespace?: string } {
  return service.metadata.namespace ? { namespace: service.metadata.namespace } : {};
}

/** The owner references of a Service's child, when there are any (the controller's; none where the CLI prints). */
function owned(ownerReferences: readonly V1OwnerReference[]): { ownerReferences?: V1OwnerReference[] } {
  return ownerReferences.length > 0 ? { ownerReferences: [...ownerReferences] } : {};
}

/** The ReplicaSet of a REPLICA deployment, asked for `replicas` tasks. */
export function serviceReplicaSet(
  service: Service,
  deployment: ServiceDeploymentObject,
  replicas: number,
  ownerReferences: readonly V1OwnerReference[] = [],
): V1ReplicaSet {
  const annotations: Record<string, string> = {
    [DEPLOYMENT_ANNOTATIONS.id]: deployment.id,
    [ANNOTATIONS.taskDefinition]: deployment.taskDefinition,
    ...(deployment.state ? { [DEPLOYMENT_ANNOTATIONS.rolloutState]: deployment.state } : {}),
    ...(deployment.stateReason ? { [DEPLOYMENT_ANNOTATIONS.rolloutStateReason]: deployment.stateReason } : {}),
  };
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name: deployment.name, ...namespaceOf(service), labels: deployment.labels, annotations, ...owned(ownerReferences) },
    spec: {
      replicas,
      selector: { matchLabels: { [LABELS.service]: deployment.labels[LABELS.service] ?? '', [LABELS.deployment]: deployment.labels[LABELS.deployment] ?? '' } },
      template: deployment.template,
    },
  };
}

/**
 * The ReplicaSets of a REPLICA deployment, asked for `replicas` tasks in all: its one ReplicaSet, or one per
 * capacity provider with the tasks split by the deployment's strategy.
 */
export function serviceReplicaSets(
  service: Service,
  deployment: ServiceDeploymentObject,
  replicas: number,
  ownerReferences: readonly V1OwnerReference[] = [],
): V1ReplicaSet[] {
  const { parts, strategy } = deployment;
  if (!parts || !strategy) return [serviceReplicaSet(service, deployment, replicas, ownerReferences)];
  const split = splitByStrategy(strategy, replicas);
  return parts.map((part) => {
    const share = split[strategy.findIndex((item) => item.capacityProvider === part.provider)] ?? 0;
    const rs = serviceReplicaSet(service, { ...deployment, name: part.name, template: part.template, labels: part.labels }, share, ownerReferences);
    const annotations = {
      ...rs.metadata?.annotations,
      [DEPLOYMENT_ANNOTATIONS.deployment]: deployment.name,
      [DEPLOYMENT_ANNOTATIONS.strategy]: stableStringify(strategy),
    };
    const selector = { matchLabels: { ...rs.spec?.selector.matchLabels, [LABELS.capacityProvider]: part.labels[LABELS.capacityProvider] ?? '' } };
    return { ...rs, metadata: { ...rs.metadata, annotations }, spec: { ...rs.spec, selector, template: part.template } };
  });
}

/** The DaemonSet of a DAEMON service, running `target`'s template on every node its placement admits. */
export function serviceDaemonSet(service: Service, target: ServiceDeploymentObject, ownerReferences: readonly V1OwnerReference[] = []): V1DaemonSet {
  const serviceLabel = target.labels[LABELS.service] ?? '';
  const { [LABELS.deployment]: _deployment, [LABELS.family]: _family, [LABELS.revision]: _revision, ...labels } = target.labels;
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: {
      name: service.metadata.name,
      ...namespaceOf(service),
      labels,
      annotations: { [DEPLOYMENT_ANNOTATIONS.id]: target.id, [ANNOTATIONS.taskDefinition]: target.taskDefinition },
      ...owned(ownerReferences),
    },
    spec: {
      selector: { matchLabels: { [LABELS.service]: serviceLabel } },
      template: target.template,
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: daemonRollingUpdate(deploymentPercents('DAEMON', service.spec.deploymentConfiguration)) },
    },
  };
}

/** The core Services of a Service's discovery (serviceRegistries, loadBalancers), selecting its tasks. */
export function serviceDiscoveryObjects(
  service: Service,
  taskDefinition: TaskDefinitionSpec,
  ownerReferences: readonly V1OwnerReference[] = [],
): { services: V1Service[]; errors: Issue[] } {
  const { services, errors } = discoveryServices(service.metadata.name ?? '', service.spec, taskDefinition);
  const selector = { [LABELS.service]: toLabelValue(service.metadata.name ?? '') };
  return {
    services: services.map(({ name, ports }) => ({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name, ...namespaceOf(service), labels: { [LABELS.managedBy]: MANAGED_BY_VALUE, ...selector }, ...owned(ownerReferences) },
      spec: { type: 'ClusterIP', selector, ports },
    })),
    errors,
  };
}
