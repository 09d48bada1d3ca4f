// One snapshot of what a Cluster's status is computed from: the Nodes its selector picks, the Pods on them,
// its Tasks and Services, from the informer caches; and node usage from the metrics API (metrics are not
// cached), read at most every 20 s as the ECS agent reports, and never invented when it is not served.
import type { Cluster } from '../../api/cluster.js';
import type { TaskLastStatus } from '../../api/task.js';
import { statusCodeOf } from '../../runtime/clients.js';
import { RESOURCES } from '../../runtime/informer.js';
import { type ClusterStatusInput, matchesLabelSelector, type NodeUsage } from '../../translate/cluster-status.js';
import { LABELS } from '../../translate/labels.js';
import { toLabelValue } from '../../translate/names.js';
import type { OperatorContext } from '../context.js';
import { byCluster, podsByNode } from '../indexes.js';

export const METRICS_PERIOD_MS = 20_000;
const METRICS_ABSENT_RETRY_MS = 5 * 60_000;

export interface ClusterSnapshot {
  cluster: Cluster;
  /** What translate/cluster-status.ts computes the ECS status from. */
  input: ClusterStatusInput;
}

interface NodeMetricsList {
  items?: Array<{ metadata?: { name?: string }; usage?: { cpu?: string; memory?: string } }>;
}

/** Node usage from metrics.k8s.io, kept for a period; undefined while the API is not served. */
export class NodeUsageSource {
  private usage: ReadonlyMap<string, NodeUsage> | undefined;
  private fetchedAt = -Infinity;
  private absent = false;

  constructor(private readonly context: OperatorContext) {}

  async get(): Promise<ReadonlyMap<string, NodeUsage> | undefined> {
    const age = this.context.clock.now() - this.fetchedAt;
    if (age < (this.absent ? METRICS_ABSENT_RETRY_MS : METRICS_PERIOD_MS)) return this.usage;
    this.fetchedAt = this.context.clock.now();
    try {
      const list = (await this.context.clients.custom.listClusterCustomObject({
        group: 'metrics.k8s.io',
        version: 'v1beta1',
        plural: 'nodes',
      })) as NodeMetricsList;
      this.usage = new Map((list.items ?? []).map((m) => [m.metadata?.name ?? '', { cpu: m.usage?.cpu ?? '0', memory: m.usage?.memory ?? '0' }]));
      this.absent = false;
    } catch (error) {
      if (statusCodeOf(error) !== 404 && statusCodeOf(error) !== 503) throw error;
      this.usage = undefined;
      this.absent = true;
    }
    return this.usage;
  }
}

/** The snapshot of Cluster `namespace/name`; undefined when it is gone or being deleted. */
export async function observeClusterState(
  context: OperatorContext,
  usage: NodeUsageSource,
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
      usage: await usage.get(),
    },
  };
}
