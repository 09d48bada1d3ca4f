// A Service's ECS status, computed purely from the snapshot and what the plan decided: the counts, the
// deployment entries, the conditions (Valid, Placed, Steady) and the service events, with the Kubernetes
// Events each of them is worth.
import type { Condition } from '../../api/meta.js';
import type { ReportedTasks, ServiceDeployment, ServiceStatus } from '../../api/service.js';
import { sameJson } from '../../runtime/apply.js';
import { setCondition } from '../../runtime/conditions.js';
import { LABELS } from '../../translate/labels.js';
import { toLabelValue } from '../../translate/names.js';
import { constraintSources, explainUnplaced } from '../../translate/placement/index.js';
import { addServiceEvents, serviceMessages } from '../../translate/service-deployments.js';
import { serviceFieldWarnings, warningLines } from '../../translate/not-applied.js';
import { serviceUtilization, withoutUtilization } from '../../translate/utilization.js';
import { fieldsAppliedCondition, placedCondition, unschedulableReason, validCondition, type PlannedEvent, type Validity } from '../plan-common.js';
import type { TaskReports } from './plan-tasks.js';
import { nameOf, pending, replicaSetsOf, running, taskPods, type ObservedTask, type ServiceSnapshot } from './snapshot.js';

const EVENT_TASKS_PER_MESSAGE = 10;

/** A service event: a line of status.events and a Kubernetes Event with `reason`. */
export interface ServiceMessage {
  type: 'normal' | 'warning';
  reason: string;
  message: string;
  /** In status.events only: its Kubernetes Event is a summary (taskEvents), not one per message. */
  statusOnly?: boolean;
}

/** What a strategy's planner found, for the status. */
export interface StrategyOutcome {
  validity: Validity;
  desiredCount: number;
  /** Every task, as the plan leaves them (tasks it stops are STOPPING). */
  tasks: readonly ObservedTask[];
  /** Deployment entries, PRIMARY first. */
  entries: ServiceDeployment[];
  steady: boolean;
  messages: ServiceMessage[];
  reportedTasks: ReportedTasks;
}

export const ecsNameOf = (snapshot: ServiceSnapshot) => snapshot.service.spec.serviceName ?? nameOf(snapshot.service);
export const previousStatus = (snapshot: ServiceSnapshot): ServiceStatus => snapshot.service.status ?? {};

