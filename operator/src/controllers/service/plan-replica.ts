// REPLICA services (the Deployment controller's rolling.go, ECS flavoured): one ReplicaSet per deployment,
// the rollout math of translate/rollout.ts deciding each one's replicas from the tasks as they are, the
// circuit breaker deciding when the deployment the spec asks for has FAILED and what it rolls back to. What
// the pods cannot tell survives on the objects: a deployment's terminal rolloutState in its ReplicaSet's
// annotations (the rollback target is the newest COMPLETED one), failure counts and reported tasks in status.
// Pure: snapshot in, actions and status outcome out; nothing in the snapshot is changed.
import type { RolloutState, ServiceDeployment } from '../../api/service.js';
import { circuitBreakerThreshold, computeRolloutStep, deploymentPercents, rolloutDone, type DeploymentPercents } from '../../translate/rollout.js';
import { rolloutReasons, serviceMessages } from '../../translate/service-deployments.js';
import { serviceReplicaSets } from '../../translate/service-workload.js';
import { controllerReference } from '../common.js';
import type { PlannedEvent, Validity } from '../plan-common.js';
import { failedTaskStops, staleWaitingTasks, strategyPlan, type Failures } from './plan-tasks.js';
import {
  applyIfChanged,
  countTasks,
  deploymentTasks,
  liveReplicas,
  pending,
  present,
  replicaSetsOf,
  running,
  withStopping,
  type ObservedDeployment,
  type ServiceAction,
  type ServiceSnapshot,
} from './snapshot.js';
import type { ServiceTarget } from '../../translate/service-workload.js';
import { deploymentEntry, ecsNameOf, previousStatus, type ServiceMessage, type StrategyOutcome } from './status.js';

export interface StrategyPlan {
  actions: ServiceAction[];
  outcome: StrategyOutcome;
  requeueAfterMs?: number;
  events: PlannedEvent[];
}

/** The last COMPLETED deployment other than `failed`: the one still running tasks, else the newest (oldest first in). */
export function lastCompleted(deployments: readonly ObservedDeployment[], failed: ObservedDeployment): ObservedDeployment | undefined {
  const completed = deployments.filter((d) => d.name !== failed.name && d.live && d.state === 'COMPLETED');
  return completed.findLast((d) => d.tasks.some(present)) ?? completed.at(-1);
}

/** A ReplicaSet name the spec asks for, when someone else's object holds it. */
function replicaSetTaken(snapshot: ServiceSnapshot): string | undefined {
  const { target } = snapshot;
  const names = target ? (target.parts ?? [target]).map((p) => p.name) : [];
  return [...snapshot.foreign, ...snapshot.taken].find((t) => t.kind === 'ReplicaSet' && names.includes(t.name))?.name;
}

/** The spec's deployment as translated now, over what runs of it: its parts keep their live ReplicaSets. */
function withTarget(d: ObservedDeployment, target: ServiceTarget): ObservedDeployment {
  const parts = target.parts?.map((part) => {
    const live = d.parts?.find((p) => p.name === part.name)?.live;
    return { ...part, ...(live ? { live } : {}) };
  });
  return { ...d, template: target.template, labels: target.labels, ...(parts ? { parts } : {}) };
}

