// Service controller: an ECS service as Kubernetes workloads, deployed the ECS way.
//
// REPLICA: one ReplicaSet per deployment (per task definition revision, and per forceNewDeployment token),
// named by translate/service-deployments.ts (`web` at revision 3 → `web-3`), owned by the Service. Each
// reconcile counts every deployment's tasks from its pods, stops failed tasks (the ReplicaSet starts their
// replacements, as the ECS scheduler does), feeds the counts to the rollout math (translate/rollout.ts) and
// applies the replicas it decides, so the bounds hold whatever state a restart finds. What the pods cannot
// tell is kept where it survives a restart: a deployment's terminal rolloutState in its ReplicaSet's
// annotations (the rollback target is the newest COMPLETED one), failure counts and events in status.
//
// DAEMON: one DaemonSet whose pod template is the PRIMARY deployment's, rolled by the DaemonSet controller
// with maxUnavailable / maxSurge from the DAEMON percents. The DaemonSet controller already places one pod
// on every node that the template's node affinity admits, follows nodes as they come and go, and keeps
// the count per node that ECS's DAEMON bounds speak of; a per-node ReplicaSet scheme would redo that.
// Deployments are told apart by the deployment label of the pods. The circuit breaker watches REPLICA
// services only.
//
// Both: a core Service per discovery name (translate/service-discovery.ts); a finalizer that scales the
// tasks to zero (status DRAINING) before the Service goes; status.selector and runningCount for the scale
// subresource. A converged service costs no request: children are applied only when their hash changes,
// status only when it differs, and events are added only on a change.
import {
  PatchStrategy, setHeaderOptions, type V1DaemonSet, type V1Pod, type V1ReplicaSet, type V1Service,
} from '@kubernetes/client-node';
import type { Cluster } from '../api/cluster.js';
import { ECS_API_VERSION, ECS_GROUP, ECS_VERSION, type Condition } from '../api/meta.js';
import type {
  RolloutState, SchedulingStrategy, Service, ServiceDeployment, ServiceStatus,
} from '../api/service.js';
import { APPLIED_HASH_ANNOTATION, sameJson, withAppliedHash } from '../runtime/apply.js';
import { statusCodeOf } from '../runtime/clients.js';
import { setCondition } from '../runtime/conditions.js';
import { Controller, controllerOf, controllerOwnerKey, type ReconcileContext } from '../runtime/controller.js';
import { Expectations } from '../runtime/expectations.js';
import { RESOURCES, type ResourceType } from '../runtime/informer.js';
import { keyOf, objectKey } from '../runtime/keys.js';
import { matchesLabelSelector } from '../translate/cluster-status.js';
import { stableStringify } from '../translate/hash.js';
import { constraintSources, explainUnplaced } from '../translate/placement/index.js';
import { ANNOTATIONS, LABELS, MANAGED_BY_VALUE } from '../translate/labels.js';
import { toLabelValue } from '../translate/names.js';
import { revisionSpec } from '../translate/revisions.js';
import {
  circuitBreakerThreshold, computeRolloutStep, deploymentPercents, replacementDelayMs, rolloutDone,
  type DeploymentPercents, type DeploymentTasks,
} from '../translate/rollout.js';
import {
  addServiceEvents, deploymentId, replicaSetName, reportedTasks, rolloutReasons, serviceMessages,
} from '../translate/service-deployments.js';
import { classifyServiceTask, type ServiceTask } from '../translate/service-tasks.js';
import {
  DEPLOYMENT_ANNOTATIONS, serviceDaemonSet, serviceDiscoveryObjects, serviceReplicaSet, serviceTarget, type ServiceDeploymentObject, type ServiceTarget,
} from '../translate/service-workload.js';
import {
  byAge, clusterNameOf, controllerReference, createServiceAccounts, findOrCreateCluster, isControlledBy, keysReferringTo, resolveTaskDefinition, setValid, VALID, type Validity,
} from './common.js';
import type { OperatorContext } from './context.js';
import { placedCondition, unschedulableReason } from './plan-common.js';

/** Held on a Service until its tasks are stopped. */
export const SERVICE_FINALIZER = `${ECS_GROUP}/drain-tasks`;

/** Pure, beside the objects they annotate (translate/service-workload.ts, which `ecs-operator translate` prints). */
export { DEPLOYMENT_ANNOTATIONS } from '../translate/service-workload.js';

const MANAGED_SELECTOR = `${LABELS.managedBy}=${MANAGED_BY_VALUE}`;
const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
/** How long a write of ours may stay unseen by the cache before it is trusted anyway. */
const WRITE_VISIBLE_TTL_MS = 60_000;
const EVENT_TASKS_PER_MESSAGE = 10;

const DAEMON_SETS: ResourceType<V1DaemonSet> = {
  apiVersion: 'apps/v1', kind: 'DaemonSet', plural: 'daemonsets', namespaced: true, model: 'V1DaemonSet',
  list: ({ apps }, namespace, labelSelector) =>
    namespace ? apps.listNamespacedDaemonSet({ namespace, labelSelector }) : apps.listDaemonSetForAllNamespaces({ labelSelector }),
};

const CORE_SERVICES: ResourceType<V1Service> = {
  apiVersion: 'v1', kind: 'Service', plural: 'services', namespaced: true, model: 'V1Service',
  list: ({ core }, namespace, labelSelector) =>
    namespace ? core.listNamespacedService({ namespace, labelSelector }) : core.listServiceForAllNamespaces({ labelSelector }),
};

/** A service task: its pod and what the pod says about it. */
interface Task {
  pod: V1Pod;
  observed: ServiceTask;
}

/** One deployment: an existing ReplicaSet, or the one the spec asks for that is still to be created. */
interface Deployment extends ServiceDeploymentObject {
  live?: V1ReplicaSet;
  tasks: Task[];
  createdAt?: string;
}

/** What reconciling one scheduling strategy found and did, for the status. */
interface Reconciled {
  validity: Validity;
  target?: ServiceTarget;
  status: Pick<ServiceStatus, 'desiredCount' | 'runningCount' | 'pendingCount' | 'taskDefinition' | 'deployments'>;
  tasks: Task[];
  steady: boolean;
  requeueAfterMs?: number;
}

