// ECS capacity provider strategies on a Cluster's nodes. A Cluster says which nodes (a label selection) and
// which taints (tolerations) each capacity provider name stands for (spec.capacityProviderNodes); a provider it
// only lists in spec.capacityProviders runs on any of its nodes. A Task or Service uses its own
// capacityProviderStrategy, or, naming neither a strategy nor a launchType, the Cluster's default strategy, as
// ECS does; a launchType alone keeps the Cluster's nodes as they are. A strategy naming a provider the Cluster
// does not have is refused at that field, as RunTask and CreateService refuse it.
//
// The split is ECS's: the provider with a base gets its base first, the tasks beyond all bases are divided in
// proportion to the weights (Balinski and Young's quota method: within one task of the exact share, and scaling
// out never moves a task), so a weight 0 provider gets its base and nothing more. A single task (a Task) goes where the split of one task puts it. Pure.
import type { CapacityProviderNodes, CapacityProviderStrategyItem, Cluster } from '../api/cluster.js';
import type { LaunchType } from '../api/task.js';
import type { Issue } from './issues.js';

/** The strategy a Task or Service runs by, and the field it comes from (for refusals). */
export interface ResolvedStrategy {
  items: readonly CapacityProviderStrategyItem[];
  /** `spec.capacityProviderStrategy`, or `Cluster NAME spec.defaultCapacityProviderStrategy`. */
  path: string;
}

/** A provider of a strategy with the nodes it stands for. */
export interface CapacityProvider {
  name: string;
  /** Absent: any of the Cluster's nodes. */
  nodes?: CapacityProviderNodes;
}

/** The strategy of `spec` in `cluster`: its own, else (without a launchType) the Cluster's default, else none. */
export function resolveStrategy(
  spec: { capacityProviderStrategy?: readonly CapacityProviderStrategyItem[]; launchType?: LaunchType },
  cluster: Cluster,
): ResolvedStrategy | undefined {
  if (spec.capacityProviderStrategy?.length) return { items: spec.capacityProviderStrategy, path: 'spec.capacityProviderStrategy' };
  const fallback = cluster.spec.defaultCapacityProviderStrategy;
  if (spec.launchType || !fallback?.length) return undefined;
  return { items: fallback, path: `Cluster ${cluster.metadata.name ?? ''} spec.defaultCapacityProviderStrategy` };
}

/**
 * The strategy a Task or Service runs by in `cluster` (resolveStrategy), or why ECS would refuse it: a refused
 * strategy (strategyRefusal), or any strategy on a DAEMON service (which the Cluster's default skips).
 */
export function workloadStrategy(
  spec: {
    capacityProviderStrategy?: readonly CapacityProviderStrategyItem[];
    launchType?: LaunchType;
    schedulingStrategy?: 'REPLICA' | 'DAEMON';
  },
  cluster: Cluster,
): { strategy?: ResolvedStrategy; refusal?: Issue } {
  if (spec.schedulingStrategy === 'DAEMON') {
    if (!spec.capacityProviderStrategy?.length) return {};
    return { refusal: { path: 'spec.capacityProviderStrategy', message: 'a DAEMON service cannot use capacity providers, as in ECS' } };
  }
  const strategy = resolveStrategy(spec, cluster);
  const refusal = strategy && strategyRefusal(strategy, cluster);
  if (refusal) return { refusal };
  return strategy ? { strategy } : {};
}

/** The capacity provider names `cluster` has: those it lists and those it maps to nodes. */
export function clusterCapacityProviders(cluster: Cluster): Set<string> {
  return new Set([...(cluster.spec.capacityProviders ?? []), ...(cluster.spec.capacityProviderNodes ?? []).map((p) => p.capacityProvider)]);
}

