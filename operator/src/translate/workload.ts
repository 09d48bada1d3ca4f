// What a Task or a Service runs: the resolved task definition revision with overrides and placement, confined to
// the Cluster's container instances, as a pod template; and a Task's Pod. Pure: the controllers create what this
// returns and `ecs-operator translate` prints it, so both give the same objects.
import type { V1Node, V1NodeSelectorTerm, V1Pod, V1PodTemplateSpec, V1ServiceAccount } from '@kubernetes/client-node';
import type { Cluster, LabelSelector } from '../api/cluster.js';
import type { Tag } from '../api/meta.js';
import type { PlacementConstraint, PlacementStrategy } from '../api/placement.js';
import type { NetworkConfiguration, Task, TaskVolumeConfiguration } from '../api/task.js';
import { subnetPlacement, ZONE_LABEL } from './awsvpc.js';
import { providerOfOneTask, strategyProviders, workloadStrategy, type CapacityProvider } from './capacity-providers.js';
import type { TaskDefinitionSpec, TaskOverride } from '../api/taskdefinition.js';
import { hostAccessAllowed, NO_HOST_ACCESS, type HostAccessPolicy } from './host-access.js';
import type { Issue } from './issues.js';
import { ANNOTATIONS, LABELS } from './labels.js';
import { toLabelValue } from './names.js';
import { compilePlacement, constraintSources, groupLabelValue } from './placement/index.js';
import { serviceAccountRefusal } from './service-account.js';
import type { ClusterSettings } from './settings.js';
import type { TaskTag } from './metadata.js';
import { taskDefinitionToPodTemplate, type Scheduling } from './template.js';

export const DEFAULT_CLUSTER = 'default';

/** The Cluster a Task or Service runs in: `spec.cluster` (a name, or an ARN ending in /NAME), default `default`. */
export function clusterNameOf(spec: { cluster?: string }): string {
  const cluster = spec.cluster?.trim();
  if (!cluster) return DEFAULT_CLUSTER;
  return cluster.includes('/') ? cluster.slice(cluster.lastIndexOf('/') + 1) : cluster;
}

/** ANDs `term` into every required node selector term of `scheduling` (one term when there is none). */
export function requireOnEveryTerm(scheduling: Scheduling, term: V1NodeSelectorTerm): void {
  const required = scheduling.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  const terms: V1NodeSelectorTerm[] = required?.nodeSelectorTerms.length ? required.nodeSelectorTerms : [{}];
  const merged = terms.map((t) => ({
    ...t,
    ...(term.matchExpressions ? { matchExpressions: [...(t.matchExpressions ?? []), ...term.matchExpressions] } : {}),
    ...(term.matchFields ? { matchFields: [...(t.matchFields ?? []), ...term.matchFields] } : {}),
  }));
  scheduling.affinity = {
    ...scheduling.affinity,
    nodeAffinity: { ...scheduling.affinity?.nodeAffinity, requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: merged } },
  };
}

/**
 * Keeps a pod on its Cluster's container instances (the Cluster's node selector) and, for StartTask, on the
 * named one. Both are ANDed with what placement compiled.
 */
export function confineToCluster(scheduling: Scheduling, cluster: Cluster, containerInstance: string | undefined): void {
  requireSelector(scheduling, cluster.spec.nodeSelector);
  if (containerInstance) requireOnEveryTerm(scheduling, { matchFields: [{ key: 'metadata.name', operator: 'In', values: [containerInstance] }] });
}

/** ANDs a node label selector into every required node selector term of `scheduling`. */
function requireSelector(scheduling: Scheduling, selector: LabelSelector | undefined): void {
  const expressions = [
    ...Object.entries(selector?.matchLabels ?? {}).map(([key, value]) => ({ key, operator: 'In', values: [value] })),
    ...(selector?.matchExpressions ?? []).map((e) => ({ ...e })),
  ];
  if (expressions.length > 0) requireOnEveryTerm(scheduling, { matchExpressions: expressions });
}

/** Keeps a pod on its capacity provider's nodes, tolerating their taints. */
function keepToProvider(scheduling: Scheduling, provider: CapacityProvider): void {
  requireSelector(scheduling, provider.nodes?.nodeSelector);
  const tolerations = provider.nodes?.tolerations ?? [];
  if (tolerations.length > 0) scheduling.tolerations = [...(scheduling.tolerations ?? []), ...tolerations.map((t) => ({ ...t }))];
}

