// The four twin scenarios of the performance issue. Each names, per round, what the native side and the ECS
// side prepare (untimed), do (timed from here) and wait for (the clock stops at the event that satisfies it).
// A task counts as RUNNING on the native side when its pod is Ready; on the ECS side when the Service or Task
// status says so AND its pod is Ready (the chart shows the smaller of the two counts).
import { PatchStrategy, setHeaderOptions, type V1Deployment, type V1Pod } from '@kubernetes/client-node';
import type { Service } from '../../operator/src/api/service.js';
import type { Task } from '../../operator/src/api/task.js';
import { LABELS } from '../../operator/src/translate/index.js';
import {
  countOf,
  createPaced,
  ECS_GROUP_VERSION,
  isLive,
  isLiveAndReady,
  progress,
  registerTaskDefinition,
  runTimeoutMs,
  settle,
  type BenchContext,
  type Progress,
} from './harness.js';
import type { ScenarioName } from './settings.js';
import { barePod, deployment, IMAGE, nativePodTemplate, service, task, taskDefinition, taskDefinitionSpec, UPDATED_IMAGE } from './workloads.js';

export interface Side {
  /** Untimed: what must exist before the action (the ECS task definition, a converged workload to roll). */
  prepare: () => Promise<void>;
  /** What the run waits for; made before the action so that no event is missed. */
  watch: () => Progress;
  /** The user's action: the clock runs from its start until `watch()` is done. */
  act: () => Promise<void>;
}

export interface Scenario {
  name: Exclude<ScenarioName, 'steady-state'>;
  /** Tasks converged per run (the unit of the per-task costs). */
  tasks: number;
  /** What the chart counts. */
  runningLabel: string;
  sides(round: number): { native: Side; ecs: Side };
}

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const nothing = async (): Promise<void> => undefined;

/** The Deployment has rolled out `image` to exactly `replicas` available pods, and its status says so. */
export function deploymentComplete(d: V1Deployment, replicas: number, image: string): boolean {
  const status = d.status;
  if (!status) return false;
  return (
    status.observedGeneration === d.metadata?.generation &&
    status.replicas === replicas &&
    status.updatedReplicas === replicas &&
    status.readyReplicas === replicas &&
    status.availableReplicas === replicas &&
    d.spec?.template.spec?.containers[0]?.image === image
  );
}

const primaryOf = (s: Service) => s.status?.deployments?.find((d) => d.status === 'PRIMARY');

/** The Service runs exactly `count` tasks of `taskDefinition` in one COMPLETED deployment, and its status says so. */
export function serviceSteady(s: Service, count: number, taskDefinition: string): boolean {
  const status = s.status;
  const primary = primaryOf(s);
  if (!status) return false;
  return (
    (status.observedGeneration === undefined || status.observedGeneration === s.metadata.generation) &&
    status.desiredCount === count &&
    status.runningCount === count &&
    primary?.taskDefinition === taskDefinition &&
    primary.rolloutState === 'COMPLETED' &&
    primary.runningCount === count &&
    !(status.deployments ?? []).some((d) => d.status === 'ACTIVE')
  );
}

/** Tasks the Service's status reports RUNNING in the deployment of `taskDefinition`. */
export function runningOf(s: Service, taskDefinition: string): number {
  const primary = primaryOf(s);
  return primary?.taskDefinition === taskDefinition ? primary.runningCount : 0;
}

const createIn = (ctx: BenchContext) => ({
  service: (body: Service) => ctx.custom.createNamespacedCustomObject({ ...ECS_GROUP_VERSION, namespace: ctx.ecsNamespace, plural: 'services', body }),
  task: (body: Task) => ctx.custom.createNamespacedCustomObject({ ...ECS_GROUP_VERSION, namespace: ctx.ecsNamespace, plural: 'tasks', body }),
  deployment: (body: V1Deployment) => ctx.apps.createNamespacedDeployment({ namespace: ctx.nativeNamespace, body }),
  pod: (body: V1Pod) => ctx.core.createNamespacedPod({ namespace: ctx.nativeNamespace, body }),
});

/** Native side: `workloads` Deployments of `replicas` each, all complete on `image`, every pod live and Ready. */
function deploymentsConverged(ctx: BenchContext, workloads: number, replicas: number, image: string): Progress {
  const { deployments, nativePods } = ctx.watched;
  const pods = workloads * replicas;
  const counts = {
    complete: countOf(deployments, (d) => deploymentComplete(d, replicas, image)),
    ready: countOf(nativePods, (p) => isLiveAndReady(p) && p.spec?.containers[0]?.image === image),
    live: countOf(nativePods, isLive),
  };
  return progress(
    counts,
    () => counts.ready.total,
    () => counts.complete.total === workloads && counts.ready.total === pods && counts.live.total === pods,
  );
}

