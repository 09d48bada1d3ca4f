// Pure decisions about single tasks, shared by the REPLICA and DAEMON planners: which failed tasks stop now
// and how they count against their deployment, which waiting pods are replaced, and which tasks the "has
// started" / "has stopped" service events still have to name.
//
// Restarts: a failure is counted in status (the deployment's failedTasks, and the pod's uid in
// countedFailedTasks) in the same status write that precedes the pod's delete, so a crash between the two
// finds the uid counted and only deletes. Reported tasks are recorded in status.reportedTasks, never parsed
// back out of event messages. Both records stay bounded: what is gone leaves them with their next change.
import type { V1Pod } from '@kubernetes/client-node';
import type { ReportedTasks, ServiceDeployment, ServiceStatus } from '../../api/service.js';
import { stableStringify } from '../../translate/hash.js';
import { replacementDelayMs } from '../../translate/rollout.js';
import type { PlannedEvent, Validity } from '../plan-common.js';
import type { StrategyPlan } from './plan-replica.js';
import { nameOf, replicaSetsOf, type ObservedDeployment, type ObservedTask, type ServiceAction, type ServiceSnapshot } from './snapshot.js';
import { previousStatus, taskEvents, taskMessages, type ServiceMessage } from './status.js';

const uidOf = (t: ObservedTask) => t.pod.metadata?.uid ?? '';
const createdMs = (t: ObservedTask, now: number) => new Date(t.pod.metadata?.creationTimestamp ?? now).getTime();

/** A deployment's failures after this plan: its count and the uids counted whose pods still exist. */
export interface Failures {
  failedTasks: number;
  countedFailedTasks: string[];
}

export interface FailedTaskStops {
  /** The failed tasks to stop now. */
  stop: ObservedTask[];
  /** Failures by deployment id. */
  failures: Map<string, Failures>;
  /** When the next failed task's replacement is due. */
  nextDueMs?: number;
  events: PlannedEvent[];
}

/**
 * The failed tasks whose replacement is due (all of them while the circuit breaker watches or before the
 * failure threshold; later ones after a growing delay), counted against their deployment once.
 * `groups`: each deployment id with its tasks.
 */
export function failedTaskStops(
  groups: ReadonlyMap<string, readonly ObservedTask[]>,
  previous: ServiceStatus,
  threshold: number,
  breaker: boolean,
  now: number,
): FailedTaskStops {
  const stop: ObservedTask[] = [];
  const failures = new Map<string, Failures>();
  const events: PlannedEvent[] = [];
  let nextDueMs: number | undefined;
  for (const [id, tasks] of groups) {
    const before = previous.deployments?.find((d) => d.id === id);
    const countedBefore = before?.countedFailedTasks ?? [];
    const counted = [...countedBefore];
    let failedTasks = before?.failedTasks ?? 0;
    for (const task of tasks) {
      if (task.observed.state !== 'FAILED') continue;
      const already = counted.includes(uidOf(task));
      const due = createdMs(task, now) + (already ? 0 : replacementDelayMs(failedTasks, threshold, breaker));
      if (due > now) {
        nextDueMs = Math.min(nextDueMs ?? Infinity, due - now);
        continue;
      }
      stop.push(task);
      events.push({ type: 'warning', reason: 'TaskFailed', message: `Task stopped: ${task.observed.failure?.reason ?? 'failed'}`, object: task.pod });
      if (!already && task.observed.failure?.stage) {
        failedTasks += 1;
        counted.push(uidOf(task));
      }
    }
    // The uids of pods that are gone go when the list changes anyway: a pod's going costs no status write.
    const uids = new Set(tasks.map(uidOf));
    const changed = counted.length > countedBefore.length;
    failures.set(id, { failedTasks, countedFailedTasks: changed ? counted.filter((uid) => uids.has(uid)) : countedBefore });
  }
  return { stop, failures, ...(nextDueMs !== undefined ? { nextDueMs } : {}), events };
}

/**
 * Waiting tasks whose placement was compiled against other Nodes (an expression evaluated on nodes, such as a
 * pattern match): the ReplicaSet's template carries the new node affinity, a pod keeps the one it was created
 * with. Such an unscheduled pod never started, so it is replaced (deleted; the ReplicaSet creates it anew).
 */
