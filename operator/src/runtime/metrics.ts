// The operator's Prometheus metrics, in one registry served at /metrics.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

const PREFIX = 'ecs_operator_';

type UtilizationKind = 'service' | 'cluster';

/** A Service or Cluster, as far as its utilization gauges read it. */
export interface UtilizationSource {
  metadata: { namespace?: string; name?: string };
  status?: { cpuUtilization?: number; memoryUtilization?: number };
}

const UTILIZATION_HELP: Record<UtilizationKind, (resource: string) => string> = {
  service: (resource) =>
    `Percent of the ${resource} a Service's RUNNING tasks reserve that they use (ECS service ${resource} utilization, status.${resource === 'CPU' ? 'cpu' : 'memory'}Utilization).`,
  cluster: (resource) =>
    `Percent of the ${resource} a Cluster's container instances registered that its RUNNING tasks use (ECS cluster ${resource} utilization).`,
};

export class Metrics {
  readonly registry = new Registry();
  /** Reconciles by controller and result: success, requeue (success asking to run again later) or error. */
  readonly reconciles: Counter<'controller' | 'result'>;
  readonly reconcileErrors: Counter<'controller'>;
  readonly reconcileDuration: Histogram<'controller'>;
  readonly queueDepth: Gauge<'controller'>;
  /** Requests to the API server by verb and resource; `patch` and `create` here are the operator's writes. */
  readonly apiRequests: Counter<'verb' | 'resource'>;
  readonly informerRestarts: Counter<'resource'>;
  /** Informers that listed afresh because their watches kept failing. */
  readonly informerRelists: Counter<'resource'>;
  /** Event handlers (by informer resource) and key mappers (by controller) that threw instead of returning. */
  readonly handlerPanics: Counter<'informer' | 'controller'>;
  readonly leader: Gauge;
  readonly eventWriteFailures: Counter;
  private readonly depths = new Map<string, () => number>();
  private readonly utilizations = new Map<UtilizationKind, () => readonly UtilizationSource[]>();

  constructor({ processMetrics = false }: { processMetrics?: boolean } = {}) {
    const registers = [this.registry];
    if (processMetrics) collectDefaultMetrics({ register: this.registry, prefix: PREFIX });
    this.reconciles = new Counter({
      name: `${PREFIX}reconcile_total`,
      help: 'Reconciles by controller and result (success, requeue, error).',
      labelNames: ['controller', 'result'],
      registers,
    });
    this.reconcileErrors = new Counter({
      name: `${PREFIX}reconcile_errors_total`,
      help: 'Reconciles that failed and were retried with backoff.',
      labelNames: ['controller'],
      registers,
    });
    this.reconcileDuration = new Histogram({
      name: `${PREFIX}reconcile_duration_seconds`,
      help: 'Time one reconcile took.',
      labelNames: ['controller'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    const depths = this.depths;
    this.queueDepth = new Gauge({
      name: `${PREFIX}workqueue_depth`,
      help: 'Keys waiting in the work queue of each controller.',
      labelNames: ['controller'],
      registers,
      collect() {
        for (const [controller, depth] of depths) this.set({ controller }, depth());
      },
    });
    this.apiRequests = new Counter({
      name: `${PREFIX}api_requests_total`,
      help: 'Requests sent to the Kubernetes API server, by verb and resource.',
      labelNames: ['verb', 'resource'],
      registers,
    });
    this.informerRestarts = new Counter({
      name: `${PREFIX}informer_restarts_total`,
      help: 'Informers restarted after their list or watch failed.',
      labelNames: ['resource'],
      registers,
    });
    this.informerRelists = new Counter({
      name: `${PREFIX}informer_relists_total`,
      help: 'Informers that listed afresh after several watches in a row failed.',
      labelNames: ['resource'],
      registers,
    });
    this.handlerPanics = new Counter({
      name: `${PREFIX}handler_panics_total`,
      help: 'Informer event handlers (label informer) and controller key mappers (label controller) that threw; the event was dropped for them.',
      labelNames: ['informer', 'controller'],
      registers,
    });
    this.leader = new Gauge({ name: `${PREFIX}leader`, help: '1 while this replica holds the leader lease.', registers });
    this.eventWriteFailures = new Counter({
      name: `${PREFIX}event_write_failures_total`,
      help: 'Kubernetes Events that could not be written.',
      registers,
    });
    // Read from the objects' status at each scrape: a deleted object's series goes with it.
    const utilizations = this.utilizations;
    for (const kind of ['service', 'cluster'] as const) {
      for (const resource of ['cpu', 'memory'] as const) {
        const field = resource === 'cpu' ? 'cpuUtilization' : 'memoryUtilization';
        new Gauge({
          name: `${PREFIX}${kind}_${resource}_utilization_percent`,
          help: UTILIZATION_HELP[kind](resource === 'cpu' ? 'CPU' : 'memory'),
          labelNames: ['namespace', kind],
          registers,
          collect() {
            this.reset();
            for (const { metadata, status } of utilizations.get(kind)?.() ?? []) {
              const value = status?.[field];
              if (value !== undefined) this.set({ namespace: metadata.namespace ?? '', [kind]: metadata.name ?? '' }, value);
            }
          },
        });
      }
    }
  }

  /** Reports the utilization in the status of `objects()` (Services or Clusters) at every scrape. */
  trackUtilization(kind: UtilizationKind, objects: () => readonly UtilizationSource[]): void {
    this.utilizations.set(kind, objects);
  }

  /** Reports `depth()` as the queue depth of `controller` at every scrape. */
  trackQueueDepth(controller: string, depth: () => number): void {
    this.depths.set(controller, depth);
  }

  /** The value of a counter or gauge series, for tests and the steady-state check. */
  async value(name: string, labels: Record<string, string> = {}): Promise<number> {
    const metric = this.registry.getSingleMetric(name);
    if (!metric) throw new Error(`no metric named ${name}`);
    const { values } = await metric.get();
    return values
      .filter((sample) => Object.entries(labels).every(([label, value]) => String(sample.labels[label]) === value))
      .reduce((sum, sample) => sum + sample.value, 0);
  }
}
