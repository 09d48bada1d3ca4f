// Snapshots for the Service planners, built the way observe.ts builds them but by hand: a Service, its
// deployments with tasks in chosen states, a target revision. `applyActions` plays a plan's writes onto a
// snapshot as the caches would then show them (the ReplicaSet controller and the kubelet doing nothing), so a
// test can plan again on the planned result.
import type { KubernetesObject, V1DaemonSet, V1Pod, V1ReplicaSet, V1Service } from '@kubernetes/client-node';
import type { Cluster } from '../../../../operator/src/api/cluster.js';
import type { Service, ServiceSpec, ServiceStatus } from '../../../../operator/src/api/service.js';
import { sameJson, withAppliedHash } from '../../../../operator/src/runtime/apply.js';
import { controllerReference } from '../../../../operator/src/controllers/common.js';
import { VALID } from '../../../../operator/src/controllers/plan-common.js';
import { deploymentOfReplicaSet, deploymentsOfReplicaSets } from '../../../../operator/src/controllers/service/observe.js';
import { SERVICE_FINALIZER } from '../../../../operator/src/controllers/service/plan.js';
import {
  replicaSetsOf,
  type ObservedDeployment,
  type ObservedTask,
  type ServiceAction,
  type ServiceSnapshot,
} from '../../../../operator/src/controllers/service/snapshot.js';
import { LABELS } from '../../../../operator/src/translate/labels.js';
import type { ServiceTaskState } from '../../../../operator/src/translate/service-tasks.js';
import { DEPLOYMENT_ANNOTATIONS, serviceReplicaSet, serviceTarget, type ServiceTarget } from '../../../../operator/src/translate/service-workload.js';
import type { TaskDefinitionSpec } from '../../../../operator/src/api/taskdefinition.js';
import type { Issue } from '../../../../operator/src/translate/issues.js';
import { ownWarnings } from '../../../../operator/src/translate/not-applied.js';

export const NOW = Date.parse('2026-11-30T12:00:00Z');
export const NAMESPACE = 'ns';
export const CLUSTER: Cluster = {
  apiVersion: 'ecs.operator.dev/v1alpha1',
  kind: 'Cluster',
  metadata: { name: 'default', namespace: NAMESPACE, uid: 'cluster-uid' },
  spec: {},
};

export function taskDefinition(extra: Partial<TaskDefinitionSpec> = {}): TaskDefinitionSpec {
  return { family: 'web', containerDefinitions: [{ name: 'web', image: 'nginx', memory: 128, portMappings: [{ containerPort: 80, name: 'http' }] }], ...extra };
}

export function service(spec: Partial<ServiceSpec> = {}, status?: ServiceStatus): Service {
  return {
    apiVersion: 'ecs.operator.dev/v1alpha1',
    kind: 'Service',
    metadata: { name: 'web', namespace: NAMESPACE, uid: 'svc-uid', generation: 1, resourceVersion: '10', finalizers: [SERVICE_FINALIZER] },
    spec: { taskDefinition: 'web', desiredCount: 2, ...spec },
    ...(status ? { status } : {}),
  };
}

/** The Service's target at `revision`, and the warnings at its own fields, as observe.ts gives them. */
export function translation(svc: Service, revision: number, spec = taskDefinition(), cluster = CLUSTER): { target: ServiceTarget; warnings: Issue[] } {
  const { target: t, warnings } = serviceTarget({
    service: svc,
    cluster,
    strategy: svc.spec.schedulingStrategy ?? 'REPLICA',
    spec,
    family: 'web',
    revision,
    nodes: [],
    pods: [],
  });
  if (!t) throw new Error('fixture: the task definition does not translate');
  return { target: t, warnings: ownWarnings(warnings) };
}

export const target = (svc: Service, revision: number, spec = taskDefinition(), cluster = CLUSTER): ServiceTarget =>
  translation(svc, revision, spec, cluster).target;

let uids = 0;

/** A live ReplicaSet of `svc` for revision `revision`, asked for `replicas`, `ageSeconds` old. */
export function replicaSet(
  svc: Service,
  revision: number,
  replicas: number,
  { ageSeconds = 600, state }: { ageSeconds?: number; state?: 'COMPLETED' | 'FAILED' } = {},
): V1ReplicaSet {
  const rs = withAppliedHash(serviceReplicaSet(svc, { ...target(svc, revision), ...(state ? { state } : {}) }, replicas, [controllerReference(svc)]));
  return {
    ...rs,
    metadata: { ...rs.metadata, uid: `rs-${revision}-${uids++}`, resourceVersion: '1', generation: 1, creationTimestamp: new Date(NOW - ageSeconds * 1000) },
    // Its controller acted on it: it counted as many tasks as it is asked for.
    status: { replicas, observedGeneration: 1 },
  };
}

