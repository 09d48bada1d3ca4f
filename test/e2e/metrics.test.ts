// Resource metrics on the local control plane: kwok reports what the test hooks of test/cluster/resource-usage.yaml
// say each pod uses, metrics-server serves it as metrics.k8s.io (what `kubectl top` reads), and a
// HorizontalPodAutoscaler imported from Application Auto Scaling JSON scales an ecs-operator Service on it.
import { expect } from 'chai';
import { AutoscalingV2Api, PatchStrategy, setHeaderOptions, type V1Pod } from '@kubernetes/client-node';
import { ECS_API_VERSION } from '../../operator/src/api/meta.js';
import type { Service, ServiceSpec } from '../../operator/src/api/service.js';
import type { TaskDefinitionSpec } from '../../operator/src/api/taskdefinition.js';
import { autoscalersOf } from '../../operator/src/cli/autoscaling-json.js';
import { processIO } from '../../operator/src/cli/io.js';
import { loadInput } from '../../operator/src/cli/resources.js';
import { isReady } from '../../operator/src/translate/readiness.js';
import { quantityToNumber } from '../../operator/src/translate/units.js';
import { metricsUnavailable } from '../cluster/cluster.js';
import { startOperator, type RunningOperator } from './harness.js';
import { clients, installCrds, throwawayNamespace, waitFor } from './helpers.js';

const { kc, core, apps, custom } = clients();
const autoscaling = kc.makeApiClient(AutoscalingV2Api);
const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const CPU_USAGE = 'test.ecs.operator.dev/cpu-usage';
const MEMORY_USAGE = 'test.ecs.operator.dev/memory-usage';

interface ContainerMetrics {
  name: string;
  usage: { cpu: string; memory: string };
}
interface PodMetrics {
  metadata: { name: string };
  containers: ContainerMetrics[];
}
interface NodeMetrics {
  metadata: { name: string };
  usage: { cpu: string; memory: string };
}

const metricsApi = { group: 'metrics.k8s.io', version: 'v1beta1' };

/** A metrics quantity as a number (metrics-server gives CPU in nanocores, `250123456n`). */
function parseQuantity(quantity: string): number {
  const value = quantityToNumber(quantity);
  if (value === undefined) throw new Error(`not a quantity: ${quantity}`);
  return value;
}

