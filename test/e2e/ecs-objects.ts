// A test namespace's ECS objects as the e2e suites use them: create, read back, list their pods and Events, and
// wait until a Task or Service gets somewhere. The namespace is read when called (suites create it in before()).
import { PatchStrategy, setHeaderOptions, type CoreV1Event, type V1Pod } from '@kubernetes/client-node';
import { ECS_API_VERSION } from '../../operator/src/api/meta.js';
import type { Service } from '../../operator/src/api/service.js';
import type { Task } from '../../operator/src/api/task.js';
import { clients, waitFor } from './helpers.js';

export const group = 'ecs.operator.dev';
export const version = 'v1alpha1';
export const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

/** The shared control plane's nodes: one m5.large and one c5.xlarge in each of us-east-1a, us-east-1b, us-east-1c. */
export const NODES = ['ecs-node-1', 'ecs-node-2', 'ecs-node-3', 'ecs-node-4', 'ecs-node-5', 'ecs-node-6'];
export const ZONE = 'topology.kubernetes.io/zone';
export const INSTANCE_TYPE = 'node.kubernetes.io/instance-type';

export function ecsObjects(namespaceOf: () => string) {
  const { core, custom } = clients();
  const get = async <T>(plural: string, name: string) =>
    (await custom.getNamespacedCustomObject({ group, version, namespace: namespaceOf(), plural, name })) as T;
  const getTask = (name: string) => get<Task>('tasks', name);
  const getService = (name: string) => get<Service>('services', name);

  /** Waits until `read()` is `done`; the object then. */
  const until = <T extends { status?: object }>(what: string, read: () => Promise<T>, done: (o: T) => boolean, timeoutMs: number): Promise<T> =>
    waitFor(
      what,
      async () => {
        const object = await read();
        return done(object) ? object : undefined;
      },
      { timeoutMs, describe: async () => JSON.stringify((await read()).status ?? {}) },
    );

  return {
    create: (plural: string, kind: string, name: string, spec: object) =>
      custom.createNamespacedCustomObject({
        group,
        version,
        namespace: namespaceOf(),
        plural,
        body: { apiVersion: ECS_API_VERSION, kind, metadata: { name }, spec },
      }),
    getTask,
    getService,
    podsOf: async (labelSelector: string): Promise<V1Pod[]> =>
      (await core.listNamespacedPod({ namespace: namespaceOf(), labelSelector })).items.filter((p) => !p.metadata?.deletionTimestamp),
    eventsOf: async (name: string): Promise<CoreV1Event[]> =>
      (await core.listNamespacedEvent({ namespace: namespaceOf(), fieldSelector: `involvedObject.name=${name}` })).items,
    taskUntil: (name: string, what: string, done: (t: Task) => boolean, timeoutMs = 60_000) =>
      until(`task ${name} ${what}`, () => getTask(name), done, timeoutMs),
    serviceUntil: (name: string, what: string, done: (s: Service) => boolean, timeoutMs = 90_000) =>
      until(`service ${name} ${what}`, () => getService(name), done, timeoutMs),
  };
}