export type TaskKind = 'healthy' | 'pending' | 'starting' | 'failed1' | 'failed2' | 'stopping';

/** A task of `owner` in the state `kind`, created `ageSeconds` ago. */
export function task(owner: V1ReplicaSet | V1DaemonSet, name: string, kind: TaskKind, ageSeconds = 60): ObservedTask {
  const state: ServiceTaskState =
    kind === 'healthy' ? 'HEALTHY' : kind === 'pending' ? 'PENDING' : kind === 'starting' ? 'STARTING' : kind === 'stopping' ? 'STOPPING' : 'FAILED';
  const pod: V1Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: NAMESPACE,
      uid: `pod-${name}`,
      resourceVersion: '1',
      creationTimestamp: new Date(NOW - ageSeconds * 1000),
      labels: { ...owner.spec?.template?.metadata?.labels },
      ownerReferences: [
        { apiVersion: 'apps/v1', kind: owner.kind ?? 'ReplicaSet', name: owner.metadata?.name ?? '', uid: owner.metadata?.uid ?? '', controller: true },
      ],
      ...(kind === 'stopping' ? { deletionTimestamp: new Date(NOW) } : {}),
    },
    spec: {
      containers: [],
      ...(kind === 'pending' ? {} : { nodeName: 'node-1' }),
      ...(owner.spec?.template?.spec?.affinity ? { affinity: owner.spec.template.spec.affinity } : {}),
    },
    status: { phase: kind === 'pending' ? 'Pending' : 'Running' },
  };
  const lastStatus = kind === 'pending' ? 'PENDING' : kind === 'stopping' ? 'STOPPING' : kind === 'failed1' ? 'STOPPED' : 'RUNNING';
  const failure =
    kind === 'failed1'
      ? { stage: 1 as const, reason: 'CannotPullContainerError' }
      : kind === 'failed2'
        ? { stage: 2 as const, reason: 'Task failed container health checks' }
        : undefined;
  return { pod, observed: { state, lastStatus, ...(failure ? { failure } : {}), ...(kind === 'starting' ? { healthCheckDueInMs: 30_000 } : {}) } };
}

/** Tasks `prefix-0`… of `owner`, `counts` of each kind. */
export function tasks(owner: V1ReplicaSet, counts: Partial<Record<TaskKind, number>>): ObservedTask[] {
  return Object.entries(counts).flatMap(([kind, n]) =>
    Array.from({ length: n }, (_, i) => task(owner, `${owner.metadata?.name}-${kind}-${i}`, kind as TaskKind)),
  );
}

export function deployment(svc: Service, rs: V1ReplicaSet, observed: readonly ObservedTask[] = []): ObservedDeployment {
  return deploymentOfReplicaSet(rs, svc, observed);
}

export interface SnapshotInput {
  service: Service;
  revision?: number;
  deployments?: ObservedDeployment[];
  daemonSets?: V1DaemonSet[];
  daemonTasks?: ObservedTask[];
  coreServices?: V1Service[];
  spec?: TaskDefinitionSpec;
  cluster?: Cluster;
}

export function snapshot({
  service: svc,
  revision,
  deployments = [],
  daemonSets = [],
  daemonTasks = [],
  coreServices = [],
  spec,
  cluster = CLUSTER,
}: SnapshotInput): ServiceSnapshot {
  const translated = revision === undefined ? undefined : translation(svc, revision, spec, cluster);
  return {
    service: svc,
    now: NOW,
    clusterName: 'default',
    cluster,
    strategy: svc.spec.schedulingStrategy ?? 'REPLICA',
    validity: revision === undefined ? { valid: false, reason: 'TaskDefinitionUnavailable', message: 'spec.taskDefinition: no ACTIVE revision' } : VALID,
    ...(translated ? { target: translated.target, targetWarnings: translated.warnings } : {}),
    deployments,
    daemonSets,
    daemonTasks,
    coreServices,
    foreign: [],
    taken: [],
    clusterNodes: [],
    clusterPods: [],
    targetGroupBindingServed: false,
    targetGroupBindings: [],
  };
}

const sameObject = (a: KubernetesObject, b: KubernetesObject) => a.kind === b.kind && a.metadata?.name === b.metadata?.name;

