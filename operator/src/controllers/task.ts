// Task controller: a Task is one Pod, named after it and owned by it, created once from the resolved task
// definition revision and never restarted. Status follows the Pod through the ECS lifecycle (observeTask);
// the controller carries out the stops it decides (EssentialContainerExited, TaskFailedToStart,
// UserInitiated) by deleting the Pod, and keeps a STOPPED task's Pod for the retention period.
//
// Placement evaluated on the Nodes (patterns, agentConnected, ...) names the matching nodes in the pod's node
// affinity, a snapshot. While such a pod waits unscheduled, Node changes make the controller compile it again;
// when the node affinity differs, the pod (which never started) is deleted and created anew from the same
// revision, the task staying PENDING. The decision is written to the status (Placed=False, PlacementChanged)
// before the delete, so that a restart in between still knows the missing pod is being replaced, not lost.
import type { V1Node, V1Pod, V1ServiceAccount } from '@kubernetes/client-node';
import type { Cluster } from '../api/cluster.js';
import { ECS_GROUP, type Condition } from '../api/meta.js';
import type { Task, TaskStatus } from '../api/task.js';
import { sameJson } from '../runtime/apply.js';
import { statusCodeOf } from '../runtime/clients.js';
import { setCondition } from '../runtime/conditions.js';
import { Controller, controllerOwnerKey, type ReconcileContext } from '../runtime/controller.js';
import { Expectations } from '../runtime/expectations.js';
import { RESOURCES } from '../runtime/informer.js';
import { keyOf } from '../runtime/keys.js';
import { matchesLabelSelector } from '../translate/cluster-status.js';
import { ANNOTATIONS, LABELS } from '../translate/labels.js';
import { toLabelValue } from '../translate/names.js';
import { constraintSources, explainUnplaced } from '../translate/placement/index.js';
import { parseTaskDefinitionReference, revisionSpec, taskDefinitionArn } from '../translate/revisions.js';
import { observeTask } from '../translate/task-status.js';
import { taskPod } from '../translate/workload.js';
import {
  clusterNameOf, controllerReference, createServiceAccounts, findOrCreateCluster, isControlledBy, keysReferringTo, resolveTaskDefinition, setValid, VALID, type Validity,
} from './common.js';
import type { OperatorContext } from './context.js';
import { placedCondition, unschedulableReason } from './plan-common.js';

/** On a task's pod whose placement was evaluated on the Nodes: compiled again when Nodes change while it waits. */
export const PLACEMENT_EVALUATED_ANNOTATION = `${ECS_GROUP}/placement-evaluated-on-nodes`;

/** The Placed reason while a waiting pod is replaced because the nodes its placement admits changed. */
export const PLACEMENT_CHANGED = 'PlacementChanged';

/** The Placed condition, with its Event: the pure rule of plan-common.ts, recorded now. */
function setPlaced(context: OperatorContext, obj: Task, conditions: Condition[], who: string, reason: string | undefined): Condition[] {
  const placed = placedCondition(conditions, who, reason, new Date(context.clock.now()));
  for (const event of placed.events) context.events[event.type](obj, event.reason, event.message);
  return placed.conditions;
}

interface Launch {
  pod?: V1Pod;
  /** ServiceAccounts the pod needs (taskRoleArn); shared by tasks of a role, so created but never owned. */
  serviceAccounts?: V1ServiceAccount[];
  validity: Validity;
  taskDefinition?: string;
  family?: string;
}

