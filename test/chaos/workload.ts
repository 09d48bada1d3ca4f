// What the chaos scenarios run and change: TaskDefinitions, Services and Tasks written as a user would (the
// administrator's kubeconfig), and the checks that say when each has converged and when a deleted one has left
// nothing behind.
import { AppsV1Api, CoreV1Api, CustomObjectsApi, type KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { ECS_API_VERSION } from '../../operator/src/api/meta.js';
import type { Service } from '../../operator/src/api/service.js';
import type { Task } from '../../operator/src/api/task.js';
import { LABELS } from '../../operator/src/translate/labels.js';
import { isReady } from '../../operator/src/translate/readiness.js';
import type { DeploymentPercents } from '../../operator/src/translate/rollout.js';

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const group = 'ecs.operator.dev';
const version = 'v1alpha1';

/** Each task becomes ready this long after it starts (a kwok test hook), so a rollout takes several steps. */
const READY_AFTER = '1s';

export class Workload {
  readonly core: CoreV1Api;
  readonly apps: AppsV1Api;
  readonly custom: CustomObjectsApi;

  constructor(
    kc: KubeConfig,
    readonly namespace: string,
  ) {
    this.core = kc.makeApiClient(CoreV1Api);
    this.apps = kc.makeApiClient(AppsV1Api);
    this.custom = kc.makeApiClient(CustomObjectsApi);
  }

  private at(plural: string) {
    return { group, version, namespace: this.namespace, plural };
  }

  private static spec(image: string) {
    return { containerDefinitions: [{ name: 'web', image, cpu: 32, memory: 32, dockerLabels: { 'test.ecs.operator.dev/ready-after': READY_AFTER } }] };
  }

  async createTaskDefinition(name: string, image: string): Promise<void> {
    await this.custom.createNamespacedCustomObject({
      ...this.at('taskdefinitions'),
      body: { apiVersion: ECS_API_VERSION, kind: 'TaskDefinition', metadata: { name }, spec: Workload.spec(image) },
    });
  }

  /** A new revision of the family (the next `family:N`). */
  async setImage(name: string, image: string): Promise<void> {
    await this.custom.patchNamespacedCustomObject({ ...this.at('taskdefinitions'), name, body: { spec: Workload.spec(image) } }, mergePatch);
  }

  async createService(name: string, desiredCount: number, percents: DeploymentPercents): Promise<void> {
    await this.custom.createNamespacedCustomObject({
      ...this.at('services'),
      body: {
        apiVersion: ECS_API_VERSION,
        kind: 'Service',
        metadata: { name },
        spec: { taskDefinition: name, desiredCount, deploymentConfiguration: percents },
      },
    });
  }

  async scale(name: string, desiredCount: number): Promise<void> {
    await this.custom.patchNamespacedCustomObject({ ...this.at('services'), name, body: { spec: { desiredCount } } }, mergePatch);
  }

  async createTask(name: string, taskDefinition: string): Promise<void> {
    await this.custom.createNamespacedCustomObject({
      ...this.at('tasks'),
      body: { apiVersion: ECS_API_VERSION, kind: 'Task', metadata: { name }, spec: { taskDefinition } },
    });
  }

  async service(name: string): Promise<Service | undefined> {
    return (await this.custom.getNamespacedCustomObject({ ...this.at('services'), name }).catch(() => undefined)) as Service | undefined;
  }

  async task(name: string): Promise<Task | undefined> {
    return (await this.custom.getNamespacedCustomObject({ ...this.at('tasks'), name }).catch(() => undefined)) as Task | undefined;
  }

  async pods(selector: string) {
    return (await this.core.listNamespacedPod({ namespace: this.namespace, labelSelector: selector })).items;
  }

  async replicaSets(service: string) {
    return (await this.apps.listNamespacedReplicaSet({ namespace: this.namespace, labelSelector: `${LABELS.service}=${service}` })).items;
  }

  /**
   * Why Service `name` has not converged on `family:revision` with `desired` tasks, or undefined once it has: its
   * status describes the current generation, one PRIMARY deployment of that revision COMPLETED and no other
   * active one, `desired` tasks running, and the pods and ReplicaSets agree (exactly `desired` ready pods, all of
   * that revision; only that revision's ReplicaSet asks for any).
   */
  async serviceNotConverged(name: string, revision: number, desired: number): Promise<string | undefined> {
    const service = await this.service(name);
    if (!service) return 'no Service';
    const status = service.status;
    if (status?.observedGeneration !== service.metadata.generation) return `observedGeneration ${status?.observedGeneration} ≠ ${service.metadata.generation}`;
    const primary = status?.deployments?.find((d) => d.status === 'PRIMARY');
    const active = status?.deployments?.filter((d) => d.status !== 'PRIMARY' && d.status !== 'INACTIVE') ?? [];
    if (primary?.taskDefinition !== `${name}:${revision}` || primary.rolloutState !== 'COMPLETED' || active.length > 0) {
      return `deployments ${JSON.stringify(status?.deployments?.map((d) => [d.status, d.taskDefinition, d.rolloutState, d.runningCount]))}`;
    }
    if (status?.runningCount !== desired) return `runningCount ${status?.runningCount} ≠ ${desired}`;
    const pods = (await this.pods(`${LABELS.service}=${name}`)).filter((p) => !p.metadata?.deletionTimestamp);
    const wrong = pods.filter((p) => !isReady(p) || p.metadata?.labels?.[LABELS.revision] !== String(revision));
    if (pods.length !== desired || wrong.length > 0) return `${pods.length} pods, ${wrong.length} not ready or not revision ${revision}`;
    const asking = (await this.replicaSets(name)).filter((rs) => (rs.spec?.replicas ?? 0) > 0);
    if (asking.length !== 1 || asking[0]!.metadata?.labels?.[LABELS.revision] !== String(revision) || asking[0]!.spec?.replicas !== desired) {
      return `ReplicaSets asking for tasks: ${asking.map((rs) => `${rs.metadata?.name}=${rs.spec?.replicas}`).join(', ')}`;
    }
    return undefined;
  }

  /**
   * Why Task `name` has not settled, or undefined once it has: RUNNING with its one ready pod; or STOPPED with
   * none when `mayStop` (its node was deleted); or, with `lostAtLaunch`, STOPPED with TerminationNotice and no
   * pod (a kill between recording the launch and creating the pod: the task is never run twice).
   */
  async taskNotConverged(name: string, { mayStop = false, lostAtLaunch = false } = {}): Promise<string | undefined> {
    const task = await this.task(name);
    const pods = (await this.pods(`${LABELS.task}=${name}`)).filter((p) => !p.metadata?.deletionTimestamp);
    const last = task?.status?.lastStatus;
    if (last === 'RUNNING' && pods.length === 1 && isReady(pods[0])) return undefined;
    if (mayStop && last === 'STOPPED' && pods.length === 0) return undefined;
    if (lostAtLaunch && last === 'STOPPED' && task?.status?.stopCode === 'TerminationNotice' && pods.length === 0) return undefined;
    return `lastStatus ${last ?? 'none'}, ${pods.length} pods`;
  }

  async deleteService(name: string): Promise<void> {
    await this.custom.deleteNamespacedCustomObject({ ...this.at('services'), name });
  }

  async deleteTask(name: string): Promise<void> {
    await this.custom.deleteNamespacedCustomObject({ ...this.at('tasks'), name });
  }

  async deleteTaskDefinition(name: string): Promise<void> {
    await this.custom.deleteNamespacedCustomObject({ ...this.at('taskdefinitions'), name });
  }

  /** What is left of a deleted Service, Task or TaskDefinition named `name`: the object itself, or anything it owned. */
  async leftOf(kind: 'service' | 'task' | 'taskdefinition', name: string): Promise<string[]> {
    const plural = kind === 'service' ? 'services' : kind === 'task' ? 'tasks' : 'taskdefinitions';
    const left: string[] = [];
    const object = await this.custom.getNamespacedCustomObject({ ...this.at(plural), name }).catch(() => undefined);
    if (object) left.push(`${kind} ${name}`);
    if (kind === 'taskdefinition') return left;
    const label = kind === 'service' ? LABELS.service : LABELS.task;
    const selector = `${label}=${name}`;
    left.push(...(await this.pods(selector)).map((p) => `pod ${p.metadata?.name}`));
    if (kind === 'service') {
      left.push(...(await this.replicaSets(name)).map((rs) => `ReplicaSet ${rs.metadata?.name}`));
      const services = (await this.core.listNamespacedService({ namespace: this.namespace, labelSelector: selector })).items;
      left.push(...services.map((s) => `core Service ${s.metadata?.name}`));
    }
    return left;
  }
}