/** Keeps a pod to the zones of the subnets it names (those the Cluster maps); the warnings name what has no effect. */
function keepToSubnets(scheduling: Scheduling, network: NetworkConfiguration | undefined, cluster: Cluster): Issue[] {
  const { zones, warnings } = subnetPlacement(network, cluster);
  if (zones) requireOnEveryTerm(scheduling, { matchExpressions: [{ key: ZONE_LABEL, operator: 'In', values: zones }] });
  return warnings;
}

/**
 * What a Task's or Service's spec meets in `cluster` before anything is translated: the refusal of its capacity
 * provider strategy and the warnings of its awsvpcConfiguration, in the words of the controllers and `translate`.
 * `import`, which has no Cluster, says them for a Cluster with the default settings.
 */
export function clusterIssues(
  spec: Pick<Task['spec'], 'capacityProviderStrategy' | 'launchType' | 'networkConfiguration'> & { schedulingStrategy?: 'REPLICA' | 'DAEMON' },
  cluster: Cluster,
): Issue[] {
  const { refusal } = workloadStrategy(spec, cluster);
  return [...(refusal ? [refusal] : []), ...subnetPlacement(spec.networkConfiguration, cluster).warnings];
}

/** The ECS name of a Cluster: spec.clusterName, else the resource's name. */
export function ecsClusterName(cluster: Cluster): string {
  return cluster.spec.clusterName ?? cluster.metadata.name ?? DEFAULT_CLUSTER;
}

/** Tags of a Task or Service as pod tags, at their fields (`tags[0]`, located as `spec.tags[0]`). */
export function ownTags(tags: readonly Tag[] | undefined): TaskTag[] {
  return (tags ?? []).map(({ key, value }, index) => ({ key, value: value ?? '', path: `tags[${index}]` }));
}

/**
 * What a Cluster's tasks may do, as translation takes it: host access only where the operator's policy allows
 * it in the Cluster's namespace; the Cluster's own allowPrivileged narrows that further, never widens it.
 */
export function clusterSettings(cluster: Cluster, hostAccess: HostAccessPolicy = NO_HOST_ACCESS): ClusterSettings {
  const { namespace } = cluster.metadata;
  return {
    allowHostAccess: hostAccessAllowed(hostAccess, namespace),
    ...(namespace ? { namespace } : {}),
    allowPrivileged: cluster.spec.allowPrivileged === true,
    ...(cluster.spec.managedEBSVolumes ? { managedEBSVolumes: cluster.spec.managedEBSVolumes } : {}),
  };
}

/** What a Task or a Service runs: a revision with placement, in a Cluster. */
export interface WorkloadInput {
  cluster: Cluster;
  /** The operator's host-access policy (`run --allow-host-access-namespaces`); absent: no namespace may use the host. */
  hostAccess?: HostAccessPolicy;
  /** The resolved revision: its spec, family and number. */
  spec: TaskDefinitionSpec;
  family: string;
  revision: number;
  /** ECS task group: `family:FAMILY` for standalone tasks by default, `service:NAME` for a service's. */
  group: string;
  /** The Task's or Service's own labels (which task or service), beside cluster and group. */
  labels: Record<string, string>;
  /** The labels that select the sibling pods, for spread and distinctInstance. */
  selectorLabels: Record<string, string>;
  placementConstraints?: readonly PlacementConstraint[];
  /** Absent: no strategy at all (DAEMON services); empty: the ECS default spread. */
  placementStrategy?: readonly PlacementStrategy[];
  schedulerName?: string;
  /** StartTask: the one Node to run on. */
  containerInstance?: string;
  overrides?: TaskOverride;
  /** The Task's or Service's volumeConfigurations. */
  volumeConfigurations?: readonly TaskVolumeConfiguration[];
  restartPolicy: 'Never' | 'Always';
  propagateTags: boolean;
  /** The task's own tags and those it copies from its Service; see MetadataInput. */
  taskTags?: readonly TaskTag[];
  /** ECS managed tags (enableECSManagedTags). */
  managedTags?: Readonly<Record<string, string>>;
  /** The capacity provider the pods run on: its nodes and tolerations. */
  capacityProvider?: CapacityProvider;
  /** The Task's or Service's awsvpc settings: the subnets keep the pods to their zones. */
  networkConfiguration?: NetworkConfiguration;
  /** The Cluster's container instances, for placement evaluated on nodes. */
  nodes: readonly V1Node[];
  /** The Cluster's task pods in the namespace, for `task:group` evaluated on nodes. */
  pods: readonly V1Pod[];
  /**
   * The namespace's ServiceAccounts: the task role's, when it exists, must be one the pods may run as
   * (`serviceAccountRefusal`). Absent (`ecs-operator translate`, without a cluster): not checked.
   */
  existingServiceAccounts?: readonly V1ServiceAccount[];
}

