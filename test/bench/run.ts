// `npm run bench`: each scenario of the performance issue on a local control plane of 50 simulated nodes, the
// ECS resource against its native twin, alternating which goes first, for BENCH_ROUNDS rounds (default 3);
// then the operator's steady state with 5000 tasks. Writes test/bench/results/latest.{json,md} and a chart per
// scenario. BENCH_SCALE=0.1 runs a tenth of every size (see settings.ts for every knob).
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { AppsV1Api, CoreV1Api, CustomObjectsApi, type KubernetesListObject, type V1Deployment, type V1Pod } from '@kubernetes/client-node';
import type { Service } from '../../operator/src/api/service.js';
import type { Task } from '../../operator/src/api/task.js';
import { isReady } from '../../operator/src/translate/readiness.js';
import { down, loadKubeConfig, REPO_ROOT, up } from '../cluster/cluster.js';
import { installCrds } from '../cluster/crds.js';
import { removeNamespace } from '../e2e/helpers.js';
import { ECS_GROUP_VERSION, emptyEcs, emptyNative, isLiveAndReady, log, runTimeoutMs, timeRun, type BenchContext } from './harness.js';
import { Watched } from './live-count.js';
import { buildOperator, OperatorProcess, usageBetween, WRITE_VERBS } from './operator-process.js';
import { machineUsageBetween, sampleMachine } from './process-stats.js';
import {
  chart,
  markdown,
  summarizeScenario,
  summarizeSteadyState,
  type Report,
  type RoundResult,
  type ScenarioFailure,
  type ScenarioRuns,
  type SteadyStateRun,
} from './report.js';
import { convergeServices, fanOut, rollout, scaleOut, standaloneTasks, type Scenario } from './scenarios.js';
import { benchSettings } from './settings.js';
import { writes } from './stats.js';

const RESULTS_DIR = join(REPO_ROOT, 'test/bench/results');
const run = promisify(execFile);

/** Operators this process started, stopped on SIGINT/SIGTERM as well as in order. */
const running = new Set<OperatorProcess>();

async function startOperator(ctx: BenchContext, scenario: string, extraArgs: string[] = []): Promise<OperatorProcess> {
  const operator = await OperatorProcess.start({
    kubeconfig: ctx.kubeconfig,
    namespace: ctx.ecsNamespace,
    logFile: join(ctx.logDir, `operator-${scenario}.log`),
    extraArgs,
  });
  running.add(operator);
  log(`${scenario}: operator pid ${operator.pid} ready (logs: ${ctx.logDir})`);
  return operator;
}

async function stopOperator(operator: OperatorProcess): Promise<void> {
  await operator.stop();
  running.delete(operator);
}

