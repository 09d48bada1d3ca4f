// The Tasks of a ScheduledTask: the Task a planned run creates (the target's RunTask input, startedBy the
// schedule, the scheduled time in an annotation), what the planner reads back from each Task, and the runs
// status lists. The Task's annotation, not the controller's memory, says which time it ran.
import type { V1OwnerReference } from '@kubernetes/client-node';
import { ECS_API_VERSION, type ScheduledTask, type ScheduledTaskRun, type Task } from '../../api/index.js';
import { ANNOTATIONS, LABELS, MANAGED_BY_VALUE } from '../labels.js';
import { toLabelValue } from '../names.js';
import type { PlannedTask, RunTaskOutcome, ScheduleRunTask } from './plan.js';

/** RFC 3339 in UTC, without milliseconds when there are none (scheduled times are whole minutes or seconds). */
export function rfc3339(date: Date): string {
  return date.toISOString().replace('.000Z', 'Z');
}

/** What a schedule's Tasks carry as startedBy: `scheduled-task/NAME`, in the letters startedBy allows. */
export function scheduleStartedBy(scheduleName: string): string {
  return `scheduled-task/${scheduleName.replace(/[^A-Za-z0-9/_-]/g, '-')}`.slice(0, 128);
}

/**
 * The Task of one planned run; `ownerReferences` make the schedule its controller, so deletion cascades.
 * `retryOf` names the Task this one starts again (a Task of the same run that failed to start).
 */
export function scheduledRunTask(
  schedule: ScheduledTask,
  planned: PlannedTask & { retryOf?: string },
  ownerReferences: readonly V1OwnerReference[] = [],
): Task {
  const { count: _count, ...target } = schedule.spec.target;
  const { name: scheduleName = '', namespace } = schedule.metadata;
  return {
    apiVersion: ECS_API_VERSION,
    kind: 'Task',
    metadata: {
      name: planned.name,
      ...(namespace ? { namespace } : {}),
      labels: { [LABELS.managedBy]: MANAGED_BY_VALUE, [LABELS.scheduledTask]: toLabelValue(scheduleName) },
      annotations: { [ANNOTATIONS.scheduledTime]: rfc3339(planned.scheduledTime), ...(planned.retryOf ? { [ANNOTATIONS.retryOf]: planned.retryOf } : {}) },
      ...(ownerReferences.length > 0 ? { ownerReferences: [...ownerReferences] } : {}),
    },
    spec: { ...structuredClone(target), startedBy: scheduleStartedBy(scheduleName) },
  };
}

/**
 * A stopped Task succeeded when its essential container exited and no container exited with another code than
 * 0; any other stop (failed to start, stopped by a user or by Replace, a non-zero exit) is a failure.
 */
function outcomeOf(task: Task): RunTaskOutcome {
  const status = task.status;
  if (status?.lastStatus !== 'STOPPED') return 'running';
  const clean = (status.containers ?? []).every((container) => container.exitCode === undefined || container.exitCode === 0);
  return status.stopCode === 'EssentialContainerExited' && clean ? 'succeeded' : 'failed';
}

/** A Task as the planner reads it, or undefined when it carries no valid scheduled time (then it is none of the schedule's runs). */
export function scheduleRunTaskOf(task: Task): ScheduleRunTask | undefined {
  const text = task.metadata.annotations?.[ANNOTATIONS.scheduledTime];
  const scheduledTime = text === undefined ? undefined : new Date(text);
  if (!scheduledTime || Number.isNaN(scheduledTime.getTime()) || !task.metadata.name) return undefined;
  return { name: task.metadata.name, scheduledTime, outcome: outcomeOf(task) };
}

/** The Task a retry Task starts again, if it is one. */
export function retryOf(task: Task): string | undefined {
  return task.metadata.annotations?.[ANNOTATIONS.retryOf];
}

/** The outcome of a run: of its Tasks that no retry replaced, running if any runs, failed if any failed. */
function runOutcome(outcomes: readonly RunTaskOutcome[]): RunTaskOutcome {
  if (outcomes.includes('running')) return 'running';
  return outcomes.includes('failed') ? 'failed' : 'succeeded';
}

/** status.runs: the schedule's Tasks grouped by scheduled time, newest first, Tasks by name. */
export function scheduledTaskRuns(tasks: readonly Task[]): ScheduledTaskRun[] {
  const retried = new Set(tasks.map(retryOf).filter((name) => name !== undefined));
  const runs = new Map<string, { run: ScheduledTaskRun; outcomes: RunTaskOutcome[] }>();
  for (const task of [...tasks].sort((a, b) => (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''))) {
    const run = scheduleRunTaskOf(task);
    if (!run) continue;
    const scheduledTime = rfc3339(run.scheduledTime);
    const entry = runs.get(scheduledTime) ?? { run: { scheduledTime, tasks: [] }, outcomes: [] };
    const { lastStatus, stopCode, stoppedReason } = task.status ?? {};
    entry.run.tasks.push({
      name: run.name,
      ...(lastStatus ? { lastStatus } : {}),
      ...(stopCode ? { stopCode } : {}),
      ...(stoppedReason ? { stoppedReason } : {}),
    });
    if (!retried.has(run.name)) entry.outcomes.push(run.outcome);
    if (retryOf(task)) entry.run.retryAttempts = (entry.run.retryAttempts ?? 0) + 1;
    runs.set(scheduledTime, entry);
  }
  return [...runs.values()]
    .map(({ run, outcomes }) => ({ ...run, outcome: runOutcome(outcomes) }))
    .sort((a, b) => b.scheduledTime.localeCompare(a.scheduledTime));
}