export interface Workload {
  /** The pod template; absent when there is an error. */
  template?: V1PodTemplateSpec;
  /** ServiceAccounts the pods need (taskRoleArn); shared by the tasks of a role, so created but never owned. */
  serviceAccounts: V1ServiceAccount[];
  /** The first problem, at its field as a Valid condition states it (the revision's fields after `family:N`). */
  error?: Issue;
  warnings: Issue[];
  /** Whether placement was evaluated on `nodes` (and must be again when they change). */
  nodeEvaluated: boolean;
}

/** The pod template a Task or Service runs: the revision translated with overrides, placement and the Cluster's confinement. */
export function workloadTemplate(input: WorkloadInput): Workload {
  const { cluster, spec, family, revision, group } = input;
  const labels = {
    ...input.labels,
    [LABELS.cluster]: toLabelValue(cluster.metadata.name ?? DEFAULT_CLUSTER),
    [LABELS.group]: groupLabelValue(group),
    ...(input.capacityProvider ? { [LABELS.capacityProvider]: toLabelValue(input.capacityProvider.name) } : {}),
  };
  const reference = `${family}:${revision}`;
  const schedulerName = input.schedulerName ?? cluster.spec.schedulerName;
  const placement = compilePlacement({
    constraints: constraintSources(reference, spec.placementConstraints, input.placementConstraints),
    ...(input.placementStrategy ? { strategies: { path: 'spec.placementStrategy', strategies: input.placementStrategy } } : {}),
    attributeLabels: cluster.spec.attributeLabels ?? {},
    selectorLabels: input.selectorLabels,
    clusterLabels: { [LABELS.cluster]: labels[LABELS.cluster] },
    ...(schedulerName ? { schedulerName } : {}),
    nodes: input.nodes,
    pods: input.pods,
  });
  const { nodeEvaluated } = placement;
  if (placement.errors[0]) return { error: placement.errors[0], serviceAccounts: [], warnings: placement.warnings, nodeEvaluated };
  const { affinity, topologySpreadConstraints } = placement;
  const scheduling: Scheduling = {
    ...(affinity ? { affinity } : {}),
    ...(topologySpreadConstraints && input.placementStrategy ? { topologySpreadConstraints } : {}),
    ...(placement.schedulerName ? { schedulerName: placement.schedulerName } : {}),
  };
  confineToCluster(scheduling, cluster, input.containerInstance);
  if (input.capacityProvider) keepToProvider(scheduling, input.capacityProvider);
  const networkWarnings = keepToSubnets(scheduling, input.networkConfiguration, cluster);
  const translation = taskDefinitionToPodTemplate({
    spec,
    family,
    revision,
    labels,
    scheduling,
    ...(input.overrides ? { overrides: input.overrides } : {}),
    ...(input.volumeConfigurations ? { volumeConfigurations: input.volumeConfigurations } : {}),
    cluster: clusterSettings(cluster, input.hostAccess),
    restartPolicy: input.restartPolicy,
    propagateTags: input.propagateTags,
    ...(input.taskTags ? { taskTags: input.taskTags } : {}),
    ...(input.managedTags ? { managedTags: input.managedTags } : {}),
  });
  // The revision's fields are named after it (`web:3 spec.memory`); the overrides, tags and volume configurations are the Task's or Service's own.
  const own = (path: string) => path.startsWith('overrides') || path.startsWith('tags') || path.startsWith('volumeConfigurations');
  const located = ({ path, message }: Issue): Issue => ({ path: own(path) ? `spec.${path}` : `${reference} ${path}`, message });
  const warnings = [...placement.warnings, ...networkWarnings, ...translation.warnings.map(located)];
  if (!translation.template) {
    return { error: located(translation.errors[0] ?? { path: 'spec', message: 'cannot be translated' }), serviceAccounts: [], warnings, nodeEvaluated };
  }
  const roleRefusal = taskRoleRefusal(input, translation.extraObjects);
  if (roleRefusal) return { error: roleRefusal, serviceAccounts: [], warnings, nodeEvaluated };
  const template = translation.template;
  if (groupLabelValue(group) !== group)
    template.metadata = { ...template.metadata, annotations: { ...template.metadata?.annotations, [ANNOTATIONS.group]: group } };
  if (input.capacityProvider) {
    template.metadata = {
      ...template.metadata,
      annotations: { ...template.metadata?.annotations, [ANNOTATIONS.capacityProvider]: input.capacityProvider.name },
    };
  }
  return { template, serviceAccounts: translation.extraObjects, warnings, nodeEvaluated };
}

