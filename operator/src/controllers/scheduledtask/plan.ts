// What a reconcile of a ScheduledTask does, decided purely from one snapshot: the run planner of
// translate/schedule (which times run, which are skipped, which history goes) and the retries of Tasks that
// failed to start, turned into the Tasks to create, stop and delete, the status and the events.
import type { ScheduledTask, ScheduledTaskStatus, Task } from '../../api/index.js';
import {
  planRetries,
  planRuns,
  retryOf,
  rfc3339,
  runSlots,
  scheduledRunTask,
  scheduledTaskRuns,
  scheduleRunTaskOf,
  scheduleSettings,
  type PlannedRetry,
  type RunSlot,
  type ScheduleSettings,
  type ScheduleTaskAttempt,
  type SkippedTimes,
} from '../../translate/schedule/index.js';
import { addServiceEvents } from '../../translate/service-deployments.js';
import { controllerReference } from '../common.js';
import { validCondition, VALID, type PlannedEvent, type Validity } from '../plan-common.js';
import type { ScheduleSnapshot } from './observe.js';

export interface SchedulePlan {
  /** Tasks to create, in order (a run's Tasks together). */
  create: Task[];
  /** Running Tasks to stop (Replace): the live Task, to be written with desiredStatus STOPPED. */
  stop: Task[];
  /** Finished Tasks beyond the history limits; only after `status` is written (it records their time). */
  delete: Task[];
  status: ScheduledTaskStatus;
  /** Kubernetes Events; their messages are in status.events too. */
  events: PlannedEvent[];
  /** Plan again after this long at the latest (the next scheduled time). */
  requeueAfterMs?: number;
}

/** `arn:aws:scheduler:local:NAMESPACE:schedule/default/NAME`, as EventBridge Scheduler names a schedule. */
export function scheduleArn(schedule: ScheduledTask): string {
  return `arn:aws:scheduler:local:${schedule.metadata.namespace ?? ''}:schedule/default/${schedule.metadata.name ?? ''}`;
}

