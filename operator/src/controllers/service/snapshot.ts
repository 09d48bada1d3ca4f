// What the Service planners decide from: one immutable snapshot of the caches (observe.ts fills it), and
// the actions a plan asks the executor for. Pure types and counting helpers; nothing here reads or writes.
import type { KubernetesObject, V1DaemonSet, V1Node, V1Pod, V1PodSpec, V1PodTemplateSpec, V1ReplicaSet, V1Service } from '@kubernetes/client-node';
import type { Cluster } from '../../api/cluster.js';
import { needsApply } from '../../runtime/apply.js';
import type { SchedulingStrategy, Service, ServiceStatus } from '../../api/service.js';
import type { DeploymentTasks } from '../../translate/rollout.js';
import type { ServiceTask } from '../../translate/service-tasks.js';
import type { DeploymentPart, ServiceDeploymentObject, ServiceTarget } from '../../translate/service-workload.js';
import type { TargetGroupBinding } from '../../translate/target-group-bindings.js';
import type { MetricsReading } from '../../translate/utilization.js';
import type { PlannedEvent, Validity } from '../plan-common.js';
import type { Issue } from '../../translate/issues.js';

/** A service task: its pod and what the pod says about it. */
export interface ObservedTask {
  readonly pod: V1Pod;
  readonly observed: ServiceTask;
}

/** A capacity provider's ReplicaSet of a deployment (`live`, absent while it is still to be created). */
export interface ObservedPart extends DeploymentPart {
  readonly live?: V1ReplicaSet;
}

/**
 * A deployment with its ReplicaSet (`live`, absent while it is still to be created) and its tasks. With a
 * capacity provider strategy, `parts` holds its ReplicaSets, one per provider, and `live` is the first that exists.
 */
export interface ObservedDeployment extends ServiceDeploymentObject {
  readonly live?: V1ReplicaSet;
  readonly parts?: readonly ObservedPart[];
  readonly tasks: readonly ObservedTask[];
  readonly createdAt?: string;
}

/** A deployment's ReplicaSets by name, existing or to be: its parts, or its one ReplicaSet. */
export function replicaSetsOf(d: ObservedDeployment): ReadonlyArray<{ name: string; live?: V1ReplicaSet }> {
  return d.parts ?? [{ name: d.name, ...(d.live ? { live: d.live } : {}) }];
}

/** The replicas a deployment's ReplicaSets are asked for, in all. */
export function liveReplicas(d: ObservedDeployment): number {
  return replicaSetsOf(d).reduce((sum, rs) => sum + (rs.live?.spec?.replicas ?? 0), 0);
}

/** A child name that someone else's object holds (seen in the cache, or answered by a create or an apply). */
export interface TakenName {
  kind: 'ReplicaSet' | 'DaemonSet' | 'Service' | 'TargetGroupBinding';
  name: string;
}

export interface ServiceSnapshot {
  readonly service: Service;
  /** Milliseconds since the epoch, the time of this reconcile. */
  readonly now: number;
  readonly clusterName: string;
  readonly cluster?: Cluster;
  readonly strategy: SchedulingStrategy;
  /** Whether the spec can run: Cluster, deployment controller, task definition revision, translation. */
  readonly validity: Validity;
  /** The deployment the spec asks for, translated for the cluster. */
  readonly target?: ServiceTarget;
  /** The ReplicaSets this Service controls as deployments, oldest first. */
  readonly deployments: readonly ObservedDeployment[];
  /** The DaemonSets this Service controls (one, named after it, unless something went wrong). */
  readonly daemonSets: readonly V1DaemonSet[];
  /** The tasks of those DaemonSets. */
  readonly daemonTasks: readonly ObservedTask[];
  /** The operator's core Services of the namespace (label-selected: another's unlabelled one is not here). */
  readonly coreServices: readonly V1Service[];
  /** ReplicaSets and DaemonSets of the namespace named like a child of this Service but not controlled by it. */
  readonly foreign: readonly TakenName[];
  /** Names a create or apply of this reconcile found taken. */
  readonly taken: readonly TakenName[];
  /** The Cluster's nodes and task pods, for explaining why a task waits. */
  readonly clusterNodes: readonly V1Node[];
  readonly clusterPods: readonly V1Pod[];
  /** Warnings of translating the target at the Service's own fields (volumeConfigurations, subnets, tags, placement, ...). */
  readonly targetWarnings?: readonly Issue[];
  /** Whether the TargetGroupBinding kind (elbv2.k8s.aws/v1beta1) is served: loadBalancers[].targetGroupArn is joined by one. */
  readonly targetGroupBindingServed: boolean;
  /** The operator's TargetGroupBindings of the namespace (label-selected; none while the kind is not served). */
  readonly targetGroupBindings: readonly TargetGroupBinding[];
  /** Usage of the namespace's pods from metrics.k8s.io; undefined when it was never answered. */
  readonly podUsage?: MetricsReading;
}

