// Carries out a Task's plan: its actions in order through the child writer, then the Events it asks for.
// Nothing else: every decision is the planner's. A failed write (a 409 on a status computed from a stale
// Task, above all) throws and stops the rest, so nothing planned after it happens; the reconcile is retried
// and planned again from the cache.
import type { Task } from '../../api/task.js';
import type { ChildWrites, Owner } from '../../runtime/child-writer.js';
import type { EventRecorder } from '../../runtime/events.js';
import { statusCodeOf } from '../../runtime/clients.js';
import { RESOURCES } from '../../runtime/informer.js';
import { errorFields } from '../../runtime/logging.js';
import type { TaskPlan } from './plan.js';

export interface TaskExecution {
  writer: ChildWrites;
  events: Pick<EventRecorder, 'normal' | 'warning'>;
}

export async function executeTaskPlan({ writer, events }: TaskExecution, owner: Owner, task: Task, plan: TaskPlan): Promise<void> {
  for (const action of plan.actions) {
    switch (action.type) {
      case 'createShared':
        await writer.createShared(action.object);
        break;
      case 'writeStatus':
        await writer.writeStatus(RESOURCES.tasks, task, action.status);
        break;
      case 'createPod':
        await writer.create(owner, action.pod).catch((error: unknown) => {
          // Refused by admission (Pod Security, a quota, a webhook) or as invalid: say why where the user looks,
          // as the ReplicaSet controller does, then retry with backoff (the namespace's policy may change).
          const status = statusCodeOf(error);
          if (status === 403 || status === 422) events.warning(task, 'FailedCreate', `Error creating pod: ${errorFields(error).error}`);
          throw error;
        });
        break;
      case 'deletePod':
        await writer.delete(owner, action.pod, action.options);
        break;
    }
  }
  for (const event of plan.events) events[event.type](event.object ?? task, event.reason, event.message);
}