export function planReplica(snapshot: ServiceSnapshot): StrategyPlan {
  const { service, target, now } = snapshot;
  const previous = previousStatus(snapshot);
  const ecsName = ecsNameOf(snapshot);
  const desiredCount = service.spec.desiredCount ?? 0;
  const percents = deploymentPercents('REPLICA', service.spec.deploymentConfiguration);
  const breaker = service.spec.deploymentConfiguration?.deploymentCircuitBreaker;
  const threshold = circuitBreakerThreshold(desiredCount, breaker?.thresholdConfiguration);
  const messages: ServiceMessage[] = [];

  let validity: Validity = snapshot.validity;
  const taken = replicaSetTaken(snapshot);
  if (taken)
    validity = {
      valid: false,
      reason: 'ReplicaSetNameTaken',
      message: `spec.taskDefinition: a ReplicaSet named '${taken}' exists and does not belong to this Service; it is left alone`,
    };

  // The deployments: the owned ones (the spec's with the template translated now), and the spec's if still to be created.
  let deployments: ObservedDeployment[] = snapshot.deployments.map((d) => (target && d.name === target.name ? withTarget(d, target) : d));
  if (target && !taken && !deployments.some((d) => d.name === target.name)) {
    const { name, id, taskDefinition, template, labels, strategy, parts } = target;
    deployments.push({ name, id, taskDefinition, template, labels, ...(strategy && parts ? { strategy, parts } : {}), tasks: [] });
  }
  const targetName = target && !taken ? target.name : undefined;

  // Failed tasks are stopped and counted against their deployment; waiting pods of an old placement replaced.
  const stops = failedTaskStops(new Map(deployments.map((d) => [d.id, d.tasks])), previous, threshold, breaker?.enable === true, now);
  const targetLive = deployments.find((d) => d.name === targetName && d.live);
  const stale = targetLive ? staleWaitingTasks(targetLive) : [];
  const stopping = new Set([...stops.stop, ...stale].map((t) => t.pod.metadata?.uid ?? ''));
  deployments = deployments.map((d) => ({ ...d, tasks: withStopping(d.tasks, stopping) }));
  const failuresOf = (d: ObservedDeployment): Failures => stops.failures.get(d.id) ?? { failedTasks: 0, countedFailedTasks: [] };
  const failuresBefore = (d: ObservedDeployment) => previous.deployments?.find((e) => e.id === d.id)?.failedTasks ?? 0;

  const previousPrimary = previous.deployments?.find((d) => d.status === 'PRIMARY')?.replicaSet;
  const rollbackTarget = (failed: ObservedDeployment) => (breaker?.rollback ? lastCompleted(deployments, failed) : undefined);
  const choosePrimary = (): ObservedDeployment | undefined => {
    const wanted = deployments.find((d) => d.name === targetName);
    if (wanted) return wanted.state === 'FAILED' ? (rollbackTarget(wanted) ?? wanted) : wanted;
    return deployments.find((d) => d.name === previousPrimary) ?? deployments.at(-1);
  };
  let primary = choosePrimary();

  /** `d` in a new rollout state, replacing it in `deployments` (a copy: the snapshot's stays as it is). */
  const setState = (d: ObservedDeployment, state: RolloutState | undefined, reason?: string) => {
    const { state: _s, stateReason: _r, ...rest } = d;
    const next: ObservedDeployment = { ...rest, ...(state ? { state } : {}), ...(reason ? { stateReason: reason } : {}) };
    deployments = deployments.map((e) => (e.name === d.name ? next : e));
    return next;
  };
  // The circuit breaker watches the deployment the spec asks for until it completes.
  if (primary && primary.name === targetName && !primary.state && breaker?.enable && failuresOf(primary).failedTasks >= threshold) {
    const stage = primary.tasks.some((t) => t.observed.failure?.stage === 2) ? 2 : 1;
    setState(primary, 'FAILED', rolloutReasons.failed(stage));
    primary = choosePrimary();
  } else if (primary && !breaker?.enable && failuresBefore(primary) < threshold && failuresOf(primary).failedTasks >= threshold) {
    messages.push({ type: 'warning', reason: 'UnableToStartTasks', message: serviceMessages.unableToStart(ecsName) });
  }
  // The failure is told once: when the status, the record of what was told, does not show it yet. (The status
  // goes before the ReplicaSet's FAILED annotation: a plan that finds only the status ahead decides FAILED
  // again from the counted failures, and does not tell it again.)
  const failed = deployments.find((d) => d.name === targetName && d.state === 'FAILED');
  if (failed && previous.deployments?.find((e) => e.id === failed.id)?.rolloutState !== 'FAILED') {
    const stage = failed.stateReason === rolloutReasons.failed(2) ? 'tasks failed health checks' : 'tasks failed to start';
    messages.push({ type: 'warning', reason: 'DeploymentFailed', message: serviceMessages.deploymentFailed(ecsName, failed.id, stage) });
    const back = rollbackTarget(failed);
    messages.push(
      back
        ? { type: 'warning', reason: 'RollingBack', message: serviceMessages.rollingBack(ecsName, back.id) }
        : { type: 'warning', reason: 'UnableToStartTasks', message: serviceMessages.unableToStart(ecsName) },
    );
  }

  // The rollout step, from the tasks as the plan leaves them.
  const replicasOf = liveReplicas;
  const others = deployments.filter((d) => d.name !== primary?.name);
  const step = primary
    ? computeRolloutStep({
        desiredCount,
        percents,
        primary: deploymentTasks(primary, replicasOf(primary)),
        primaryFailed: primary.state === 'FAILED',
        others: others.map((d) => deploymentTasks(d, replicasOf(d))),
      })
    : undefined;
  const nextReplicas = new Map<string, number>();
  if (primary && step) {
    nextReplicas.set(primary.name, step.primary);
    others.forEach((d, i) => nextReplicas.set(d.name, step.others[i] ?? 0));
  }
  // A create found the spec's ReplicaSet name held by an object the cache does not show: it may be this Service's
  // own, created by an earlier leader (or request) and not in this cache yet, with tasks that take room the plan
  // cannot see. Until the cache shows whose it is, no deployment grows (another would grow into that room).
  if (taken && !snapshot.foreign.some((t) => t.kind === 'ReplicaSet' && t.name === taken)) {
    for (const d of deployments) if (nextReplicas.has(d.name)) nextReplicas.set(d.name, Math.min(nextReplicas.get(d.name) ?? 0, replicasOf(d)));
  }
  const next = (d: ObservedDeployment) => nextReplicas.get(d.name) ?? replicasOf(d);
  const done =
    primary !== undefined &&
    primary.state !== 'FAILED' &&
    rolloutDone({
      desiredCount,
      primary: countTasks(primary.tasks, next(primary)),
      others: others.map((d) => countTasks(d.tasks, next(d))),
    });
  if (primary && done && primary.state !== 'COMPLETED') primary = setState(primary, 'COMPLETED');

  // The writes: the spec's ReplicaSet created, the others applied; stopped tasks and drained history deleted.
  const actions: ServiceAction[] = [];
  if (validity.valid || primary) {
    for (const d of deployments) {
      const existing = replicaSetsOf(d);
      const desired = serviceReplicaSets(service, d, next(d), [controllerReference(service)]);
      const missing = desired.filter((rs) => !existing.some((e) => e.live && e.name === rs.metadata?.name));
      if (validity.valid && missing.length > 0) {
        for (const account of target?.name === d.name ? target.serviceAccounts : []) {
          actions.push({
            verb: 'createShared',
            object: { apiVersion: 'v1', kind: 'ServiceAccount', ...account, metadata: { ...account.metadata, namespace: service.metadata.namespace } },
          });
        }
      }
      for (const rs of desired) {
        const live = existing.find((e) => e.name === rs.metadata?.name)?.live;
        // The applied hash does not see a replica count changed by someone else: apply whenever it differs.
        if (live) actions.push(...applyIfChanged(rs, live, live.spec?.replicas !== rs.spec?.replicas));
        else if (validity.valid) actions.push({ verb: 'create', object: rs });
      }
    }
    const rollback = primary && lastCompleted(deployments, primary);
    for (const d of deployments) {
      if (!d.live || d.name === primary?.name || d.name === targetName || d.name === rollback?.name || next(d) > 0 || d.tasks.length > 0) continue;
      for (const { live } of replicaSetsOf(d)) if (live) actions.push({ verb: 'delete', object: live });
    }
  }
  for (const t of [...stops.stop, ...stale]) actions.push({ verb: 'delete', object: t.pod });

  const wanted = deployments.find((d) => d.name === targetName);
  const rollingBack = primary !== undefined && wanted !== undefined && primary.name !== wanted.name && wanted.state === 'FAILED';
  const entries = replicaEntries(
    {
      deployments,
      primary,
      wanted,
      rollingBack,
      next,
      failuresOf,
      done,
      stalled: step?.stalled === true,
      desiredCount,
      percents,
      breaker: breaker?.enable === true,
      threshold,
    },
    snapshot,
  );
  const tasks = deployments.flatMap((d) => d.tasks);
  const observed = snapshot.deployments.flatMap((d) => d.tasks);
  return strategyPlan(snapshot, { actions, stops, observed, tasks, entries, validity, desiredCount, done, messages });
}

