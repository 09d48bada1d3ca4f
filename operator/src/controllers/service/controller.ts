// Service controller wiring: which caches it reads, which of their events wake which Service, and the
// reconcile loop observe → plan → execute. Every decision is in the planners, every write in execute.ts
// through the child writer; what must survive a restart lives on the objects (status, ReplicaSet
// annotations), never here.
import type { V1DaemonSet, V1Service } from '@kubernetes/client-node';
import { ECS_API_VERSION } from '../../api/meta.js';
import type { Service } from '../../api/service.js';
import { Controller, controllerOwnerKey, type ReconcileContext } from '../../runtime/controller.js';
import { RESOURCES, type ResourceType } from '../../runtime/informer.js';
import { keyOf } from '../../runtime/keys.js';
import { LABELS, MANAGED_BY_VALUE } from '../../translate/labels.js';
import { familyOf } from '../../translate/revisions.js';
import { nodeCapacityChanged, podLifecycleChanged } from '../../runtime/changes.js';
import { keysReferringTo, planBlocked } from '../common.js';
import { byCluster, byTaskDefinitionFamily, podsByOwnerUid, replicaSetsByOwnerUid, servicesByPodLabel } from '../indexes.js';
import type { OperatorContext } from '../context.js';
import { executePlan } from './execute.js';
import { observeService } from './observe.js';
import { planService } from './plan.js';
import { kindGone, TargetGroupBindingSupport } from './target-group-bindings.js';

export { SERVICE_FINALIZER } from './plan.js';

/** Pure, beside the objects they annotate (translate/service-workload.ts, which `ecs-operator translate` prints). */
export { DEPLOYMENT_ANNOTATIONS } from '../../translate/service-workload.js';

const MANAGED_SELECTOR = `${LABELS.managedBy}=${MANAGED_BY_VALUE}`;
/** How long to wait for the cache to show this controller's own writes before looking again. */
const CATCH_UP_RECHECK_MS = 1000;
/** A taken name changes the plan; more re-plans than a Service has kinds of children would be a loop. */
const MAX_PLANS = 4;
/**
 * Pod events of a Service's tasks come in bursts (a ReplicaSet scaled by hundreds, a node's pods evicted): each
 * enqueues the Service at most this long after the first of a burst, so one reconcile (and at most one status
 * write) answers many events, and no event waits longer than this.
 */
export const POD_COALESCE_MS = 100;

const DAEMON_SETS: ResourceType<V1DaemonSet> = {
  apiVersion: 'apps/v1',
  kind: 'DaemonSet',
  plural: 'daemonsets',
  namespaced: true,
  model: 'V1DaemonSet',
  list: ({ apps }, namespace, labelSelector) =>
    namespace ? apps.listNamespacedDaemonSet({ namespace, labelSelector }) : apps.listDaemonSetForAllNamespaces({ labelSelector }),
};

const CORE_SERVICES: ResourceType<V1Service> = {
  apiVersion: 'v1',
  kind: 'Service',
  plural: 'services',
  namespaced: true,
  model: 'V1Service',
  list: ({ core }, namespace, labelSelector) =>
    namespace ? core.listNamespacedService({ namespace, labelSelector }) : core.listServiceForAllNamespaces({ labelSelector }),
};

