// One snapshot of a ScheduledTask from the caches: the schedule, the Tasks it controls, and the time now.
import type { ScheduledTask, Task } from '../../api/index.js';
import type { SharedInformer } from '../../runtime/informer.js';
import { isControlledBy } from '../common.js';

export interface ScheduleSnapshot {
  schedule: ScheduledTask;
  /** The Tasks whose controller is this schedule (its runs; a Task of the same name it does not own is left out). */
  tasks: Task[];
  now: Date;
}

export function observeSchedule(schedule: ScheduledTask, tasks: SharedInformer<Task>, now: Date): ScheduleSnapshot {
  const owned = tasks.list(schedule.metadata.namespace).filter((task) => isControlledBy(task, schedule));
  return { schedule, tasks: owned, now };
}
