// Carries out a ServicePlan through the child writer, in the plan's order, and records its Events once every
// write went through. Nothing is decided here, with one exception the API alone can answer: a create told
// that the name exists already, or an apply refused because someone else owns the object, stops the execute
// and reports the name as taken, so that the controller plans again knowing it. A 409 (stale cache) throws:
// the runtime requeues, and the next reconcile re-reads and re-plans.
import type { KubernetesObject } from '@kubernetes/client-node';
import type { Service } from '../../api/service.js';
import { NotOwnedError, type ChildWrites, type Owner } from '../../runtime/child-writer.js';
import type { EventRecorder } from '../../runtime/events.js';
import { RESOURCES } from '../../runtime/informer.js';
import { objectKey } from '../../runtime/keys.js';
import { SERVICE_FINALIZER } from './plan.js';
import type { ServiceAction, ServicePlan, TakenName } from './snapshot.js';

export interface ExecuteOutcome {
  /** A name a create or apply found held by someone else; the rest of the plan was not carried out. */
  taken?: TakenName;
}

/** Identifies an action, so that re-planning after a taken name does not repeat what was written already. */
export function actionKey(action: ServiceAction): string {
  const object = 'object' in action ? action.object : 'desired' in action ? action.desired : undefined;
  return `${action.verb}:${object ? `${object.kind ?? ''}/${objectKey(object)}` : ''}`;
}

const takenName = (object: KubernetesObject): TakenName => ({ kind: object.kind as TakenName['kind'], name: object.metadata?.name ?? '' });

/**
 * Executes `plan` for `service` (as cached). `done`: keys of actions already written in this reconcile,
 * skipped, and added to as actions go through.
 */
export async function executePlan(
  writer: ChildWrites,
  recorder: EventRecorder,
  owner: Owner,
  service: Service,
  plan: ServicePlan,
  done = new Set<string>(),
): Promise<ExecuteOutcome> {
  let live: Service = service;
  for (const action of plan.actions) {
    const key = actionKey(action);
    if (done.has(key)) continue;
    switch (action.verb) {
      case 'createShared':
        await writer.createShared(action.object);
        break;
      case 'create':
        if ((await writer.create(owner, action.object)) === 'exists') return { taken: takenName(action.object) };
        break;
      case 'apply':
        try {
          await writer.apply(action.desired, action.live, { owner, ...(action.force ? { force: true } : {}) });
        } catch (error) {
          if (error instanceof NotOwnedError) return { taken: takenName(action.live) };
          throw error;
        }
        break;
      case 'status':
        live = (await writer.writeStatus(RESOURCES.services, live, action.status)).object;
        break;
      case 'delete':
        await writer.delete(owner, action.object);
        break;
      case 'finalizer':
        await writer.setFinalizer(RESOURCES.services, live, SERVICE_FINALIZER, action.present);
        break;
    }
    done.add(key);
  }
  for (const event of plan.events) recorder[event.type](event.object ?? service, event.reason, event.message);
  return {};
}
