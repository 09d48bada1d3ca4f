// Cluster controller wiring: an ECS cluster's status from its container instances (the Nodes its selector
// picks), the Pods on them, and its Tasks and Services. Observe (observe.ts, the metrics read included),
// plan (plan.ts, pure), then the status write through the child writer, as of the Cluster's resourceVersion.
import type { V1Pod } from '@kubernetes/client-node';
import type { Service } from '../../api/service.js';
import type { Task } from '../../api/task.js';
import { changedIn, nodeCapacityChanged, podUsageChanged } from '../../runtime/changes.js';
import { Controller, type ReconcileContext } from '../../runtime/controller.js';
import { RESOURCES } from '../../runtime/informer.js';
import { keyOf } from '../../runtime/keys.js';
import { matchesLabelSelector } from '../../translate/cluster-status.js';
import { LABELS } from '../../translate/labels.js';
import { toLabelValue } from '../../translate/names.js';
import { clusterNameOf } from '../common.js';
import type { OperatorContext } from '../context.js';
import { NodeUsageSource, observeClusterState } from './observe.js';
import { planCluster } from './plan.js';

/**
 * How long node events wait for the rest of their burst (nodes turning NotReady together, a pool relabelled)
 * before the Clusters are reconciled. Task events are not delayed; their bursts merge in the work queue while a
 * Cluster waits there.
 */
export const NODE_COALESCE_MS = 1000;
/**
 * Pod events wait at most this long: a burst of pods placed or stopped (a Service scaled by hundreds) recounts a
 * Cluster, an O(its pods) reconcile, once instead of once per pod, and the status lags its pods by no more.
 */
export const POD_COALESCE_MS = 500;

export function createClusterController(context: OperatorContext): Controller {
  const clusters = context.informers.for(RESOURCES.clusters);
  const nodes = context.informers.for(RESOURCES.nodes);
  const pods = context.informers.for(RESOURCES.pods);
  const tasks = context.informers.for(RESOURCES.tasks);
  const services = context.informers.for(RESOURCES.services);
  const usage = new NodeUsageSource(context);

  async function reconcile({ namespace = '', name }: ReconcileContext) {
    // Still the version the last status write replaced: that write's event brings the Cluster back.
    const cached = clusters.get(name, namespace);
    if (cached && !context.writer.isCurrent(cached)) return undefined;
    const snapshot = await observeClusterState(context, usage, namespace, name);
    if (!snapshot) return undefined;
    const plan = planCluster(snapshot, new Date(context.clock.now()));
    if (plan.writeStatus) await context.writer.writeStatus(RESOURCES.clusters, snapshot.cluster, plan.writeStatus);
    for (const event of plan.events) context.events[event.type](event.object ?? snapshot.cluster, event.reason, event.message);
    return plan.requeueAfterMs !== undefined ? { requeueAfterMs: plan.requeueAfterMs } : undefined;
  }

  const controller = new Controller(
    { name: 'cluster', primary: clusters, reconcile, concurrency: context.settings.concurrency, resyncPeriodMs: context.settings.resyncPeriodMs },
    { log: context.log, metrics: context.metrics, clock: context.clock },
  );
  const allClusters = () => clusters.list().map((c) => keyOf(c.metadata.name ?? '', c.metadata.namespace));
  const clusterOf = (namespace: string | undefined, clusterName: string) => keyOf(clusterName, namespace);
  // A pod concerns the clusters whose selector picks its node (it uses up that node's resources) and, as a
  // task pod, its own cluster (labelled by label value: the clusters of its namespace are compared by it).
  const clustersOfPod = (pod: V1Pod) => {
    const node = pod.spec?.nodeName ? nodes.get(pod.spec.nodeName) : undefined;
    const label = pod.metadata?.labels?.[LABELS.cluster];
    return clusters
      .list()
      .filter(
        (c) =>
          (node && matchesLabelSelector(node.metadata?.labels, c.spec.nodeSelector)) ||
          (label !== undefined && c.metadata.namespace === pod.metadata?.namespace && toLabelValue(c.metadata.name ?? '') === label),
      )
      .map((c) => keyOf(c.metadata.name ?? '', c.metadata.namespace));
  };
  // Nodes and pods change all the time in ways no status reads (heartbeats, probe times, restart counts):
  // only changes of what the status is computed from enqueue.
  controller.watch(nodes, allClusters, { relevantUpdate: nodeCapacityChanged, coalesceMs: NODE_COALESCE_MS });
  controller.watch(pods, clustersOfPod, { relevantUpdate: podUsageChanged, coalesceMs: POD_COALESCE_MS });
  // Tasks count by their last status, Services by being there: their other changes concern no Cluster.
  controller.watch(tasks, (t) => clusterOf(t.metadata.namespace, clusterNameOf(t.spec)), {
    relevantUpdate: changedIn((t: Task) => [clusterNameOf(t.spec), t.status?.lastStatus]),
  });
  controller.watch(services, (s) => clusterOf(s.metadata.namespace, clusterNameOf(s.spec)), {
    relevantUpdate: changedIn((s: Service) => [clusterNameOf(s.spec), s.metadata.deletionTimestamp !== undefined]),
  });
  return controller;
}
