// Task controller wiring: which informers, which events enqueue which Tasks, and the reconcile, which observes
// the caches, plans (plan.ts, pure) and carries the plan out (execute.ts). A Task is one Pod named after it;
// plan.ts holds the lifecycle.
import type { V1Pod } from '@kubernetes/client-node';
import type { Task } from '../../api/task.js';
import { nodeCapacityChanged } from '../../runtime/changes.js';
import { Controller, controllerOwnerKey, type ReconcileContext } from '../../runtime/controller.js';
import { RESOURCES } from '../../runtime/informer.js';
import { keyOf } from '../../runtime/keys.js';
import { LABELS } from '../../translate/labels.js';
import { familyOf } from '../../translate/revisions.js';
import { keysReferringTo, planBlocked } from '../common.js';
import type { OperatorContext } from '../context.js';
import { byCluster, byTaskDefinitionFamily } from '../indexes.js';
import { executeTaskPlan } from './execute.js';
import { observeTask } from './observe.js';
import { planTask } from './plan.js';
import { PLACEMENT_EVALUATED_ANNOTATION } from './plan-placement.js';

export function createTaskController(context: OperatorContext): Controller {
  const tasks = context.informers.for(RESOURCES.tasks);
  const pods = context.informers.for(RESOURCES.pods);
  const nodes = context.informers.for(RESOURCES.nodes);
  const clusters = context.informers.for(RESOURCES.clusters);
  context.writer.track(pods);

  async function reconcile({ namespace = '', name, key, log }: ReconcileContext) {
    const owner = { kind: 'Task', key };
    const snapshot = observeTask(context, namespace, name);
    // Until the cache shows the pod this Task created or deleted, it cannot be trusted; that pod's event comes back here.
    if (planBlocked(context, owner, snapshot !== undefined, log, snapshot?.task) || !snapshot) return undefined;
    const plan = planTask(snapshot);
    await executeTaskPlan(context, owner, snapshot.task, plan);
    for (const action of plan.actions) {
      if (action.type === 'createPod') log.info('task launched', { taskDefinition: plan.status.taskDefinition });
      if (action.type === 'deletePod' && action.options?.resourceVersion)
        log.info('placement changed; waiting pod created again', { taskDefinition: plan.status.taskDefinition });
    }
    return plan.requeueAfterMs !== undefined ? { requeueAfterMs: plan.requeueAfterMs } : undefined;
  }

  const controller = new Controller(
    { name: 'task', primary: tasks, reconcile, concurrency: context.settings.concurrency, resyncPeriodMs: context.settings.resyncPeriodMs },
    { log: context.log, metrics: context.metrics, clock: context.clock },
  );
  controller.watch(pods, controllerOwnerKey('Task'));
  // Tasks waiting for their task definition, revision or cluster try again when those appear.
  const ofFamily = byTaskDefinitionFamily(context.informers);
  const ofCluster = byCluster(context.informers);
  const waiting = (candidates: readonly Task[]) => candidates.filter((t) => !t.status?.lastStatus || t.status.lastStatus === 'PROVISIONING');
  const waitingOnFamily = (namespace: string | undefined, family: string) => keysReferringTo(waiting(ofFamily.tasks(namespace ?? '', family)), family);
  controller.watch(context.informers.for(RESOURCES.taskDefinitions), (td) => waitingOnFamily(td.metadata.namespace, familyOf(td)));
  // Revisions carry their family as a label value, which is the family itself for every family a label can hold.
  controller.watch(context.informers.for(RESOURCES.controllerRevisions), (r) =>
    waitingOnFamily(r.metadata?.namespace, r.metadata?.labels?.[LABELS.family] ?? ''),
  );
  // A task role's ServiceAccount created, or assigned to the role by a namespace admin, lets waiting tasks launch.
  controller.watch(context.informers.for(RESOURCES.serviceAccounts), (account) =>
    waiting(tasks.list(account.metadata?.namespace)).map((t) => keyOf(t.metadata.name ?? '', t.metadata.namespace)),
  );
  controller.watch(clusters, (c) =>
    waiting(ofCluster.tasks(c.metadata.namespace ?? '', c.metadata.name ?? '')).map((t) => keyOf(t.metadata.name ?? '', t.metadata.namespace)),
  );
  // Node changes (added, relabelled, Ready or not) can change what placement evaluated on nodes admits: the
  // tasks whose pods wait unscheduled with such placement compile it again. Their pods carry the annotation,
  // and an index keeps them at hand; heartbeats and other status churn of nodes enqueue nothing.
  pods.addIndex(WAITING_ON_NODES_INDEX, waitingOnNodes);
  const taskOf = controllerOwnerKey('Task');
  controller.watch(
    nodes,
    () =>
      pods
        .byIndex(WAITING_ON_NODES_INDEX, 'true')
        .map((p) => taskOf(p))
        .filter((k): k is string => typeof k === 'string'),
    { relevantUpdate: nodeCapacityChanged },
  );
  return controller;
}

const WAITING_ON_NODES_INDEX = 'waitingOnPlacementEvaluatedOnNodes';

/** Pods not bound yet whose placement was evaluated on the Nodes, under `true`. */
function waitingOnNodes(pod: V1Pod): string[] {
  const waits = pod.metadata?.annotations?.[PLACEMENT_EVALUATED_ANNOTATION] === 'true' && !pod.spec?.nodeName && !pod.metadata.deletionTimestamp;
  return waits ? ['true'] : [];
}
