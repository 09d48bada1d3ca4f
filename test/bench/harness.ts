// What every scenario shares: the bench's clients, namespaces and watches; timing one side's run from the
// user's action to convergence; the creating client that both sides share; putting a namespace back to empty.
import {
  PatchStrategy,
  setHeaderOptions,
  type AppsV1Api,
  type CoreV1Api,
  type CustomObjectsApi,
  type KubeConfig,
  type KubernetesObject,
  type V1Deployment,
  type V1Pod,
} from '@kubernetes/client-node';
import type { Service } from '../../operator/src/api/service.js';
import type { Task } from '../../operator/src/api/task.js';
import type { TaskDefinition } from '../../operator/src/api/taskdefinition.js';
import { isReady } from '../../operator/src/translate/readiness.js';
import { waitFor } from '../cluster/wait.js';
import { LiveCount, until, type ChangeSource, type Count, type Watched } from './live-count.js';
import type { BenchSettings } from './settings.js';

export const ECS_GROUP_VERSION = { group: 'ecs.operator.dev', version: 'v1alpha1' } as const;
const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

export interface BenchContext {
  settings: BenchSettings;
  kubeconfig: string;
  kc: KubeConfig;
  core: CoreV1Api;
  apps: AppsV1Api;
  custom: CustomObjectsApi;
  /** The namespace the operator watches: the ECS side's objects and pods. */
  ecsNamespace: string;
  /** The native side's Deployments and Pods, out of the operator's sight. */
  nativeNamespace: string;
  watched: {
    ecsPods: Watched<V1Pod>;
    nativePods: Watched<V1Pod>;
    services: Watched<Service>;
    tasks: Watched<Task>;
    deployments: Watched<V1Deployment>;
  };
  /** Where the operator's logs go. */
  logDir: string;
}

export function log(message: string): void {
  process.stderr.write(`[bench] ${new Date().toISOString().slice(11, 19)} ${message}\n`);
}

export const isLive = (pod: V1Pod): boolean => !pod.metadata?.deletionTimestamp;
export const isLiveAndReady = (pod: V1Pod): boolean => isLive(pod) && isReady(pod);

/** A run in progress: how many tasks are RUNNING (the chart) and whether it is done (the clock stops). */
export interface Progress {
  running: () => number;
  done: () => boolean;
  describe: () => string;
  /** The watches whose events can change the answers. */
  sources: ReadonlyArray<ChangeSource>;
  /** Released when the run ends. */
  counts: ReadonlyArray<Count>;
}

/** A Progress over named live counts (their totals describe a run that timed out). */
export function progress(counts: Record<string, Count>, running: () => number, done: () => boolean): Progress {
  return {
    running,
    done,
    describe: () => JSON.stringify(Object.fromEntries(Object.entries(counts).map(([name, count]) => [name, count.total]))),
    sources: [...new Set(Object.values(counts).map((count) => count.source))],
    counts: Object.values(counts),
  };
}

/** The sum of `value` (a number, or true as 1) over the objects of `source`, kept up to date. */
export function countOf<T extends KubernetesObject>(source: Watched<T>, value: (object: T) => number | boolean): Count {
  return new LiveCount(source, (object) => Number(value(object)));
}

/** One side's run: its duration from the action to convergence, and tasks RUNNING over time (seconds, count). */
export interface TimedRun {
  ms: number;
  series: Array<[number, number]>;
}

/**
 * Times `act` (the user's action: apply, patch) until `watch` is done, sampling `running()` at every event.
 * The wait is subscribed before the action, so no event is missed.
 */
export async function timeRun(what: string, watch: Progress, act: () => Promise<void>, timeoutMs: number): Promise<TimedRun> {
  const series: Array<[number, number]> = [[0, watch.running()]];
  const start = performance.now();
  const converged = until(what, watch.sources, watch.done, {
    timeoutMs,
    describe: watch.describe,
    onChange: (at) => {
      const running = watch.running();
      if (running !== series.at(-1)![1]) series.push([(at - start) / 1000, running]);
    },
  });
  try {
    await act();
    const end = await converged;
    series.push([(end - start) / 1000, watch.running()]);
    return { ms: end - start, series };
  } finally {
    converged.catch(() => undefined);
    for (const count of watch.counts) count.dispose();
  }
}

/** Waits (untimed) until `watch` is done: a scenario's preparation. */
export async function settle(what: string, watch: Progress, timeoutMs: number): Promise<void> {
  try {
    await until(what, watch.sources, watch.done, { timeoutMs, describe: watch.describe });
  } finally {
    for (const count of watch.counts) count.dispose();
  }
}

/**
 * Runs `create(i)` for i = 0..count-1 at `rate` per second with at most `concurrency` in flight: the same
 * client for both sides, so that neither is fed faster.
 */