interface EntriesInput {
  deployments: readonly ObservedDeployment[];
  primary: ObservedDeployment | undefined;
  wanted: ObservedDeployment | undefined;
  rollingBack: boolean;
  next: (d: ObservedDeployment) => number;
  failuresOf: (d: ObservedDeployment) => Failures;
  done: boolean;
  stalled: boolean;
  desiredCount: number;
  percents: DeploymentPercents;
  breaker: boolean;
  threshold: number;
}

/** The status entries of a REPLICA service's deployments, PRIMARY first, then the others newest first. */
function replicaEntries(input: EntriesInput, snapshot: ServiceSnapshot): ServiceDeployment[] {
  const { deployments, primary, wanted, rollingBack, next, failuresOf, done, desiredCount, percents, threshold } = input;
  const nowIso = new Date(snapshot.now).toISOString();
  const isPrimary = (d: ObservedDeployment) => d.name === primary?.name;
  const othersDrained = deployments.every((d) => isPrimary(d) || (next(d) === 0 && !d.tasks.some(present)));
  const primaryState = (d: ObservedDeployment): RolloutState => {
    if (d.state === 'FAILED') return 'FAILED';
    if (done || (d.state === 'COMPLETED' && othersDrained)) return 'COMPLETED';
    return 'IN_PROGRESS';
  };
  const reasonOf = (d: ObservedDeployment, state: RolloutState): string => {
    if (state === 'FAILED') return d.stateReason ?? rolloutReasons.failed(1);
    if (state === 'COMPLETED') return rolloutReasons.completed(d.id);
    if (isPrimary(d) && rollingBack) return rolloutReasons.rollingBack(d.id);
    if (isPrimary(d) && input.stalled) return rolloutReasons.stalled(percents.minimumHealthyPercent, percents.maximumPercent, desiredCount);
    return rolloutReasons.inProgress(d.id);
  };
  const isWanted = (d: ObservedDeployment) => d.name === wanted?.name;
  const listed = deployments.filter((d) => isPrimary(d) || next(d) > 0 || d.tasks.some(present) || (rollingBack && isWanted(d)));
  return listed
    .sort((a, b) => (isPrimary(a) ? -1 : isPrimary(b) ? 1 : (b.createdAt ?? nowIso).localeCompare(a.createdAt ?? nowIso)))
    .map((d) => {
      const state = isPrimary(d) ? primaryState(d) : (d.state ?? 'IN_PROGRESS');
      const { failedTasks, countedFailedTasks } = failuresOf(d);
      return deploymentEntry(
        {
          id: d.id,
          status: isPrimary(d) ? 'PRIMARY' : rollingBack && isWanted(d) && next(d) === 0 && !d.tasks.some(present) ? 'INACTIVE' : 'ACTIVE',
          taskDefinition: d.taskDefinition,
          replicaSet: d.name,
          desiredCount: next(d),
          pendingCount: pending(d.tasks),
          runningCount: running(d.tasks),
          failedTasks,
          ...(countedFailedTasks.length > 0 ? { countedFailedTasks } : {}),
          createdAt: d.createdAt ?? nowIso,
          rolloutState: state,
          rolloutStateReason: reasonOf(d, state),
          ...(input.breaker && (isPrimary(d) || d.state === 'FAILED')
            ? {
                circuitBreaker: {
                  status: state === 'FAILED' ? ('TRIGGERED' as const) : state === 'COMPLETED' ? ('MONITORING_COMPLETE' as const) : ('MONITORING' as const),
                  failureCount: failedTasks,
                  threshold,
                },
              }
            : {}),
        },
        previousStatus(snapshot),
        nowIso,
      );
    });
}