/** Why the pods may not run as the existing ServiceAccount of their task role, at the field that names the role. */
function taskRoleRefusal(input: WorkloadInput, accounts: readonly V1ServiceAccount[]): Issue | undefined {
  const existing = input.existingServiceAccounts;
  const overridden = input.overrides?.taskRoleArn;
  const taskRoleArn = overridden ?? input.spec.taskRoleArn;
  if (!existing || !taskRoleArn) return undefined;
  for (const account of accounts) {
    const message = serviceAccountRefusal(
      taskRoleArn,
      existing.find((e) => e.metadata?.name === account.metadata?.name),
    );
    if (message) return { path: overridden ? 'spec.overrides.taskRoleArn' : `${input.family}:${input.revision} spec.taskRoleArn`, message };
  }
  return undefined;
}

export interface TaskPodInput {
  task: Task;
  cluster: Cluster;
  hostAccess?: HostAccessPolicy;
  spec: TaskDefinitionSpec;
  family: string;
  revision: number;
  nodes: readonly V1Node[];
  pods: readonly V1Pod[];
  existingServiceAccounts?: readonly V1ServiceAccount[];
}

export interface TaskPod extends Omit<Workload, 'template'> {
  /** The Pod, without owner references (the controller sets them); absent when there is an error. */
  pod?: V1Pod;
}

/**
 * The capacity provider a Task runs on: the one its strategy (or the Cluster's default, without a launchType)
 * gives a single task; undefined without a strategy; a refusal when ECS would refuse the strategy.
 */
export function taskCapacityProvider(task: Task, cluster: Cluster): { provider?: CapacityProvider; refusal?: Issue } {
  const { strategy, refusal } = workloadStrategy(task.spec, cluster);
  if (refusal) return { refusal };
  if (!strategy) return {};
  const provider = strategyProviders(strategy.items, cluster)[providerOfOneTask(strategy.items)];
  return provider ? { provider } : {};
}

/** A Task's Pod: named after the Task, never restarted in place. */
export function taskPod({ task, ...input }: TaskPodInput): TaskPod {
  const { provider, refusal } = taskCapacityProvider(task, input.cluster);
  if (refusal) return { error: refusal, serviceAccounts: [], warnings: [], nodeEvaluated: false };
  const { template, ...rest } = workloadTemplate({
    ...input,
    group: task.spec.group ?? `family:${input.family}`,
    labels: { [LABELS.task]: task.metadata.name ?? '' },
    selectorLabels: { [LABELS.group]: groupLabelValue(task.spec.group ?? `family:${input.family}`) },
    placementConstraints: task.spec.placementConstraints ?? [],
    placementStrategy: task.spec.placementStrategy ?? [],
    ...(task.spec.schedulerName ? { schedulerName: task.spec.schedulerName } : {}),
    ...(task.spec.containerInstance ? { containerInstance: task.spec.containerInstance } : {}),
    ...(task.spec.overrides ? { overrides: task.spec.overrides } : {}),
    ...(task.spec.volumeConfigurations ? { volumeConfigurations: task.spec.volumeConfigurations } : {}),
    restartPolicy: 'Never',
    propagateTags: task.spec.propagateTags === 'TASK_DEFINITION',
    taskTags: ownTags(task.spec.tags),
    ...(task.spec.enableECSManagedTags ? { managedTags: { 'aws:ecs:clusterName': ecsClusterName(input.cluster) } } : {}),
    ...(provider ? { capacityProvider: provider } : {}),
    ...(task.spec.networkConfiguration ? { networkConfiguration: task.spec.networkConfiguration } : {}),
  });
  if (!template) return rest;
  const namespace = task.metadata.namespace;
  const { labels, annotations } = template.metadata ?? {};
  return {
    ...rest,
    pod: {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: task.metadata.name, ...(namespace ? { namespace } : {}), labels, annotations },
      spec: template.spec,
    },
  };
}
