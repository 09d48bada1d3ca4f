// `npm run bench`: an ECS Service against a native Deployment doing the same work on the same control plane in
// the same run: time to N ready tasks, time to roll them to a new image, and the operator's API writes per task.
// Results are ratios (ECS / native), never thresholds: the machine's speed cancels out.
import { AppsV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { acquireCluster } from '../../scripts/with-cluster.js';

interface Measure {
  label: string;
  nativeMs: number;
  ecsMs: number;
}

const SIZES = (process.env.BENCH_SIZES ?? '10,40').split(',').map(Number);

async function timed(run: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await run();
  return performance.now() - start;
}

async function main(): Promise<void> {
  const cluster = await acquireCluster();
  process.env.KUBECONFIG = cluster.kubeconfig;
  // Loaded once KUBECONFIG names the cluster: the e2e helpers read it.
  const { clients, installCrds, throwawayNamespace, waitFor } = await import('../e2e/helpers.js');
  const { startOperator } = await import('../e2e/harness.js');
  const { kc, core, custom } = clients();
  const apps = kc.makeApiClient(AppsV1Api);
  await installCrds();
  const ns = await throwawayNamespace(core, 'bench');
  const namespace = ns.name;
  const operator = await startOperator(namespace);
  const coordinates = { group: 'ecs.operator.dev', version: 'v1alpha1', namespace };
  const container = (image: string) => ({ name: 'web', image, resources: { requests: { cpu: '10m', memory: '16Mi' } } });
  const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
  const results: Measure[] = [];
  try {
    for (const n of SIZES) {
      const name = `web${n}`;
      const labels = { app: name };
      const deploymentReady = (image: string) => waitFor(`deployment ${name} ready on ${image}`, async () => {
        const d = await apps.readNamespacedDeployment({ name, namespace });
        const done = d.status?.updatedReplicas === n && d.status.availableReplicas === n && d.status.replicas === n
          && d.spec?.template.spec?.containers[0]?.image === image && d.status.observedGeneration === d.metadata?.generation;
        return done ? true : undefined;
      }, { timeoutMs: 300_000 });
      const serviceReady = (taskDefinition: string) => waitFor(`service ${name} steady on ${taskDefinition}`, async () => {
        const s = (await custom.getNamespacedCustomObject({ ...coordinates, plural: 'services', name })) as {
          status?: { runningCount?: number; deployments?: Array<{ status: string; taskDefinition: string; rolloutState?: string }> };
        };
        const primary = s.status?.deployments?.find((d) => d.status === 'PRIMARY');
        const others = s.status?.deployments?.filter((d) => d.status === 'ACTIVE') ?? [];
        return s.status?.runningCount === n && primary?.taskDefinition === taskDefinition && primary.rolloutState === 'COMPLETED' && others.length === 0 ? true : undefined;
      }, { timeoutMs: 300_000 });

      const nativeStart = await timed(async () => {
        await apps.createNamespacedDeployment({
          namespace,
          body: { metadata: { name }, spec: { replicas: n, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [container('nginx:1.27')] } } } },
        });
        await deploymentReady('nginx:1.27');
      });
      const writesBefore = await operator.writes();
      const ecsStart = await timed(async () => {
        const spec = (image: string) => ({ containerDefinitions: [{ name: 'web', image, cpu: 10, memory: 16 }] });
        await custom.createNamespacedCustomObject({ ...coordinates, plural: 'taskdefinitions', body: { apiVersion: 'ecs.operator.dev/v1alpha1', kind: 'TaskDefinition', metadata: { name }, spec: spec('nginx:1.27') } });
        await custom.createNamespacedCustomObject({ ...coordinates, plural: 'services', body: { apiVersion: 'ecs.operator.dev/v1alpha1', kind: 'Service', metadata: { name }, spec: { taskDefinition: name, desiredCount: n } } });
        await serviceReady(`${name}:1`);
      });
      const startWrites = (await operator.writes()) - writesBefore;
      results.push({ label: `${n} tasks: start`, nativeMs: nativeStart, ecsMs: ecsStart });

      const nativeRoll = await timed(async () => {
        await apps.patchNamespacedDeployment({ name, namespace, body: { spec: { template: { spec: { containers: [container('nginx:1.28')] } } } } }, mergePatch);
        await deploymentReady('nginx:1.28');
      });
      const ecsRoll = await timed(async () => {
        await custom.patchNamespacedCustomObject({ ...coordinates, plural: 'taskdefinitions', name, body: { spec: { containerDefinitions: [{ name: 'web', image: 'nginx:1.28', cpu: 10, memory: 16 }] } } }, mergePatch);
        await serviceReady(`${name}:2`);
      });
      results.push({ label: `${n} tasks: roll 1→2 (100/200)`, nativeMs: nativeRoll, ecsMs: ecsRoll });
      process.stdout.write(`${n} tasks: the operator made ${startWrites} API writes to start them (${(startWrites / n).toFixed(2)} per task)\n`);
    }
  } finally {
    await operator.finish();
    await ns.remove();
    await cluster.release();
  }
  process.stdout.write('\nECS Service vs native Deployment, same control plane, same run (ratio = ECS / native):\n');
  for (const r of results) {
    process.stdout.write(`${r.label.padEnd(32)} native ${(r.nativeMs / 1000).toFixed(2)} s   ecs ${(r.ecsMs / 1000).toFixed(2)} s   ratio ${(r.ecsMs / r.nativeMs).toFixed(2)}\n`);
  }
  const heap = process.memoryUsage();
  process.stdout.write(`operator process (with the bench itself): rss ${(heap.rss / 2 ** 20).toFixed(0)} MiB, heap ${(heap.heapUsed / 2 ** 20).toFixed(0)} MiB\n`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
