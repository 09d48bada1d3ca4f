// Carries out a TaskDefinition's plan through the child writer, then records its Events. A revision that
// exists already (the cache is behind) is an answer: nothing more is done, and the plan is made again soon.
import type { TaskDefinition } from '../../api/taskdefinition.js';
import type { ChildWrites, Owner } from '../../runtime/child-writer.js';
import type { ReconcileResult } from '../../runtime/controller.js';
import type { EventRecorder } from '../../runtime/events.js';
import { RESOURCES } from '../../runtime/informer.js';
import { REVISIONS_IN_USE_FINALIZER } from '../../translate/revisions.js';
import type { TaskDefinitionPlan } from './plan.js';

export interface TaskDefinitionExecution {
  writer: ChildWrites;
  events: Pick<EventRecorder, 'normal' | 'warning'>;
}

/** How soon a plan whose revision existed already is made again. */
export const REVISION_EXISTS_RETRY_MS = 1000;

export async function executeTaskDefinitionPlan(
  { writer, events }: TaskDefinitionExecution,
  owner: Owner,
  td: TaskDefinition,
  plan: TaskDefinitionPlan,
): Promise<ReconcileResult> {
  for (const action of plan.actions) {
    switch (action.type) {
      case 'createRevision':
        if ((await writer.create(owner, action.revision)) === 'exists') return { requeueAfterMs: REVISION_EXISTS_RETRY_MS };
        break;
      case 'setFinalizer':
        await writer.setFinalizer(RESOURCES.taskDefinitions, td, REVISIONS_IN_USE_FINALIZER, action.present);
        break;
      case 'writeStatus':
        await writer.writeStatus(RESOURCES.taskDefinitions, td, action.status);
        break;
    }
  }
  for (const event of plan.events) events[event.type](event.object ?? td, event.reason, event.message);
  return plan.requeueAfterMs !== undefined ? { requeueAfterMs: plan.requeueAfterMs } : undefined;
}
