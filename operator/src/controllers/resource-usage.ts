// Usage from the metrics API (metrics.k8s.io), which no informer caches: NodeMetrics for the container
// instances, and the PodMetrics of a namespace for its Cluster and Services. One reader per operator, shared
// by the controllers: each answer is kept for a period (the ECS agent reports every 20 s), so the API is
// listed at most once a period for the nodes and once a period per namespace, however many Clusters and
// Services read it. While the API is not served (404, 503) the answer is "not served", asked again every
// 5 minutes; any other failure is logged once and the last answer kept until the next period.
import { statusCodeOf } from '../runtime/clients.js';
import { errorFields } from '../runtime/logging.js';
import { addResources, type MetricsReading, NO_RESOURCES, type Resources, resourcesOf, type UsageQuantities } from '../translate/utilization.js';
import type { OperatorContext } from './context.js';

export const METRICS_PERIOD_MS = 20_000;
const METRICS_ABSENT_RETRY_MS = 5 * 60_000;
const METRICS_API = { group: 'metrics.k8s.io', version: 'v1beta1' };

interface MetricsList {
  items?: Array<{ metadata?: { name?: string }; usage?: Partial<UsageQuantities>; containers?: Array<{ usage?: Partial<UsageQuantities> }> }>;
}

const usageOf = (usage: Partial<UsageQuantities> | undefined): Resources => resourcesOf({ cpu: usage?.cpu ?? '0', memory: usage?.memory ?? '0' });

/** One periodically refreshed answer. */
class PeriodicReading {
  private reading: MetricsReading | undefined;
  private fetchedAt = -Infinity;
  private pending: Promise<MetricsReading | undefined> | undefined;
  private failing = false;

  constructor(
    private readonly context: OperatorContext,
    private readonly what: string,
    private readonly list: () => Promise<MetricsList>,
    /** A NodeMetrics' usage, or the sum of a PodMetrics' containers. */
    private readonly usage: (item: NonNullable<MetricsList['items']>[number]) => Resources,
  ) {}

  get(): Promise<MetricsReading | undefined> {
    if (this.pending) return this.pending;
    const age = this.context.clock.now() - this.fetchedAt;
    const served = this.reading?.served !== false;
    if (age < (served ? METRICS_PERIOD_MS : METRICS_ABSENT_RETRY_MS)) return Promise.resolve(this.reading);
    this.pending = this.fetch().finally(() => (this.pending = undefined));
    return this.pending;
  }

  private async fetch(): Promise<MetricsReading | undefined> {
    this.fetchedAt = this.context.clock.now();
    try {
      const list = await this.list();
      this.reading = { served: true, usage: new Map((list.items ?? []).map((item) => [item.metadata?.name ?? '', this.usage(item)])) };
      this.failing = false;
    } catch (error) {
      const code = statusCodeOf(error);
      if (code === 404 || code === 503) this.reading = { served: false };
      else if (!this.failing) {
        this.failing = true;
        this.context.log.warn(`metrics.k8s.io: cannot list ${this.what}; utilization keeps its last figures`, errorFields(error));
      }
    }
    return this.reading;
  }
}

/** Node and pod usage from metrics.k8s.io, each read at most once a period. */
export class ResourceUsage {
  private readonly nodeReading: PeriodicReading;
  private readonly podReadings = new Map<string, PeriodicReading>();

  constructor(private readonly context: OperatorContext) {
    this.nodeReading = new PeriodicReading(
      context,
      'NodeMetrics',
      async () => (await context.clients.custom.listClusterCustomObject({ ...METRICS_API, plural: 'nodes' })) as MetricsList,
      (item) => usageOf(item.usage),
    );
  }

  /** Usage by node name; undefined when never answered (a failure before any answer). */
  nodes(): Promise<MetricsReading | undefined> {
    return this.nodeReading.get();
  }

  /** Usage by pod name in `namespace` (the sum of each pod's containers). */
  pods(namespace: string): Promise<MetricsReading | undefined> {
    let reading = this.podReadings.get(namespace);
    if (!reading) {
      reading = new PeriodicReading(
        this.context,
        `PodMetrics in ${namespace}`,
        async () => (await this.context.clients.custom.listNamespacedCustomObject({ ...METRICS_API, namespace, plural: 'pods' })) as MetricsList,
        (item) => (item.containers ?? []).map((c) => usageOf(c.usage)).reduce(addResources, NO_RESOURCES),
      );
      this.podReadings.set(namespace, reading);
    }
    return reading.get();
  }
}

const readers = new WeakMap<OperatorContext, ResourceUsage>();

/** The operator's one reader of the metrics API, shared by every controller built on `context`. */
export function resourceUsageOf(context: OperatorContext): ResourceUsage {
  let reader = readers.get(context);
  if (!reader) {
    reader = new ResourceUsage(context);
    readers.set(context, reader);
  }
  return reader;
}