export async function createPaced(
  count: number,
  { rate, concurrency }: { rate: number; concurrency: number },
  create: (i: number) => Promise<unknown>,
): Promise<void> {
  const start = performance.now();
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < count; i = next++) {
      const due = start + (i * 1000) / rate;
      const wait = due - performance.now();
      // Pacing, not synchronisation: request i goes out no earlier than i / rate seconds after the first.
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      await create(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
}

/** A run's time limit, against a hang rather than a slow operator: two minutes plus 600 ms per task. */
export const runTimeoutMs = (tasks: number): number => 120_000 + 600 * tasks;

/** Deletes every Deployment, ReplicaSet and Pod of the native namespace and waits until none is left. */
export async function emptyNative(ctx: BenchContext): Promise<void> {
  const namespace = ctx.nativeNamespace;
  await ctx.apps.deleteCollectionNamespacedDeployment({ namespace, propagationPolicy: 'Background' });
  await ctx.apps.deleteCollectionNamespacedReplicaSet({ namespace, propagationPolicy: 'Background' });
  await ctx.core.deleteCollectionNamespacedPod({ namespace, gracePeriodSeconds: 0 });
  const { deployments, nativePods } = ctx.watched;
  await until(
    `the native namespace ${namespace} to be empty`,
    [deployments, nativePods],
    () => deployments.list().length === 0 && nativePods.list().length === 0,
    { timeoutMs: runTimeoutMs(nativePods.list().length), describe: () => `${deployments.list().length} deployments, ${nativePods.list().length} pods` },
  );
}

const withoutFinalizers = { metadata: { finalizers: null } };

/**
 * Deletes every Service and Task of the ECS namespace (with `taskDefinitions`, the TaskDefinitions too) and
 * waits until they and their pods are gone. Cleaning up is not measured, so their finalizers are taken off at
 * once, as an admin would, rather than waiting for the operator's drain (it checks a draining Service every
 * 5 s and a deleted revision every 30 s); owner references then remove the ReplicaSets and pods.
 */
export async function emptyEcs(ctx: BenchContext, { taskDefinitions = false } = {}): Promise<void> {
  const namespace = ctx.ecsNamespace;
  const pacing = { rate: ctx.settings.createRate, concurrency: ctx.settings.createConcurrency };
  for (const plural of ['services', 'tasks', ...(taskDefinitions ? ['taskdefinitions'] : [])]) {
    await ctx.custom.deleteCollectionNamespacedCustomObject({ ...ECS_GROUP_VERSION, namespace, plural });
    const { items } = (await ctx.custom.listNamespacedCustomObject({ ...ECS_GROUP_VERSION, namespace, plural })) as { items: KubernetesObject[] };
    const finalized = items.filter((item) => (item.metadata?.finalizers ?? []).length > 0);
    await createPaced(finalized.length, pacing, (i) =>
      ctx.custom
        .patchNamespacedCustomObject({ ...ECS_GROUP_VERSION, namespace, plural, name: finalized[i]!.metadata!.name!, body: withoutFinalizers }, mergePatch)
        .catch(() => undefined),
    ); // already gone
  }
  const { services, tasks, ecsPods } = ctx.watched;
  const timeoutMs = runTimeoutMs(ecsPods.list().length);
  await until(
    `the ECS namespace ${namespace} to have no services, tasks or pods`,
    [services, tasks, ecsPods],
    () => services.list().length === 0 && tasks.list().length === 0 && ecsPods.list().length === 0,
    { timeoutMs, describe: () => `${services.list().length} services, ${tasks.list().length} tasks, ${ecsPods.list().length} pods` },
  );
  if (!taskDefinitions) return;
  await waitFor(
    `the task definitions of ${namespace} to be deleted`,
    async () => {
      const { items } = (await ctx.custom.listNamespacedCustomObject({ ...ECS_GROUP_VERSION, namespace, plural: 'taskdefinitions' })) as { items: unknown[] };
      return items.length === 0 ? true : undefined;
    },
    { timeoutMs: 120_000 },
  );
}

/** Creates a TaskDefinition and waits (untimed) until the operator has registered its revision 1. */
export async function registerTaskDefinition(ctx: BenchContext, definition: TaskDefinition): Promise<void> {
  const namespace = ctx.ecsNamespace;
  const name = definition.metadata.name!;
  await ctx.custom.createNamespacedCustomObject({ ...ECS_GROUP_VERSION, namespace, plural: 'taskdefinitions', body: definition });
  await waitFor(
    `task definition ${name} revision 1`,
    async () => {
      const current = (await ctx.custom.getNamespacedCustomObject({ ...ECS_GROUP_VERSION, namespace, plural: 'taskdefinitions', name })) as TaskDefinition;
      return (current.status?.revision ?? 0) >= 1 ? true : undefined;
    },
    { timeoutMs: 60_000 },
  );
}
