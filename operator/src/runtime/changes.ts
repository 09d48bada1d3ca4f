// Which updates of an object a controller that reads it (but does not own it) needs to hear of. Pods and Nodes
// change all the time in ways nothing here reads (container restarts counted, conditions' probe times, node
// heartbeats and image lists); each predicate compares the old and new object on what its readers read only.
import { isDeepStrictEqual } from 'node:util';
import type { V1ContainerState, V1ContainerStatus, V1Node, V1Pod } from '@kubernetes/client-node';

/** An update predicate that holds when `project` of the object changed. */
export function changedIn<T>(project: (obj: T) => unknown): (obj: T, old: T) => boolean {
  return (obj, old) => !isDeepStrictEqual(project(obj), project(old));
}

/** What a pod takes from its node and what it is counted as: node, phase, labels, requests, host ports, deletion. */
export const podUsageChanged = changedIn((pod: V1Pod) => ({
  nodeName: pod.spec?.nodeName,
  phase: pod.status?.phase,
  labels: pod.metadata?.labels,
  deleting: pod.metadata?.deletionTimestamp !== undefined,
  containers: pod.spec?.containers.map((c) => [c.resources?.requests, c.ports]),
  initContainers: pod.spec?.initContainers?.map((c) => [c.resources?.requests, c.ports, c.restartPolicy]),
  overhead: pod.spec?.overhead,
}));

/**
 * What placement and a Cluster's container instances read of a node: labels, taints, cordon, allocatable,
 * readiness, kubelet port and version (attributes of placement expressions).
 */
export const nodeCapacityChanged = changedIn((node: V1Node) => ({
  labels: node.metadata?.labels,
  unschedulable: node.spec?.unschedulable,
  taints: node.spec?.taints?.map((t) => [t.key, t.value, t.effect]),
  allocatable: node.status?.allocatable,
  ready: node.status?.conditions?.find((c) => c.type === 'Ready')?.status,
  kubeletPort: node.status?.daemonEndpoints?.kubeletEndpoint?.Port,
  nodeInfo: node.status?.nodeInfo,
}));

/** A container's state as a task's lifecycle reads it: which state, since when, and why it waits or ended. */
function containerState(status: V1ContainerStatus): unknown[] {
  const { running, terminated, waiting }: V1ContainerState = status.state ?? {};
  const state = running
    ? ['running', running.startedAt]
    : terminated
      ? ['terminated', terminated.exitCode, terminated.reason, terminated.startedAt]
      : waiting
        ? ['waiting', waiting.reason, waiting.message]
        : [];
  return [status.name, status.ready, ...state];
}

/**
 * What a task's lifecycle (PENDING, RUNNING, healthy, failed, stopping) and its placement are read from: node,
 * phase and its reason, labels, owners, deletion, scheduling and readiness conditions, the containers' states.
 * Restart counts, probe times, IPs and image ids are left out: the status a Service shows does not change with them.
 */
export const podLifecycleChanged = changedIn((pod: V1Pod) => {
  const condition = (type: string) => {
    const found = pod.status?.conditions?.find((c) => c.type === type);
    return found ? [found.status, found.reason, found.message] : undefined;
  };
  return {
    nodeName: pod.spec?.nodeName,
    phase: pod.status?.phase,
    reason: pod.status?.reason,
    labels: pod.metadata?.labels,
    owners: pod.metadata?.ownerReferences?.map((r) => r.uid),
    deleting: pod.metadata?.deletionTimestamp !== undefined,
    scheduled: condition('PodScheduled'),
    ready: condition('Ready')?.[0],
    containers: [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])].map(containerState),
  };
});
