// Carries out a schedule's plan through the child writer, in the order that keeps "one time, one run" true
// whatever instant the operator stops at:
// 1. the run's Tasks are created first. Their names carry the scheduled time, so the Tasks themselves record
//    that the time ran: a restart sees them and never runs the time again (and completes a run left halfway);
//    creating one that exists is AlreadyExists, an answer. Writing lastScheduleTime first instead would lose
//    the run if the operator stopped before creating it (a miss).
// 2. Tasks Replace stops are asked to stop.
// 3. status, conditional on the resourceVersion the plan was made from (a 409 means re-read and re-plan),
//    records lastScheduleTime, and only then
// 4. history is deleted: a run's Tasks go once status says their time is past, so no plan can see the time
//    as not yet run.
import type { ScheduledTask } from '../../api/index.js';
import type { ChildWrites, Owner } from '../../runtime/child-writer.js';
import type { EventRecorder } from '../../runtime/events.js';
import { RESOURCES } from '../../runtime/informer.js';
import { stoppedTask, type SchedulePlan } from './plan.js';

export interface ScheduleWrites {
  writer: ChildWrites;
  events: Pick<EventRecorder, 'normal' | 'warning'>;
}

/** What was done: Tasks created now (not found existing), for the log. */
export interface ScheduleExecution {
  created: string[];
}

export async function executeSchedulePlan(
  { writer, events }: ScheduleWrites,
  owner: Owner,
  schedule: ScheduledTask,
  plan: SchedulePlan,
): Promise<ScheduleExecution> {
  const created: string[] = [];
  for (const task of plan.create) {
    if ((await writer.create(owner, task)) === 'created') created.push(task.metadata.name ?? '');
  }
  for (const task of plan.stop) await writer.apply(stoppedTask(task), task);
  await writer.writeStatus(RESOURCES.scheduledTasks, schedule, plan.status);
  for (const task of plan.delete) await writer.delete(owner, task);
  for (const event of plan.events) events[event.type](event.object ?? schedule, event.reason, event.message);
  return { created };
}