export function createServiceController(context: OperatorContext): Controller {
  const services = context.informers.for(RESOURCES.services);
  const ofCluster = byCluster(context.informers);
  const caches = {
    replicaSets: context.informers.for(RESOURCES.replicaSets),
    pods: context.informers.for(RESOURCES.pods),
    daemonSets: context.informers.for(DAEMON_SETS, { labelSelector: MANAGED_SELECTOR }),
    coreServices: context.informers.for(CORE_SERVICES, { labelSelector: MANAGED_SELECTOR }),
    replicaSetsOf: replicaSetsByOwnerUid(context.informers),
    podsOf: podsByOwnerUid(context.informers),
    clusterPods: (namespace: string, cluster: string) => ofCluster.pods(namespace, cluster),
  };
  const ofFamily = byTaskDefinitionFamily(context.informers);
  const ofPodLabel = servicesByPodLabel(context.informers);
  const keysOf = (list: readonly Service[]) => list.map((s) => keyOf(s.metadata.name ?? '', s.metadata.namespace));
  context.writer.track(caches.replicaSets);
  context.writer.track(caches.pods);
  context.writer.track(caches.daemonSets);
  context.writer.track(caches.coreServices);

  // eslint-disable-next-line prefer-const -- the support starts watches on the controller made below
  let controller: Controller;
  const bindings = new TargetGroupBindingSupport(context, () => controller);

  async function reconcile({ namespace = '', name, key, log }: ReconcileContext) {
    const owner = { kind: 'Service', key };
    const service = services.get(name, namespace);
    const blocked = planBlocked(context, owner, service !== undefined, log, service);
    if (blocked === 'behind') return { requeueAfterMs: CATCH_UP_RECHECK_MS };
    if (blocked || !service) return undefined;
    const served = await bindings.check();
    let snapshot = observeService(context, { ...caches, targetGroupBindings: { served, list: (ns) => bindings.list(ns) } }, service);
    const done = new Set<string>();
    for (let attempt = 1; ; attempt++) {
      const plan = planService(snapshot);
      const { taken } = await executePlan(context.writer, context.events, owner, service, plan, done).catch((error: unknown) => {
        // The kind went away since discovery said it is served: ask again, and plan without it.
        if (plan.actions.some((a) => 'object' in a && kindGone(error, a.object))) bindings.recheck();
        throw error;
      });
      if (!taken) return plan.requeueAfterMs !== undefined ? { requeueAfterMs: plan.requeueAfterMs } : undefined;
      if (attempt >= MAX_PLANS) throw new Error(`Service ${key}: ${taken.kind} ${taken.name} is taken and the plan keeps asking for it`);
      log.info('a child name is held by another object; planning again', { ...taken });
      snapshot = { ...snapshot, taken: [...snapshot.taken, taken] };
    }
  }

  controller = new Controller(
    { name: 'service', primary: services, reconcile, concurrency: context.settings.concurrency, resyncPeriodMs: context.settings.resyncPeriodMs },
    { log: context.log, metrics: context.metrics, clock: context.clock },
  );
  const ownerKey = controllerOwnerKey('Service', ECS_API_VERSION);
  controller.watch(caches.replicaSets, ownerKey);
  controller.watch(caches.daemonSets, ownerKey);
  controller.watch(caches.coreServices, ownerKey);
  controller.watch(
    caches.pods,
    (pod) => {
      const label = pod.metadata?.labels?.[LABELS.service];
      return label === undefined ? [] : keysOf(ofPodLabel(pod.metadata?.namespace ?? '', label));
    },
    { relevantUpdate: podLifecycleChanged, coalesceMs: POD_COALESCE_MS },
  );
  // A new revision starts a deployment of the services that follow the family.
  controller.watch(context.informers.for(RESOURCES.taskDefinitions), (td) => {
    const family = familyOf(td);
    return keysReferringTo(ofFamily.services(td.metadata.namespace ?? '', family), family);
  });
  // Revisions carry their family as a label value, which is the family itself for every family a label can hold.
  controller.watch(context.informers.for(RESOURCES.controllerRevisions), (r) => {
    const family = r.metadata?.labels?.[LABELS.family] ?? '';
    return keysReferringTo(ofFamily.services(r.metadata?.namespace ?? '', family), family);
  });
  controller.watch(context.informers.for(RESOURCES.clusters), (c) => keysOf(ofCluster.services(c.metadata.namespace ?? '', c.metadata.name ?? '')));
  // A task role's ServiceAccount created, or assigned to the role by a namespace admin, lets a refused Service run.
  controller.watch(context.informers.for(RESOURCES.serviceAccounts), (account) =>
    services
      .list(account.metadata?.namespace)
      .filter((s) => s.status?.conditions?.some((c) => c.type === 'Valid' && c.status === 'False'))
      .map((s) => keyOf(s.metadata.name ?? '', s.metadata.namespace)),
  );
  // Nodes change what placement evaluates on nodes and where DAEMON tasks run.
  // Heartbeats and other status churn of nodes change neither.
  controller.watch(context.informers.for(RESOURCES.nodes), () => services.keys(), { relevantUpdate: nodeCapacityChanged });
  return controller;
}
