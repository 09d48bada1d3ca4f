// The ECS API of the operator: the kinds, their shared pieces, and how each is addressed.
import type { Cluster } from './cluster.js';
import type { ScheduledTask } from './scheduledtask.js';
import type { Service } from './service.js';
import type { Task } from './task.js';
import type { TaskDefinition } from './taskdefinition.js';

export * from './cluster.js';
export * from './meta.js';
export * from './placement.js';
export * from './scheduledtask.js';
export * from './service.js';
export * from './task.js';
export * from './taskdefinition.js';

/** Names of each kind as its CustomResourceDefinition in crds/ declares them. */
export const ECS_KINDS = {
  Cluster: { kind: 'Cluster', plural: 'clusters', singular: 'cluster', shortName: 'ecscluster' },
  TaskDefinition: { kind: 'TaskDefinition', plural: 'taskdefinitions', singular: 'taskdefinition', shortName: 'taskdef' },
  Task: { kind: 'Task', plural: 'tasks', singular: 'task', shortName: 'ecstask' },
  Service: { kind: 'Service', plural: 'services', singular: 'service', shortName: 'ecssvc' },
  ScheduledTask: { kind: 'ScheduledTask', plural: 'scheduledtasks', singular: 'scheduledtask', shortName: 'ecssched' },
} as const;

export type EcsKind = keyof typeof ECS_KINDS;
export type EcsPlural = (typeof ECS_KINDS)[EcsKind]['plural'];

/** The resource type of each kind. */
export interface EcsResourceOf {
  Cluster: Cluster;
  TaskDefinition: TaskDefinition;
  Task: Task;
  Service: Service;
  ScheduledTask: ScheduledTask;
}

/** The category that `kubectl get ecs` lists. */
export const ECS_CATEGORY = 'ecs';
