// Cluster controller wiring: an ECS cluster's status from its container instances (the Nodes its selector
// picks), the Pods on them, and its Tasks and Services. Observe (observe.ts, the metrics read included),
// plan (plan.ts, pure), then the status write through the child writer, as of the Cluster's resourceVersion.
import { Controller, type ReconcileContext } from '../../runtime/controller.js';
import { RESOURCES } from '../../runtime/informer.js';
import { keyOf } from '../../runtime/keys.js';
import { LABELS } from '../../translate/labels.js';
import { clusterNameOf } from '../common.js';
import type { OperatorContext } from '../context.js';
import { NodeUsageSource, observeClusterState } from './observe.js';
import { planCluster } from './plan.js';

export function createClusterController(context: OperatorContext): Controller {
  const clusters = context.informers.for(RESOURCES.clusters);
  const nodes = context.informers.for(RESOURCES.nodes);
  const pods = context.informers.for(RESOURCES.pods);
  const tasks = context.informers.for(RESOURCES.tasks);
  const services = context.informers.for(RESOURCES.services);
  const usage = new NodeUsageSource(context);

  async function reconcile({ namespace = '', name }: ReconcileContext) {
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
  // Any node, and any pod on a node, changes some cluster's registered or remaining resources.
  controller.watch(nodes, allClusters);
  controller.watch(pods, (pod) => (pod.spec?.nodeName || pod.metadata?.labels?.[LABELS.cluster] ? allClusters() : undefined));
  controller.watch(tasks, (t: { metadata: { namespace?: string }; spec: { cluster?: string } }) => clusterOf(t.metadata.namespace, clusterNameOf(t.spec)));
  controller.watch(services, (s) => clusterOf(s.metadata.namespace, clusterNameOf(s.spec)));
  return controller;
}
