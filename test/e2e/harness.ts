// Runs the operator in the test process against the real API server: the same Manager and controllers
// `ecs-operator run` starts, for one namespace, with leader election off and metrics on a free port.
// Its API request counter lets tests prove that a converged namespace costs no writes.
import type { KubeConfig } from '@kubernetes/client-node';
import { controllers } from '../../operator/src/controllers/index.js';
import { defaultConfig, type OperatorConfig } from '../../operator/src/runtime/config.js';
import { createLogger, silentLogger } from '../../operator/src/runtime/logging.js';
import { Manager } from '../../operator/src/runtime/manager.js';
import { Metrics } from '../../operator/src/runtime/metrics.js';
import { kubeConfig } from './helpers.js';

export interface RunningOperator {
  manager: Manager;
  metrics: Metrics;
  /** Write requests (create, update, patch, apply, delete) the operator has sent so far. */
  writes(): Promise<number>;
  stop(): Promise<void>;
}

const WRITE_VERBS = new Set(['create', 'update', 'patch', 'apply', 'delete', 'deletecollection']);

/** Starts the controllers for `namespace`; set ECS_OPERATOR_TEST_LOGS=1 to see their logs. */
export async function startOperator(
  namespace: string,
  { kc = kubeConfig(), config = {} }: { kc?: KubeConfig; config?: Partial<OperatorConfig> } = {},
): Promise<RunningOperator> {
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
  running.catch(() => undefined);
  try {
    await waitUntilReady(manager, running);
  } catch (error) {
    // Never leave a half-started operator running: mocha would hang on its timers and connections.
    shutdown.abort();
    await running.catch(() => undefined);
    throw error;
  }
  return {
    manager,
    metrics,
    async writes() {
      const metric = await metrics.apiRequests.get();
      return metric.values.filter((v) => WRITE_VERBS.has(String(v.labels.verb))).reduce((n, v) => n + v.value, 0);
    },
    async stop() {
      shutdown.abort();
      await running;
    },
  };
}

/** Resolves once /readyz answers 200 (informers synced), or rejects if the manager fails first. */
async function waitUntilReady(manager: Manager, running: Promise<unknown>): Promise<void> {
  let failed: unknown;
  running.then(
    () => (failed ??= new Error('the operator stopped before it was ready')),
    (error: unknown) => (failed = error),
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