async function runScenario(ctx: BenchContext, scenario: Scenario): Promise<ScenarioRuns> {
  const started = performance.now();
  const operator = await startOperator(ctx, scenario.name);
  try {
    const rounds: RoundResult[] = [];
    for (let round = 1; round <= ctx.settings.rounds; round++) {
      const first = round % 2 === 1 ? 'native' : 'ecs';
      const sides = scenario.sides(round);
      const result: Partial<RoundResult> = { round, first };
      for (const side of first === 'native' ? (['native', 'ecs'] as const) : (['ecs', 'native'] as const)) {
        const { prepare, watch, act } = sides[side];
        await prepare();
        const before = side === 'ecs' ? await operator.read() : undefined;
        const processes = { operator: operator.pid, bench: process.pid };
        const machineBefore = sampleMachine(processes);
        const timed = await timeRun(`${scenario.name} round ${round}: ${side} converged`, watch(), act, runTimeoutMs(scenario.tasks));
        result[side === 'ecs' ? 'ecsMachine' : 'nativeMachine'] = machineUsageBetween(machineBefore, sampleMachine(processes));
        if (before) result.operator = usageBetween(before, await operator.readWhenQuiet());
        if (side === 'ecs') Object.assign(result, { ecsMs: timed.ms, ecsSeries: timed.series });
        else Object.assign(result, { nativeMs: timed.ms, nativeSeries: timed.series });
        const cleanupStart = performance.now();
        await (side === 'ecs' ? emptyEcs(ctx) : emptyNative(ctx));
        // The next run starts once the operator has finished with the deletions, not while it competes for the CPU.
        await operator.readWhenQuiet();
        log(
          `${scenario.name} round ${round}: ${side} ${(timed.ms / 1000).toFixed(2)} s (cleaned up in ${((performance.now() - cleanupStart) / 1000).toFixed(1)} s)`,
        );
      }
      rounds.push(result as RoundResult);
    }
    await emptyEcs(ctx, { taskDefinitions: true });
    const wallSeconds = (performance.now() - started) / 1000;
    return { name: scenario.name, tasks: scenario.tasks, runningLabel: scenario.runningLabel, rounds, operatorPeakRssMiB: operator.peakRssMiB, wallSeconds };
  } catch (error) {
    // Leave both namespaces empty for whatever runs next (the operator must run to release ECS finalizers).
    await emptyEcs(ctx, { taskDefinitions: true }).catch(() => undefined);
    await emptyNative(ctx).catch(() => undefined);
    throw error;
  } finally {
    await stopOperator(operator);
  }
}

/** 5000 tasks converged; then, over a window with a resync inside it, what the operator writes and burns. */
async function runSteadyState(ctx: BenchContext): Promise<SteadyStateRun> {
  const { steadyTasks, steadyTasksPerService } = ctx.settings.sizes;
  const resyncSeconds = ctx.settings.steadyResyncMs / 1000;
  const started = performance.now();
  const operator = await startOperator(ctx, 'steady-state', ['--resync-period', `${resyncSeconds}s`]);
  try {
    const { services, ms, figuresMs } = await convergeServices(ctx, steadyTasks, steadyTasksPerService);
    log(
      `steady-state: ${steadyTasks} tasks in ${services} services converged in ${(ms / 1000).toFixed(1)} s, their utilization shown after ${(figuresMs / 1000).toFixed(1)} s; watching for ${ctx.settings.steadyWindowMs / 1000} s`,
    );
    // Converged means written: the Cluster's instance figures follow the node metrics by a scrape or two more, so
    // the window starts once the operator has written nothing for two metrics periods (40 s). A writer that keeps
    // writing never lets it start early: after the timeout the window starts anyway and counts its writes.
    const before = await operator.readWhenQuiet(40_000, 180_000, { writesOnly: true });
    // A measurement window, not a synchronisation: "per minute" needs a stretch of time to count over.
    await new Promise((resolve) => setTimeout(resolve, ctx.settings.steadyWindowMs));
    const after = await operator.read();
    const usage = usageBetween(before, after);
    const readyAtEnd = ctx.watched.ecsPods.list().filter(isLiveAndReady).length;
    const run: Omit<SteadyStateRun, 'wallSeconds'> = {
      tasks: steadyTasks,
      services,
      convergeMs: ms,
      figuresMs,
      windowSeconds: usage.seconds,
      resyncPeriodSeconds: resyncSeconds,
      usage,
      writes: writes(usage.requestsByVerb, WRITE_VERBS),
      operatorRssMiB: after.rssMiB,
      operatorPeakRssMiB: operator.peakRssMiB,
      ...(after.heapUsedMiB === undefined ? {} : { operatorHeapUsedMiB: after.heapUsedMiB }),
      stayedConverged: readyAtEnd === steadyTasks,
    };
    await emptyEcs(ctx, { taskDefinitions: true });
    return { ...run, wallSeconds: (performance.now() - started) / 1000 };
  } catch (error) {
    await emptyEcs(ctx, { taskDefinitions: true }).catch(() => undefined);
    throw error;
  } finally {
    await stopOperator(operator);
  }
}