/** The spec's settings, or why there are none; a missing spec or target is named as the CRD would. */
function settingsOf(schedule: ScheduledTask): { settings?: ScheduleSettings; validity: Validity } {
  const spec = schedule.spec as Partial<ScheduledTask['spec']> | undefined;
  const missing = !spec ? 'spec' : typeof spec.scheduleExpression !== 'string' ? 'spec.scheduleExpression' : !spec.target ? 'spec.target' : undefined;
  if (missing) return { validity: { valid: false, reason: 'InvalidSpec', message: `${missing}: is required` } };
  const result = scheduleSettings(schedule.spec);
  if (!result.ok) {
    return { validity: { valid: false, reason: 'InvalidSpec', message: result.issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ') } };
  }
  return { settings: result.settings, validity: VALID };
}

function attemptOf(task: Task): ScheduleTaskAttempt | undefined {
  const run = scheduleRunTaskOf(task);
  if (!run) return undefined;
  const { stopCode, stoppedReason } = task.status ?? {};
  const replaces = retryOf(task);
  return { ...run, ...(stopCode ? { stopCode } : {}), ...(stoppedReason ? { stoppedReason } : {}), ...(replaces ? { retryOf: replaces } : {}) };
}

const SKIP_REASONS: Record<SkippedTimes['reason'], (settings: ScheduleSettings) => string> = {
  TooLate: (settings) => `they were older than maximumEventAgeInSeconds (${settings.maximumEventAgeMillis / 1000}) when they could run`,
  Overlap: (settings) => `a run of the schedule was still going (concurrencyPolicy ${settings.concurrencyPolicy}); the newest due time runs`,
  Disabled: () => 'the schedule is DISABLED',
};

function skippedMessage(who: string, skipped: SkippedTimes, settings: ScheduleSettings): string {
  const times =
    skipped.count === 1 && !skipped.more
      ? `the scheduled time ${rfc3339(skipped.first)}`
      : `${skipped.more ? 'more than ' : ''}${skipped.count} scheduled times from ${rfc3339(skipped.first)} to ${rfc3339(skipped.last)}`;
  return `${who} skipped ${times}: ${SKIP_REASONS[skipped.reason](settings)}.`;
}

const taskList = (names: readonly string[]) => names.map((name) => `(task ${name})`).join(' ');

/** What to do now for one ScheduledTask. */
export function planSchedule({ schedule, tasks, now }: ScheduleSnapshot): SchedulePlan {
  const name = schedule.metadata.name ?? '';
  const who = `(schedule ${name})`;
  const previous = schedule.status ?? {};
  const { settings, validity } = settingsOf(schedule);
  const valid = validCondition(previous.conditions, validity, schedule.metadata.generation ?? 0, now);
  const events: PlannedEvent[] = [...valid.events];
  const base: ScheduledTaskStatus = {
    ...previous,
    observedGeneration: schedule.metadata.generation ?? 0,
    scheduleArn: scheduleArn(schedule),
    conditions: valid.conditions,
  };
  const withEvents = (status: ScheduledTaskStatus, messages: readonly string[]): ScheduledTaskStatus =>
    messages.length === 0 ? status : { ...status, events: addServiceEvents(previous.events, messages, now.toISOString(), schedule.metadata.uid ?? name) };

  if (!settings) {
    // Nothing runs while the spec is refused; Tasks already running go on and the history stays.
    const { nextScheduleTime: _none, ...status } = base;
    const messages = valid.events.map((event) => `${who} is not valid: ${event.message}`);
    return { create: [], stop: [], delete: [], status: { ...withEvents(status, messages), runs: scheduledTaskRuns(tasks) }, events };
  }

  const attempts = tasks.map(attemptOf).filter((attempt) => attempt !== undefined);
  const slots = runSlots(attempts);
  const retries = planRetries(slots, settings, now);
  const retrying = new Set(retries.map((retry) => retry.slot));
  const runPlan = planRuns({
    scheduleName: name,
    settings,
    createdAt: new Date(schedule.metadata.creationTimestamp ?? now),
    now,
    ...(previous.lastScheduleTime ? { lastScheduleTime: new Date(previous.lastScheduleTime) } : {}),
    // A slot being retried is still going; otherwise its latest attempt says how it went.
    tasks: slots.map((slot) => ({ name: slot.name, scheduledTime: slot.scheduledTime, outcome: retrying.has(slot.name) ? 'running' : slot.latest.outcome })),
  });

  const owner = [controllerReference(schedule)];
  const byName = new Map(tasks.map((task) => [task.metadata.name ?? '', task]));
  const slotsByName = new Map<string, RunSlot>(slots.map((slot) => [slot.name, slot]));
  const create = [
    ...runPlan.create.map((planned) => scheduledRunTask(schedule, planned, owner)),
    ...retries.map((retry: PlannedRetry) => scheduledRunTask(schedule, retry, owner)),
  ];
  const stop = runPlan.stop
    .map((slot) => byName.get(slotsByName.get(slot)?.latest.name ?? slot))
    .filter((task): task is Task => task !== undefined && task.spec.desiredStatus !== 'STOPPED');
  const deleted = new Set(runPlan.delete.flatMap((slot) => slotsByName.get(slot)?.taskNames ?? [slot]));
  const remove = tasks.filter((task) => deleted.has(task.metadata.name ?? ''));

  const messages: string[] = [];
  const record = (type: PlannedEvent['type'], reason: string, message: string) => {
    messages.push(message);
    events.push({ type, reason, message });
  };
  // While DISABLED, each time is skipped as it comes: said once, not once a time, until something else happens.
  const disabledSaid = previous.events?.[0]?.message.endsWith(`${SKIP_REASONS.Disabled(settings)}.`) === true;
  for (const skipped of runPlan.skipped) {
    if (skipped.reason === 'Disabled' && disabledSaid) continue;
    record(skipped.reason === 'Disabled' ? 'normal' : 'warning', 'Skipped', skippedMessage(who, skipped, settings));
  }
  if (stop.length > 0) {
    record(
      'normal',
      'Stopping',
      `${who} is stopping ${stop.length} running tasks to start a newer run (concurrencyPolicy Replace): ${taskList(stop.map((task) => task.metadata.name ?? ''))}.`,
    );
  }
  const started = new Map<string, string[]>();
  for (const planned of runPlan.create) started.set(rfc3339(planned.scheduledTime), [...(started.get(rfc3339(planned.scheduledTime)) ?? []), planned.name]);
  for (const [time, names] of [...started].sort(([a], [b]) => a.localeCompare(b))) {
    record('normal', 'Started', `${who} has started ${names.length} tasks for the scheduled time ${time}: ${taskList(names)}.`);
  }
  for (const retry of retries) {
    record(
      'warning',
      'Retrying',
      `${who} is starting (task ${retry.name}) for the scheduled time ${rfc3339(retry.scheduledTime)}, attempt ${retry.attempt} of ${settings.maximumRetryAttempts}: (task ${retry.retryOf}) failed to start: ${retry.reason}.`,
    );
  }

  const { lastScheduleTime: _last, nextScheduleTime: _next, ...rest } = base;
  const kept = [...tasks.filter((task) => !deleted.has(task.metadata.name ?? '')), ...create];
  const status: ScheduledTaskStatus = {
    ...rest,
    ...(runPlan.lastScheduleTime ? { lastScheduleTime: rfc3339(runPlan.lastScheduleTime) } : {}),
    ...(runPlan.nextScheduleTime ? { nextScheduleTime: rfc3339(runPlan.nextScheduleTime) } : {}),
    runs: scheduledTaskRuns(kept),
  };
  const requeueAfterMs = runPlan.wakeAt ? Math.max(0, runPlan.wakeAt.getTime() - now.getTime()) : undefined;
  return {
    create,
    stop,
    delete: remove,
    status: withEvents(status, messages),
    events,
    ...(requeueAfterMs !== undefined ? { requeueAfterMs } : {}),
  };
}

/** The Task `live` asked to stop: its spec with desiredStatus STOPPED, as the Task controller reads it (stopCode UserInitiated). */
export function stoppedTask(live: Task): Task {
  const { name, namespace, labels, annotations, ownerReferences } = live.metadata;
  return {
    apiVersion: live.apiVersion,
    kind: live.kind,
    metadata: { name, namespace, labels, annotations, ownerReferences },
    spec: { ...live.spec, desiredStatus: 'STOPPED' },
  };
}