/** `snap` as the caches show it once `actions` went through (no controller of Kubernetes acting meanwhile). */
export function applyActions(snap: ServiceSnapshot, actions: readonly ServiceAction[]): ServiceSnapshot {
  let { service: svc, deployments, coreServices, daemonSets } = snap;
  const deleted = new Set<string>();
  const stamp = <T extends KubernetesObject>(obj: T, live?: KubernetesObject): T => ({
    ...withAppliedHash(obj),
    metadata: {
      ...withAppliedHash(obj).metadata,
      uid: live?.metadata?.uid ?? `new-${uids++}`,
      resourceVersion: String(uids++),
      creationTimestamp: live?.metadata?.creationTimestamp ?? new Date(snap.now),
    },
  });
  for (const action of actions) {
    if (action.verb === 'status') svc = { ...svc, status: action.status };
    if (action.verb === 'finalizer') {
      const finalizers = (svc.metadata.finalizers ?? []).filter((f) => f !== SERVICE_FINALIZER);
      svc = { ...svc, metadata: { ...svc.metadata, finalizers: action.present ? [...finalizers, SERVICE_FINALIZER] : finalizers } };
    }
    const object = action.verb === 'create' ? action.object : action.verb === 'apply' ? action.desired : undefined;
    const live = action.verb === 'apply' ? action.live : undefined;
    if (object?.kind === 'ReplicaSet') {
      const rs = stamp(object as V1ReplicaSet, live);
      const name = rs.metadata?.name;
      const deployment = rs.metadata?.annotations?.[DEPLOYMENT_ANNOTATIONS.deployment] ?? name;
      const before = deployments.find((d) => d.name === deployment);
      // The deployment's ReplicaSets with this one in its place (added last when new), each with its own tasks.
      const lives = before ? replicaSetsOf(before).flatMap((r) => (r.live ? [r.live] : [])) : [];
      const replaced = lives.some((l) => l.metadata?.name === name) ? lives.map((l) => (l.metadata?.name === name ? rs : l)) : [...lives, rs];
      const tasksOf = (r: V1ReplicaSet) => (before?.tasks ?? []).filter((t) => t.pod.metadata?.ownerReferences?.[0]?.uid === r.metadata?.uid);
      const [next] = deploymentsOfReplicaSets(replaced, svc, tasksOf);
      if (next) deployments = before ? deployments.map((d) => (d === before ? next : d)) : [...deployments, next];
    }
    if (object?.kind === 'Service') coreServices = [...coreServices.filter((s) => !sameObject(s, object)), stamp(object as V1Service, live)];
    if (object?.kind === 'DaemonSet') daemonSets = [...daemonSets.filter((s) => !sameObject(s, object)), stamp(object as V1DaemonSet, live)];
    if (action.verb === 'delete') deleted.add(action.object.metadata?.uid ?? '');
  }
  const afterDelete = (t: ObservedTask): ObservedTask =>
    deleted.has(t.pod.metadata?.uid ?? '') && !t.pod.metadata?.deletionTimestamp
      ? { pod: { ...t.pod, metadata: { ...t.pod.metadata, deletionTimestamp: new Date(snap.now) } }, observed: { ...t.observed, state: 'STOPPING' } }
      : t;
  deployments = deployments.flatMap((d) => {
    const lives = replicaSetsOf(d).flatMap((r) => (r.live && !deleted.has(r.live.metadata?.uid ?? '') ? [r.live] : []));
    if (lives.length === 0) return [];
    const tasks = d.tasks.map(afterDelete);
    if (!d.parts) return [{ ...d, tasks }];
    const tasksOf = (r: V1ReplicaSet) => tasks.filter((t) => t.pod.metadata?.ownerReferences?.[0]?.uid === r.metadata?.uid);
    return deploymentsOfReplicaSets(lives, svc, tasksOf);
  });
  return {
    ...snap,
    service: svc,
    deployments,
    coreServices: coreServices.filter((s) => !deleted.has(s.metadata?.uid ?? '')),
    daemonSets: daemonSets.filter((s) => !deleted.has(s.metadata?.uid ?? '')),
    daemonTasks: snap.daemonTasks.map(afterDelete),
  };
}

/** The writes of a plan other than a status equal to the one the Service has (compared as the child writer does). */
export function writesOf(snap: ServiceSnapshot, actions: readonly ServiceAction[]): ServiceAction[] {
  return actions.filter((a) => a.verb !== 'status' || !sameJson(a.status, snap.service.status));
}

/** The replicas a plan gives ReplicaSet `name`: what it writes, else what `snap` shows. */
export function replicasAfter(snap: ServiceSnapshot, actions: readonly ServiceAction[], name: string): number | undefined {
  return replicasOf(actions, name) ?? snap.deployments.find((d) => d.name === name)?.live?.spec?.replicas;
}

export const replicasOf = (actions: readonly ServiceAction[], name: string): number | undefined => {
  const a = actions.find(
    (x) =>
      (x.verb === 'apply' || x.verb === 'create') &&
      (x.verb === 'apply' ? x.desired : x.object).kind === 'ReplicaSet' &&
      (x.verb === 'apply' ? x.desired : x.object).metadata?.name === name,
  );
  const object: V1ReplicaSet | undefined = a?.verb === 'apply' ? a.desired : a?.verb === 'create' ? a.object : undefined;
  return object?.spec?.replicas;
};

export const labelsOf = (svc: Service) => ({ [LABELS.service]: svc.metadata.name ?? '' });