async function commit(): Promise<string> {
  const { stdout } = await run('git', ['rev-parse', 'HEAD'], { cwd: REPO_ROOT }).catch(() => ({ stdout: 'unknown' }));
  return stdout.trim();
}

async function watchAll(ctx: Omit<BenchContext, 'watched'>): Promise<BenchContext['watched']> {
  const { kc, core, apps, custom, ecsNamespace, nativeNamespace } = ctx;
  const ecsList =
    <T>(plural: string) =>
    async () =>
      (await custom.listNamespacedCustomObject({ ...ECS_GROUP_VERSION, namespace: ecsNamespace, plural })) as KubernetesListObject<T & { metadata?: object }>;
  const ecsPath = (plural: string) => `/apis/${ECS_GROUP_VERSION.group}/${ECS_GROUP_VERSION.version}/namespaces/${ecsNamespace}/${plural}`;
  return {
    ecsPods: await Watched.start<V1Pod>(kc, `/api/v1/namespaces/${ecsNamespace}/pods`, () => core.listNamespacedPod({ namespace: ecsNamespace })),
    nativePods: await Watched.start<V1Pod>(kc, `/api/v1/namespaces/${nativeNamespace}/pods`, () => core.listNamespacedPod({ namespace: nativeNamespace })),
    services: await Watched.start<Service>(kc, ecsPath('services'), ecsList<Service>('services')),
    tasks: await Watched.start<Task>(kc, ecsPath('tasks'), ecsList<Task>('tasks')),
    deployments: await Watched.start<V1Deployment>(kc, `/apis/apps/v1/namespaces/${nativeNamespace}/deployments`, () =>
      apps.listNamespacedDeployment({ namespace: nativeNamespace }),
    ),
  };
}

const BENCH_NAMESPACE_LABEL = 'ecs.operator.dev/bench';

async function createNamespace(core: CoreV1Api, prefix: string): Promise<string> {
  const { metadata } = await core.createNamespace({ body: { metadata: { generateName: `${prefix}-`, labels: { [BENCH_NAMESPACE_LABEL]: 'true' } } } });
  return metadata!.name!;
}

/** Removes the namespaces an interrupted earlier run left behind: their pods would take room on the nodes. */
async function removeLeftNamespaces(core: CoreV1Api): Promise<void> {
  const { items } = await core.listNamespace({ labelSelector: `${BENCH_NAMESPACE_LABEL}=true` });
  const names = items.map((ns) => ns.metadata!.name!);
  if (names.length === 0) return;
  log(`removing namespaces left by an earlier run: ${names.join(', ')}`);
  await Promise.all(names.map((name) => removeNamespace(name)));
}

