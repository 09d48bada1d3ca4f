// One snapshot of what a Cluster's status is computed from: the Nodes its selector picks, the Pods on them,
// its Tasks and Services, from the informer caches; and node and task usage from the metrics API (read by the
// operator's shared ResourceUsage at most once a period), never invented when it is not served.
import type { Cluster } from '../../api/cluster.js';
import type { TaskLastStatus } from '../../api/task.js';
import { RESOURCES } from '../../runtime/informer.js';
import { type ClusterStatusInput, matchesLabelSelector } from '../../translate/cluster-status.js';
import { LABELS } from '../../translate/labels.js';
import { toLabelValue } from '../../translate/names.js';
import type { OperatorContext } from '../context.js';
import { byCluster, podsByNode } from '../indexes.js';
import type { ResourceUsage } from '../resource-usage.js';

export { METRICS_PERIOD_MS } from '../resource-usage.js';

export interface ClusterSnapshot {
  cluster: Cluster;
  /** What translate/cluster-status.ts computes the ECS status from. */
  input: ClusterStatusInput;
}

/** The snapshot of Cluster `namespace/name`; undefined when it is gone or being deleted. */
export async function observeClusterState(
  context: OperatorContext,
  usage: ResourceUsage,
  namespace: string,
  name: string,
): Promise<ClusterSnapshot | undefined> {
  const cluster = context.informers.for(RESOURCES.clusters).get(name, namespace);
  if (!cluster || cluster.metadata.deletionTimestamp) return undefined;
  const label = toLabelValue(name);
  const isTaskPod = (pod: { metadata?: { namespace?: string; labels?: Record<string, string> } }) =>
    pod.metadata?.namespace === namespace && pod.metadata.labels?.[LABELS.cluster] === label;
  const ofCluster = byCluster(context.informers);
  const clusterTasks = ofCluster.tasks(namespace, name);
  const clusterServices = ofCluster.services(namespace, name).filter((s) => !s.metadata.deletionTimestamp);
  // Service tasks are pods of the services' ReplicaSets: count them from their pods' phases.
  const servicePodStatuses = ofCluster
    .pods(namespace, name)
    .filter((p) => p.metadata?.labels?.[LABELS.service] !== undefined)
    .map((p): TaskLastStatus => (p.status?.phase === 'Running' ? 'RUNNING' : p.status?.phase === 'Pending' ? 'PENDING' : 'STOPPED'));
  // The pods that use up the container instances' resources: those on the nodes the selector picks.
  const nodes = context.informers
    .for(RESOURCES.nodes)
    .list()
    .filter((n) => matchesLabelSelector(n.metadata?.labels, cluster.spec.nodeSelector));
  const onNode = podsByNode(context.informers);
  return {
    cluster,
    input: {
      clusterName: cluster.spec.clusterName ?? name,
      namespace,
      spec: cluster.spec,
      nodes,
      pods: nodes.flatMap((n) => onNode(n.metadata?.name ?? '')),
      isTaskPod,
      taskStatuses: [...clusterTasks.map((t) => t.status?.lastStatus), ...servicePodStatuses],
      activeServicesCount: clusterServices.length,
      nodeUsage: await usage.nodes(),
      podUsage: await usage.pods(namespace),
      ...(cluster.status ? { shown: cluster.status } : {}),
    },
  };
}