/** Why ECS would refuse `strategy` in `cluster`, at the field: an unknown provider, two bases, no weight. */
export function strategyRefusal({ items, path }: ResolvedStrategy, cluster: Cluster): Issue | undefined {
  const known = clusterCapacityProviders(cluster);
  const unknown = items.findIndex((item) => !known.has(item.capacityProvider));
  if (unknown >= 0) {
    const name = items[unknown]?.capacityProvider ?? '';
    return {
      path: `${path}[${unknown}].capacityProvider`,
      message: `capacity provider '${name}' is not one of Cluster '${cluster.metadata.name ?? ''}' (spec.capacityProviders, spec.capacityProviderNodes); ECS refuses it`,
    };
  }
  const names = items.map((item) => item.capacityProvider);
  const repeated = names.findIndex((name, index) => names.indexOf(name) !== index);
  if (repeated >= 0) return { path: `${path}[${repeated}].capacityProvider`, message: `capacity provider '${names[repeated] ?? ''}' is named twice` };
  const bases = items.map((item, index) => ((item.base ?? 0) > 0 ? index : -1)).filter((index) => index >= 0);
  if (bases.length > 1) return { path: `${path}[${bases[1] ?? 0}].base`, message: 'only one capacity provider of a strategy may have a base' };
  if (items.length > 1 && items.every((item) => (item.weight ?? 0) === 0)) {
    return { path, message: 'at least one capacity provider must have a weight greater than 0' };
  }
  return undefined;
}

/** The providers of `strategy` in order, with the nodes `cluster` maps each to. */
export function strategyProviders(items: readonly CapacityProviderStrategyItem[], cluster: Cluster): CapacityProvider[] {
  return items.map(({ capacityProvider }) => {
    const nodes = cluster.spec.capacityProviderNodes?.find((p) => p.capacityProvider === capacityProvider);
    return { name: capacityProvider, ...(nodes ? { nodes } : {}) };
  });
}

/**
 * How many of `count` tasks each provider of `items` runs, in the order of `items`: bases first (in order, as
 * far as the count goes), then the rest in proportion to the weights (quotaMethod). With every weight 0 (one provider only, see strategyRefusal), the rest go to the first.
 */
export function splitByStrategy(items: readonly CapacityProviderStrategyItem[], count: number): number[] {
  const shares = items.map(() => 0);
  let left = Math.max(0, Math.floor(count));
  items.forEach((item, index) => {
    const base = Math.min(item.base ?? 0, left);
    shares[index] = base;
    left -= base;
  });
  const total = items.reduce((sum, item) => sum + (item.weight ?? 0), 0);
  if (left === 0 || items.length === 0) return shares;
  if (total === 0) {
    shares[0] = (shares[0] ?? 0) + left;
    return shares;
  }
  const beyond = quotaMethod(
    items.map((item) => item.weight ?? 0),
    left,
  );
  return shares.map((share, index) => share + (beyond[index] ?? 0));
}

/**
 * Balinski and Young's quota method: tasks are added one at a time, each to the provider with the largest
 * weight / (tasks + 1) among those still under their upper quota. Every provider stays within one task of its
 * exact share (quota) at every count, and a provider never loses a task when the count grows (so scaling out
 * only adds tasks). Ties go to the earlier provider. Integer arithmetic only.
 */
function quotaMethod(weights: readonly number[], count: number): number[] {
  const total = weights.reduce((a, b) => a + b, 0);
  const shares = weights.map(() => 0);
  for (let k = 1; k <= count; k++) {
    let best = -1;
    weights.forEach((weight, index) => {
      const share = shares[index] ?? 0;
      const upperQuota = Math.floor((k * weight + total - 1) / total);
      if (weight === 0 || share + 1 > upperQuota) return;
      // weight / (share + 1) > best's weight / (best's share + 1), compared without division.
      if (best < 0 || weight * ((shares[best] ?? 0) + 1) > (weights[best] ?? 0) * (share + 1)) best = index;
    });
    if (best >= 0) shares[best] = (shares[best] ?? 0) + 1;
  }
  return shares;
}

/** The provider a single task runs on: where the split of one task puts it. */
export function providerOfOneTask(items: readonly CapacityProviderStrategyItem[]): number {
  return Math.max(0, splitByStrategy(items, 1).indexOf(1));
}
