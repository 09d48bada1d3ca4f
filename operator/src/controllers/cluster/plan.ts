// Pure: a Cluster's snapshot → its ECS status (translate/cluster-status.ts) with the Valid condition, whether
// it must be written, and when to look again: utilization changes without an event, so a Cluster whose
// metrics are served is looked at again when the next ones arrive.
import type { ClusterStatus } from '../../api/cluster.js';
import { sameJson } from '../../runtime/apply.js';
import { observeCluster } from '../../translate/cluster-status.js';
import { type PlannedEvent, VALID, validCondition } from '../plan-common.js';
import { type ClusterSnapshot, METRICS_PERIOD_MS } from './observe.js';

export interface ClusterPlan {
  /** The status to write; undefined when the Cluster shows it already. */
  writeStatus?: ClusterStatus;
  events: PlannedEvent[];
  requeueAfterMs?: number;
}

/** Whether the status shows utilization, which changes without an event. */
const measured = (status: ClusterStatus) =>
  status.cpuUtilization !== undefined || (status.containerInstances ?? []).some((i) => i.cpuUtilization !== undefined);

export function planCluster({ cluster, input }: ClusterSnapshot, now: Date): ClusterPlan {
  const observed = observeCluster(input);
  const valid = validCondition(cluster.status?.conditions, VALID, cluster.metadata.generation ?? 0, now);
  const status: ClusterStatus = { ...observed, observedGeneration: cluster.metadata.generation ?? 0, conditions: valid.conditions };
  return {
    ...(sameJson(cluster.status, status) ? {} : { writeStatus: status }),
    events: valid.events,
    ...(measured(observed) ? { requeueAfterMs: METRICS_PERIOD_MS } : {}),
  };
}
