// A deleted Service (its finalizer still on): every task stops (status DRAINING), then the status says
// INACTIVE and the finalizer goes; owner references then remove the ReplicaSets, DaemonSet and core Services.
// The status is written first, as in every plan (plan.ts), and the finalizer last.
import { serviceReplicaSets } from '../../translate/service-workload.js';
import { withoutUtilization } from '../../translate/utilization.js';
import { controllerReference } from '../common.js';
import { applyIfChanged, replicaSetsOf, type ServiceAction, type ServicePlan, type ServiceSnapshot } from './snapshot.js';
import { previousStatus } from './status.js';

/** How often a draining Service looks again while its tasks stop. */
export const DRAIN_RECHECK_MS = 5000;

export function planDeletion(snapshot: ServiceSnapshot): ServicePlan {
  const { service } = snapshot;
  const previous = previousStatus(snapshot);
  const scaleDown = snapshot.deployments.flatMap((d) => {
    const existing = replicaSetsOf(d);
    return serviceReplicaSets(service, d, 0, [controllerReference(service)]).flatMap((rs) => {
      const live = existing.find((e) => e.name === rs.metadata?.name)?.live;
      return live ? applyIfChanged(rs, live, live.spec?.replicas !== 0) : [];
    });
  });
  const deleteDaemonSets = snapshot.daemonSets.filter((ds) => !ds.metadata?.deletionTimestamp).map((ds) => ({ verb: 'delete' as const, object: ds }));
  const remaining = [...snapshot.deployments.flatMap((d) => d.tasks), ...snapshot.daemonTasks].filter((t) => !t.pod.metadata?.deletionTimestamp);
  const runningNow = remaining.filter((t) => t.pod.status?.phase === 'Running').length;
  // ECS measures no utilization of a service that is going.
  const status = {
    ...withoutUtilization(previous),
    status: remaining.length > 0 ? ('DRAINING' as const) : ('INACTIVE' as const),
    desiredCount: 0,
    runningCount: runningNow,
    pendingCount: remaining.length - runningNow,
  };
  return {
    actions: [
      { verb: 'status', status },
      ...scaleDown,
      ...deleteDaemonSets,
      ...(remaining.length > 0 ? [] : [{ verb: 'finalizer', present: false } as ServiceAction]),
    ],
    events: [],
    ...(remaining.length > 0 ? { requeueAfterMs: DRAIN_RECHECK_MS } : {}),
  };
}
