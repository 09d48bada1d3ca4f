// TaskDefinition controller wiring: which events concern which TaskDefinitions, and the reconcile (observe,
// plan, execute). plan.ts holds the rules: revisions, status, the finalizer of a TaskDefinition in use.
import type { Service } from '../../api/service.js';
import type { Task } from '../../api/task.js';
import type { TaskDefinition } from '../../api/taskdefinition.js';
import { changedIn } from '../../runtime/changes.js';
import { Controller, type ReconcileContext } from '../../runtime/controller.js';
import { RESOURCES } from '../../runtime/informer.js';
import { keyOf } from '../../runtime/keys.js';
import { familyOf, parseTaskDefinitionReference, REVISION_LABELS } from '../../translate/revisions.js';
import type { OperatorContext } from '../context.js';
import { byTaskDefinitionFamily } from '../indexes.js';
import { executeTaskDefinitionPlan } from './execute.js';
import { observeTaskDefinition } from './observe.js';
import { planTaskDefinition } from './plan.js';
import { planBlocked } from '../common.js';

export function createTaskDefinitionController(context: OperatorContext): Controller {
  const taskDefinitions = context.informers.for(RESOURCES.taskDefinitions);
  const revisions = context.informers.for(RESOURCES.controllerRevisions);
  context.writer.track(revisions);

  async function reconcile({ namespace = '', name, key, log }: ReconcileContext) {
    const owner = { kind: 'TaskDefinition', key };
    const snapshot = observeTaskDefinition(context, namespace, name);
    // Until the cache shows the revision it created, the next number is not known.
    if (planBlocked(context, owner, snapshot !== undefined, log, snapshot?.td) || !snapshot) return undefined;
    const plan = planTaskDefinition(snapshot, new Date(context.clock.now()));
    const result = await executeTaskDefinitionPlan(context, owner, snapshot.td, plan);
    for (const action of plan.actions) if (action.type === 'createRevision') log.info('registered revision', { revision: action.revision.revision });
    return result;
  }

  const controller = new Controller(
    { name: 'taskdefinition', primary: taskDefinitions, reconcile, concurrency: context.settings.concurrency, resyncPeriodMs: context.settings.resyncPeriodMs },
    { log: context.log, metrics: context.metrics, clock: context.clock },
  );
  // Revisions (created, deleted, finalizing) concern their TaskDefinition, even after it is gone.
  controller.watch(revisions, (r) => {
    const owner = r.metadata?.labels?.[REVISION_LABELS.taskDefinition];
    return owner ? keyOf(owner, r.metadata?.namespace) : undefined;
  });
  // A deleted TaskDefinition waits for the Tasks and Services of its family to let go of its revisions.
  // Only changes of which revision they use, or of whether they still use one, matter.
  const ofFamily = byTaskDefinitionFamily(context.informers);
  const keysOf = (tds: readonly TaskDefinition[]) => tds.map((td) => keyOf(td.metadata.name ?? '', td.metadata.namespace));
  const deletedOfFamily = (namespace: string | undefined, reference: string | undefined) => {
    const family = parseTaskDefinitionReference(reference ?? '')?.family;
    return family ? keysOf(ofFamily.taskDefinitions(namespace ?? '', family).filter((td) => td.metadata.deletionTimestamp)) : [];
  };
  controller.watch(context.informers.for(RESOURCES.tasks), (t) => deletedOfFamily(t.metadata.namespace, t.status?.taskDefinition ?? t.spec.taskDefinition), {
    relevantUpdate: changedIn((t: Task) => [t.spec.taskDefinition, t.status?.taskDefinition, t.status?.lastStatus === 'STOPPED']),
  });
  controller.watch(context.informers.for(RESOURCES.services), (s) => deletedOfFamily(s.metadata.namespace, s.spec.taskDefinition), {
    relevantUpdate: changedIn((s: Service) => s.spec.taskDefinition),
  });
  // A TaskDefinition whose family another one releases may become valid.
  controller.watch(taskDefinitions, (td) => keysOf(ofFamily.taskDefinitions(td.metadata.namespace ?? '', familyOf(td))));
  return controller;
}
