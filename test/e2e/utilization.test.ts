// ECS utilization on the local control plane: tasks report the usage their test hooks state (kwok, served by
// metrics-server as metrics.k8s.io), and the operator's status says what ECS would: each Service's
// CPUUtilization / MemoryUtilization (usage over what its RUNNING tasks reserve), each Cluster's (its tasks'
// usage over what its container instances registered) and each container instance's (its node's usage over
// what it registered). The expected figures are computed here from the hooks and the pods' requests.
import https from 'node:https';
import { expect } from 'chai';
import { PatchStrategy, setHeaderOptions, type V1Node, type V1Pod } from '@kubernetes/client-node';
import type { Cluster } from '../../operator/src/api/cluster.js';
import { ECS_API_VERSION } from '../../operator/src/api/meta.js';
import type { Service, ServiceSpec } from '../../operator/src/api/service.js';
import type { TaskDefinitionSpec } from '../../operator/src/api/taskdefinition.js';
import { quantityToNumber } from '../../operator/src/translate/units.js';
import { metricsUnavailable } from '../cluster/cluster.js';
import { startOperator, type RunningOperator } from './harness.js';
import { clients, installCrds, throwawayNamespace, waitFor } from './helpers.js';

const { kc, core, custom } = clients();
const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const CPU_USAGE = 'test.ecs.operator.dev/cpu-usage';
const MEMORY_USAGE = 'test.ecs.operator.dev/memory-usage';
const ECS = { group: 'ecs.operator.dev', version: 'v1alpha1' };
/** The tolerance the issue asks for: within one percentage point of the simulated usage. */
const POINTS = 1;

const quantity = (value: string | undefined): number => quantityToNumber(value ?? '0') ?? 0;

/** What kwok reports a pod's containers use (resource-usage.yaml): the annotation, else the label, else 1m and 1Mi each. */
function simulatedUsage(pod: V1Pod): { cpu: number; memory: number } {
  const hook = (key: string, fallback: string) => quantity(pod.metadata?.annotations?.[key] ?? pod.metadata?.labels?.[key] ?? fallback);
  const containers = pod.spec?.containers.length ?? 0;
  return { cpu: containers * hook(CPU_USAGE, '1m'), memory: containers * hook(MEMORY_USAGE, '1Mi') };
}

/** What a task reserves, as ECS counts it: the task size where set (pod-level requests), else its containers' sum. */
function reservation(pod: V1Pod): { cpu: number; memory: number } {
  const sum = (name: 'cpu' | 'memory') =>
    pod.spec?.resources?.requests?.[name] !== undefined
      ? quantity(pod.spec.resources.requests[name])
      : (pod.spec?.containers ?? []).reduce((total, c) => total + quantity(c.resources?.requests?.[name]), 0);
  return { cpu: sum('cpu'), memory: sum('memory') };
}

const percent = (part: number, whole: number) => (100 * part) / whole;
const running = (pods: readonly V1Pod[]) => pods.filter((p) => p.status?.phase === 'Running' && !p.metadata?.deletionTimestamp);
const total = (items: ReadonlyArray<{ cpu: number; memory: number }>) =>
  items.reduce((a, b) => ({ cpu: a.cpu + b.cpu, memory: a.memory + b.memory }), { cpu: 0, memory: 0 });

interface Figures {
  cpuUtilization?: number;
  memoryUtilization?: number;
}
const near = (shown: Figures | undefined, expected: { cpu: number; memory: number }) =>
  shown?.cpuUtilization !== undefined &&
  shown.memoryUtilization !== undefined &&
  Math.abs(shown.cpuUtilization - expected.cpu) <= POINTS &&
  Math.abs(shown.memoryUtilization - expected.memory) <= POINTS;

interface Table {
  columnDefinitions: Array<{ name: string; priority?: number }>;
  rows: Array<{ cells: unknown[]; object: { metadata: { name: string } } }>;
}

/** `path` as the API server's Table (what kubectl get prints), with every column (-o wide). */
async function tableOf(path: string): Promise<Table> {
  const url = new URL(kc.getCurrentCluster()!.server + path);
  const options: https.RequestOptions = {
    hostname: url.hostname,
    port: url.port,
    path: `${url.pathname}${url.search}`,
    headers: { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' },
  };
  await kc.applyToHTTPSOptions(options);
  return new Promise((resolve, reject) => {
    https
      .get(options, (response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk.toString()));
        response.on('end', () =>
          response.statusCode === 200 ? resolve(JSON.parse(body) as Table) : reject(new Error(`${path}: ${response.statusCode} ${body}`)),
        );
      })
      .on('error', reject);
  });
}

