// An ECS cluster's status from its Nodes and Pods: container instances with registered and remaining
// CPU units, memory MiB and ports, their task counts and attributes, and cluster-wide counts, reservation
// and utilization. Pure: the Cluster controller feeds it the cache and the metrics API's answers and writes
// what it returns.
import type { V1Node, V1Pod } from '@kubernetes/client-node';
import type { ClusterSpec, ClusterStatus, ContainerInstance, ContainerInstanceAttribute, ContainerInstanceResource, LabelSelector } from '../api/cluster.js';
import type { TaskLastStatus } from '../api/task.js';
import { BUILTIN_ATTRIBUTE_LABELS, attributeValueOfLabel } from './placement/node-labels.js';
import { memoryQuantityToMiB, quantityToNumber } from './units.js';
import { isReady } from './readiness.js';
import {
  addResources,
  isRunningTaskPod,
  type MetricsReading,
  NO_RESOURCES,
  percentOf,
  podReservation,
  type Resources,
  steadyUtilization,
  type Utilization,
  utilizationOf,
} from './utilization.js';

export const DEFAULT_MAX_INSTANCE_DETAILS = 100;

export interface ClusterStatusInput {
  clusterName: string;
  /** The resource's namespace, for ARNs. */
  namespace: string;
  spec: ClusterSpec;
  /** Every Node (the cluster's own are chosen by spec.nodeSelector). */
  nodes: readonly V1Node[];
  /** Every pod on the cluster's nodes, ECS tasks and others alike: all of them use up node resources. */
  pods: readonly V1Pod[];
  /** Pods that are this cluster's ECS tasks (a subset of `pods`, plus unscheduled ones). */
  isTaskPod: (pod: V1Pod) => boolean;
  /** lastStatus of each of the cluster's Tasks and service tasks. */
  taskStatuses: readonly (TaskLastStatus | undefined)[];
  activeServicesCount: number;
  /** Usage by node name (NodeMetrics); undefined until the metrics API was asked. */
  nodeUsage?: MetricsReading;
  /** Usage by pod name of the Cluster's namespace, where its tasks are (PodMetrics); undefined until asked. */
  podUsage?: MetricsReading;
  /** The status the Cluster shows now: its utilization figures stay while new ones are within the deadband. */
  shown?: ClusterStatus;
}

/** Whether labels satisfy a Kubernetes label selector (an absent or empty selector matches everything). */
export function matchesLabelSelector(labels: Readonly<Record<string, string>> | undefined, selector: LabelSelector | undefined): boolean {
  const have = labels ?? {};
  const pairs = Object.entries(selector?.matchLabels ?? {});
  if (!pairs.every(([key, value]) => have[key] === value)) return false;
  return (selector?.matchExpressions ?? []).every(({ key, operator, values = [] }) => {
    const value = have[key];
    switch (operator) {
      case 'In':
        return value !== undefined && values.includes(value);
      case 'NotIn':
        return value === undefined || !values.includes(value);
      case 'Exists':
        return value !== undefined;
      case 'DoesNotExist':
        return value === undefined;
      default:
        return false;
    }
  });
}

const PENDING_STATUSES: ReadonlySet<string> = new Set(['PROVISIONING', 'PENDING', 'ACTIVATING']);

function isTerminated(pod: V1Pod): boolean {
  return pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
}

/** Millicores of a CPU quantity. Resources are summed in millicores and turned into CPU units once, so rounding never adds up. */
function millicores(quantity: string | undefined): number {
  return Math.round((quantityToNumber(quantity ?? '0') ?? 0) * 1000);
}

/** Whole CPU units (1024 a CPU) of millicores, rounded down as ECS reports registered and remaining CPU. */
function unitsOf(millis: number): number {
  return Math.floor((millis * 1024) / 1000);
}

function hostPorts(pods: readonly V1Pod[], protocol: 'TCP' | 'UDP'): string[] {
  const ports = pods.flatMap((pod) =>
    [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].flatMap((c) =>
      (c.ports ?? []).filter((p) => p.hostPort && (p.protocol ?? 'TCP') === protocol).map((p) => p.hostPort!),
    ),
  );
  return [...new Set(ports)].sort((a, b) => a - b).map(String);
}

function integer(name: 'CPU' | 'MEMORY', value: number): ContainerInstanceResource {
  return { name, type: 'INTEGER', integerValue: Math.floor(value) };
}

function stringSet(name: 'PORTS' | 'PORTS_UDP', values: string[]): ContainerInstanceResource {
  return { name, type: 'STRINGSET', stringSetValue: values };
}

/** ECS DRAINING: no new tasks go there. A cordoned node, or one tainted NoExecute. */
function isDraining(node: V1Node): boolean {
  return node.spec?.unschedulable === true || (node.spec?.taints ?? []).some((t) => t.effect === 'NoExecute');
}

function attributes(node: V1Node, attributeLabels: Readonly<Record<string, string>>): ContainerInstanceAttribute[] {
  const labels = node.metadata?.labels ?? {};
  const mapping = { ...BUILTIN_ATTRIBUTE_LABELS, ...attributeLabels };
  return Object.keys(mapping)
    .sort()
    .flatMap((name) => {
      const value = labels[mapping[name]!];
      return value === undefined ? [] : [{ name, value: attributeValueOfLabel(name, value) }];
    });
}

/** Cluster sums: CPU in millicores, memory in MiB. */
interface InstanceTotals {
  registered: Resources;
  reserved: Resources;
  /** What the RUNNING tasks on the instances use, where the metrics API measured them. */
  used: Resources;
}

