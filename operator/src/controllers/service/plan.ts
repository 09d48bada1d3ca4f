// The Service controller's decision, pure: a snapshot in, the writes in the order they must happen, the
// Events and when to look again out. Which planner decides depends on the Service: a deleted one drains
// (plan-deletion.ts), one without the finalizer gets it first, the others run their scheduling strategy
// (plan-replica.ts, plan-daemon.ts), their discovery (plan-discovery.ts) and the status (status.ts).
import { ECS_GROUP } from '../../api/meta.js';
import { defaultClusterObject, DEFAULT_CLUSTER } from '../common.js';
import { planDaemon } from './plan-daemon.js';
import { planDeletion } from './plan-deletion.js';
import { planDiscovery } from './plan-discovery.js';
import { planReplica, type StrategyPlan } from './plan-replica.js';
import { planTargetGroupBindings } from './target-group-bindings.js';
import type { ServiceAction, ServicePlan, ServiceSnapshot } from './snapshot.js';
import { activeStatus } from './status.js';

/** Held on a Service until its tasks are stopped. */
export const SERVICE_FINALIZER = `${ECS_GROUP}/drain-tasks`;

/**
 * The order of writes. Names are claimed first (a name found taken changes the plan before anything else is
 * written). The status goes next: it is the record (failure counts, reported tasks, rollout states, events),
 * so nothing a plan decides reaches the children before the record of it was accepted as of the version it
 * was computed from; a refused status write (409) leaves the children as they were. Then applies, deletes
 * (a failed task's pod only after its failure is counted), and the finalizer last.
 */
const ORDER: Record<ServiceAction['verb'], number> = { createShared: 0, create: 1, status: 2, apply: 3, delete: 4, finalizer: 5 };

export function planService(snapshot: ServiceSnapshot): ServicePlan {
  const { service } = snapshot;
  const finalized = service.metadata.finalizers?.includes(SERVICE_FINALIZER) === true;
  if (service.metadata.deletionTimestamp) return finalized ? planDeletion(snapshot) : { actions: [], events: [] };
  // The update that adds it brings the Service back: the first plan of a Service is only this.
  if (!finalized) return { actions: [{ verb: 'finalizer', present: true }], events: [] };

  const actions: ServiceAction[] = [];
  if (!snapshot.cluster && snapshot.clusterName === DEFAULT_CLUSTER) {
    // ECS creates the `default` cluster on first use; the informer brings it.
    actions.push({ verb: 'createShared', object: defaultClusterObject(service.metadata.namespace ?? '') });
  }
  let validity = snapshot.validity;
  let strategy: StrategyPlan | undefined;
  // Another deployment controller (CODE_DEPLOY, EXTERNAL) would own the rollout: only the Valid condition is said.
  if ((service.spec.deploymentController?.type ?? 'ECS') === 'ECS') {
    strategy = snapshot.strategy === 'DAEMON' ? planDaemon(snapshot) : planReplica(snapshot);
    validity = strategy.outcome.validity;
    actions.push(...strategy.actions);
    if (validity.valid && snapshot.target) {
      const discovery = planDiscovery(snapshot, snapshot.target.spec);
      actions.push(...discovery.actions);
      validity = discovery.validity;
      // Bound to the core Service of discovery: only once that one is the Service's.
      if (validity.valid) {
        const bindings = planTargetGroupBindings(snapshot);
        actions.push(...bindings.actions);
        validity = bindings.validity;
      }
    }
  }
  const { status, events } = activeStatus(snapshot, validity, strategy?.outcome);
  actions.push({ verb: 'status', status });
  return {
    actions: actions
      .map((action, index) => ({ action, index }))
      .sort((a, b) => ORDER[a.action.verb] - ORDER[b.action.verb] || a.index - b.index)
      .map(({ action }) => action),
    events: [...(strategy?.events ?? []), ...events],
    ...(strategy?.requeueAfterMs !== undefined ? { requeueAfterMs: strategy.requeueAfterMs } : {}),
  };
}
