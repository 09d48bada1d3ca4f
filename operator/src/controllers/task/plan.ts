// Pure: a Task's snapshot → the writes that converge it, its ECS status and the Events worth recording.
//
// A Task is one Pod, created once and never restarted. Its launch is recorded in status (lastStatus PENDING,
// the status the new pod gives) before the pod is created, with the resourceVersion it was computed from: a
// Task whose status records a launch is never launched again, so a pod deleted across a restart or failover
// is reported as a lost task (STOPPED, TerminationNotice), never created a second time. The one exception is
// the replacement of a waiting pod whose placement changed, decided in status (Placed=False,
// PlacementChanged) before that pod is deleted.
//
// Stops (EssentialContainerExited, TaskFailedToStart, UserInitiated) come from translate/task-status.ts; the
// decision is written to status before the pod is deleted, so that it survives a restart in between. A
// STOPPED task's pod is kept for the retention period, then deleted.
import type { KubernetesObject, V1Pod } from '@kubernetes/client-node';
import type { TaskStatus } from '../../api/task.js';
import { sameJson } from '../../runtime/apply.js';
import type { DeleteOptions } from '../../runtime/child-writer.js';
import { setCondition } from '../../runtime/conditions.js';
import { ANNOTATIONS } from '../../translate/labels.js';
import { parseTaskDefinitionReference, taskDefinitionArn } from '../../translate/revisions.js';
import { observeTask as observeTaskStatus } from '../../translate/task-status.js';
import { DEFAULT_CLUSTER } from '../../translate/workload.js';
import { defaultClusterObject } from '../common.js';
import type { Issue } from '../../translate/issues.js';
import { TASK_NOT_APPLIED, taskFieldWarnings, warningLines } from '../../translate/not-applied.js';
import { fieldsAppliedCondition, placedCondition, type PlannedEvent, unschedulableReason, VALID, validCondition, type Validity } from '../plan-common.js';
import { launchRecorded, type TaskSnapshot } from './observe.js';
import { desiredPod, PLACEMENT_CHANGED, placementChanged, unplacedReason } from './plan-placement.js';

export type TaskAction =
  /** An object several owners share (the `default` Cluster, a task role's ServiceAccount). */
  | { type: 'createShared'; object: KubernetesObject }
  | { type: 'writeStatus'; status: TaskStatus }
  | { type: 'createPod'; pod: V1Pod }
  | { type: 'deletePod'; pod: V1Pod; options?: DeleteOptions };

export interface TaskPlan {
  /** In the order they must be carried out; a failed one stops the rest. */
  actions: TaskAction[];
  status: TaskStatus;
  events: PlannedEvent[];
  requeueAfterMs?: number;
}

/** How the status is observed: from which pod (the live one, or the one about to be created), with which validity. */
interface Observing {
  pod: V1Pod | undefined;
  /** The pod is missing because it is being replaced (placement changed): the task stays PENDING. */
  replacing: boolean;
  validity: Validity;
  /** The resolved `family:revision` when there is no pod to read it from. */
  taskDefinition?: string;
  /** The launch's translation warnings at the Task's own fields; absent after the launch (status keeps them). */
  launchWarnings?: Issue[];
}

const PLACEMENT_CHANGED_MESSAGE = 'the container instances that meet its placement constraints changed; its waiting pod is created again';

/** Whether the pod is missing because a placement change replaces it (decided in status before the delete). */
export function replacingPod(status: TaskStatus, pod: V1Pod | undefined): boolean {
  return !pod && status.lastStatus === 'PENDING' && status.conditions?.some((c) => c.type === 'Placed' && c.reason === PLACEMENT_CHANGED) === true;
}

export function planTask(snapshot: TaskSnapshot): TaskPlan {
  const { task, pod } = snapshot;
  const previous = task.status ?? {};
  if (snapshot.podNameTaken) {
    const message = `metadata.name: a Pod named '${task.metadata.name}' exists and does not belong to this Task; it is left alone`;
    const valid = validCondition(previous.conditions, { valid: false, reason: 'PodNameTaken', message }, task.metadata.generation ?? 0, new Date(snapshot.now));
    return withStatusWrite(snapshot, { actions: [], status: { ...previous, conditions: valid.conditions }, events: valid.events });
  }
  if (previous.lastStatus === 'STOPPED') return planRetention(snapshot);
  const replacing = replacingPod(previous, pod);
  const wantsToRun = (task.spec.desiredStatus ?? 'RUNNING') === 'RUNNING' && !previous.stopCode;
  if (!pod && wantsToRun && (replacing || !launchRecorded(previous))) return planLaunch(snapshot, replacing);
  return planObserved(snapshot, { pod, replacing: false, validity: VALID });
}