/** A deployment's status entry; updatedAt moves only when something else in it does. */
export function deploymentEntry(entry: Omit<ServiceDeployment, 'updatedAt'>, previous: ServiceStatus, nowIso: string): ServiceDeployment {
  const before = previous.deployments?.find((d) => d.id === entry.id);
  const { updatedAt, ...rest } = before ?? {};
  const unchanged = before !== undefined && sameJson(rest, entry);
  return { ...entry, updatedAt: unchanged ? (updatedAt ?? nowIso) : nowIso };
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** The "deployment completed" message of the PRIMARY entry, and the "has started" and "has stopped" ones of `reports`. */
export function taskMessages(
  snapshot: ServiceSnapshot,
  entries: readonly ServiceDeployment[],
  reports: Pick<TaskReports, 'started' | 'stopped'>,
): ServiceMessage[] {
  const name = ecsNameOf(snapshot);
  const [primary] = entries;
  const before = previousStatus(snapshot).deployments?.find((d) => d.id === primary?.id);
  const completed = primary?.status === 'PRIMARY' && primary.rolloutState === 'COMPLETED' && before?.rolloutState !== 'COMPLETED';
  return [
    ...(completed ? [{ type: 'normal' as const, reason: 'DeploymentCompleted', message: serviceMessages.deploymentCompleted(name, primary.id) }] : []),
    ...chunks(reports.started, EVENT_TASKS_PER_MESSAGE).map((batch) => ({
      type: 'normal' as const,
      reason: 'TasksStarted',
      message: serviceMessages.started(name, batch),
      statusOnly: true,
    })),
    ...chunks(reports.stopped, EVENT_TASKS_PER_MESSAGE).map((batch) => ({
      type: 'normal' as const,
      reason: 'TasksStopped',
      message: serviceMessages.stopped(name, batch),
      statusOnly: true,
    })),
  ];
}

/**
 * The Kubernetes Events of the tasks a reconcile saw start and stop: one of each kind, with the count. The task
 * names are in status.events, ten to a message as ECS lists them; an Event per ten tasks was a tenth of a
 * write per task started (a hundred Events for a Service scaled to 1000).
 */
export function taskEvents(snapshot: ServiceSnapshot, reports: Pick<TaskReports, 'started' | 'stopped'>): PlannedEvent[] {
  const name = ecsNameOf(snapshot);
  return [
    ...(reports.started.length > 0
      ? [{ type: 'normal' as const, reason: 'TasksStarted', message: `(service ${name}) has started ${reports.started.length} tasks.` }]
      : []),
    ...(reports.stopped.length > 0
      ? [{ type: 'normal' as const, reason: 'TasksStopped', message: `(service ${name}) has stopped ${reports.stopped.length} running tasks.` }]
      : []),
  ];
}

/**
 * Why the ReplicaSet controller cannot create the service's pods (its ReplicaFailure condition: Pod Security,
 * a quota, a webhook), for the newest deployment that says so.
 */
function podCreationRefusal(snapshot: ServiceSnapshot): string | undefined {
  for (const deployment of [...snapshot.deployments].reverse()) {
    for (const { live } of replicaSetsOf(deployment)) {
      const failure = live?.status?.conditions?.find((c) => c.type === 'ReplicaFailure' && c.status === 'True');
      if (failure) return failure.message ?? failure.reason ?? 'the API server refused the pod';
    }
  }
  return undefined;
}

/** The scheduler's reason a task of the service waits, with the ECS constraints it comes from. */
function unplacedReason(snapshot: ServiceSnapshot, tasks: readonly ObservedTask[]): string | undefined {
  const schedulerMessage = tasks.map((t) => (t.observed.state === 'PENDING' ? unschedulableReason(t.pod) : undefined)).find((r) => r !== undefined);
  const { target, cluster } = snapshot;
  if (schedulerMessage === undefined || !target || !cluster) return schedulerMessage;
  return explainUnplaced({
    schedulerMessage,
    constraints: constraintSources(target.taskDefinition, target.spec.placementConstraints, snapshot.service.spec.placementConstraints),
    attributeLabels: cluster.spec.attributeLabels ?? {},
    nodes: snapshot.clusterNodes,
    pods: snapshot.clusterPods,
  });
}

/** What of the Service's spec is not applied (translate/not-applied.ts, and its translation's warnings), as status.warnings lines. */
export function serviceWarnings(snapshot: Pick<ServiceSnapshot, 'service' | 'targetGroupBindingServed' | 'targetWarnings'>): string[] {
  return warningLines([
    ...serviceFieldWarnings(snapshot.service, { targetGroupBinding: snapshot.targetGroupBindingServed }),
    ...(snapshot.targetWarnings ?? []),
  ]);
}

/** The ECS status of an ACTIVE service and the Kubernetes Events it is worth. */
export function activeStatus(
  snapshot: ServiceSnapshot,
  validity: Validity,
  outcome: StrategyOutcome | undefined,
): { status: ServiceStatus; events: PlannedEvent[] } {
  const { service } = snapshot;
  const previous = previousStatus(snapshot);
  const now = new Date(snapshot.now);
  const generation = service.metadata.generation ?? 0;
  const name = ecsNameOf(snapshot);
  const valid = validCondition(previous.conditions, validity, generation, now);
  const fields = fieldsAppliedCondition(valid.conditions, previous.warnings, serviceWarnings(snapshot), generation, now);
  let conditions: Condition[] = fields.conditions;
  const events: PlannedEvent[] = [...valid.events, ...fields.events];
  const messages: string[] = [];
  const say = (m: ServiceMessage) => {
    messages.push(m.message);
    if (!m.statusOnly) events.push({ type: m.type, reason: m.reason, message: m.message });
  };
  if (outcome) {
    outcome.messages.forEach(say);
    const scheduler = unplacedReason(snapshot, outcome.tasks);
    const refused = scheduler === undefined ? podCreationRefusal(snapshot) : undefined;
    const unplaced = scheduler ?? refused;
    const placedBefore = conditions.find((c) => c.type === 'Placed');
    const placed = placedCondition(conditions, `(service ${name})`, unplaced, now, refused === undefined ? 'Unschedulable' : 'FailedCreate');
    events.push(...placed.events);
    conditions = placed.conditions;
    const placedAfter = conditions.find((c) => c.type === 'Placed');
    if (unplaced && placedAfter && placedAfter.message !== placedBefore?.message) messages.push(placedAfter.message);
    const steadyBefore = conditions.find((c) => c.type === 'Steady');
    if (outcome.steady && steadyBefore?.status !== 'True') say({ type: 'normal', reason: 'SteadyState', message: serviceMessages.steadyState(name) });
    conditions = setCondition(
      conditions,
      {
        type: 'Steady',
        status: outcome.steady ? 'True' : 'False',
        reason: outcome.steady ? 'SteadyState' : 'Deploying',
        message: outcome.steady
          ? ''
          : `${running(outcome.tasks)} of ${outcome.desiredCount} tasks running in ${outcome.entries.length} deployments; ${outcome.entries[0]?.rolloutStateReason ?? ''}`,
        observedGeneration: generation,
      },
      now,
    );
  }
  const [primary] = outcome?.entries ?? [];
  const status: ServiceStatus = {
    ...withoutUtilization(previous),
    ...serviceUtilization(taskPods(snapshot), snapshot.podUsage, previous),
    ...(outcome
      ? {
          desiredCount: outcome.desiredCount,
          runningCount: running(outcome.tasks),
          pendingCount: pending(outcome.tasks),
          ...(primary ? { taskDefinition: primary.taskDefinition } : {}),
          deployments: outcome.entries,
          reportedTasks: outcome.reportedTasks,
        }
      : {}),
    observedGeneration: generation,
    serviceName: name,
    serviceArn: `arn:aws:ecs:local:${service.metadata.namespace ?? ''}:service/${snapshot.clusterName}/${name}`,
    cluster: snapshot.clusterName,
    status: 'ACTIVE',
    selector: `${LABELS.service}=${toLabelValue(nameOf(service))}`,
    warnings: fields.warnings,
    events: messages.length > 0 ? addServiceEvents(previous.events, messages, now.toISOString(), service.metadata.uid ?? '') : (previous.events ?? []),
    conditions,
  };
  return { status, events };
}
