// DAEMON services: one DaemonSet whose pod template is the PRIMARY deployment's, rolled by the DaemonSet
// controller with maxUnavailable / maxSurge from the DAEMON percents. The DaemonSet controller already places
// one pod on every node the template's node affinity admits and follows nodes as they come and go; a
// per-node ReplicaSet scheme would redo that. Deployments are told apart by the deployment label of the
// pods. Failed tasks are stopped (the DaemonSet replaces them) and counted, but the circuit breaker watches
// REPLICA services only. Pure: snapshot in, actions and status outcome out.
import type { RolloutState, ServiceDeployment } from '../../api/service.js';
import { ANNOTATIONS, LABELS } from '../../translate/labels.js';
import { circuitBreakerThreshold } from '../../translate/rollout.js';
import { rolloutReasons } from '../../translate/service-deployments.js';
import { DEPLOYMENT_ANNOTATIONS, serviceDaemonSet } from '../../translate/service-workload.js';
import { controllerReference } from '../common.js';
import type { Validity } from '../plan-common.js';
import type { StrategyPlan } from './plan-replica.js';
import { failedTaskStops, strategyPlan } from './plan-tasks.js';
import { applyIfChanged, countTasks, nameOf, pending, running, withStopping, type ObservedTask, type ServiceAction, type ServiceSnapshot } from './snapshot.js';
import { deploymentEntry, previousStatus } from './status.js';

const idOf = (t: ObservedTask) => `ecs-svc/${t.pod.metadata?.labels?.[LABELS.deployment] ?? ''}`;

export function planDaemon(snapshot: ServiceSnapshot): StrategyPlan {
  const { service, target, now } = snapshot;
  const previous = previousStatus(snapshot);
  const nowIso = new Date(now).toISOString();
  const resourceName = nameOf(service);
  const live = snapshot.daemonSets.find((ds) => nameOf(ds) === resourceName);
  let validity: Validity = snapshot.validity;
  if ([...snapshot.foreign, ...snapshot.taken].some((t) => t.kind === 'DaemonSet' && t.name === resourceName)) {
    validity = {
      valid: false,
      reason: 'DaemonSetNameTaken',
      message: `metadata.name: a DaemonSet named '${resourceName}' exists and does not belong to this Service; it is left alone`,
    };
  }

  const actions: ServiceAction[] = [];
  if (target && validity.valid) {
    const desired = serviceDaemonSet(service, target, [controllerReference(service)]);
    if (live) {
      actions.push(...applyIfChanged(desired, live));
    } else {
      for (const account of target.serviceAccounts) {
        actions.push({
          verb: 'createShared',
          object: { apiVersion: 'v1', kind: 'ServiceAccount', ...account, metadata: { ...account.metadata, namespace: service.metadata.namespace } },
        });
      }
      actions.push({ verb: 'create', object: desired });
    }
  }

  const desiredCount = live?.status?.desiredNumberScheduled ?? 0;
  const threshold = circuitBreakerThreshold(desiredCount);
  const observed = live ? snapshot.daemonTasks.filter((t) => t.pod.metadata?.ownerReferences?.some((r) => r.uid === live.metadata?.uid)) : [];
  const groups = new Map<string, ObservedTask[]>();
  for (const t of observed) groups.set(idOf(t), [...(groups.get(idOf(t)) ?? []), t]);
  const stops = failedTaskStops(groups, previous, threshold, false, now);
  for (const t of stops.stop) actions.push({ verb: 'delete', object: t.pod });
  const tasks = withStopping(observed, new Set(stops.stop.map((t) => t.pod.metadata?.uid ?? '')));

  const primaryId = target?.id ?? live?.metadata?.annotations?.[DEPLOYMENT_ANNOTATIONS.id] ?? '';
  const primaryTasks = tasks.filter((t) => idOf(t) === primaryId);
  const otherIds = [...new Set(tasks.filter((t) => idOf(t) !== primaryId && t.observed.state !== 'STOPPING').map(idOf))].sort();
  const caughtUp = live !== undefined && (live.status?.observedGeneration ?? 0) >= (live.metadata?.generation ?? 0);
  const counts = countTasks(primaryTasks, desiredCount);
  const done =
    caughtUp && live.status?.updatedNumberScheduled === desiredCount && otherIds.length === 0 && counts.healthy === desiredCount && counts.unhealthy === 0;
  const before = (id: string) => previous.deployments?.find((d) => d.id === id);
  // A completed DAEMON deployment stays COMPLETED as nodes come and go; only a new template starts another.
  const primaryState: RolloutState = done || (before(primaryId)?.rolloutState === 'COMPLETED' && otherIds.length === 0) ? 'COMPLETED' : 'IN_PROGRESS';
  const entry = (id: string, isPrimary: boolean): ServiceDeployment => {
    const own = tasks.filter((t) => idOf(t) === id);
    const state = isPrimary ? primaryState : (before(id)?.rolloutState ?? 'IN_PROGRESS');
    const { failedTasks, countedFailedTasks } = stops.failures.get(id) ?? { failedTasks: before(id)?.failedTasks ?? 0, countedFailedTasks: [] };
    return deploymentEntry(
      {
        id,
        status: isPrimary ? 'PRIMARY' : 'ACTIVE',
        taskDefinition: isPrimary
          ? (target?.taskDefinition ?? live?.metadata?.annotations?.[ANNOTATIONS.taskDefinition] ?? '')
          : (own[0]?.pod.metadata?.annotations?.[ANNOTATIONS.taskDefinition] ?? before(id)?.taskDefinition ?? ''),
        desiredCount: isPrimary ? desiredCount : 0,
        pendingCount: pending(own),
        runningCount: running(own),
        failedTasks,
        ...(countedFailedTasks.length > 0 ? { countedFailedTasks } : {}),
        createdAt: before(id)?.createdAt ?? nowIso,
        rolloutState: state,
        rolloutStateReason: state === 'COMPLETED' ? rolloutReasons.completed(id) : rolloutReasons.inProgress(id),
      },
      previous,
      nowIso,
    );
  };
  const entries = primaryId ? [entry(primaryId, true), ...otherIds.map((id) => entry(id, false))] : [];
  return strategyPlan(snapshot, { actions, stops, observed, tasks, entries, validity, desiredCount, done, messages: [] });
}
