// Pure: a Task's Pod from the snapshot (translate/workload.ts, which `ecs-operator translate` prints too), and
// what placement says about a pod that waits: whether the nodes its placement admits changed (the pod is then
// replaced), and the ECS reason it is not placed.
//
// Placement evaluated on the Nodes (patterns, agentConnected, ...) names the matching nodes in the pod's node
// affinity, a snapshot. While such a pod waits unscheduled, compiling it again on today's Nodes may give another
// node affinity: the pod, which never started, is then deleted and created anew from the same revision.
import type { V1Pod, V1ServiceAccount } from '@kubernetes/client-node';
import type { Cluster } from '../../api/cluster.js';
import type { Issue } from '../../translate/issues.js';
import { ownWarnings } from '../../translate/not-applied.js';
import { ECS_GROUP } from '../../api/meta.js';
import { sameJson } from '../../runtime/apply.js';
import { constraintSources, explainUnplaced } from '../../translate/placement/index.js';
import { revisionSpec, type Resolution } from '../../translate/revisions.js';
import { taskPod } from '../../translate/workload.js';
import { controllerReference } from '../common.js';
import { unschedulableReason, VALID, type Validity } from '../plan-common.js';
import type { TaskSnapshot } from './observe.js';

/** On a task's pod whose placement was evaluated on the Nodes: compiled again when Nodes change while it waits. */
export const PLACEMENT_EVALUATED_ANNOTATION = `${ECS_GROUP}/placement-evaluated-on-nodes`;

/** The Placed reason while a waiting pod is replaced because the nodes its placement admits changed. */
export const PLACEMENT_CHANGED = 'PlacementChanged';

export interface DesiredPod {
  pod?: V1Pod;
  /** ServiceAccounts the pod needs (taskRoleArn); shared by tasks of a role, so created but never owned. */
  serviceAccounts: V1ServiceAccount[];
  validity: Validity;
  /** The resolved `family:revision`, when the reference resolved. */
  taskDefinition?: string;
  /** The translation's warnings at the Task's own fields (volumeConfigurations, subnets, tags, overrides, placement). */
  warnings?: Issue[];
}

/** The Pod the Task should have in `cluster` from the snapshot's revision, or why it cannot have one. */
export function desiredPod(snapshot: TaskSnapshot, cluster: Cluster): DesiredPod {
  const { task, revision } = snapshot;
  if (!revision.ok)
    return { validity: { valid: false, reason: 'TaskDefinitionUnavailable', message: `spec.taskDefinition: ${revision.reason}` }, serviceAccounts: [] };
  const { family, number } = revision;
  const taskDefinition = `${family}:${number}`;
  const {
    pod,
    serviceAccounts,
    error,
    nodeEvaluated,
    warnings: translated,
  } = taskPod({
    task,
    cluster,
    hostAccess: snapshot.hostAccess,
    spec: revisionSpec(revision.revision),
    family,
    revision: number,
    nodes: snapshot.nodes,
    pods: snapshot.pods,
    existingServiceAccounts: snapshot.serviceAccounts,
  });
  const warnings = ownWarnings(translated);
  if (!pod) {
    const { path, message } = error ?? { path: 'spec', message: 'cannot be translated' };
    return { validity: { valid: false, reason: 'InvalidSpec', message: `${path}: ${message}` }, taskDefinition, serviceAccounts: [], warnings };
  }
  const namespace = task.metadata.namespace ?? '';
  const annotations = { ...pod.metadata?.annotations, ...(nodeEvaluated ? { [PLACEMENT_EVALUATED_ANNOTATION]: 'true' } : {}) };
  pod.metadata = { ...pod.metadata, namespace, annotations, ownerReferences: [controllerReference(task)] };
  return { validity: VALID, taskDefinition, serviceAccounts, pod, warnings };
}

/**
 * Whether a waiting pod evaluated on the Nodes is outdated: its node affinity is not what compiling it now
 * gives. Only for a pod that no node has been given yet.
 */
export function placementChanged(snapshot: TaskSnapshot, pod: V1Pod, cluster: Cluster): boolean {
  if (pod.spec?.nodeName || pod.metadata?.annotations?.[PLACEMENT_EVALUATED_ANNOTATION] !== 'true') return false;
  const desired = desiredPod(snapshot, cluster).pod;
  return desired !== undefined && !sameJson(desired.spec?.affinity?.nodeAffinity, pod.spec?.affinity?.nodeAffinity);
}

/** The scheduler's reason a waiting pod is not placed, with the ECS constraints it comes from. */
export function unplacedReason(snapshot: TaskSnapshot, pod: V1Pod, cluster: Cluster | undefined, revision: Resolution): string | undefined {
  const schedulerMessage = unschedulableReason(pod);
  if (schedulerMessage === undefined || !cluster || !revision.ok) return schedulerMessage;
  const { task } = snapshot;
  return explainUnplaced({
    schedulerMessage,
    constraints: constraintSources(
      `${revision.family}:${revision.number}`,
      revisionSpec(revision.revision).placementConstraints,
      task.spec.placementConstraints,
    ),
    attributeLabels: cluster.spec.attributeLabels ?? {},
    nodes: snapshot.nodes,
    pods: snapshot.pods,
    ...(task.spec.containerInstance ? { containerInstance: task.spec.containerInstance } : {}),
  });
}