async function main(): Promise<void> {
  const settings = benchSettings(process.env, join(REPO_ROOT, 'test/bench/nodes-50.yaml'));
  const startedAt = new Date();
  log(`scale ${settings.scale}, ${settings.rounds} rounds, scenarios ${settings.scenarios.join(', ')}; sizes ${JSON.stringify(settings.sizes)}`);
  // Always this checkout's own cluster (started here unless already running), never the one KUBECONFIG names:
  // the bench adds 50 nodes and thousands of pods, which would disturb anyone else's cluster.
  // The commit whose code is compiled and measured: taken now, not when the report is written, which may be later commits.
  const measuredCommit = await commit();
  log('compiling the operator (tsc), to measure the JavaScript it ships as');
  await buildOperator();
  const cluster = await up({ nodesFile: settings.nodesFile });
  const release = cluster.reused ? async () => undefined : down;
  process.env.KUBECONFIG = cluster.kubeconfig;
  const kc = loadKubeConfig(cluster.kubeconfig);
  const core = kc.makeApiClient(CoreV1Api);
  const apps = kc.makeApiClient(AppsV1Api);
  const custom = kc.makeApiClient(CustomObjectsApi);
  const namespaces: string[] = [];
  let watched: BenchContext['watched'] | undefined;
  try {
    await installCrds(kc);
    await removeLeftNamespaces(core);
    const nodes = (await core.listNode()).items.filter(isReady).length;
    const ecsNamespace = await createNamespace(core, 'bench-ecs');
    namespaces.push(ecsNamespace);
    const nativeNamespace = await createNamespace(core, 'bench-native');
    namespaces.push(nativeNamespace);
    const base = {
      settings,
      kubeconfig: cluster.kubeconfig,
      kc,
      core,
      apps,
      custom,
      ecsNamespace,
      nativeNamespace,
      logDir: mkdtempSync(join(tmpdir(), 'ecs-operator-bench-')),
    };
    watched = await watchAll(base);
    const ctx: BenchContext = { ...base, watched };
    const { sizes } = settings;
    const scenarios: Scenario[] = [
      scaleOut(ctx, sizes.scaleOut),
      rollout(ctx, sizes.rollout),
      fanOut(ctx, sizes.fanOutServices, sizes.fanOutTasksPerService),
      standaloneTasks(ctx, sizes.standaloneTasks),
    ].filter((scenario) => settings.scenarios.includes(scenario.name));
    const runs: ScenarioRuns[] = [];
    const failures: ScenarioFailure[] = [];
    // A scenario that fails is reported and the others still run: a long run should not end with nothing.
    const attempt = async <T>(name: string, body: () => Promise<T>): Promise<T | undefined> => {
      try {
        return await body();
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        log(`${name} failed: ${message}`);
        failures.push({ name, error: message });
        return undefined;
      }
    };
    for (const scenario of scenarios) {
      const result = await attempt(scenario.name, () => runScenario(ctx, scenario));
      if (result) runs.push(result);
    }
    const steady = settings.scenarios.includes('steady-state') ? await attempt('steady-state', () => runSteadyState(ctx)) : undefined;
    const report: Report = {
      commit: measuredCommit,
      scale: settings.scale,
      nodes,
      rounds: settings.rounds,
      startedAt: startedAt.toISOString(),
      durationSeconds: Math.round((Date.now() - startedAt.getTime()) / 1000),
      scenarios: runs.map(summarizeScenario),
      ...(steady ? { steadyState: summarizeSteadyState(steady) } : {}),
      ...(failures.length > 0 ? { failures } : {}),
    };
    mkdirSync(RESULTS_DIR, { recursive: true });
    // The folder holds one run: no chart of a scenario this run left out may stay beside its table.
    for (const file of readdirSync(RESULTS_DIR).filter((f) => f.endsWith('.svg'))) rmSync(join(RESULTS_DIR, file));
    writeFileSync(join(RESULTS_DIR, 'latest.json'), `${JSON.stringify(report, null, 2)}\n`);
    const table = markdown(report);
    writeFileSync(join(RESULTS_DIR, 'latest.md'), table);
    for (const scenario of runs) writeFileSync(join(RESULTS_DIR, `${scenario.name}.svg`), chart(scenario));
    process.stdout.write(`\n${table}\nwritten to ${RESULTS_DIR}/latest.{json,md} in ${report.durationSeconds} s\n`);
    if (failures.length > 0) throw new Error(`${failures.length} scenario(s) failed: ${failures.map((f) => f.name).join(', ')}`);
  } finally {
    await Promise.all([...running].map(stopOperator));
    await Promise.all(Object.values(watched ?? {}).map((w) => w.stop()));
    for (const namespace of namespaces)
      await removeNamespace(namespace).catch((e: unknown) => log(`could not remove ${namespace}: ${e instanceof Error ? e.message : String(e)}`));
    await release();
  }
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log(`${signal}: stopping the operators this bench started`);
    void Promise.all([...running].map(stopOperator)).finally(() => process.exit(130));
  });
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
