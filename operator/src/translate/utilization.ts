// Reservation and utilization in ECS terms, pure. What a task reserves is what its pod requests: the task's
// cpu and memory (pod-level resources) where the task definition sets them, else its containers' sum (cpu,
// memoryReservation or memory), as translate/resources.ts maps them. Utilization is what metrics.k8s.io
// reports in use over what is reserved (a Service, CPUUtilization of ECS's service metrics, which target
// tracking scales on) or registered (a Cluster and each container instance, as Container Insights reports them).
//
// Usage is a rate that jitters from one scrape to the next; a figure shown in status moves only when the new
// one is UTILIZATION_DEADBAND_PERCENT away from it, so constant usage costs no status write.
import type { V1Container, V1Pod } from '@kubernetes/client-node';
import { quantityToNumber } from './units.js';

/** CPU in millicores and memory in MiB; usage is fractional. */
export interface Resources {
  cpu: number;
  memory: number;
}

/** Usage as metrics.k8s.io reports it (NodeMetrics `usage`, the sum of a PodMetrics' containers): Kubernetes quantities. */
export interface UsageQuantities {
  cpu: string;
  memory: string;
}

/** What the metrics API answered: usage by name (node, or pod of one namespace), or that it is not served. */
export type MetricsReading = { served: true; usage: ReadonlyMap<string, Resources> } | { served: false };

/** ECS-style utilization figures, percent; absent where nothing is measured. */
export interface Utilization {
  cpuUtilization?: number;
  memoryUtilization?: number;
}

/** A shown figure stays until the measured one is this many percentage points away from it. */
export const UTILIZATION_DEADBAND_PERCENT = 0.5;

const MIB = 2 ** 20;

/** Millicores and MiB of usage quantities (`250123456n`, `65536Ki`); malformed ones count as 0. */
export function resourcesOf({ cpu, memory }: UsageQuantities): Resources {
  return { cpu: (quantityToNumber(cpu) ?? 0) * 1000, memory: (quantityToNumber(memory) ?? 0) / MIB };
}

export const addResources = (a: Resources, b: Resources): Resources => ({ cpu: a.cpu + b.cpu, memory: a.memory + b.memory });
export const NO_RESOURCES: Resources = { cpu: 0, memory: 0 };

/** Millicores of a CPU quantity, whole MiB (rounded down) of a memory one; 0 when absent or malformed. */
function reservedAmount(quantity: string | undefined, name: 'cpu' | 'memory'): number {
  const value = quantity === undefined ? undefined : quantityToNumber(quantity);
  if (value === undefined) return 0;
  return name === 'cpu' ? Math.round(value * 1000) : Math.floor(value / MIB);
}

const requested = (c: V1Container, name: 'cpu' | 'memory') => reservedAmount(c.resources?.requests?.[name] ?? c.resources?.limits?.[name], name);

/**
 * What a pod reserves on its node (millicores, whole MiB), as the scheduler counts it: the pod-level request
 * (the ECS task size) where set, else the larger of its long-running containers' sum (sidecars included) and
 * any one init container.
 */
export function podReservation(pod: V1Pod): Resources {
  // Cached objects are replaced, never changed, on update: a pod's reservation is computed once per version,
  // not on every Cluster reconcile over every pod of its nodes.
  let reservation = reservations.get(pod);
  if (!reservation) {
    reservation = computeReservation(pod);
    reservations.set(pod, reservation);
  }
  return reservation;
}

const reservations = new WeakMap<V1Pod, Resources>();

function computeReservation(pod: V1Pod): Resources {
  const sidecars = (pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always');
  const oneShots = (pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy !== 'Always');
  const main = [...sidecars, ...(pod.spec?.containers ?? [])];
  const podLevel = pod.spec?.resources?.requests ?? {};
  const of = (name: 'cpu' | 'memory') => {
    if (podLevel[name] !== undefined) return reservedAmount(podLevel[name], name);
    return Math.max(
      main.reduce((sum, c) => sum + requested(c, name), 0),
      ...oneShots.map((c) => requested(c, name)),
    );
  };
  return { cpu: of('cpu'), memory: of('memory') };
}

/** A task counts in utilization while RUNNING: its pod runs and is not being stopped. */
export function isRunningTaskPod(pod: V1Pod): boolean {
  return pod.status?.phase === 'Running' && !pod.metadata?.deletionTimestamp;
}

/** `part` of `whole` in percent with two decimals; undefined for nothing to divide by. */
export function percentOf(part: number, whole: number): number | undefined {
  return whole > 0 ? Math.round((part / whole) * 10000) / 100 : undefined;
}

/** The figure to show: `shown` while `measured` stays within the deadband of it, else `measured`. */
export function steadyPercent(measured: number | undefined, shown: number | undefined): number | undefined {
  if (measured === undefined || shown === undefined) return measured;
  return Math.abs(measured - shown) < UTILIZATION_DEADBAND_PERCENT ? shown : measured;
}

/** `used` over `whole` as the figures to show, given those shown now. */
export function steadyUtilization(used: Resources, whole: Resources, shown: Utilization): Utilization {
  const cpu = steadyPercent(percentOf(used.cpu, whole.cpu), shown.cpuUtilization);
  const memory = steadyPercent(percentOf(used.memory, whole.memory), shown.memoryUtilization);
  return { ...(cpu !== undefined ? { cpuUtilization: cpu } : {}), ...(memory !== undefined ? { memoryUtilization: memory } : {}) };
}

/** Only the utilization fields of `figures`. */
export const utilizationOf = ({ cpuUtilization, memoryUtilization }: Utilization): Utilization => ({
  ...(cpuUtilization !== undefined ? { cpuUtilization } : {}),
  ...(memoryUtilization !== undefined ? { memoryUtilization } : {}),
});

/** `status` without its utilization figures. */
export function withoutUtilization<T extends Utilization>(status: T): Omit<T, keyof Utilization> {
  const { cpuUtilization: _cpu, memoryUtilization: _memory, ...rest } = status;
  return rest;
}

/**
 * A Service's average CPUUtilization and MemoryUtilization, as ECS's service metrics and target tracking
 * compute them: the usage of its RUNNING tasks over what those tasks reserve. Tasks the metrics API has no
 * usage for yet (about 30 s after they start) count in neither. `usage` undefined: not read yet, so the
 * figures shown stay; not served, or no RUNNING task measured: none.
 */
export function serviceUtilization(tasks: readonly V1Pod[], usage: MetricsReading | undefined, shown: Utilization): Utilization {
  if (!usage) return utilizationOf(shown);
  if (!usage.served) return {};
  const running = tasks.filter(isRunningTaskPod);
  const measured = running.flatMap((pod) => {
    const used = usage.usage.get(pod.metadata?.name ?? '');
    return used ? [{ used, reserved: podReservation(pod) }] : [];
  });
  // RUNNING tasks none of which is measured (yet, or for a scrape that failed): what is shown stays.
  if (measured.length === 0) return running.length > 0 ? utilizationOf(shown) : {};
  const used = measured.map((m) => m.used).reduce(addResources, NO_RESOURCES);
  const reserved = measured.map((m) => m.reserved).reduce(addResources, NO_RESOURCES);
  return steadyUtilization(used, reserved, shown);
}
