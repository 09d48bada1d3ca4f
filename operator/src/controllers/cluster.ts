// Cluster controller: an ECS cluster's status from the Nodes its selector picks (its container instances),
// the Pods on them, and its Tasks and Services. Utilization comes from the metrics API when it is served,
// read at most every 20 s as the ECS agent reports; it is never invented.
import type { TaskLastStatus } from '../api/task.js';
import { statusCodeOf } from '../runtime/clients.js';
import { Controller, type ReconcileContext } from '../runtime/controller.js';
import { RESOURCES } from '../runtime/informer.js';
import { keyOf } from '../runtime/keys.js';
import { observeCluster, type NodeUsage } from '../translate/cluster-status.js';
import { LABELS } from '../translate/labels.js';
import { toLabelValue } from '../translate/names.js';
import { clusterNameOf, setValid, VALID } from './common.js';
import type { OperatorContext } from './context.js';

const METRICS_PERIOD_MS = 20_000;
const METRICS_ABSENT_RETRY_MS = 5 * 60_000;

interface NodeMetricsList {
  items?: Array<{ metadata?: { name?: string }; usage?: { cpu?: string; memory?: string } }>;
}

/** Node usage from metrics.k8s.io, cached; undefined while the API is not served. */
class NodeUsageSource {
  private usage: ReadonlyMap<string, NodeUsage> | undefined;
  private fetchedAt = -Infinity;
  private absent = false;

  constructor(private readonly context: OperatorContext) {}

  async get(): Promise<ReadonlyMap<string, NodeUsage> | undefined> {
    const age = this.context.clock.now() - this.fetchedAt;
    if (age < (this.absent ? METRICS_ABSENT_RETRY_MS : METRICS_PERIOD_MS)) return this.usage;
    this.fetchedAt = this.context.clock.now();
    try {
      const list = (await this.context.clients.custom.listClusterCustomObject({ group: 'metrics.k8s.io', version: 'v1beta1', plural: 'nodes' })) as NodeMetricsList;
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

export function createClusterController(context: OperatorContext): Controller {
  const clusters = context.informers.for(RESOURCES.clusters);
  const nodes = context.informers.for(RESOURCES.nodes);
  const pods = context.informers.for(RESOURCES.pods);
  const tasks = context.informers.for(RESOURCES.tasks);
  const services = context.informers.for(RESOURCES.services);
  const usage = new NodeUsageSource(context);

  async function reconcile({ namespace = '', name }: ReconcileContext) {
    const cluster = clusters.get(name, namespace);
    if (!cluster || cluster.metadata.deletionTimestamp) return undefined;
    const label = toLabelValue(name);
    const isTaskPod = (pod: { metadata?: { namespace?: string; labels?: Record<string, string> } }) =>
      pod.metadata?.namespace === namespace && pod.metadata.labels?.[LABELS.cluster] === label;
    const clusterTasks = tasks.list(namespace).filter((t) => clusterNameOf(t.spec) === name);
    const clusterServices = services.list(namespace).filter((s) => clusterNameOf(s.spec) === name && !s.metadata.deletionTimestamp);
    // Service tasks are pods of the services' ReplicaSets: count them from their pods' phases.
    const servicePodStatuses = pods.list(namespace)
      .filter((p) => isTaskPod(p) && p.metadata?.labels?.[LABELS.service] !== undefined)
      .map((p): TaskLastStatus => (p.status?.phase === 'Running' ? 'RUNNING' : p.status?.phase === 'Pending' ? 'PENDING' : 'STOPPED'));
    const observed = observeCluster({
      clusterName: cluster.spec.clusterName ?? name,
      namespace,
      spec: cluster.spec,
      nodes: nodes.list(),
      pods: pods.list(),
      isTaskPod,
      taskStatuses: [...clusterTasks.map((t) => t.status?.lastStatus), ...servicePodStatuses],
      activeServicesCount: clusterServices.length,
      usage: await usage.get(),
    });
    const status = {
      ...observed,
      observedGeneration: cluster.metadata.generation ?? 0,
      conditions: setValid(context, cluster, cluster.status?.conditions, VALID),
    };
    await context.applier.applyStatus(RESOURCES.clusters, cluster, status);
    // Utilization changes without an event: look again when the next metrics arrive.
    return observed.cpuUtilization !== undefined ? { requeueAfterMs: METRICS_PERIOD_MS } : undefined;
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