/** ECS side: `services` Services of `count` each, steady on `taskDefinition`, every pod live and Ready on its revision. */
function servicesConverged(ctx: BenchContext, services: number, count: number, taskDefinition: string): Progress {
  const revision = taskDefinition.split(':')[1]!;
  const pods = services * count;
  const counts = {
    steady: countOf(ctx.watched.services, (s) => serviceSteady(s, count, taskDefinition)),
    running: countOf(ctx.watched.services, (s) => runningOf(s, taskDefinition)),
    ready: countOf(ctx.watched.ecsPods, (p) => isLiveAndReady(p) && p.metadata?.labels?.[LABELS.revision] === revision),
    live: countOf(ctx.watched.ecsPods, isLive),
  };
  return progress(
    counts,
    () => Math.min(counts.running.total, counts.ready.total),
    () => counts.steady.total === services && counts.ready.total === pods && counts.live.total === pods,
  );
}

/** A Service to desiredCount N vs a Deployment to N replicas, from apply until every task is RUNNING. */
export function scaleOut(ctx: BenchContext, tasks: number): Scenario {
  return {
    name: 'scale-out',
    tasks,
    runningLabel: 'tasks RUNNING',
    sides: (round) => {
      const name = `scale-out-${round}`;
      return {
        native: {
          prepare: nothing,
          watch: () => deploymentsConverged(ctx, 1, tasks, IMAGE),
          act: async () => {
            await createIn(ctx).deployment(deployment(name, tasks, IMAGE));
          },
        },
        ecs: {
          prepare: () => registerTaskDefinition(ctx, taskDefinition(name, IMAGE)),
          watch: () => servicesConverged(ctx, 1, tasks, `${name}:1`),
          act: async () => {
            await createIn(ctx).service(service(name, name, tasks));
          },
        },
      };
    },
  };
}

/**
 * N tasks from revision 1 to 2: a Service with minimumHealthyPercent 100 and maximumPercent 200 vs a Deployment
 * with maxUnavailable 0 and maxSurge 100%. Preparing converges revision 1; the clock runs from the new revision.
 */
export function rollout(ctx: BenchContext, tasks: number): Scenario {
  return {
    name: 'rollout',
    tasks,
    runningLabel: 'tasks RUNNING on revision 2',
    sides: (round) => {
      const name = `rollout-${round}`;
      return {
        native: {
          prepare: async () => {
            const converged = deploymentsConverged(ctx, 1, tasks, IMAGE);
            await createIn(ctx).deployment(deployment(name, tasks, IMAGE, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: '100%' } }));
            await settle(`deployment ${name} on revision 1`, converged, runTimeoutMs(tasks));
          },
          watch: () => deploymentsConverged(ctx, 1, tasks, UPDATED_IMAGE),
          act: async () => {
            const body = { spec: { template: nativePodTemplate(name, UPDATED_IMAGE, 'Always') } };
            await ctx.apps.patchNamespacedDeployment({ namespace: ctx.nativeNamespace, name, body }, mergePatch);
          },
        },
        ecs: {
          prepare: async () => {
            await registerTaskDefinition(ctx, taskDefinition(name, IMAGE));
            const converged = servicesConverged(ctx, 1, tasks, `${name}:1`);
            await createIn(ctx).service(service(name, name, tasks, { minimumHealthyPercent: 100, maximumPercent: 200 }));
            await settle(`service ${name} on revision 1`, converged, runTimeoutMs(tasks));
          },
          watch: () => servicesConverged(ctx, 1, tasks, `${name}:2`),
          act: async () => {
            const body = { spec: taskDefinitionSpec(UPDATED_IMAGE) };
            await ctx.custom.patchNamespacedCustomObject(
              { ...ECS_GROUP_VERSION, namespace: ctx.ecsNamespace, plural: 'taskdefinitions', name, body },
              mergePatch,
            );
          },
        },
      };
    },
  };
}

