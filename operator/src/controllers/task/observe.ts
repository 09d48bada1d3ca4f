// One snapshot of what a Task's plan depends on, read from the informer caches only: the Task, its Pod, its
// Cluster, the task definition revision it runs or would launch (or why there is none), the Nodes and Pods
// placement is evaluated on, and the time. Nothing here writes or calls the API.
import type { V1Node, V1Pod, V1ServiceAccount } from '@kubernetes/client-node';
import type { Cluster } from '../../api/cluster.js';
import type { Task, TaskStatus } from '../../api/task.js';
import { RESOURCES } from '../../runtime/informer.js';
import { matchesLabelSelector } from '../../translate/cluster-status.js';
import { ANNOTATIONS } from '../../translate/labels.js';
import type { HostAccessPolicy } from '../../translate/host-access.js';
import type { Resolution } from '../../translate/revisions.js';
import { clusterNameOf, isControlledBy, resolveTaskDefinition } from '../common.js';
import type { OperatorContext } from '../context.js';
import { byCluster } from '../indexes.js';

export interface TaskSnapshot {
  task: Task;
  /** The Task's Pod (same name), when this Task controls it. */
  pod?: V1Pod;
  /** A Pod of the Task's name exists and belongs to someone else: it is left alone. */
  podNameTaken: boolean;
  clusterName: string;
  cluster?: Cluster;
  /** The revision the task runs (see `referenceOf`), or why it cannot be resolved. */
  revision: Resolution;
  /** The Cluster's container instances (empty without a Cluster). */
  nodes: V1Node[];
  /** The Cluster's task pods in the Task's namespace. */
  pods: V1Pod[];
  /** The namespace's ServiceAccounts: the task role's must be one the pod may run as. */
  serviceAccounts: readonly V1ServiceAccount[];
  /** Milliseconds since the epoch. */
  now: number;
  /** How long a STOPPED task's Pod is kept (its logs stay readable). */
  retentionMs: number;
  /** The operator's policy on which namespaces' tasks may use the host. */
  hostAccess: HostAccessPolicy;
}

/** Statuses after which the task has launched: its pod was created, or is being created. */
const LAUNCHED = new Set(['PENDING', 'ACTIVATING', 'RUNNING', 'DEACTIVATING', 'STOPPING', 'DEPROVISIONING', 'STOPPED']);

/** Whether `status` records that the task launched (the launch is written before its pod is created). */
export function launchRecorded(status: TaskStatus | undefined): boolean {
  return status?.lastStatus !== undefined && LAUNCHED.has(status.lastStatus);
}

/**
 * The task definition reference to resolve, and whether for new work: the revision a launched task runs (its
 * pod's, or the one its status recorded; kept even when made INACTIVE since), else the Task's own reference,
 * which must name an ACTIVE revision, as RunTask requires.
 */
export function referenceOf(task: Task, pod: V1Pod | undefined): { reference: string; forNewWork: boolean } {
  const launched = pod?.metadata?.annotations?.[ANNOTATIONS.taskDefinition] ?? (launchRecorded(task.status) ? task.status?.taskDefinition : undefined);
  return launched ? { reference: launched, forNewWork: false } : { reference: task.spec.taskDefinition, forNewWork: true };
}

/** The snapshot of the Task `namespace/name`; undefined when it is gone or being deleted. */
export function observeTask(context: OperatorContext, namespace: string, name: string): TaskSnapshot | undefined {
  const task = context.informers.for(RESOURCES.tasks).get(name, namespace);
  if (!task || task.metadata.deletionTimestamp) return undefined;
  const found = context.informers.for(RESOURCES.pods).get(name, namespace);
  const pod = found && isControlledBy(found, task) ? found : undefined;
  const clusterName = clusterNameOf(task.spec);
  const cluster = context.informers.for(RESOURCES.clusters).get(clusterName, namespace);
  const { reference, forNewWork } = referenceOf(task, pod);
  return {
    task,
    ...(pod ? { pod } : {}),
    podNameTaken: found !== undefined && pod === undefined,
    clusterName,
    ...(cluster ? { cluster } : {}),
    revision: resolveTaskDefinition(context, namespace, reference, forNewWork),
    nodes: cluster
      ? context.informers
          .for(RESOURCES.nodes)
          .list()
          .filter((n) => matchesLabelSelector(n.metadata?.labels, cluster.spec.nodeSelector))
      : [],
    pods: byCluster(context.informers).pods(namespace, clusterName),
    serviceAccounts: context.informers.for(RESOURCES.serviceAccounts).list(namespace),
    now: context.clock.now(),
    retentionMs: context.settings.stoppedTaskRetentionMs,
    hostAccess: context.settings.hostAccess,
  };
}