/** Not stopping: a pod the ReplicaSet still counts. */
const present = (t: Task) => t.observed.state !== 'STOPPING';
const countTasks = (tasks: readonly Task[], replicas: number): DeploymentTasks => ({
  replicas,
  healthy: tasks.filter((t) => t.observed.state === 'HEALTHY').length,
  unhealthy: tasks.filter((t) => t.observed.state !== 'HEALTHY' && t.observed.state !== 'STOPPING').length,
});
const running = (tasks: readonly Task[]) => tasks.filter((t) => t.observed.state !== 'STOPPING' && t.observed.lastStatus === 'RUNNING').length;
const pending = (tasks: readonly Task[]) => tasks.filter((t) => t.observed.state === 'PENDING').length;

/**
 * The last COMPLETED deployment other than `failed`: the one still running tasks (the one the failed
 * deployment was replacing), else the newest. `deployments` are oldest first.
 */
function lastCompleted(deployments: readonly Deployment[], failed: Deployment): Deployment | undefined {
  const completed = deployments.filter((d) => d !== failed && d.live && d.state === 'COMPLETED');
  return completed.findLast((d) => d.tasks.some(present)) ?? completed.at(-1);
}

/** A Service's names, and the time of this reconcile. */
function scopeOf(svc: Service, now: number) {
  const resourceName = svc.metadata.name ?? '';
  return { namespace: svc.metadata.namespace ?? '', resourceName, ecsName: svc.spec.serviceName ?? resourceName, now, nowIso: new Date(now).toISOString() };
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function isoTime(value: Date | string | undefined): string | undefined {
  return value === undefined ? undefined : new Date(value).toISOString();
}

export function createServiceController(context: OperatorContext): Controller {
  const services = context.informers.for(RESOURCES.services);
  const replicaSets = context.informers.for(RESOURCES.replicaSets);
  const pods = context.informers.for(RESOURCES.pods);
  const nodes = context.informers.for(RESOURCES.nodes);
  const clusters = context.informers.for(RESOURCES.clusters);
  const daemonSets = context.informers.for(DAEMON_SETS, { labelSelector: MANAGED_SELECTOR });
  const coreServices = context.informers.for(CORE_SERVICES, { labelSelector: MANAGED_SELECTOR });
  const podExpectations = new Expectations({ clock: context.clock });
  const replicaSetExpectations = new Expectations({ clock: context.clock });
  const daemonSetExpectations = new Expectations({ clock: context.clock });
  podExpectations.observe(pods);
  replicaSetExpectations.observe(replicaSets);
  daemonSetExpectations.observe(daemonSets);
  // Writes the cache has not shown yet. Expectations cover creations and deletions; these cover updates:
  // a ReplicaSet scaled a moment ago, and a status written a moment ago (failure counts and events live
  // there, so a stale copy would lose or repeat them).
  const unseenScales = new Map<string, { hash: string; generation: number; at: number }>();
  const writtenStatus = new Map<string, { uid: string; status: ServiceStatus }>();

  /** Whether the cache shows every create, delete and scale this controller made for `key`. */
  function cacheCaughtUp(key: string, owned: readonly V1ReplicaSet[]): boolean {
    for (const [rsKey, { at }] of unseenScales) if (context.clock.now() - at > WRITE_VISIBLE_TTL_MS) unseenScales.delete(rsKey);
    if (!podExpectations.satisfied(key) || !replicaSetExpectations.satisfied(key) || !daemonSetExpectations.satisfied(key)) return false;
    for (const rs of owned) {
      const rsKey = objectKey(rs);
      const unseen = unseenScales.get(rsKey);
      if (!unseen) continue;
      const seen = rs.metadata?.annotations?.[APPLIED_HASH_ANNOTATION] === unseen.hash && (rs.metadata?.generation ?? 0) >= unseen.generation;
      if (seen) unseenScales.delete(rsKey);
      else return false;
    }
    return true;
  }

  /** The status last written, where the cache has not caught up with it yet. */
  function previousStatus(svc: Service): ServiceStatus {
    const key = objectKey(svc);
    const written = writtenStatus.get(key);
    if (written?.uid !== svc.metadata.uid || sameJson(written?.status, svc.status)) writtenStatus.delete(key);
    return writtenStatus.get(key)?.status ?? svc.status ?? {};
  }

  async function writeStatus(svc: Service, previous: ServiceStatus, status: ServiceStatus): Promise<void> {
    const { written } = await context.applier.applyStatus(RESOURCES.services, { ...svc, status: previous }, status);
    if (written) writtenStatus.set(objectKey(svc), { uid: svc.metadata.uid ?? '', status });
  }

  async function applyReplicaSet(desired: V1ReplicaSet, live: V1ReplicaSet | undefined): Promise<void> {
    // The hash does not see a replica count changed by someone else: re-apply whenever it differs.
    const drifted = live !== undefined && live.spec?.replicas !== desired.spec?.replicas;
    const { object, written } = await context.applier.apply(desired, drifted ? undefined : live);
    if (written) {
      unseenScales.set(objectKey(object), {
        hash: object.metadata?.annotations?.[APPLIED_HASH_ANNOTATION] ?? '',
        generation: object.metadata?.generation ?? 0,
        at: context.clock.now(),
      });
    }
  }

  async function patchFinalizers(svc: Service, finalizers: string[]): Promise<void> {
    await context.clients.custom.patchNamespacedCustomObject({
      group: ECS_GROUP, version: ECS_VERSION, plural: RESOURCES.services.plural, namespace: svc.metadata.namespace ?? '', name: svc.metadata.name ?? '',
      body: { metadata: { finalizers, resourceVersion: svc.metadata.resourceVersion } },
    }, mergePatch).catch((error: unknown) => {
      if (statusCodeOf(error) !== 404) throw error;
    });
  }

  /** Service events: each goes to status (ECS `events`) and to a Kubernetes Event. */
  class EventLog {
    readonly messages: string[] = [];
    constructor(private readonly svc: Service) {}
    add(type: 'normal' | 'warning', reason: string, message: string): void {
      this.messages.push(message);
      context.events[type](this.svc, reason, message);
    }
  }

  /**
   * The deployment the spec asks for: the resolved revision translated for the cluster. `runs(name, reference)`: whether the deployment `name` (of `family:revision` `reference`) already runs,
   * which lets an INACTIVE revision go on running.
   */
  function resolveTarget(svc: Service, cluster: Cluster, strategy: SchedulingStrategy, runs: (name: string, reference: string) => boolean): { target?: ServiceTarget; validity: Validity } {
    const namespace = svc.metadata.namespace ?? '';
    const resourceName = svc.metadata.name ?? '';
    const token = svc.spec.forceNewDeployment;
    let resolution = resolveTaskDefinition(context, namespace, svc.spec.taskDefinition, true);
    if (!resolution.ok) {
      // An INACTIVE revision keeps running where it already runs, as ECS lets a service keep it.
      const existing = resolveTaskDefinition(context, namespace, svc.spec.taskDefinition, false);
      if (existing.ok && runs(replicaSetName(resourceName, existing.number, token), `${existing.family}:${existing.number}`)) resolution = existing;
    }
    if (!resolution.ok) return { validity: { valid: false, reason: 'TaskDefinitionUnavailable', message: `spec.taskDefinition: ${resolution.reason}` } };
    const { family, number } = resolution;
    const clusterLabel = toLabelValue(cluster.metadata.name ?? '');
    const { target, error } = serviceTarget({
      service: svc, cluster, strategy, spec: revisionSpec(resolution.revision), family, revision: number,
      nodes: nodes.list().filter((n) => matchesLabelSelector(n.metadata?.labels, cluster.spec.nodeSelector)),
      pods: pods.list(namespace).filter((p) => p.metadata?.labels?.[LABELS.cluster] === clusterLabel),
    });
    if (!target) {
      const { path, message } = error ?? { path: 'spec', message: 'cannot be translated' };
      return { validity: { valid: false, reason: 'InvalidSpec', message: `${path}: ${message}` } };
    }
    return { target, validity: VALID };
  }

  function tasksOf(owner: { metadata?: { uid?: string } } | undefined, namespace: string, now: number, grace: number): Task[] {
    const uid = owner?.metadata?.uid;
    if (!uid) return [];
    return pods.list(namespace)
      .filter((pod) => controllerOf(pod)?.uid === uid)
      .map((pod) => ({ pod, observed: classifyServiceTask(pod, { now, gracePeriodSeconds: grace }) }));
  }

  function replicaSetObject(svc: Service, d: Deployment, replicas: number): V1ReplicaSet {
    return serviceReplicaSet(svc, d, replicas, [controllerReference(svc)]);
  }

  function deploymentOf(rs: V1ReplicaSet, svc: Service, tasks: Task[]): Deployment {
    const annotations = rs.metadata?.annotations ?? {};
    const labels = rs.metadata?.labels ?? {};
    const state = annotations[DEPLOYMENT_ANNOTATIONS.rolloutState];
    return {
      name: rs.metadata?.name ?? '',
      id: annotations[DEPLOYMENT_ANNOTATIONS.id] ?? deploymentId(svc.metadata.uid ?? '', rs.metadata?.name ?? ''),
      taskDefinition: annotations[ANNOTATIONS.taskDefinition] ?? `${labels[LABELS.family]}:${labels[LABELS.revision]}`,
      live: rs,
      template: rs.spec?.template ?? {},
      labels,
      ...(state === 'COMPLETED' || state === 'FAILED' ? { state } : {}),
      ...(annotations[DEPLOYMENT_ANNOTATIONS.rolloutStateReason] ? { stateReason: annotations[DEPLOYMENT_ANNOTATIONS.rolloutStateReason] } : {}),
      tasks,
      ...(rs.metadata?.creationTimestamp ? { createdAt: isoTime(rs.metadata.creationTimestamp) } : {}),
    };
  }

  /**
   * Stops the failed tasks whose replacement is due (all of them while the circuit breaker watches or
   * before the failure threshold; later ones after a growing delay). Returns the failures counted by
   * deployment id, the stopped task ids, and when the next one is due.
   */
  async function stopFailedTasks(key: string, tasks: readonly Task[], idOf: (t: Task) => string, failures: (id: string) => number, threshold: number, breaker: boolean, now: number) {
    const counted = new Map<string, number>();
    const stopped: string[] = [];
    let nextDueMs: number | undefined;
    for (const task of tasks) {
      if (task.observed.state !== 'FAILED') continue;
      const id = idOf(task);
      const sofar = failures(id) + (counted.get(id) ?? 0);
      const due = new Date(task.pod.metadata?.creationTimestamp ?? now).getTime() + replacementDelayMs(sofar, threshold, breaker);
      if (due > now) {
        nextDueMs = Math.min(nextDueMs ?? Infinity, due - now);
        continue;
      }
      // Expected before the request: the watch may deliver the deletion before the response is read.
      podExpectations.expectDeletion(key, objectKey(task.pod));
      if (!(await context.applier.delete(task.pod))) podExpectations.deletionObserved(objectKey(task.pod));
      task.observed = { ...task.observed, state: 'STOPPING' };
      stopped.push(task.pod.metadata?.name ?? '');
      if (task.observed.failure?.stage) counted.set(id, (counted.get(id) ?? 0) + 1);
      context.events.warning(task.pod, 'TaskFailed', `Task stopped: ${task.observed.failure?.reason ?? 'failed'}`);
    }
    return { counted, stopped, nextDueMs };
  }

  /**
   * Waiting tasks whose placement was compiled against other Nodes (an expression evaluated on nodes, such as a
   * pattern match): the ReplicaSet's template already carries the new node affinity, but a pod keeps the one it
   * was created with. Such an unscheduled pod never started, so it is replaced: the ReplicaSet creates it anew.
   * Both affinities are compared as the API server stored them (the pod's and its ReplicaSet's template).
   */
  async function replaceStaleWaitingPods(key: string, deployment: Deployment): Promise<void> {
    const wanted = stableStringify(deployment.live?.spec?.template?.spec?.affinity ?? null);
    for (const task of deployment.tasks) {
      const { pod } = task;
      if (pod.spec?.nodeName || pod.metadata?.deletionTimestamp || task.observed.state !== 'PENDING') continue;
      if (stableStringify(pod.spec?.affinity ?? null) === wanted) continue;
      podExpectations.expectDeletion(key, objectKey(pod));
      if (!(await context.applier.delete(pod))) podExpectations.deletionObserved(objectKey(pod));
      task.observed = { ...task.observed, state: 'STOPPING' };
    }
  }

  /** "has started" and "has stopped" events for tasks no earlier event named. */
  function taskEvents(log: EventLog, ecsName: string, tasks: readonly Task[], previous: ServiceStatus, stoppedNow: readonly string[]): void {
    const events = previous.events ?? [];
    // Events drop off after 100; tasks older than the oldest one kept were reported then.
    const horizon = events.length >= 100 ? new Date(events.at(-1)?.createdAt ?? 0).getTime() : -Infinity;
    const recent = (t: Task) => new Date(t.pod.metadata?.creationTimestamp ?? 0).getTime() >= horizon;
    const started = reportedTasks(events, 'started');
    const stopped = reportedTasks(events, 'stopped');
    const newlyStarted = tasks.filter((t) => recent(t) && !started.has(t.pod.metadata?.name ?? ''))
      .map((t) => t.pod.metadata?.name ?? '').sort();
    const newlyStopping = tasks.filter((t) => t.pod.metadata?.deletionTimestamp && !stopped.has(t.pod.metadata.name ?? '') && !stoppedNow.includes(t.pod.metadata.name ?? ''))
      .map((t) => t.pod.metadata?.name ?? '').sort();
    for (const batch of chunks(newlyStarted, EVENT_TASKS_PER_MESSAGE)) log.add('normal', 'TasksStarted', serviceMessages.started(ecsName, batch));
    for (const batch of chunks([...stoppedNow, ...newlyStopping], EVENT_TASKS_PER_MESSAGE)) log.add('normal', 'TasksStopped', serviceMessages.stopped(ecsName, batch));
  }

  /** Placed and Steady conditions, with their events. */
  /** The scheduler's reason a task of the service waits, with the ECS constraints it comes from. */
  function unplacedReason(svc: Service, cluster: Cluster | undefined, result: Reconciled): string | undefined {
    const schedulerMessage = result.tasks.map((t) => (t.observed.state === 'PENDING' ? unschedulableReason(t.pod) : undefined)).find((r) => r !== undefined);
    const { target } = result;
    if (schedulerMessage === undefined || !target || !cluster) return schedulerMessage;
    const namespace = svc.metadata.namespace ?? '';
    const clusterLabel = toLabelValue(cluster.metadata.name ?? '');
    return explainUnplaced({
      schedulerMessage,
      constraints: constraintSources(target.taskDefinition, target.spec.placementConstraints, svc.spec.placementConstraints),
      attributeLabels: cluster.spec.attributeLabels ?? {},
      nodes: nodes.list().filter((n) => matchesLabelSelector(n.metadata?.labels, cluster.spec.nodeSelector)),
      pods: pods.list(namespace).filter((p) => p.metadata?.labels?.[LABELS.cluster] === clusterLabel),
    });
  }

  function observedConditions(svc: Service, cluster: Cluster | undefined, log: EventLog, conditions: Condition[], ecsName: string, result: Reconciled): Condition[] {
    const { steady, status } = result;
    const unplaced = unplacedReason(svc, cluster, result);
    const placedBefore = conditions.find((c) => c.type === 'Placed');
    const placed = placedCondition(conditions, `(service ${ecsName})`, unplaced, new Date(context.clock.now()));
    for (const event of placed.events) context.events[event.type](svc, event.reason, event.message);
    let next = placed.conditions;
    const placedAfter = next.find((c) => c.type === 'Placed');
    if (unplaced && placedAfter && placedAfter.message !== placedBefore?.message) log.messages.push(placedAfter.message);
    const steadyBefore = conditions.find((c) => c.type === 'Steady');
    if (steady && steadyBefore?.status !== 'True') log.add('normal', 'SteadyState', serviceMessages.steadyState(ecsName));
    next = setCondition(next, {
      type: 'Steady', status: steady ? 'True' : 'False', reason: steady ? 'SteadyState' : 'Deploying', message: steady ? '' : `${status.runningCount ?? 0} of ${status.desiredCount ?? 0} tasks running in ${status.deployments?.length ?? 0} deployments; ${status.deployments?.[0]?.rolloutStateReason ?? ''}`,
      observedGeneration: svc.metadata.generation ?? 0,
    }, new Date(context.clock.now()));
    return next;
  }

  /** A deployment's status entry; updatedAt moves only when something else in it does. */
  function deploymentStatus(entry: Omit<ServiceDeployment, 'updatedAt'>, previous: ServiceStatus, nowIso: string): ServiceDeployment {
    const before = previous.deployments?.find((d) => d.id === entry.id);
    const { updatedAt, ...rest } = before ?? {};
    const unchanged = before !== undefined && sameJson(rest, entry);
    return { ...entry, updatedAt: unchanged ? updatedAt ?? nowIso : nowIso };
  }

  /** The core Services of the spec's service discovery; others this Service owns are removed. */
  async function applyDiscovery(svc: Service, target: ServiceTarget | undefined): Promise<Validity> {
    const namespace = svc.metadata.namespace ?? '';
    const owned = coreServices.list(namespace).filter((s) => isControlledBy(s, svc));
    if (!target) return VALID;
    const { services: desired, errors } = serviceDiscoveryObjects(svc, target.spec, [controllerReference(svc)]);
    for (const service of desired) {
      const name = service.metadata?.name ?? '';
      const live = coreServices.get(name, namespace);
      if (live && !isControlledBy(live, svc)) {
        return { valid: false, reason: 'ServiceNameTaken', message: `spec: a core Service named '${name}' exists and does not belong to this Service; it is left alone` };
      }
      await context.applier.apply<V1Service>(service, live);
    }
    for (const stale of owned.filter((s) => !desired.some((d) => d.metadata?.name === s.metadata?.name))) await context.applier.delete(stale);
    const [first] = errors;
    return first ? { valid: false, reason: 'InvalidServiceDiscovery', message: `${first.path}: ${first.message}` } : VALID;
  }

  /**
   * What both strategies report, from the deployments' status entries (PRIMARY first): the completion event of
   * the PRIMARY, the started and stopped tasks' events, and when time alone changes something.
   */
  function reconciled(found: {
    svc: Service; previous: ServiceStatus; log: EventLog; validity: Validity; target: ServiceTarget | undefined; desiredCount: number;
    tasks: Task[]; entries: ServiceDeployment[]; steady: boolean; stops: { stopped: string[]; nextDueMs: number | undefined };
  }): Reconciled {
    const { svc, previous, log, tasks, entries, stops } = found;
    const ecsName = svc.spec.serviceName ?? svc.metadata.name ?? '';
    const [primary] = entries;
    const before = previous.deployments?.find((d) => d.id === primary?.id);
    if (primary?.status === 'PRIMARY' && primary.rolloutState === 'COMPLETED' && before?.rolloutState !== 'COMPLETED') {
      log.add('normal', 'DeploymentCompleted', serviceMessages.deploymentCompleted(ecsName, primary.id));
    }
    taskEvents(log, ecsName, tasks, previous, stops.stopped);
    const dueIn = [stops.nextDueMs, ...tasks.map((t) => t.observed.healthCheckDueInMs)].filter((ms): ms is number => ms !== undefined);
    return {
      validity: found.validity,
      ...(found.target ? { target: found.target } : {}),
      status: {
        desiredCount: found.desiredCount,
        runningCount: running(tasks),
        pendingCount: pending(tasks),
        ...(primary ? { taskDefinition: primary.taskDefinition } : {}),
        deployments: entries,
      },
      tasks,
      steady: found.steady,
      ...(dueIn.length > 0 ? { requeueAfterMs: Math.min(...dueIn) + 100 } : {}),
    };
  }

  /** The status entries of a REPLICA service's deployments, PRIMARY first, then the others newest first. */
  function replicaStatusEntries(rollout: {
    deployments: readonly Deployment[]; primary: Deployment | undefined; target: Deployment | undefined; next: (d: Deployment) => number;
    failures: (d: Deployment) => number; done: boolean; stalled: boolean; desiredCount: number; percents: DeploymentPercents; breaker: boolean; threshold: number;
  }, previous: ServiceStatus, nowIso: string): ServiceDeployment[] {
    const { deployments, primary, target: targetDeployment, next, failures, done, desiredCount, percents, threshold } = rollout;
    const othersDrained = deployments.every((d) => d === primary || (next(d) === 0 && !d.tasks.some(present)));
    const primaryState = (d: Deployment): RolloutState => {
      if (d.state === 'FAILED') return 'FAILED';
      if (done || (d.state === 'COMPLETED' && othersDrained)) return 'COMPLETED';
      return 'IN_PROGRESS';
    };
    const rollingBack = primary !== undefined && targetDeployment !== undefined && primary !== targetDeployment && targetDeployment.state === 'FAILED';
    const reasonOf = (d: Deployment, state: RolloutState, isPrimary: boolean): string => {
      if (state === 'FAILED') return d.stateReason ?? rolloutReasons.failed(1);
      if (state === 'COMPLETED') return rolloutReasons.completed(d.id);
      if (isPrimary && rollingBack) return rolloutReasons.rollingBack(d.id);
      if (isPrimary && rollout.stalled) return rolloutReasons.stalled(percents.minimumHealthyPercent, percents.maximumPercent, desiredCount);
      return rolloutReasons.inProgress(d.id);
    };
    const listed = deployments.filter((d) => d === primary || next(d) > 0 || d.tasks.some(present) || (rollingBack && d === targetDeployment));
    return listed
      .sort((a, b) => (a === primary ? -1 : b === primary ? 1 : (b.createdAt ?? nowIso).localeCompare(a.createdAt ?? nowIso)))
      .map((d) => {
        const isPrimary = d === primary;
        const state = isPrimary ? primaryState(d) : d.state ?? 'IN_PROGRESS';
        const entry: Omit<ServiceDeployment, 'updatedAt'> = {
          id: d.id,
          status: isPrimary ? 'PRIMARY' : rollingBack && d === targetDeployment && next(d) === 0 && !d.tasks.some(present) ? 'INACTIVE' : 'ACTIVE',
          taskDefinition: d.taskDefinition,
          replicaSet: d.name,
          desiredCount: next(d),
          pendingCount: pending(d.tasks),
          runningCount: running(d.tasks),
          failedTasks: failures(d),
          createdAt: d.createdAt ?? nowIso,
          rolloutState: state,
          rolloutStateReason: reasonOf(d, state, isPrimary),
          ...(rollout.breaker && (isPrimary || d.state === 'FAILED') ? {
            circuitBreaker: {
              status: state === 'FAILED' ? 'TRIGGERED' as const : state === 'COMPLETED' ? 'MONITORING_COMPLETE' as const : 'MONITORING' as const,
              failureCount: failures(d),
              threshold,
            },
          } : {}),
        };
        return deploymentStatus(entry, previous, nowIso);
      });
  }

  async function reconcileReplica(svc: Service, cluster: Cluster | undefined, key: string, previous: ServiceStatus, log: EventLog, validity: Validity): Promise<Reconciled> {
    const { namespace, resourceName, ecsName, now, nowIso } = scopeOf(svc, context.clock.now());
    const grace = svc.spec.healthCheckGracePeriodSeconds ?? 0;
    const desiredCount = svc.spec.desiredCount ?? 0;
    const percents = deploymentPercents('REPLICA', svc.spec.deploymentConfiguration);
    const breaker = svc.spec.deploymentConfiguration?.deploymentCircuitBreaker;
    const threshold = circuitBreakerThreshold(desiredCount, breaker?.thresholdConfiguration);
    const owned = replicaSets.list(namespace).filter((rs) => isControlledBy(rs, svc)).sort(byAge);

    const resolved = cluster ? resolveTarget(svc, cluster, 'REPLICA', (rsName) => owned.some((rs) => rs.metadata?.name === rsName)) : { validity };
    if (cluster) validity = resolved.validity;
    const target = resolved.target;
    const taken = target && replicaSets.get(target.name, namespace);
    if (taken && !isControlledBy(taken, svc)) {
      validity = { valid: false, reason: 'ReplicaSetNameTaken', message: `spec.taskDefinition: a ReplicaSet named '${target.name}' exists and does not belong to this Service; it is left alone` };
    }

    const deployments = owned.map((rs) => deploymentOf(rs, svc, tasksOf(rs, namespace, now, grace)));
    let targetDeployment = target ? deployments.find((d) => d.name === target.name) : undefined;
    if (target && targetDeployment) Object.assign(targetDeployment, { template: target.template, labels: target.labels });
    if (target && !targetDeployment && !taken) {
      targetDeployment = { name: target.name, id: target.id, taskDefinition: target.taskDefinition, template: target.template, labels: target.labels, tasks: [] };
      deployments.push(targetDeployment);
    }
    const previousPrimary = previous.deployments?.find((d) => d.status === 'PRIMARY')?.replicaSet;
    const rollbackTarget = (failed: Deployment) => (breaker?.rollback ? lastCompleted(deployments, failed) : undefined);
    const choosePrimary = (): Deployment | undefined => {
      if (targetDeployment) return targetDeployment.state === 'FAILED' ? rollbackTarget(targetDeployment) ?? targetDeployment : targetDeployment;
      return deployments.find((d) => d.name === previousPrimary) ?? deployments.at(-1);
    };
    let primary = choosePrimary();

    // Failed tasks are stopped and counted against their deployment.
    const failuresBefore = (id: string) => previous.deployments?.find((d) => d.id === id)?.failedTasks ?? 0;
    const all = deployments.flatMap((d) => d.tasks.map((t) => ({ t, d })));
    const deploymentOfTask = new Map(all.map(({ t, d }) => [t, d]));
    const stops = await stopFailedTasks(key, all.map(({ t }) => t), (t) => deploymentOfTask.get(t)?.id ?? '', failuresBefore, threshold, breaker?.enable === true, now);
    const failures = (d: Deployment) => failuresBefore(d.id) + (stops.counted.get(d.id) ?? 0);
    if (targetDeployment?.live) await replaceStaleWaitingPods(key, targetDeployment);

    // The circuit breaker watches the deployment the spec asks for until it completes.
    if (primary && primary === targetDeployment && !primary.state && breaker?.enable && failures(primary) >= threshold) {
      const stage = primary.tasks.some((t) => t.observed.failure?.stage === 2) ? 2 : 1;
      primary.state = 'FAILED';
      primary.stateReason = rolloutReasons.failed(stage);
      log.add('warning', 'DeploymentFailed', serviceMessages.deploymentFailed(ecsName, primary.id, stage === 1 ? 'tasks failed to start' : 'tasks failed health checks'));
      const back = rollbackTarget(primary);
      if (back) log.add('warning', 'RollingBack', serviceMessages.rollingBack(ecsName, back.id));
      else log.add('warning', 'UnableToStartTasks', serviceMessages.unableToStart(ecsName));
      primary = choosePrimary();
    } else if (primary && !breaker?.enable && failuresBefore(primary.id) < threshold && failures(primary) >= threshold) {
      log.add('warning', 'UnableToStartTasks', serviceMessages.unableToStart(ecsName));
    }

    // The rollout step, from the tasks as they are now.
    const replicasOf = (d: Deployment) => d.live?.spec?.replicas ?? 0;
    const others = deployments.filter((d) => d !== primary);
    const step = primary
      ? computeRolloutStep({
        desiredCount, percents,
        primary: countTasks(primary.tasks, replicasOf(primary)),
        primaryFailed: primary.state === 'FAILED',
        others: others.map((d) => countTasks(d.tasks, replicasOf(d))),
      })
      : undefined;
    const nextReplicas = new Map<Deployment, number>();
    if (primary && step) {
      nextReplicas.set(primary, step.primary);
      others.forEach((d, i) => nextReplicas.set(d, step.others[i] ?? 0));
    }
    const next = (d: Deployment) => nextReplicas.get(d) ?? replicasOf(d);
    const done = primary !== undefined && primary.state !== 'FAILED' && rolloutDone({
      desiredCount,
      primary: countTasks(primary.tasks, next(primary)),
      others: others.map((d) => countTasks(d.tasks, next(d))),
    });
    if (primary && done && primary.state !== 'COMPLETED') {
      primary.state = 'COMPLETED';
      delete primary.stateReason;
    }

    // Write the ReplicaSets: the new one created, the others applied when their hash or count changed.
    if (validity.valid || primary) {
      for (const d of deployments) {
        const desired = replicaSetObject(svc, d, next(d));
        if (d.live) {
          await applyReplicaSet(desired, d.live);
        } else if (validity.valid) {
          await createReplicaSet(key, desired, target?.name === d.name ? target : undefined);
        }
      }
      await removeHistory(key, deployments, primary, targetDeployment, next);
    }

    const entries = replicaStatusEntries({
      deployments, primary, target: targetDeployment, next, failures, done, stalled: step?.stalled === true,
      desiredCount, percents, breaker: breaker?.enable === true, threshold,
    }, previous, nowIso);
    return reconciled({ svc, previous, log, validity, target, desiredCount, tasks: deployments.flatMap((d) => d.tasks), entries, steady: done, stops });
  }

  async function createReplicaSet(key: string, desired: V1ReplicaSet, target: ServiceTarget | undefined): Promise<void> {
    const namespace = desired.metadata?.namespace ?? '';
    if (target) await createServiceAccounts(context, namespace, target.serviceAccounts);
    const child = keyOf(desired.metadata?.name ?? '', namespace);
    replicaSetExpectations.expectCreation(key, child);
    try {
      await context.clients.apps.createNamespacedReplicaSet({ namespace, body: withAppliedHash(desired) });
    } catch (error) {
      replicaSetExpectations.creationObserved(child);
      if (statusCodeOf(error) !== 409) throw error;
    }
  }

  /** Drained ReplicaSets go, except the PRIMARY, the spec's, and the one a rollback would return to. */
  async function removeHistory(key: string, deployments: readonly Deployment[], primary: Deployment | undefined, target: Deployment | undefined, next: (d: Deployment) => number): Promise<void> {
    const rollback = primary && lastCompleted(deployments, primary);
    for (const d of deployments) {
      if (!d.live || d === primary || d === target || d === rollback || next(d) > 0 || d.tasks.length > 0) continue;
      replicaSetExpectations.expectDeletion(key, objectKey(d.live));
      if (!(await context.applier.delete(d.live))) replicaSetExpectations.deletionObserved(objectKey(d.live));
    }
  }

  function daemonSetObject(svc: Service, target: ServiceTarget): V1DaemonSet {
    return serviceDaemonSet(svc, target, [controllerReference(svc)]);
  }

  async function reconcileDaemon(svc: Service, cluster: Cluster | undefined, key: string, previous: ServiceStatus, log: EventLog, validity: Validity): Promise<Reconciled> {
    const { namespace, resourceName, ecsName, now, nowIso } = scopeOf(svc, context.clock.now());
    const found = daemonSets.get(resourceName, namespace);
    const live = found && isControlledBy(found, svc) ? found : undefined;
    const resolved = cluster ? resolveTarget(svc, cluster, 'DAEMON', (_name, reference) => live?.metadata?.annotations?.[ANNOTATIONS.taskDefinition] === reference) : { validity };
    if (cluster) validity = resolved.validity;
    if (found && !live) {
      validity = { valid: false, reason: 'DaemonSetNameTaken', message: `metadata.name: a DaemonSet named '${resourceName}' exists and does not belong to this Service; it is left alone` };
    }
    const target = resolved.target;
    if (target && validity.valid) {
      const desired = daemonSetObject(svc, target);
      if (live) {
        await context.applier.apply(desired, live);
      } else {
        await createServiceAccounts(context, namespace, target.serviceAccounts);
        daemonSetExpectations.expectCreation(key, keyOf(resourceName, namespace));
        try {
          await context.clients.apps.createNamespacedDaemonSet({ namespace, body: withAppliedHash(desired) });
        } catch (error) {
          daemonSetExpectations.creationObserved(keyOf(resourceName, namespace));
          if (statusCodeOf(error) !== 409) throw error;
        }
      }
    }

    const desiredCount = live?.status?.desiredNumberScheduled ?? 0;
    const threshold = circuitBreakerThreshold(desiredCount);
    const tasks = tasksOf(live, namespace, now, svc.spec.healthCheckGracePeriodSeconds ?? 0);
    const idOf = (t: Task) => `ecs-svc/${t.pod.metadata?.labels?.[LABELS.deployment] ?? ''}`;
    const failuresBefore = (id: string) => previous.deployments?.find((d) => d.id === id)?.failedTasks ?? 0;
    const stops = await stopFailedTasks(key, tasks, idOf, failuresBefore, threshold, false, now);
    const failures = (id: string) => failuresBefore(id) + (stops.counted.get(id) ?? 0);

    const primaryId = target?.id ?? live?.metadata?.annotations?.[DEPLOYMENT_ANNOTATIONS.id] ?? '';
    const primaryTasks = tasks.filter((t) => idOf(t) === primaryId);
    const otherIds = [...new Set(tasks.filter((t) => idOf(t) !== primaryId && t.observed.state !== 'STOPPING').map(idOf))].sort();
    const caughtUp = live !== undefined && (live.status?.observedGeneration ?? 0) >= (live.metadata?.generation ?? 0);
    const counts = countTasks(primaryTasks, desiredCount);
    const done = caughtUp && live?.status?.updatedNumberScheduled === desiredCount && otherIds.length === 0
      && counts.healthy === desiredCount && counts.unhealthy === 0;
    const before = (id: string) => previous.deployments?.find((d) => d.id === id);
    // A completed DAEMON deployment stays COMPLETED as nodes come and go; only a new template starts another.
    const primaryState: RolloutState = done || (before(primaryId)?.rolloutState === 'COMPLETED' && otherIds.length === 0) ? 'COMPLETED' : 'IN_PROGRESS';
    const entry = (id: string, own: Task[], isPrimary: boolean): ServiceDeployment => {
      const state = isPrimary ? primaryState : before(id)?.rolloutState ?? 'IN_PROGRESS';
      const taskDefinition = isPrimary
        ? target?.taskDefinition ?? live?.metadata?.annotations?.[ANNOTATIONS.taskDefinition] ?? ''
        : own[0]?.pod.metadata?.annotations?.[ANNOTATIONS.taskDefinition] ?? before(id)?.taskDefinition ?? '';
      return deploymentStatus({
        id,
        status: isPrimary ? 'PRIMARY' : 'ACTIVE',
        taskDefinition,
        desiredCount: isPrimary ? desiredCount : 0,
        pendingCount: pending(own),
        runningCount: running(own),
        failedTasks: failures(id),
        createdAt: before(id)?.createdAt ?? nowIso,
        rolloutState: state,
        rolloutStateReason: state === 'COMPLETED' ? rolloutReasons.completed(id) : rolloutReasons.inProgress(id),
      }, previous, nowIso);
    };
    const entries = primaryId ? [entry(primaryId, primaryTasks, true), ...otherIds.map((id) => entry(id, tasks.filter((t) => idOf(t) === id), false))] : [];
    return reconciled({ svc, previous, log, validity, target, desiredCount, tasks, entries, steady: done, stops });
  }

  async function reconcile({ namespace = '', name, key, log: logger }: ReconcileContext) {
    const svc = services.get(name, namespace);
    if (!svc) {
      for (const e of [podExpectations, replicaSetExpectations, daemonSetExpectations]) e.forget(key);
      writtenStatus.delete(key);
      return undefined;
    }
    const owned = replicaSets.list(namespace).filter((rs) => isControlledBy(rs, svc));
    if (!cacheCaughtUp(key, owned)) {
      logger.debug('waiting for the cache to show earlier writes', {
        pending: [podExpectations, replicaSetExpectations, daemonSetExpectations].flatMap((e) => e.pending(key)),
        scales: owned.map(objectKey).filter((k) => unseenScales.has(k)),
      });
      return { requeueAfterMs: 1000 };
    }
    const previous = previousStatus(svc);
    if (svc.metadata.deletionTimestamp) return drain(svc, key, previous, owned);
    const finalizers = svc.metadata.finalizers ?? [];
    if (!finalizers.includes(SERVICE_FINALIZER)) {
      await patchFinalizers(svc, [...finalizers, SERVICE_FINALIZER]);
      return undefined; // the update brings the Service back with its finalizer
    }

    const log = new EventLog(svc);
    const clusterName = clusterNameOf(svc.spec);
    const cluster = await findOrCreateCluster(context, namespace, clusterName);
    let validity: Validity = cluster ? VALID : { valid: false, reason: 'ClusterNotFound', message: `spec.cluster: Cluster '${clusterName}' does not exist in namespace ${namespace}` };
    const controllerType = svc.spec.deploymentController?.type ?? 'ECS';
    if (controllerType !== 'ECS') {
      validity = { valid: false, reason: 'DeploymentControllerNotSupported', message: `spec.deploymentController.type: ${controllerType} is not implemented; only ECS rolling updates are` };
    }
    const strategy = svc.spec.schedulingStrategy ?? 'REPLICA';
    const result = controllerType !== 'ECS'
      ? undefined
      : strategy === 'DAEMON'
        ? await reconcileDaemon(svc, cluster, key, previous, log, validity)
        : await reconcileReplica(svc, cluster, key, previous, log, validity);
    if (result) validity = result.validity;
    if (result && validity.valid) validity = await applyDiscovery(svc, result.target);

    const ecsName = svc.spec.serviceName ?? name;
    let conditions = setValid(context, svc, previous.conditions, validity);
    if (result) conditions = observedConditions(svc, cluster, log, conditions, ecsName, result);
    const nowIso = new Date(context.clock.now()).toISOString();
    const status: ServiceStatus = {
      ...previous,
      ...result?.status,
      observedGeneration: svc.metadata.generation ?? 0,
      serviceName: ecsName,
      serviceArn: `arn:aws:ecs:local:${namespace}:service/${clusterName}/${ecsName}`,
      cluster: clusterName,
      status: 'ACTIVE',
      selector: `${LABELS.service}=${toLabelValue(name)}`,
      events: log.messages.length > 0 ? addServiceEvents(previous.events, log.messages, nowIso, svc.metadata.uid ?? '') : previous.events ?? [],
      conditions,
    };
    await writeStatus(svc, previous, status);
    return result?.requeueAfterMs !== undefined ? { requeueAfterMs: result.requeueAfterMs } : undefined;
  }

  /**
   * A deleted Service: every task stops (status DRAINING), then the status says INACTIVE, the finalizer goes,
   * and owner references remove the ReplicaSets, DaemonSet and core Services.
   */
  async function drain(svc: Service, key: string, previous: ServiceStatus, owned: readonly V1ReplicaSet[]) {
    const namespace = svc.metadata.namespace ?? '';
    if (!svc.metadata.finalizers?.includes(SERVICE_FINALIZER)) return undefined;
    for (const rs of owned) await applyReplicaSet(replicaSetObject(svc, deploymentOf(rs, svc, []), 0), rs);
    const ownedDaemonSets = daemonSets.list(namespace).filter((d) => isControlledBy(d, svc));
    for (const ds of ownedDaemonSets.filter((d) => !d.metadata?.deletionTimestamp)) {
      daemonSetExpectations.expectDeletion(key, objectKey(ds));
      if (!(await context.applier.delete(ds))) daemonSetExpectations.deletionObserved(objectKey(ds));
    }
    const uids = new Set([...owned, ...ownedDaemonSets].map((o) => o.metadata?.uid));
    const remaining = pods.list(namespace).filter((p) => uids.has(controllerOf(p)?.uid) && !p.metadata?.deletionTimestamp);
    const runningNow = remaining.filter((p) => p.status?.phase === 'Running').length;
    await writeStatus(svc, previous, {
      ...previous,
      status: remaining.length > 0 ? 'DRAINING' : 'INACTIVE',
      desiredCount: 0,
      runningCount: runningNow,
      pendingCount: remaining.length - runningNow,
    });
    if (remaining.length > 0) return { requeueAfterMs: 5000 };
    await patchFinalizers(svc, (svc.metadata.finalizers ?? []).filter((f) => f !== SERVICE_FINALIZER));
    writtenStatus.delete(objectKey(svc));
    return undefined;
  }

  const controller = new Controller(
    { name: 'service', primary: services, reconcile, concurrency: context.settings.concurrency, resyncPeriodMs: context.settings.resyncPeriodMs },
    { log: context.log, metrics: context.metrics, clock: context.clock },
  );
  const serviceKeysOfLabel = (namespace: string | undefined, label: string | undefined) =>
    label === undefined ? [] : services.list(namespace).filter((s) => toLabelValue(s.metadata.name ?? '') === label).map((s) => keyOf(s.metadata.name ?? '', s.metadata.namespace));
  controller.watch(replicaSets, controllerOwnerKey('Service', ECS_API_VERSION));
  controller.watch(daemonSets, controllerOwnerKey('Service', ECS_API_VERSION));
  controller.watch(coreServices, controllerOwnerKey('Service', ECS_API_VERSION));
  controller.watch(pods, (pod) => serviceKeysOfLabel(pod.metadata?.namespace, pod.metadata?.labels?.[LABELS.service]));
  // A new revision starts a deployment of the services that follow the family.
  controller.watch(context.informers.for(RESOURCES.taskDefinitions), (td) =>
    keysReferringTo(services.list(td.metadata.namespace), td.spec.family || td.metadata.name || ''));
  controller.watch(context.informers.for(RESOURCES.controllerRevisions), (r) =>
    keysReferringTo(services.list(r.metadata?.namespace), r.metadata?.labels?.[LABELS.family] ?? ''));
  controller.watch(clusters, (c) =>
    services.list(c.metadata.namespace).filter((s) => clusterNameOf(s.spec) === c.metadata.name).map((s) => keyOf(s.metadata.name ?? '', s.metadata.namespace)));
  // Nodes change what placement evaluates on nodes and where DAEMON tasks run.
  controller.watch(nodes, () => services.keys());
  return controller;
}