/** A STOPPED task: its pod is kept for the retention period after stoppedAt, then deleted. */
function planRetention(snapshot: TaskSnapshot): TaskPlan {
  const status = snapshot.task.status ?? {};
  const { pod, now } = snapshot;
  if (!pod || pod.metadata?.deletionTimestamp) return { actions: [], status, events: [] };
  const keepUntil = new Date(status.stoppedAt ?? now).getTime() + snapshot.retentionMs;
  if (keepUntil > now) return { actions: [], status, events: [], requeueAfterMs: keepUntil - now };
  return { actions: [{ type: 'deletePod', pod }], status, events: [] };
}

/**
 * A task to launch (or whose waiting pod is replaced): the status its new pod gives is written first, then the
 * pod is created. Without a Cluster, a revision or a translatable spec, Valid=False names the field.
 */
function planLaunch(snapshot: TaskSnapshot, replacing: boolean): TaskPlan {
  const { cluster, clusterName, task } = snapshot;
  const namespace = task.metadata.namespace ?? '';
  if (!cluster) {
    const validity = { valid: false, reason: 'ClusterNotFound', message: `spec.cluster: Cluster '${clusterName}' does not exist in namespace ${namespace}` };
    const plan = planObserved(snapshot, { pod: undefined, replacing, validity });
    // ECS creates the `default` cluster on first use; the Cluster informer then brings this task back.
    return clusterName === DEFAULT_CLUSTER ? { ...plan, actions: [{ type: 'createShared', object: defaultClusterObject(namespace) }, ...plan.actions] } : plan;
  }
  const desired = desiredPod(snapshot, cluster);
  if (!desired.pod) {
    return planObserved(snapshot, {
      pod: undefined,
      replacing,
      validity: desired.validity,
      ...(desired.taskDefinition ? { taskDefinition: desired.taskDefinition } : {}),
      ...(desired.warnings ? { launchWarnings: desired.warnings } : {}),
    });
  }
  const launch = planObserved(snapshot, {
    pod: desired.pod,
    replacing: false,
    validity: VALID,
    ...(desired.warnings ? { launchWarnings: desired.warnings } : {}),
  });
  const accounts = desired.serviceAccounts.map((account): TaskAction => ({
    type: 'createShared',
    object: { apiVersion: 'v1', kind: 'ServiceAccount', ...account, metadata: { ...account.metadata, namespace } },
  }));
  return { ...launch, actions: [...launch.actions, ...accounts, { type: 'createPod', pod: desired.pod }] };
}