describe('ECS utilization in status, kubectl get, summary columns and Prometheus', function () {
  this.timeout(300_000);
  let namespace: string;
  let removeNamespace: (() => Promise<void>) | undefined;
  let operator: RunningOperator | undefined;

  const create = (plural: string, kind: string, name: string, spec: object) =>
    custom.createNamespacedCustomObject({ ...ECS, namespace, plural, body: { apiVersion: ECS_API_VERSION, kind, metadata: { name }, spec } });
  const getService = async (name: string) => (await custom.getNamespacedCustomObject({ ...ECS, namespace, plural: 'services', name })) as Service;
  const getCluster = async () => (await custom.getNamespacedCustomObject({ ...ECS, namespace, plural: 'clusters', name: 'default' })) as Cluster;
  const tasksOf = async (service: string) =>
    (await core.listNamespacedPod({ namespace, labelSelector: `ecs.operator.dev/service=${service}` })).items.filter((p) => !p.metadata?.deletionTimestamp);

  /** ECS service utilization of `service`'s RUNNING tasks as the hooks make it. */
  const expectedService = async (service: string) => {
    const tasks = running(await tasksOf(service));
    const used = total(tasks.map(simulatedUsage));
    const reserved = total(tasks.map(reservation));
    return { cpu: percent(used.cpu, reserved.cpu), memory: percent(used.memory, reserved.memory) };
  };
  /** The Cluster's: its RUNNING tasks' usage over every node's allocatable (the Cluster selects all nodes). */
  const expectedCluster = async (nodes: readonly V1Node[]) => {
    const tasks = running((await core.listNamespacedPod({ namespace, labelSelector: 'ecs.operator.dev/cluster=default' })).items);
    const used = total(tasks.map(simulatedUsage));
    const registered = total(nodes.map((n) => ({ cpu: quantity(n.status?.allocatable?.cpu), memory: quantity(n.status?.allocatable?.memory) })));
    return { cpu: percent(used.cpu, registered.cpu), memory: percent(used.memory, registered.memory) };
  };
  /** A container instance's: every running pod on its node, of any namespace, over its allocatable. */
  const expectedInstance = async (node: V1Node) => {
    const pods = running((await core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${node.metadata!.name!}` })).items);
    const used = total(pods.map(simulatedUsage));
    return { cpu: percent(used.cpu, quantity(node.status?.allocatable?.cpu)), memory: percent(used.memory, quantity(node.status?.allocatable?.memory)) };
  };
  const describeStatus = (name: string) => async () =>
    JSON.stringify({ shown: await getService(name).then((s) => s.status), expected: await expectedService(name) });

  before(async () => {
    const reason = await metricsUnavailable(kc, 60_000);
    if (reason) throw new Error(`the control plane serves no metrics.k8s.io (${reason}); start it with npm run cluster:up, which runs metrics-server`);
    await installCrds();
    ({ name: namespace, remove: removeNamespace } = await throwawayNamespace(core, 'util'));
    operator = await startOperator(namespace);
  });
  after(async () => {
    await operator?.finish();
    await removeNamespace?.();
  });

  it("shows each Service's, the Cluster's and each container instance's utilization as the simulated usage makes it, within a point", async () => {
    // api: containers reserve 500m + 250m and 128 + 64 MiB; each uses 200m and 48Mi (the hooks, from dockerLabels).
    const api: TaskDefinitionSpec = {
      containerDefinitions: [
        { name: 'app', image: 'nginx:1.27', cpu: 512, memory: 256, memoryReservation: 128, dockerLabels: { [CPU_USAGE]: '200m', [MEMORY_USAGE]: '48Mi' } },
        { name: 'proxy', image: 'envoy:1.31', cpu: 256, memory: 64, dockerLabels: { [CPU_USAGE]: '200m', [MEMORY_USAGE]: '48Mi' } },
      ],
    };
    // sized: the task size (1 vCPU, 512 MiB) is the reservation; its one container uses 300m and 128Mi.
    const sized: TaskDefinitionSpec = {
      cpu: '1024',
      memory: '512',
      containerDefinitions: [{ name: 'worker', image: 'busybox:1.36', dockerLabels: { [CPU_USAGE]: '300m', [MEMORY_USAGE]: '128Mi' } }],
    };
    await create('taskdefinitions', 'TaskDefinition', 'api', api);
    await create('taskdefinitions', 'TaskDefinition', 'sized', sized);
    await create('services', 'Service', 'api', { taskDefinition: 'api', desiredCount: 2 } satisfies ServiceSpec);
    await create('services', 'Service', 'sized', { taskDefinition: 'sized', desiredCount: 1 } satisfies ServiceSpec);

    for (const name of ['api', 'sized']) {
      const service = await waitFor(
        `status.cpuUtilization and memoryUtilization of Service ${name} near the simulated usage`,
        async () => {
          const s = await getService(name);
          return (s.status?.runningCount ?? 0) === s.spec.desiredCount && near(s.status, await expectedService(name)) ? s : undefined;
        },
        { timeoutMs: 120_000, describe: describeStatus(name) },
      );
      const expected = await expectedService(name);
      expect(service.status!.cpuUtilization, `${name} CPU`).to.be.closeTo(expected.cpu, POINTS);
      expect(service.status!.memoryUtilization, `${name} memory`).to.be.closeTo(expected.memory, POINTS);
    }
    // The figures the numbers give, so that the helpers above cannot agree with a wrong operator.
    expect((await expectedService('api')).cpu).to.be.closeTo(53.3, 0.1); // 400m of 750m
    expect((await expectedService('api')).memory).to.equal(50); // 96 of 192 MiB
    expect(await expectedService('sized')).to.deep.equal({ cpu: 30, memory: 25 });

    const nodes = (await core.listNode()).items;
    const cluster = await waitFor(
      'the Cluster and the instances running its tasks to show utilization near the simulated usage',
      async () => {
        const c = await getCluster();
        if (!near(c.status, await expectedCluster(nodes))) return undefined;
        const busy = new Set((await core.listNamespacedPod({ namespace })).items.map((p) => p.spec?.nodeName));
        for (const node of nodes.filter((n) => busy.has(n.metadata?.name))) {
          const instance = c.status?.containerInstances?.find((i) => i.nodeName === node.metadata!.name);
          if (!near(instance, await expectedInstance(node))) return undefined;
        }
        return c;
      },
      { timeoutMs: 120_000, describe: async () => JSON.stringify((await getCluster()).status) },
    );
    const expected = await expectedCluster(nodes);
    expect(cluster.status!.cpuUtilization).to.be.closeTo(expected.cpu, POINTS);
    expect(cluster.status!.memoryUtilization).to.be.closeTo(expected.memory, POINTS);
    expect(cluster.status!.cpuUtilization, 'the tasks use something').to.be.above(0);
  });

  it("kubectl get shows the figures in the CRDs' columns, and the operator exposes them as Prometheus gauges", async () => {
    const services = await tableOf(`/apis/ecs.operator.dev/v1alpha1/namespaces/${namespace}/services`);
    const column = (table: Table, name: string) => table.columnDefinitions.findIndex((c) => c.name === name);
    const api = await getService('api');
    const row = services.rows.find((r) => r.object.metadata.name === 'api')!;
    expect(row.cells[column(services, 'CPU%')]).to.equal(api.status!.cpuUtilization);
    expect(row.cells[column(services, 'Memory%')]).to.equal(api.status!.memoryUtilization);
    expect(services.columnDefinitions.find((c) => c.name === 'CPU%')?.priority ?? 0, 'shown by plain kubectl get').to.equal(0);
    const clusters = await tableOf(`/apis/ecs.operator.dev/v1alpha1/namespaces/${namespace}/clusters`);
    const cluster = await getCluster();
    expect(clusters.rows[0]!.cells[column(clusters, 'CPU Used')]).to.equal(cluster.status!.cpuUtilization);
    expect(clusters.rows[0]!.cells[column(clusters, 'Memory Used')]).to.equal(cluster.status!.memoryUtilization);

    const scrape = await (await fetch(`http://127.0.0.1:${operator!.manager.healthPort!}/metrics`)).text();
    const gauge = (name: string, labels: string) => {
      const line = scrape.split('\n').find((l) => l.startsWith(`${name}{${labels}}`));
      return line === undefined ? undefined : Number(line.split(' ').pop());
    };
    const [apiNow, clusterNow] = [await getService('api'), await getCluster()];
    expect(gauge('ecs_operator_service_cpu_utilization_percent', `namespace="${namespace}",service="api"`)).to.equal(apiNow.status!.cpuUtilization);
    expect(gauge('ecs_operator_service_memory_utilization_percent', `namespace="${namespace}",service="api"`)).to.equal(apiNow.status!.memoryUtilization);
    expect(gauge('ecs_operator_cluster_cpu_utilization_percent', `namespace="${namespace}",cluster="default"`)).to.equal(clusterNow.status!.cpuUtilization);
    expect(gauge('ecs_operator_cluster_memory_utilization_percent', `namespace="${namespace}",cluster="default"`)).to.equal(
      clusterNow.status!.memoryUtilization,
    );
  });

  it('writes nothing while usage stays the same, and follows it when it changes', async function () {
    this.timeout(240_000);
    // Quiet first: the earlier tests' trailing writes are not this test's; it starts once the operator has written nothing for 2 s.
    let last = await operator!.writes();
    await waitFor(
      'the operator to write nothing for 2 s',
      async () => {
        await new Promise((r) => setTimeout(r, 2000));
        const now = await operator!.writes();
        const quiet = now === last;
        last = now;
        return quiet ? true : undefined;
      },
      { timeoutMs: 90_000 },
    );
    // A measured window, not a wait for something: two metrics periods (20 s each) and three scrapes of
    // metrics-server (15 s) with the same usage, each read by the operator, must write nothing.
    await new Promise((r) => setTimeout(r, 45_000));
    expect((await operator!.writes()) - last, 'writes with usage constant').to.equal(0);

    // 350m a container: the API service goes from 400m to 700m of 750m. No other event tells the operator.
    for (const pod of await tasksOf('api')) {
      await core.patchNamespacedPod({ namespace, name: pod.metadata!.name!, body: { metadata: { annotations: { [CPU_USAGE]: '350m' } } } }, mergePatch);
    }
    const expected = await expectedService('api');
    expect(expected.cpu).to.be.closeTo(93.3, 0.1);
    await waitFor(
      'Service api to show the new CPU utilization',
      async () => {
        const s = await getService('api');
        return near(s.status, expected) ? s : undefined;
      },
      { timeoutMs: 120_000, describe: describeStatus('api') },
    );
  });
});