export function staleWaitingTasks(deployment: ObservedDeployment): ObservedTask[] {
  const replicaSets = replicaSetsOf(deployment);
  // The affinity of the ReplicaSet that made the pod (a deployment has one per capacity provider).
  const wanted = (pod: V1Pod) => {
    const owner = pod.metadata?.ownerReferences?.find((o) => o.controller)?.uid;
    const rs = replicaSets.find((r) => r.live?.metadata?.uid === owner)?.live ?? deployment.live;
    return stableStringify(rs?.spec?.template?.spec?.affinity ?? null);
  };
  return deployment.tasks.filter(
    ({ pod, observed }) =>
      !pod.spec?.nodeName && !pod.metadata?.deletionTimestamp && observed.state === 'PENDING' && stableStringify(pod.spec?.affinity ?? null) !== wanted(pod),
  );
}

export interface TaskReports {
  started: string[];
  stopped: string[];
  reported: ReportedTasks;
}

/**
 * The tasks no earlier event named: started ones newer than the watermark (creation time, with the names
 * at that very second), and stopping ones not yet reported, `stoppedNow` (stopped by this plan) first.
 * Stops are remembered by name while their pods exist rather than by a watermark: a deletionTimestamp is
 * the deletion time plus the pod's grace period, so it does not grow in the order tasks are stopped.
 */
export function taskReports(tasks: readonly ObservedTask[], before: ReportedTasks | undefined, stoppedNow: readonly string[]): TaskReports {
  const through = before?.startedThrough ? new Date(before.startedThrough).getTime() : -Infinity;
  const atThrough = new Set(before?.startedAtThrough ?? []);
  const created = (t: ObservedTask) => new Date(t.pod.metadata?.creationTimestamp ?? 0).getTime();
  const fresh = tasks.filter((t) => created(t) > through || (created(t) === through && !atThrough.has(nameOf(t.pod))));
  const started = fresh.map((t) => nameOf(t.pod)).sort();
  const newest = Math.max(through, ...fresh.map(created));
  const atNewest = [...(newest === through ? atThrough : []), ...fresh.filter((t) => created(t) === newest).map((t) => nameOf(t.pod))];

  const stoppedBefore = before?.stopped ?? [];
  const stopping = tasks
    .filter((t) => t.pod.metadata?.deletionTimestamp)
    .map((t) => nameOf(t.pod))
    .filter((name) => !stoppedBefore.includes(name) && !stoppedNow.includes(name))
    .sort();
  const stopped = [...stoppedNow.filter((name) => !stoppedBefore.includes(name)), ...stopping];
  // Names of pods that are gone go when the list changes anyway: a pod's going costs no status write.
  const names = new Set(tasks.map((t) => nameOf(t.pod)));
  const stoppedList = stopped.length > 0 ? [...new Set([...stoppedBefore.filter((name) => names.has(name)), ...stopped])].sort() : stoppedBefore;
  const reported: ReportedTasks = {
    ...(Number.isFinite(newest) ? { startedThrough: new Date(newest).toISOString(), startedAtThrough: [...new Set(atNewest)].sort() } : {}),
    ...(stoppedList.length > 0 ? { stopped: stoppedList } : {}),
  };
  return { started, stopped, reported };
}

/** What both scheduling strategies end with, from the tasks they found and the stops they planned. */
export interface StrategyEnd {
  actions: ServiceAction[];
  stops: FailedTaskStops;
  /** Every task of the service as the snapshot shows it (for the task reports). */
  observed: readonly ObservedTask[];
  /** Every task as the plan leaves it (tasks it stops are STOPPING). */
  tasks: readonly ObservedTask[];
  entries: ServiceDeployment[];
  validity: Validity;
  desiredCount: number;
  done: boolean;
  /** Messages the strategy already has (the circuit breaker's); the task reports' follow. */
  messages: ServiceMessage[];
}

/**
 * The strategy's plan: the started and stopped tasks no earlier event named, their messages after the
 * strategy's own, and when time alone changes something (a failed task's replacement due, a grace period over).
 */
export function strategyPlan(snapshot: ServiceSnapshot, end: StrategyEnd): StrategyPlan {
  const { stops, tasks, entries } = end;
  const reports = taskReports(
    end.observed,
    previousStatus(snapshot).reportedTasks,
    stops.stop.map((t) => nameOf(t.pod)),
  );
  const messages = [...end.messages, ...taskMessages(snapshot, entries, reports)];
  const dueIn = [stops.nextDueMs, ...tasks.map((t) => t.observed.healthCheckDueInMs)].filter((ms): ms is number => ms !== undefined);
  return {
    actions: end.actions,
    events: [...stops.events, ...taskEvents(snapshot, reports)],
    outcome: { validity: end.validity, desiredCount: end.desiredCount, tasks, entries, steady: end.done, messages, reportedTasks: reports.reported },
    ...(dueIn.length > 0 ? { requeueAfterMs: Math.min(...dueIn) + 100 } : {}),
  };
}
