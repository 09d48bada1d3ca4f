// Runs the operator in the test process against the real API server: the same Manager and controllers
// `ecs-operator run` starts, for one namespace, with leader election off and metrics on a free port.
// It acts as the Helm chart's ServiceAccount (impersonated, with the RBAC `helm template` renders for a
// one-namespace install), so a permission the chart lacks fails the test as it would fail a real install.
// Its API request counter lets tests prove that a converged namespace costs no writes.
import type { KubeConfig } from '@kubernetes/client-node';
import { controllers } from '../../operator/src/controllers/index.js';
import { defaultConfig, type OperatorConfig } from '../../operator/src/runtime/config.js';
import { createLogger, silentLogger } from '../../operator/src/runtime/logging.js';
import { Manager } from '../../operator/src/runtime/manager.js';
import { Metrics } from '../../operator/src/runtime/metrics.js';
import { applyChartRbac } from './chart-rbac.js';
import { group, mergePatch, version } from './ecs-objects.js';
import { clients, waitFor, waitForUtilization } from './helpers.js';

export interface RunningOperator {
  manager: Manager;
  metrics: Metrics;
  /** Write requests (create, update, patch, apply, delete) the operator has sent so far. */
  writes(): Promise<number>;
  /** Why the manager stopped on its own (its run promise rejected), if it did; undefined while it runs. */
  failure(): unknown;
  /** Stops the operator; what it made stays. */
  stop(): Promise<void>;
  /**
   * For a suite's end: deletes the namespace's ECS objects while the operator still runs (so it releases its
   * finalizers, as in a real cluster), waits until they are gone, then stops it.
   */
  finish(): Promise<void>;
}

const WRITE_VERBS = new Set(['create', 'update', 'patch', 'apply', 'delete', 'deletecollection']);

/**
 * Starts the controllers for `namespace` as the chart's ServiceAccount (or as `kc`'s user when given); set
 * ECS_OPERATOR_TEST_LOGS=1 to see their logs.
 */
export async function startOperator(namespace: string, options: { kc?: KubeConfig; config?: Partial<OperatorConfig> } = {}): Promise<RunningOperator> {
  const { config = {} } = options;
  const rbac = options.kc ? undefined : await applyChartRbac({ namespace, watchNamespace: namespace });
  const kc = options.kc ?? rbac!.kubeConfig;
  const base = defaultConfig();
  const settings = defaultConfig({
    namespace,
    metricsAddr: '127.0.0.1:0',
    leaderElection: { ...base.leaderElection, enabled: false },
    concurrency: 4,
    shutdownTimeoutMs: 5_000,
    ...config,
  });
  const metrics = new Metrics();
  const log = process.env.ECS_OPERATOR_TEST_LOGS ? createLogger('debug') : silentLogger();
  const manager = new Manager(settings, { kubeConfig: kc, log, metrics });
  for (const factory of controllers) manager.add(factory);
  const shutdown = new AbortController();
  const running = manager.run(shutdown.signal);
  let failure: unknown;
  running.catch((error: unknown) => (failure = error ?? new Error('the manager failed')));
  try {
    await waitUntilReady(manager, running);
  } catch (error) {
    // Never leave a half-started operator running: mocha would hang on its timers and connections.
    shutdown.abort();
    await running.catch(() => undefined);
    await rbac?.remove();
    throw error;
  }
  const stop = async (): Promise<void> => {
    shutdown.abort();
    await running;
    await rbac?.remove();
  };
  return {
    manager,
    metrics,
    async writes() {
      const metric = await metrics.apiRequests.get();
      return metric.values.filter((v) => WRITE_VERBS.has(String(v.labels.verb))).reduce((n, v) => n + v.value, 0);
    },
    failure: () => failure,
    stop,
    async finish() {
      await deleteEcsObjects(namespace).catch(() => undefined);
      await stop();
    },
  };
}

/**
 * The operator's write count once it has written nothing for 2 s: trailing writes of earlier tests (a Cluster's
 * counts as their pods settle) are over, so a test can then prove that reconciling again writes nothing.
 */
export async function writesOnceQuiet(operator: RunningOperator): Promise<number> {
  let last = await operator.writes();
  await waitFor(
    'the operator to write nothing for 2 s',
    async () => {
      await new Promise((r) => setTimeout(r, 2000));
      const now = await operator.writes();
      const quiet = now === last;
      last = now;
      return quiet ? true : undefined;
    },
    { timeoutMs: 60_000 },
  );
  return last;
}

/**
 * The operator's write counts once it is quiet (writesOnceQuiet), and 3 s after a label the controllers ignore was
 * put on an ECS object: the object is reconciled again, and once converged that should cost no write.
 */
export async function writesAroundReconcile(
  operator: RunningOperator,
  { namespace, plural, name }: { namespace: string; plural: string; name: string },
): Promise<{ before: number; after: number }> {
  // Converged includes the metrics: utilization first shows about 30 s after a task starts.
  await waitForUtilization(namespace);
  const before = await writesOnceQuiet(operator);
  await clients().custom.patchNamespacedCustomObject(
    { group, version, namespace, plural, name, body: { metadata: { labels: { touched: 'yes' } } } },
    mergePatch,
  );
  await new Promise((r) => setTimeout(r, 3000));
  return { before, after: await operator.writes() };
}

/** Resolves once /readyz answers 200 (informers synced), or rejects if the manager fails first. */
async function waitUntilReady(manager: Manager, running: Promise<unknown>): Promise<void> {
  let failed: Error | undefined;
  running.then(
    () => (failed ??= new Error('the operator stopped before it was ready')),
    (error: unknown) => (failed = error instanceof Error ? error : new Error('the operator failed', { cause: error })),
  );
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (failed) throw failed;
    if (manager.healthPort !== undefined) {
      const response = await fetch(`http://127.0.0.1:${manager.healthPort}/readyz`).catch(() => undefined);
      if (response?.ok) return;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the operator did not become ready within 30s');
}

// Schedules first, so that none starts a run while the rest goes.
const ECS_PLURALS = ['scheduledtasks', 'services', 'tasks', 'taskdefinitions', 'clusters'];

/** Deletes every ECS object of `namespace` and waits (up to a minute) until the API server has none left. */
export async function deleteEcsObjects(namespace: string): Promise<void> {
  const { custom } = clients();
  const coordinates = (plural: string) => ({ group: 'ecs.operator.dev', version: 'v1alpha1', namespace, plural });
  for (const plural of ECS_PLURALS) await custom.deleteCollectionNamespacedCustomObject(coordinates(plural));
  await waitFor(`the ECS objects of ${namespace} to be gone`, async () => {
    const left = await Promise.all(
      ECS_PLURALS.map(async (plural) => ((await custom.listNamespacedCustomObject(coordinates(plural))) as { items: unknown[] }).items.length),
    );
    return left.every((n) => n === 0) ? true : undefined;
  });
}
