// Builders for Task planner tests: a snapshot of a Task in the `default` Cluster whose `web:1` revision
// resolves, changed only where a test says so; and the pod states a task goes through.
import type { V1ContainerStatus, V1Pod } from '@kubernetes/client-node';
import type { Cluster } from '../../../../operator/src/api/cluster.js';
import { ECS_API_VERSION } from '../../../../operator/src/api/meta.js';
import type { Task, TaskSpec, TaskStatus } from '../../../../operator/src/api/task.js';
import type { TaskDefinition, TaskDefinitionSpec } from '../../../../operator/src/api/taskdefinition.js';
import type { TaskSnapshot } from '../../../../operator/src/controllers/task/observe.js';
import { planTask, type TaskPlan } from '../../../../operator/src/controllers/task/plan.js';
import { NO_HOST_ACCESS } from '../../../../operator/src/translate/host-access.js';
import { revisionObject } from '../../../../operator/src/translate/revisions.js';

export const NAMESPACE = 'ns';
export const NOW = Date.parse('2026-11-30T12:00:00Z');
export const RETENTION_MS = 60 * 60_000;

export function taskDefinition(spec: Partial<TaskDefinitionSpec> = {}): TaskDefinition {
  return {
    apiVersion: ECS_API_VERSION,
    kind: 'TaskDefinition',
    metadata: { name: 'web', namespace: NAMESPACE, uid: 'td-uid' },
    spec: { containerDefinitions: [{ name: 'app', image: 'nginx:1.27', memory: 256 }], ...spec },
  };
}

export function task(spec: Partial<TaskSpec> = {}, status?: TaskStatus): Task {
  return {
    apiVersion: ECS_API_VERSION,
    kind: 'Task',
    metadata: { name: 'one', namespace: NAMESPACE, uid: 'task-uid', generation: 1, resourceVersion: '10', creationTimestamp: new Date(NOW - 60_000) },
    spec: { taskDefinition: 'web', ...spec },
    ...(status ? { status } : {}),
  };
}

export const defaultCluster: Cluster = { apiVersion: ECS_API_VERSION, kind: 'Cluster', metadata: { name: 'default', namespace: NAMESPACE }, spec: {} };

export function snapshot(fields: Partial<TaskSnapshot> = {}, td = taskDefinition()): TaskSnapshot {
  return {
    task: task(),
    podNameTaken: false,
    clusterName: 'default',
    cluster: defaultCluster,
    revision: { ok: true, revision: revisionObject(td, 1), number: 1, family: 'web' },
    nodes: [],
    pods: [],
    serviceAccounts: [],
    now: NOW,
    retentionMs: RETENTION_MS,
    hostAccess: NO_HOST_ACCESS,
    ...fields,
  };
}

/** The pod a plan creates. */
export function createdPod(plan: TaskPlan): V1Pod | undefined {
  const create = plan.actions.find((a) => a.type === 'createPod');
  return create?.type === 'createPod' ? { ...create.pod, metadata: { ...create.pod.metadata, uid: 'pod-uid', resourceVersion: '20' } } : undefined;
}

/** A task launched from the default snapshot: its recorded status and the pod it created. */
export function launched(spec: Partial<TaskSpec> = {}): { status: TaskStatus; pod: V1Pod } {
  const plan = planTask(snapshot({ task: task(spec) }));
  const pod = createdPod(plan);
  if (!pod) throw new Error(`no launch: ${JSON.stringify(plan.status.conditions)}`);
  return { status: plan.status, pod };
}

const container = (state: V1ContainerStatus['state'], ready = false): V1ContainerStatus => ({
  name: 'app',
  image: 'nginx:1.27',
  imageID: '',
  ready,
  restartCount: 0,
  ...(state?.running ? { started: true } : {}),
  state,
});
const startedAt = new Date(NOW - 30_000);

/** The pod states of a task's life. */
export const POD_STATES = {
  created: (pod: V1Pod): V1Pod => pod,
  unschedulable: (pod: V1Pod): V1Pod => ({
    ...pod,
    status: {
      phase: 'Pending',
      conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/3 nodes are available: 3 Insufficient memory.' }],
    },
  }),
  running: (pod: V1Pod): V1Pod => ({
    ...pod,
    spec: { ...pod.spec!, nodeName: 'node-1' },
    status: {
      phase: 'Running',
      hostIP: '10.0.0.1',
      conditions: [{ type: 'PodScheduled', status: 'True' }],
      containerStatuses: [container({ running: { startedAt } }, true)],
    },
  }),
  exited: (pod: V1Pod): V1Pod => ({
    ...pod,
    spec: { ...pod.spec!, nodeName: 'node-1' },
    status: {
      phase: 'Running',
      conditions: [{ type: 'PodScheduled', status: 'True' }],
      containerStatuses: [container({ terminated: { exitCode: 3, startedAt, finishedAt: new Date(NOW) } })],
    },
  }),
  pullFailed: (pod: V1Pod): V1Pod => ({
    ...pod,
    spec: { ...pod.spec!, nodeName: 'node-1' },
    status: {
      phase: 'Pending',
      conditions: [{ type: 'PodScheduled', status: 'True' }],
      containerStatuses: [container({ waiting: { reason: 'ErrImagePull', message: 'not found' } })],
    },
  }),
  failed: (pod: V1Pod): V1Pod => ({
    ...pod,
    spec: { ...pod.spec!, nodeName: 'node-1' },
    status: {
      phase: 'Failed',
      conditions: [{ type: 'PodScheduled', status: 'True' }],
      containerStatuses: [container({ terminated: { exitCode: 1, startedAt, finishedAt: new Date(NOW) } })],
    },
  }),
  deleting: (pod: V1Pod): V1Pod => ({ ...POD_STATES.running(pod), metadata: { ...pod.metadata, deletionTimestamp: new Date(NOW - 1000) } }),
} as const;

export type PodState = keyof typeof POD_STATES;