/**
 * An instance's utilization: its node's usage over what it registered (Container Insights' instance figures).
 * A node the metrics API leaves out (a failed scrape; kwok's nodes without pods) keeps the figures it shows.
 */
function instanceUtilization(name: string, registered: Resources, input: ClusterStatusInput): Utilization {
  const shown = utilizationOf(input.shown?.containerInstances?.find((i) => i.nodeName === name) ?? {});
  if (!input.nodeUsage) return shown;
  if (!input.nodeUsage.served) return {};
  const used = input.nodeUsage.usage.get(name);
  return used ? steadyUtilization(used, registered, shown) : shown;
}

function containerInstance(node: V1Node, input: ClusterStatusInput, podsOnNode: readonly V1Pod[], totals: InstanceTotals): ContainerInstance {
  const name = node.metadata?.name ?? '';
  const allocatable = node.status?.allocatable ?? {};
  const cpu = millicores(allocatable.cpu);
  const memory = memoryQuantityToMiB(allocatable.memory ?? '0') ?? 0;
  const live = podsOnNode.filter((p) => !isTerminated(p));
  const requested = live.map(podReservation).reduce(addResources, NO_RESOURCES);
  const tasks = live.filter(input.isTaskPod);
  totals.registered = addResources(totals.registered, { cpu, memory });
  totals.reserved = tasks.map(podReservation).reduce(addResources, totals.reserved);
  if (input.podUsage?.served) {
    const usage = input.podUsage.usage;
    const measured = tasks.filter(isRunningTaskPod).flatMap((p) => usage.get(p.metadata?.name ?? '') ?? []);
    totals.used = measured.reduce(addResources, totals.used);
  }
  const kubeletPort = node.status?.daemonEndpoints?.kubeletEndpoint?.Port;
  const reservedPorts = kubeletPort ? [String(kubeletPort)] : [];
  const instance: ContainerInstance = {
    nodeName: name,
    containerInstanceArn: `arn:aws:ecs:local:${input.namespace}:container-instance/${input.clusterName}/${name}`,
    status: isDraining(node) ? 'DRAINING' : 'ACTIVE',
    agentConnected: isReady(node),
    runningTasksCount: tasks.filter((p) => p.status?.phase === 'Running').length,
    pendingTasksCount: tasks.filter((p) => p.status?.phase === 'Pending').length,
    registeredResources: [integer('CPU', unitsOf(cpu)), integer('MEMORY', memory), stringSet('PORTS', reservedPorts), stringSet('PORTS_UDP', [])],
    remainingResources: [
      integer('CPU', unitsOf(Math.max(0, cpu - requested.cpu))),
      integer('MEMORY', Math.max(0, memory - requested.memory)),
      stringSet(
        'PORTS',
        [...new Set([...reservedPorts, ...hostPorts(live, 'TCP')])].sort((a, b) => Number(a) - Number(b)),
      ),
      stringSet('PORTS_UDP', hostPorts(live, 'UDP')),
    ],
    ...instanceUtilization(name, { cpu, memory }, input),
    attributes: attributes(node, input.spec.attributeLabels ?? {}),
  };
  if (node.metadata?.creationTimestamp) instance.registeredAt = new Date(node.metadata.creationTimestamp).toISOString();
  return instance;
}

const percent = (part: number, whole: number): number => percentOf(part, whole) ?? 0;

/**
 * The Cluster's CPUUtilization and MemoryUtilization as ECS defines them: what its tasks on its container
 * instances use over what those instances registered (only ACTIVE and DRAINING instances are in `totals`).
 */
function clusterUtilization(input: ClusterStatusInput, totals: InstanceTotals): Utilization {
  if (!input.podUsage) return utilizationOf(input.shown ?? {});
  return input.podUsage.served ? steadyUtilization(totals.used, totals.registered, input.shown ?? {}) : {};
}

/** The observed part of a Cluster's status (conditions are the controller's). */
export function observeCluster(input: ClusterStatusInput): ClusterStatus {
  const nodes = input.nodes
    .filter((n) => matchesLabelSelector(n.metadata?.labels, input.spec.nodeSelector))
    .sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
  const podsByNode = new Map<string, V1Pod[]>();
  for (const pod of input.pods) {
    const node = pod.spec?.nodeName;
    if (!node) continue;
    const onNode = podsByNode.get(node);
    if (onNode) onNode.push(pod);
    else podsByNode.set(node, [pod]);
  }
  const totals: InstanceTotals = { registered: NO_RESOURCES, reserved: NO_RESOURCES, used: NO_RESOURCES };
  const instances = nodes.map((node) => containerInstance(node, input, podsByNode.get(node.metadata?.name ?? '') ?? [], totals));
  const limit = input.spec.maxInstanceDetails ?? DEFAULT_MAX_INSTANCE_DETAILS;
  const status: ClusterStatus = {
    clusterName: input.clusterName,
    clusterArn: `arn:aws:ecs:local:${input.namespace}:cluster/${input.clusterName}`,
    status: 'ACTIVE',
    registeredContainerInstancesCount: instances.length,
    runningTasksCount: input.taskStatuses.filter((s) => s === 'RUNNING').length,
    pendingTasksCount: input.taskStatuses.filter((s) => s !== undefined && PENDING_STATUSES.has(s)).length,
    activeServicesCount: input.activeServicesCount,
    cpuReservation: percent(totals.reserved.cpu, totals.registered.cpu),
    memoryReservation: percent(totals.reserved.memory, totals.registered.memory),
    ...clusterUtilization(input, totals),
    containerInstances: instances.slice(0, limit),
  };
  if (instances.length > limit) status.containerInstancesOmitted = instances.length - limit;
  return status;
}