/** S Services of K tasks vs S Deployments of K replicas, created by the same client at the same rate. */
export function fanOut(ctx: BenchContext, workloads: number, perWorkload: number): Scenario {
  const pacing = { rate: ctx.settings.createRate, concurrency: ctx.settings.createConcurrency };
  return {
    name: 'fan-out',
    tasks: workloads * perWorkload,
    runningLabel: 'tasks RUNNING',
    sides: (round) => {
      const family = `fan-out-${round}`;
      const nameOf = (i: number) => `${family}-${i}`;
      return {
        native: {
          prepare: nothing,
          watch: () => deploymentsConverged(ctx, workloads, perWorkload, IMAGE),
          act: () => createPaced(workloads, pacing, (i) => createIn(ctx).deployment(deployment(nameOf(i), perWorkload, IMAGE))),
        },
        ecs: {
          prepare: () => registerTaskDefinition(ctx, taskDefinition(family, IMAGE)),
          watch: () => servicesConverged(ctx, workloads, perWorkload, `${family}:1`),
          act: () => createPaced(workloads, pacing, (i) => createIn(ctx).service(service(nameOf(i), family, perWorkload))),
        },
      };
    },
  };
}

/** N Tasks vs N bare Pods, created by the same client at the same rate. */
export function standaloneTasks(ctx: BenchContext, tasks: number): Scenario {
  const pacing = { rate: ctx.settings.createRate, concurrency: ctx.settings.createConcurrency };
  return {
    name: 'standalone-tasks',
    tasks,
    runningLabel: 'tasks RUNNING',
    sides: (round) => {
      const family = `standalone-${round}`;
      const nameOf = (i: number) => `${family}-${i}`;
      return {
        native: {
          prepare: nothing,
          watch: () => {
            const counts = { ready: countOf(ctx.watched.nativePods, isLiveAndReady), live: countOf(ctx.watched.nativePods, isLive) };
            return progress(
              counts,
              () => counts.ready.total,
              () => counts.ready.total === tasks && counts.live.total === tasks,
            );
          },
          act: () => createPaced(tasks, pacing, (i) => createIn(ctx).pod(barePod(nameOf(i), IMAGE))),
        },
        ecs: {
          prepare: () => registerTaskDefinition(ctx, taskDefinition(family, IMAGE)),
          watch: () => {
            const counts = {
              running: countOf(ctx.watched.tasks, (t) => t.status?.lastStatus === 'RUNNING'),
              ready: countOf(ctx.watched.ecsPods, isLiveAndReady),
              live: countOf(ctx.watched.ecsPods, isLive),
            };
            return progress(
              counts,
              () => Math.min(counts.running.total, counts.ready.total),
              () => counts.running.total === tasks && counts.ready.total === tasks && counts.live.total === tasks,
            );
          },
          act: () => createPaced(tasks, pacing, (i) => createIn(ctx).task(task(nameOf(i), family))),
        },
      };
    },
  };
}

/** Converges `tasks` ECS tasks in Services of `perService` (the steady-state scenario's preparation). */
export async function convergeServices(ctx: BenchContext, tasks: number, perService: number): Promise<{ services: number; ms: number; figuresMs: number }> {
  const family = 'steady';
  const services = Math.ceil(tasks / perService);
  const countOfService = (i: number) => Math.min(perService, tasks - i * perService);
  await registerTaskDefinition(ctx, taskDefinition(family, IMAGE));
  const counts = {
    steady: countOf(ctx.watched.services, (s) => serviceSteady(s, s.spec.desiredCount ?? -1, `${family}:1`)),
    ready: countOf(ctx.watched.ecsPods, isLiveAndReady),
    live: countOf(ctx.watched.ecsPods, isLive),
  };
  const converged = progress(
    counts,
    () => counts.ready.total,
    () => counts.steady.total === services && counts.ready.total === tasks && counts.live.total === tasks,
  );
  const start = performance.now();
  const pacing = { rate: ctx.settings.createRate, concurrency: ctx.settings.createConcurrency };
  await createPaced(services, pacing, (i) => createIn(ctx).service(service(`${family}-${i}`, family, countOfService(i))));
  await settle(`${tasks} tasks in ${services} services to converge`, converged, runTimeoutMs(tasks));
  const ms = performance.now() - start;
  // The status is whole once it shows utilization too: metrics-server has a task's usage only after two scrapes,
  // so the figures arrive after the tasks run. Until then their first writes belong to converging, not to the
  // steady state (the bench's control plane always serves metrics.k8s.io).
  const figures = countOf(ctx.watched.services, (s) => s.status?.cpuUtilization !== undefined && s.status.memoryUtilization !== undefined);
  await settle(
    `${services} services to show their utilization`,
    progress(
      { figures },
      () => figures.total,
      () => figures.total === services,
    ),
    runTimeoutMs(tasks),
  );
  return { services, ms, figuresMs: performance.now() - start };
}