/** The status observed from `observing.pod`, and the pod's stop or replacement when one is due. */
function planObserved(snapshot: TaskSnapshot, observing: Observing): TaskPlan {
  const { task, cluster, clusterName } = snapshot;
  const { pod, replacing } = observing;
  const previous = task.status ?? {};
  const nowDate = new Date(snapshot.now);
  const now = nowDate.toISOString();
  const desiredStatus = task.spec.desiredStatus ?? 'RUNNING';
  const observation = observeTaskStatus({ pod, previous: replacing ? { ...previous, lastStatus: 'PROVISIONING' } : previous, desiredStatus, now });
  const reference = pod?.metadata?.annotations?.[ANNOTATIONS.taskDefinition] ?? observing.taskDefinition ?? previous.taskDefinition;
  const events: PlannedEvent[] = [];

  // A pod that waits unscheduled: replaced when the nodes its placement admits changed, else explained.
  const waiting = pod && reference && !observation.stopPod && !pod.spec?.nodeName && observation.status.lastStatus === 'PENDING';
  const outdated = waiting && cluster !== undefined && placementChanged(snapshot, pod, cluster);
  const replace = outdated && !pod.metadata?.deletionTimestamp;
  const unplaced = waiting && !outdated ? unplacedReason(snapshot, pod, cluster, snapshot.revision) : unschedulableReason(pod);

  const valid = validCondition(previous.conditions, observing.validity, task.metadata.generation ?? 0, nowDate);
  const fields = fieldsAppliedCondition(valid.conditions, previous.warnings, taskWarnings(task, previous, observing), task.metadata.generation ?? 0, nowDate);
  let conditions = fields.conditions;
  events.push(...valid.events, ...fields.events);
  if (outdated) {
    // Kept until the replacement exists: a plan that still sees the old pod must not drop the marker.
    conditions = setCondition(conditions, { type: 'Placed', status: 'False', reason: PLACEMENT_CHANGED, message: PLACEMENT_CHANGED_MESSAGE }, nowDate);
    if (replace) events.push({ type: 'normal', reason: PLACEMENT_CHANGED, message: `Task ${PLACEMENT_CHANGED_MESSAGE}` });
  } else if (!replacing) {
    const placed = placedCondition(conditions, `(task ${task.metadata.name})`, unplaced, nowDate);
    conditions = placed.conditions;
    events.push(...placed.events);
  }

  const namespace = task.metadata.namespace ?? '';
  const provider = pod?.metadata?.annotations?.[ANNOTATIONS.capacityProvider];
  const { family, revision } = (reference ? parseTaskDefinitionReference(reference) : undefined) ?? {};
  const group = task.spec.group ?? (family ? `family:${family}` : undefined);
  const status: TaskStatus = {
    ...observation.status,
    observedGeneration: task.metadata.generation ?? 0,
    taskArn: `arn:aws:ecs:local:${namespace}:task/${clusterName}/${task.metadata.name}`,
    cluster: clusterName,
    ...(group !== undefined ? { group } : {}),
    ...(reference ? { taskDefinition: reference } : {}),
    ...(family && revision ? { taskDefinitionArn: taskDefinitionArn(namespace, family, revision) } : {}),
    ...(task.spec.startedBy ? { startedBy: task.spec.startedBy } : {}),
    launchType: task.spec.launchType ?? launchTypeOf(provider),
    ...(provider ? { capacityProviderName: provider } : {}),
    ...(task.metadata.creationTimestamp ? { createdAt: new Date(task.metadata.creationTimestamp).toISOString() } : {}),
    warnings: fields.warnings,
    conditions,
  };
  if (group === undefined) delete status.group;
  // A task with a pod (or whose pod is being replaced) has launched: PENDING until the scheduler has seen it.
  if (status.lastStatus === 'PROVISIONING' && (pod || replacing)) status.lastStatus = 'PENDING';
  const { version: _before, ...was } = previous;
  const { version: _after, ...is } = status;
  status.version = sameJson(was, is) ? (previous.version ?? 0) : (previous.version ?? 0) + 1;
  // No Event when a task starts RUNNING: status says so (lastStatus, containerInstance, startedAt), ECS has no such
  // event, and the pod's own Events tell it; one Event write per launched task was a quarter of a launch's writes.

  const actions: TaskAction[] = [];
  if (observation.stopPod && pod && !pod.metadata?.deletionTimestamp) {
    actions.push({ type: 'deletePod', pod });
    const { stopCode, stoppedReason } = observation.stopPod;
    events.push({ type: stopCode === 'UserInitiated' ? 'normal' : 'warning', reason: stopCode, message: `Task stopping: ${stoppedReason}` });
  } else if (replace) {
    // Only the very version seen: a pod the scheduler has bound since is left alone.
    actions.push({ type: 'deletePod', pod, options: { resourceVersion: true, gracePeriodSeconds: 0 } });
  }
  return withStatusWrite(snapshot, { actions, status, events });
}

/** The launch type ECS reports for a task of a capacity provider: FARGATE for the Fargate providers, else EC2. */
function launchTypeOf(provider: string | undefined): 'FARGATE' | 'EC2' {
  return provider === 'FARGATE' || provider === 'FARGATE_SPOT' ? 'FARGATE' : 'EC2';
}

/**
 * The Task's status.warnings: the rules of translate/not-applied.ts, then its launch's translation warnings (kept in
 * status once launched: a launched task is not translated again).
 */
function taskWarnings(task: TaskSnapshot['task'], previous: TaskStatus, observing: Observing): string[] {
  const rules = warningLines(taskFieldWarnings(task));
  const isRule = (line: string) => TASK_NOT_APPLIED.some((rule) => line.startsWith(`spec.${rule.field}: `));
  const launch = observing.launchWarnings ? warningLines(observing.launchWarnings) : (previous.warnings ?? []).filter((line) => !isRule(line));
  return [...rules, ...launch];
}

/** Puts the status write first, when the status changes: decisions are recorded before they are carried out. */
function withStatusWrite(snapshot: TaskSnapshot, plan: TaskPlan): TaskPlan {
  if (sameJson(snapshot.task.status ?? {}, plan.status)) return plan;
  return { ...plan, actions: [{ type: 'writeStatus', status: plan.status }, ...plan.actions] };
}