/** Every pod of the Service's deployments and DaemonSets. */
export const taskPods = (snapshot: Pick<ServiceSnapshot, 'deployments' | 'daemonTasks'>): V1Pod[] =>
  [...snapshot.deployments.flatMap((d) => d.tasks), ...snapshot.daemonTasks].map((t) => t.pod);

/** One write, in the order the executor sends them. */
export type ServiceAction =
  | { verb: 'createShared'; object: KubernetesObject }
  | { verb: 'create'; object: KubernetesObject }
  | { verb: 'apply'; desired: KubernetesObject; live: KubernetesObject; force?: boolean }
  | { verb: 'status'; status: ServiceStatus }
  | { verb: 'delete'; object: KubernetesObject }
  | { verb: 'finalizer'; present: boolean };

export interface ServicePlan {
  actions: ServiceAction[];
  events: PlannedEvent[];
  requeueAfterMs?: number;
}

/** Not stopping: a pod its ReplicaSet still counts. */
export const present = (t: ObservedTask) => t.observed.state !== 'STOPPING';

export const countTasks = (tasks: readonly ObservedTask[], replicas: number): DeploymentTasks => ({
  replicas,
  healthy: tasks.filter((t) => t.observed.state === 'HEALTHY').length,
  unhealthy: tasks.filter((t) => t.observed.state !== 'HEALTHY' && t.observed.state !== 'STOPPING').length,
});

/** Whether a ReplicaSet's controller has acted on its current spec (an object without a generation is taken as acted on). */
const acted = (rs: V1ReplicaSet) => rs.metadata?.generation === undefined || (rs.status?.observedGeneration ?? 0) >= rs.metadata.generation;

/**
 * A deployment's tasks for the rollout math: `countTasks`, and what its ReplicaSets' controller says of them
 * (whether it acted on the current counts yet, and the tasks it counted then), which the caches may not show yet.
 */
export function deploymentTasks(d: ObservedDeployment, replicas: number): DeploymentTasks {
  const lives = replicaSetsOf(d).flatMap((rs) => (rs.live ? [rs.live] : []));
  return {
    ...countTasks(d.tasks, replicas),
    acted: lives.every(acted),
    reported: lives.reduce((sum, rs) => sum + (rs.status?.replicas ?? 0), 0),
  };
}

export const running = (tasks: readonly ObservedTask[]) => tasks.filter((t) => t.observed.state !== 'STOPPING' && t.observed.lastStatus === 'RUNNING').length;
export const pending = (tasks: readonly ObservedTask[]) => tasks.filter((t) => t.observed.state === 'PENDING').length;

/** `tasks` with those whose pod uid is in `stopping` seen as the executor leaves them: stopping. */
export function withStopping(tasks: readonly ObservedTask[], stopping: ReadonlySet<string>): ObservedTask[] {
  return tasks.map((t) => (stopping.has(t.pod.metadata?.uid ?? '') ? { pod: t.pod, observed: { ...t.observed, state: 'STOPPING' as const } } : t));
}

export const nameOf = (o: KubernetesObject | undefined) => o?.metadata?.name ?? '';
export const isoTime = (value: Date | string | undefined) => (value === undefined ? undefined : new Date(value).toISOString());

type WithTemplate = KubernetesObject & { spec?: { template?: V1PodTemplateSpec } };

/**
 * Whether someone else changed, in the pod template of an owned ReplicaSet or DaemonSet, what the operator
 * sets there and the API server never defaults: a template label's value, a container's image (or the
 * container itself). Only what `desired` sets is compared, so what another writer added (a label, a container
 * it owns) never asks for an apply again once ours are back.
 */
export function templateEdited(desired: KubernetesObject, live: KubernetesObject): boolean {
  const want = (desired as WithTemplate).spec?.template;
  const have = (live as WithTemplate).spec?.template;
  if (!want || !have) return false;
  if (Object.entries(want.metadata?.labels ?? {}).some(([key, value]) => have.metadata?.labels?.[key] !== value)) return true;
  const images = (spec: V1PodSpec | undefined) => new Map([...(spec?.initContainers ?? []), ...(spec?.containers ?? [])].map((c) => [c.name, c.image]));
  const current = images(have.spec);
  return [...images(want.spec)].some(([name, image]) => current.get(name) !== image);
}

/**
 * Applies `desired` over `live` when it was not applied from an identical object yet (the applied hash), or
 * when `force` or its pod template was edited: a field someone else changed (the hash does not see it). None
 * otherwise: a converged service plans no write.
 */
export function applyIfChanged(desired: KubernetesObject, live: KubernetesObject, force = false): ServiceAction[] {
  if (force || templateEdited(desired, live)) return [{ verb: 'apply', desired, live, force: true }];
  return needsApply(desired, live) ? [{ verb: 'apply', desired, live }] : [];
}