describe('resource metrics and autoscaling', function () {
  let namespace: string;
  let removeNamespace: (() => Promise<void>) | undefined;
  let operator: RunningOperator | undefined;

  const podsOf = async (selector: string): Promise<V1Pod[]> =>
    (await core.listNamespacedPod({ namespace, labelSelector: selector })).items.filter((p) => !p.metadata?.deletionTimestamp);
  const podMetrics = async (name: string) =>
    (await custom.getNamespacedCustomObject({ ...metricsApi, namespace, plural: 'pods', name }).catch(() => undefined)) as PodMetrics | undefined;
  /** Sets the simulated CPU usage of each pod (kwok reads the annotation at every scrape). */
  const useCpu = async (pods: V1Pod[], cpu: string) => {
    for (const pod of pods) {
      await core.patchNamespacedPod({ namespace, name: pod.metadata!.name!, body: { metadata: { annotations: { [CPU_USAGE]: cpu } } } }, mergePatch);
    }
  };

  before(async () => {
    const reason = await metricsUnavailable(kc, 60_000);
    if (reason) throw new Error(`the control plane serves no metrics.k8s.io (${reason}); start it with npm run cluster:up, which runs metrics-server`);
    await installCrds();
    ({ name: namespace, remove: removeNamespace } = await throwawayNamespace(core, 'metrics'));
  });
  after(async () => {
    await operator?.finish();
    await removeNamespace?.();
  });

  it("serves each pod's simulated usage per container, and its node's, as kubectl top reads them", async () => {
    const labels = { app: 'usage' };
    await apps.createNamespacedDeployment({
      namespace,
      body: {
        metadata: { name: 'usage' },
        spec: {
          replicas: 2,
          selector: { matchLabels: labels },
          template: {
            metadata: { labels, annotations: { [CPU_USAGE]: '250m', [MEMORY_USAGE]: '64Mi' } },
            spec: { containers: ['app', 'sidecar'].map((name) => ({ name, image: 'nginx:1.27', resources: { requests: { cpu: '500m', memory: '128Mi' } } })) },
          },
        },
      },
    });
    const pods = await waitFor('2 ready pods', async () => {
      const found = await podsOf('app=usage');
      return found.length === 2 && found.every(isReady) ? found : undefined;
    });
    const byPod = await waitFor(
      'metrics of both pods',
      async () => {
        const all = await Promise.all(pods.map((p) => podMetrics(p.metadata!.name!)));
        return all.every((m) => m && m.containers.length === 2) ? (all as PodMetrics[]) : undefined;
      },
      { timeoutMs: 90_000 },
    );
    for (const metrics of byPod) {
      expect(metrics.containers.map((c) => c.name).sort()).to.deep.equal(['app', 'sidecar']);
      for (const { usage } of metrics.containers) {
        // CPU is a rate over two scrapes of a counter: within a few millicores of the annotation.
        expect(parseQuantity(usage.cpu)).to.be.closeTo(0.25, 0.01);
        expect(parseQuantity(usage.memory)).to.equal(64 * 2 ** 20);
      }
    }
    const nodeNames = new Set(pods.map((p) => p.spec!.nodeName!));
    const nodes = await waitFor(
      "metrics of the pods' nodes",
      async () => {
        const list = (await custom.listClusterCustomObject({ ...metricsApi, plural: 'nodes' })) as { items: NodeMetrics[] };
        const found = list.items.filter((n) => nodeNames.has(n.metadata.name));
        return found.length === nodeNames.size ? found : undefined;
      },
      { timeoutMs: 90_000 },
    );
    // A node uses what its pods use: at least the 2 × 250m of one pod.
    for (const node of nodes) expect(parseQuantity(node.usage.cpu)).to.be.at.least(0.49);
  });

  it('an HPA imported from Application Auto Scaling JSON scales a Service out under load and back in when it drops', async function () {
    this.timeout(420_000);
    operator = await startOperator(namespace);
    const spec: TaskDefinitionSpec = {
      // 512 CPU units request 500m; the test hook's label (from dockerLabels) gives each new task 100m, 20%.
      containerDefinitions: [{ name: 'worker', image: 'busybox:1.36', cpu: 512, memory: 128, dockerLabels: { [CPU_USAGE]: '100m' } }],
    };
    const create = (plural: string, kind: string, name: string, body: object) =>
      custom.createNamespacedCustomObject({
        group: 'ecs.operator.dev',
        version: 'v1alpha1',
        namespace,
        plural,
        body: { apiVersion: ECS_API_VERSION, kind, metadata: { name }, spec: body },
      });
    await create('taskdefinitions', 'TaskDefinition', 'worker', spec);
    await create('services', 'Service', 'worker', { taskDefinition: 'worker', desiredCount: 2 } satisfies ServiceSpec);
    const getService = async () =>
      (await custom.getNamespacedCustomObject({ group: 'ecs.operator.dev', version: 'v1alpha1', namespace, plural: 'services', name: 'worker' })) as Service;
    const selector = 'ecs.operator.dev/service=worker';
    const running = await waitFor(
      '2 ready tasks of worker',
      async () => {
        const pods = await podsOf(selector);
        return pods.length === 2 && pods.every(isReady) ? pods : undefined;
      },
      { timeoutMs: 90_000 },
    );

    const io = processIO();
    const files = ['test/fixtures/aws/worker.register-scalable-target.json', 'test/fixtures/aws/worker.put-scaling-policy.json'];
    const [hpa] = autoscalersOf(io, loadInput(io, files).autoScaling, namespace);
    // The cooldowns of 0 s are the stabilization windows, so the test needs not wait out the HPA's default 5 minutes.
    expect(hpa!.spec.behavior).to.deep.equal({ scaleUp: { stabilizationWindowSeconds: 0 }, scaleDown: { stabilizationWindowSeconds: 0 } });
    await autoscaling.createNamespacedHorizontalPodAutoscaler({ namespace, body: hpa! });

    // 450m of 500m is 90%, against a 50% target: more tasks.
    await useCpu(running, '450m');
    const out = await waitFor(
      'the HPA to raise desiredCount above 2',
      async () => {
        const service = await getService();
        return (service.spec.desiredCount ?? 0) > 2 ? service : undefined;
      },
      {
        timeoutMs: 180_000,
        describe: async () => JSON.stringify((await autoscaling.readNamespacedHorizontalPodAutoscaler({ name: 'worker', namespace })).status),
      },
    );
    expect(out.spec.desiredCount).to.be.within(3, 5);

    // 20m is 4%: back to MinCapacity. New tasks are already at 100m (their label); the patch covers the old ones.
    await waitFor(
      'the HPA to lower desiredCount to 2',
      async () => {
        await useCpu(
          (await podsOf(selector)).filter((p) => p.metadata?.annotations?.[CPU_USAGE] !== '20m'),
          '20m',
        );
        const service = await getService();
        return service.spec.desiredCount === 2 ? service : undefined;
      },
      {
        timeoutMs: 180_000,
        describe: async () => JSON.stringify((await autoscaling.readNamespacedHorizontalPodAutoscaler({ name: 'worker', namespace })).status),
      },
    );
    const status = (await autoscaling.readNamespacedHorizontalPodAutoscaler({ name: 'worker', namespace })).status;
    expect(status?.conditions?.find((c) => c.type === 'ScalingActive')?.status).to.equal('True');
  });
});