export function createTaskController(context: OperatorContext): Controller {
  const tasks = context.informers.for(RESOURCES.tasks);
  const pods = context.informers.for(RESOURCES.pods);
  const nodes = context.informers.for(RESOURCES.nodes);
  const clusters = context.informers.for(RESOURCES.clusters);
  const expectations = new Expectations({ clock: context.clock });
  expectations.observe(pods);

  /** The Cluster's container instances. */
  const clusterNodes = (cluster: Cluster): V1Node[] => nodes.list().filter((n) => matchesLabelSelector(n.metadata?.labels, cluster.spec.nodeSelector));
  /** The Cluster's task pods in `namespace`. */
  const clusterPods = (namespace: string, task: Task): V1Pod[] => {
    const clusterLabel = toLabelValue(clusterNameOf(task.spec));
    return pods.list(namespace).filter((p) => p.metadata?.labels?.[LABELS.cluster] === clusterLabel);
  };

  /**
   * The Pod a Task should have, or why it cannot have one (translate/workload.ts, which `ecs-operator translate`
   * prints too). `reference` is the task definition to resolve: the Task's for a new task, the revision it
   * launched with for a pod created again.
   */
  function desiredPod(task: Task, cluster: Cluster, reference = task.spec.taskDefinition, forNewWork = true): Launch {
    const namespace = task.metadata.namespace ?? '';
    const resolution = resolveTaskDefinition(context, namespace, reference, forNewWork);
    if (!resolution.ok) return { validity: { valid: false, reason: 'TaskDefinitionUnavailable', message: `spec.taskDefinition: ${resolution.reason}` } };
    const { family, number } = resolution;
    const { pod, serviceAccounts, error, nodeEvaluated } = taskPod({
      task, cluster, spec: revisionSpec(resolution.revision), family, revision: number, nodes: clusterNodes(cluster), pods: clusterPods(namespace, task),
    });
    const taskDefinition = `${family}:${number}`;
    if (!pod) {
      const { path, message } = error ?? { path: 'spec', message: 'cannot be translated' };
      return { validity: { valid: false, reason: 'InvalidSpec', message: `${path}: ${message}` }, taskDefinition, family };
    }
    const annotations = { ...pod.metadata?.annotations, ...(nodeEvaluated ? { [PLACEMENT_EVALUATED_ANNOTATION]: 'true' } : {}) };
    pod.metadata = { ...pod.metadata, namespace, annotations, ownerReferences: [controllerReference(task)] };
    return { validity: VALID, taskDefinition, family, serviceAccounts, pod };
  }

  /** The scheduler's reason a waiting pod of revision `reference` is not placed, with the ECS constraints it comes from. */
  function unplacedReason(task: Task, pod: V1Pod, cluster: Cluster, reference: string): string | undefined {
    const schedulerMessage = unschedulableReason(pod);
    const resolution = schedulerMessage === undefined ? undefined : resolveTaskDefinition(context, task.metadata.namespace ?? '', reference, false);
    if (schedulerMessage === undefined || !resolution?.ok) return schedulerMessage;
    const spec = revisionSpec(resolution.revision);
    return explainUnplaced({
      schedulerMessage,
      constraints: constraintSources(reference, spec.placementConstraints, task.spec.placementConstraints),
      attributeLabels: cluster.spec.attributeLabels ?? {},
      nodes: clusterNodes(cluster),
      pods: clusterPods(task.metadata.namespace ?? '', task),
      ...(task.spec.containerInstance ? { containerInstance: task.spec.containerInstance } : {}),
    });
  }

  /**
   * Whether a waiting pod evaluated on the Nodes is outdated: its node affinity is not what compiling it now
   * gives. Only for a pod that no node has been given yet.
   */
  function placementChanged(task: Task, pod: V1Pod, cluster: Cluster, reference: string): boolean {
    if (pod.spec?.nodeName || pod.metadata?.annotations?.[PLACEMENT_EVALUATED_ANNOTATION] !== 'true') return false;
    const desired = desiredPod(task, cluster, reference, false).pod;
    return desired !== undefined && !sameJson(desired.spec?.affinity?.nodeAffinity, pod.spec?.affinity?.nodeAffinity);
  }

  /** Deletes a pod that waits unscheduled, only in the very version seen (a bound pod is left alone). */
  async function deleteWaitingPod(key: string, pod: V1Pod): Promise<void> {
    const { name = '', namespace = '', uid, resourceVersion } = pod.metadata ?? {};
    // Expected before the request: the watch may deliver the deletion before the response is read.
    expectations.expectDeletion(key, key);
    try {
      await context.clients.core.deleteNamespacedPod({ name, namespace, gracePeriodSeconds: 0, body: { preconditions: { uid, resourceVersion } } });
    } catch (error) {
      expectations.deletionObserved(key);
      // 409: the pod changed (the scheduler bound it), 404: it is gone; the next event decides again.
      if (statusCodeOf(error) !== 409 && statusCodeOf(error) !== 404) throw error;
    }
  }

  async function reconcile({ namespace = '', name, key, log }: ReconcileContext) {
    const task = tasks.get(name, namespace);
    if (!task || task.metadata.deletionTimestamp) {
      expectations.forget(key);
      return undefined;
    }
    let previous = task.status ?? {};
    const now = new Date(context.clock.now()).toISOString();
    const found = pods.get(name, namespace);
    if (found && !isControlledBy(found, task)) {
      const conditions = setValid(context, task, previous.conditions, {
        valid: false, reason: 'PodNameTaken', message: `metadata.name: a Pod named '${name}' exists and does not belong to this Task; it is left alone`,
      });
      await context.applier.applyStatus(RESOURCES.tasks, task, { ...previous, conditions });
      return undefined;
    }
    const pod = found;

    if (previous.lastStatus === 'STOPPED') {
      if (!pod) return undefined;
      const keepUntil = new Date(previous.stoppedAt ?? now).getTime() + context.settings.stoppedTaskRetentionMs;
      if (keepUntil > context.clock.now()) return { requeueAfterMs: keepUntil - context.clock.now() };
      if (!pod.metadata?.deletionTimestamp) await context.applier.delete(pod);
      return undefined;
    }

    const desiredStatus = task.spec.desiredStatus ?? 'RUNNING';
    // A pod being replaced (placement changed while it waited) is missing on purpose: the task is still PENDING.
    const replacing = (s: TaskStatus) => !pod && s.lastStatus === 'PENDING' && s.conditions?.some((c) => c.type === 'Placed' && c.reason === PLACEMENT_CHANGED) === true;
    const observe = (s: TaskStatus) => observeTask({ pod, previous: replacing(s) ? { ...s, lastStatus: 'PROVISIONING' } : s, desiredStatus, now });
    let observation = observe(previous);
    if (!pod && observation.status.stopCode === 'TerminationNotice' && !previous.stopCode) {
      // The pod is gone and the cache knows no reason: it may lag behind the status this controller wrote just
      // before deleting the pod. Read the Task itself before concluding the pod was lost.
      const fresh = (await context.clients.custom.getNamespacedCustomObject({
        group: 'ecs.operator.dev', version: 'v1alpha1', namespace, plural: 'tasks', name,
      })) as Task;
      if (fresh.status?.stopCode) observation = observeTask({ previous: fresh.status, desiredStatus, now });
      else if (fresh.status && replacing(fresh.status)) {
        previous = fresh.status;
        observation = observe(previous);
      }
    }
    const replaced = replacing(previous);
    const clusterName = clusterNameOf(task.spec);
    let validity: Validity = VALID;
    let reference = pod?.metadata?.annotations?.[ANNOTATIONS.taskDefinition] ?? previous.taskDefinition;
    // The pod waits with a node list that is out of date; it is replaced once the cache shows what was done before.
    let outdated = false;
    let replace = false;
    let unplaced = unschedulableReason(pod);

    if (!pod && observation.status.lastStatus === 'PROVISIONING') {
      const cluster = await findOrCreateCluster(context, namespace, clusterName);
      if (!cluster) {
        validity = { valid: false, reason: 'ClusterNotFound', message: `spec.cluster: Cluster '${clusterName}' does not exist in namespace ${namespace}` };
      } else if (expectations.satisfied(key)) {
        // A replacement keeps the revision the task launched with, even one made INACTIVE since.
        const launch = replaced && reference ? desiredPod(task, cluster, reference, false) : desiredPod(task, cluster);
        validity = launch.validity;
        reference = launch.taskDefinition ?? reference;
        if (launch.pod) {
          await createServiceAccounts(context, namespace, launch.serviceAccounts ?? []);
          // Expected before the request: the watch may deliver the new pod before the response is read.
          expectations.expectCreation(key, key);
          try {
            await context.clients.core.createNamespacedPod({ namespace, body: launch.pod });
            log.info('task launched', { taskDefinition: reference });
          } catch (error) {
            expectations.creationObserved(key);
            if (statusCodeOf(error) !== 409) throw error;
          }
        }
      }
    } else if (pod && reference && !observation.stopPod && !pod.spec?.nodeName && observation.status.lastStatus === 'PENDING') {
      const cluster = clusters.get(clusterName, namespace);
      outdated = cluster !== undefined && placementChanged(task, pod, cluster, reference);
      replace = outdated && expectations.satisfied(key) && !pod.metadata?.deletionTimestamp;
      if (cluster && !outdated) unplaced = unplacedReason(task, pod, cluster, reference);
    }
    const { family, revision } = (reference ? parseTaskDefinitionReference(reference) : undefined) ?? {};
    let conditions = setValid(context, task, previous.conditions, validity);
    if (outdated) {
      // Kept until the replacement exists: a reconcile that still sees the old pod must not drop the marker.
      const message = 'the container instances that meet its placement constraints changed; its waiting pod is created again';
      conditions = setCondition(conditions, { type: 'Placed', status: 'False', reason: PLACEMENT_CHANGED, message }, new Date(context.clock.now()));
      if (replace) context.events.normal(task, PLACEMENT_CHANGED, `Task ${message}`);
    } else if (!replaced) {
      conditions = setPlaced(context, task, conditions, `(task ${name})`, unplaced);
    }
    const status: TaskStatus = {
      ...observation.status,
      observedGeneration: task.metadata.generation ?? 0,
      taskArn: `arn:aws:ecs:local:${namespace}:task/${clusterName}/${name}`,
      cluster: clusterName,
      group: task.spec.group ?? (family ? `family:${family}` : undefined),
      ...(reference ? { taskDefinition: reference } : {}),
      ...(family && revision ? { taskDefinitionArn: taskDefinitionArn(namespace, family, revision) } : {}),
      ...(task.spec.startedBy ? { startedBy: task.spec.startedBy } : {}),
      launchType: task.spec.launchType ?? 'EC2',
      ...(task.metadata.creationTimestamp ? { createdAt: new Date(task.metadata.creationTimestamp).toISOString() } : {}),
      conditions,
    };
    if (status.group === undefined) delete status.group;
    // Between the old pod and the new one (and until the scheduler has seen the new one) the task stays PENDING.
    if (previous.lastStatus === 'PENDING' && status.lastStatus === 'PROVISIONING') status.lastStatus = 'PENDING';
    const { version: _before, ...was } = previous;
    const { version: _after, ...is } = status;
    status.version = sameJson(was, is) ? previous.version ?? 0 : (previous.version ?? 0) + 1;
    if (status.lastStatus !== previous.lastStatus && status.lastStatus === 'RUNNING') context.events.normal(task, 'Running', `Task running on ${status.containerInstance ?? 'a node'}`);
    // The stop decision is written before the pod is deleted, so that it survives a restart in between.
    await context.applier.applyStatus(RESOURCES.tasks, task, status);
    if (observation.stopPod && pod && !pod.metadata?.deletionTimestamp) {
      expectations.expectDeletion(key, key);
      if (!(await context.applier.delete(pod))) expectations.deletionObserved(key);
      const type = observation.stopPod.stopCode === 'UserInitiated' ? 'normal' : 'warning';
      context.events[type](task, observation.stopPod.stopCode, `Task stopping: ${observation.stopPod.stoppedReason}`);
    } else if (replace && pod) {
      await deleteWaitingPod(key, pod);
      log.info('placement changed; waiting pod created again', { taskDefinition: reference });
    }
    return undefined;
  }

  const controller = new Controller(
    { name: 'task', primary: tasks, reconcile, concurrency: context.settings.concurrency, resyncPeriodMs: context.settings.resyncPeriodMs },
    { log: context.log, metrics: context.metrics, clock: context.clock },
  );
  controller.watch(pods, controllerOwnerKey('Task'));
  // Tasks waiting for their task definition, revision or cluster try again when those appear.
  const waiting = (namespace: string | undefined) => tasks.list(namespace).filter((t) => !t.status?.lastStatus || t.status.lastStatus === 'PROVISIONING');
  controller.watch(context.informers.for(RESOURCES.taskDefinitions), (td) =>
    keysReferringTo(waiting(td.metadata.namespace), td.spec.family || td.metadata.name || ''));
  controller.watch(context.informers.for(RESOURCES.controllerRevisions), (r) =>
    keysReferringTo(waiting(r.metadata?.namespace), r.metadata?.labels?.[LABELS.family] ?? ''));
  controller.watch(clusters, (c) =>
    waiting(c.metadata.namespace).filter((t) => clusterNameOf(t.spec) === c.metadata.name).map((t) => keyOf(t.metadata.name ?? '', t.metadata.namespace)));
  // Node changes (added, relabelled, Ready or not) can change what placement evaluated on nodes admits: the
  // tasks whose pods wait unscheduled with such placement compile it again. Their pods carry the annotation.
  const taskOf = controllerOwnerKey('Task');
  controller.watch(nodes, () => pods.list()
    .filter((p) => p.metadata?.annotations?.[PLACEMENT_EVALUATED_ANNOTATION] === 'true' && !p.spec?.nodeName && !p.metadata.deletionTimestamp)
    .map((p) => taskOf(p))
    .filter((k): k is string => typeof k === 'string'));
  return controller;
}
