// The Helm chart against the real API server: its rendered manifests pass a server-side dry run, kube-scheduler
// accepts its scheduler configuration, it installs, upgrades and uninstalls with --wait (kwok makes the pods
// Ready), namespaced mode grants through Roles only, and the operator does its work with nothing but the
// chart's RBAC (impersonating the chart's ServiceAccount), so a permission the chart lacks fails here.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type KubernetesObject, RbacAuthorizationV1Api, type V1Deployment, type V1Pod } from '@kubernetes/client-node';
import { expect } from 'chai';
import { parse, stringify } from 'yaml';
import type { Service } from '../../operator/src/api/service.js';
import type { Task } from '../../operator/src/api/task.js';
import type { TaskDefinition } from '../../operator/src/api/taskdefinition.js';
import { ECS_API_VERSION } from '../../operator/src/api/meta.js';
import { defaultConfig } from '../../operator/src/runtime/config.js';
import { CHART_DIR, chartArgs, helm, kubeScheduler, kubectl, renderChart, templateChart, type ChartOptions } from './chart-helm.js';
import { allowed, applyChartRbac, type ChartRbac } from './chart-rbac.js';
import { startOperator, type RunningOperator } from './harness.js';
import { clients, installCrds, throwawayNamespace, waitFor } from './helpers.js';

const { kc, core, apps, custom } = clients();
const rbac = kc.makeApiClient(RbacAuthorizationV1Api);
const KUBECONFIG = process.env.KUBECONFIG!;

/** A throwaway namespace per test, removed afterwards even when the test fails. */
function namespaces(prefix: string): () => Promise<string> {
  const removals: (() => Promise<void>)[] = [];
  afterEach(async () => {
    await Promise.all(removals.splice(0).map((remove) => remove()));
  });
  return async () => {
    const { name, remove } = await throwawayNamespace(core, prefix);
    removals.push(remove);
    return name;
  };
}

/** helm install/upgrade with --wait, and the release's uninstall registered for after the test. */
async function helmDeploy(command: 'install' | 'upgrade', release: string, options: ChartOptions): Promise<void> {
  const { args, cleanup } = chartArgs(options);
  try {
    await helm([command, release, CHART_DIR, ...args, '--wait', '--timeout', '3m'], { env: { ...process.env, KUBECONFIG } });
  } finally {
    cleanup();
  }
}

const uninstall = (release: string, namespace: string) =>
  helm(['uninstall', release, '--namespace', namespace, '--wait', '--timeout', '2m'], { allowFailure: true, env: { ...process.env, KUBECONFIG } });

describe('Helm chart on the local control plane', function () {
  this.timeout(600_000);
  const namespace = namespaces('chart');

  before(async () => {
    await installCrds();
  });

  describe('server-side dry run of helm template --include-crds', () => {
    const dryRun = async (options: ChartOptions) => {
      const rendered = await templateChart(options, ['--include-crds']);
      expect(rendered.code, rendered.stderr).to.equal(0);
      const { stdout } = await kubectl(['apply', '--server-side', '--dry-run=server', '--validate=strict', '--field-manager=ecs-operator-e2e', '-f', '-'], {
        input: rendered.stdout,
      });
      const applied = stdout.trim().split('\n');
      const objects = (await renderChart({ ...options, includeCrds: true })).length;
      expect(applied.filter((line) => line.endsWith('serverside-applied (server dry run)'))).to.have.length(objects);
      return applied;
    };

    it('every object, scheduler and all, in cluster-wide mode', async () => {
      const ns = await namespace();
      const applied = await dryRun({ release: 'dry', namespace: ns, values: { scheduler: { enabled: true } } });
      expect(applied.join('\n')).to.include('customresourcedefinition.apiextensions.k8s.io/tasks.ecs.operator.dev');
      expect(applied.join('\n')).to.include('deployment.apps/dry-ecs-operator-scheduler');
    });

    it('every object in namespaced mode', async () => {
      const [ns, watched] = [await namespace(), await namespace()];
      const applied = await dryRun({ release: 'dry', namespace: ns, values: { watchNamespace: watched } });
      expect(applied.join('\n')).to.include('role.rbac.authorization.k8s.io/dry-ecs-operator');
    });
  });

  it("kube-scheduler accepts the chart's scheduler configuration and builds its three profiles", async () => {
    const configMap = (await renderChart({ values: { scheduler: { enabled: true } } })).find((o) => o.kind === 'ConfigMap') as { data: Record<string, string> };
    const dir = mkdtempSync(join(tmpdir(), 'ecs-scheduler-'));
    try {
      // Only a kubeconfig is added (in the cluster it uses its ServiceAccount); --write-config-to validates, builds
      // every profile's plugins, writes the configuration with its defaults and exits.
      const config = { ...(parse(configMap.data['config.yaml']!) as object), clientConnection: { kubeconfig: KUBECONFIG } };
      writeFileSync(join(dir, 'config.yaml'), stringify(config));
      await kubeScheduler([`--config=${join(dir, 'config.yaml')}`, `--write-config-to=${join(dir, 'out.yaml')}`]);
      const written = parse(readFileSync(join(dir, 'out.yaml'), 'utf8')) as { profiles: { schedulerName: string }[] };
      expect(written.profiles.map((p) => p.schedulerName)).to.deep.equal(['ecs-binpack-cpu', 'ecs-binpack-memory', 'ecs-random']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe('helm install, upgrade and uninstall with --wait', () => {
    const operatorDeployment = (release: string, ns: string) => apps.readNamespacedDeployment({ name: `${release}-ecs-operator`, namespace: ns });
    const clusterRoles = async (release: string) =>
      (await rbac.listClusterRole({ labelSelector: `app.kubernetes.io/instance=${release}` })).items.map((r) => r.metadata!.name!).sort();

    it('cluster-wide: 2 ready replicas over 2 nodes and the scheduler; an upgrade rolls them; uninstall leaves nothing but the CRDs', async () => {
      const ns = await namespace();
      const release = ns; // unique, so that its cluster-scoped objects are too
      try {
        await helmDeploy('install', release, { namespace: ns, values: { scheduler: { enabled: true } } });
        const deployment: V1Deployment = await operatorDeployment(release, ns);
        expect(deployment.status?.readyReplicas).to.equal(2);
        const pods: V1Pod[] = (await core.listNamespacedPod({ namespace: ns, labelSelector: 'app.kubernetes.io/component=operator' })).items;
        expect(new Set(pods.map((p) => p.spec?.nodeName)).size, 'replicas spread over nodes').to.equal(2);
        expect((await apps.readNamespacedDeployment({ name: `${release}-ecs-operator-scheduler`, namespace: ns })).status?.readyReplicas).to.equal(1);
        expect(await clusterRoles(release)).to.deep.equal([release.endsWith('ecs-operator') ? release : `${release}-ecs-operator`]);

        await helmDeploy('upgrade', release, { namespace: ns, values: { scheduler: { enabled: true }, logLevel: 'debug' } });
        const upgraded = await operatorDeployment(release, ns);
        expect(upgraded.metadata?.generation).to.be.greaterThan(deployment.metadata!.generation!);
        expect(upgraded.spec?.template.spec?.containers[0]?.args).to.include('--log-level=debug');
        expect(upgraded.status).to.include({ readyReplicas: 2, updatedReplicas: 2 });
        const history = await helm(['history', release, '--namespace', ns, '--output', 'json'], { env: { ...process.env, KUBECONFIG } });
        expect((JSON.parse(history.stdout) as { revision: number; status: string }[]).map((r) => [r.revision, r.status])).to.deep.equal([
          [1, 'superseded'],
          [2, 'deployed'],
        ]);
      } finally {
        await uninstall(release, ns);
      }
      expect(await clusterRoles(release)).to.deep.equal([]);
      expect((await apps.listNamespacedDeployment({ namespace: ns })).items).to.deep.equal([]);
      expect((await core.listNamespacedServiceAccount({ namespace: ns, labelSelector: `app.kubernetes.io/instance=${release}` })).items).to.deep.equal([]);
      // Helm never deletes CRDs (deleting them would delete every ECS resource in the cluster).
      await custom.listClusterCustomObject({ group: 'ecs.operator.dev', version: 'v1alpha1', plural: 'tasks' });
    });

    it('namespaced mode: a Role in the watched namespace and a ClusterRole for Nodes only', async () => {
      const [ns, watched] = [await namespace(), await namespace()];
      const release = ns;
      try {
        await helmDeploy('install', release, { namespace: ns, values: { watchNamespace: watched, replicaCount: 1 } });
        expect(await clusterRoles(release)).to.deep.equal([`${release}-ecs-operator-nodes`]);
        const nodesRole = await rbac.readClusterRole({ name: `${release}-ecs-operator-nodes` });
        expect(nodesRole.rules?.flatMap((r) => r.resources ?? [])).to.deep.equal(['nodes', 'nodes']);
        const roles = (await rbac.listNamespacedRole({ namespace: watched })).items.map((r) => r.metadata?.name);
        expect(roles).to.deep.equal([`${release}-ecs-operator`]);
        const deployment = await operatorDeployment(release, ns);
        expect(deployment.spec?.template.spec?.containers[0]?.args).to.include(`--namespace=${watched}`);
      } finally {
        await uninstall(release, ns);
      }
      expect(await clusterRoles(release)).to.deep.equal([]);
    });
  });

  describe("the operator with only the chart's RBAC (impersonating its ServiceAccount)", () => {
    // Either way the operator under test watches only its namespace, so that it never touches other suites' objects.
    for (const mode of ['namespaced', 'cluster-wide'] as const) {
      it(`${mode} RBAC: registers, runs, serves, stops and cleans up, with leader election on the chart's Lease`, async () => {
        const ns = await namespace();
        const chartRbac: ChartRbac = await applyChartRbac({ namespace: ns, ...(mode === 'namespaced' ? { watchNamespace: ns } : {}) });
        let operator: RunningOperator | undefined;
        try {
          // Impersonation is real: the ServiceAccount may create pods but not read Secrets.
          expect(await allowed(chartRbac.kubeConfig, 'create', 'pods', '', ns)).to.equal(true);
          expect(await allowed(chartRbac.kubeConfig, 'list', 'secrets', '', ns)).to.equal(false);
          const base = defaultConfig().leaderElection;
          operator = await startOperator(ns, {
            kc: chartRbac.kubeConfig,
            // No retention: a stopped task's pod is deleted at once, so that delete is exercised too.
            config: { leaderElection: { ...base, enabled: true, ...chartRbac.lease, identity: `e2e-${ns}` }, stoppedTaskRetentionMs: 0 },
          });
          await exerciseOperator(ns);
          expect((await operator.metrics.eventWriteFailures.get()).values[0]?.value ?? 0, 'Events refused').to.equal(0);
          expect(
            (await operator.metrics.informerRestarts.get()).values.filter((v) => v.value > 0),
            'informers that failed',
          ).to.deep.equal([]);
        } finally {
          // While the operator still runs: its finalizers (Services, TaskDefinition revisions) would hold the namespace.
          if (operator) await deleteEcsObjects(ns);
          await operator?.stop();
          await chartRbac.remove();
        }
      });
    }
  });
});

/** Drives every controller through the writes it makes, and waits for the outcomes a 403 would prevent. */
async function exerciseOperator(namespace: string): Promise<void> {
  const group = 'ecs.operator.dev';
  const version = 'v1alpha1';
  const create = (plural: string, kind: string, name: string, spec: object) =>
    custom.createNamespacedCustomObject({ group, version, namespace, plural, body: { apiVersion: ECS_API_VERSION, kind, metadata: { name }, spec } });
  const get = async <T>(plural: string, name: string) => (await custom.getNamespacedCustomObject({ group, version, namespace, plural, name })) as T;
  const until = <T>(plural: string, name: string, what: string, done: (o: T) => boolean) =>
    waitFor(
      `${plural}/${name} ${what}`,
      async () => {
        const obj = await get<T>(plural, name);
        return done(obj) ? obj : undefined;
      },
      { timeoutMs: 90_000, describe: async () => JSON.stringify((await get<{ status?: unknown }>(plural, name)).status ?? {}) },
    );

  const containerDefinitions = [{ name: 'web', image: 'nginx:1.27', cpu: 128, memory: 128, portMappings: [{ containerPort: 80, name: 'http' }] }];
  // ControllerRevisions and TaskDefinition status.
  await create('taskdefinitions', 'TaskDefinition', 'web', { family: 'web', containerDefinitions });
  await until<TaskDefinition>('taskdefinitions', 'web', 'registers revision 1', (td) => td.status?.revision === 1);
  // A Pod, the default Cluster (created), the Cluster's status from Nodes and Pods.
  await create('tasks', 'Task', 'once', { taskDefinition: 'web:1' });
  await until<Task>('tasks', 'once', 'RUNNING', (t) => t.status?.lastStatus === 'RUNNING');
  await until<{ status?: { registeredContainerInstancesCount?: number } }>(
    'clusters',
    'default',
    'counts its container instances',
    (c) => (c.status?.registeredContainerInstancesCount ?? 0) > 0,
  );
  // A ReplicaSet, a core Service for discovery, the Service's finalizer, and a DaemonSet.
  await create('services', 'Service', 'web', {
    taskDefinition: 'web',
    desiredCount: 2,
    loadBalancers: [{ containerName: 'web', containerPort: 80 }],
  });
  await create('services', 'Service', 'agent', { taskDefinition: 'web', schedulingStrategy: 'DAEMON' });
  await until<Service>('services', 'web', 'runs 2 tasks', (s) => s.status?.runningCount === 2 && s.status.deployments?.[0]?.rolloutState === 'COMPLETED');
  await until<Service>('services', 'agent', 'runs a task on each node', (s) => (s.status?.runningCount ?? 0) > 0);
  expect((await apps.listNamespacedReplicaSet({ namespace })).items.length).to.be.greaterThan(0);
  expect((await apps.listNamespacedDaemonSet({ namespace })).items.map((d) => d.metadata?.name)).to.deep.equal(['agent']);
  await core.readNamespacedService({ name: 'web', namespace });
  expect(
    (await core.listNamespacedEvent({ namespace })).items.some((e) => e.reportingComponent === 'ecs-operator'),
    'Events of the operator',
  ).to.equal(true);
  // Stopping a task deletes its pod; deleting a Service drains it and removes its finalizer.
  await custom.patchNamespacedCustomObject({
    group,
    version,
    namespace,
    plural: 'tasks',
    name: 'once',
    body: [{ op: 'add', path: '/spec/desiredStatus', value: 'STOPPED' }],
  });
  await until<Task>('tasks', 'once', 'STOPPED', (t) => t.status?.lastStatus === 'STOPPED');
  await waitFor("the stopped task's pod deleted", async () =>
    (await core.listNamespacedPod({ namespace, labelSelector: 'ecs.operator.dev/task=once' })).items.length === 0 ? true : undefined,
  );
  await custom.deleteNamespacedCustomObject({ group, version, namespace, plural: 'services', name: 'web' });
  await waitFor(
    'Service web gone (its finalizer removed)',
    async () =>
      ((await custom.listNamespacedCustomObject({ group, version, namespace, plural: 'services' })) as { items: Service[] }).items.some(
        (s) => s.metadata.name === 'web',
      )
        ? undefined
        : true,
    { timeoutMs: 90_000 },
  );
}

/** Deletes every ECS object of `namespace` and waits until the operator has released its finalizers. */
async function deleteEcsObjects(namespace: string): Promise<void> {
  const group = 'ecs.operator.dev';
  const version = 'v1alpha1';
  const plurals = ['services', 'tasks', 'taskdefinitions', 'clusters'];
  for (const plural of plurals) {
    await custom.deleteCollectionNamespacedCustomObject({ group, version, namespace, plural });
  }
  const left = async () => [
    ...(
      await Promise.all(
        plurals.map(async (plural) =>
          ((await custom.listNamespacedCustomObject({ group, version, namespace, plural })) as { items: KubernetesObject[] }).items.map(
            (o) => `${plural}/${o.metadata?.name}`,
          ),
        ),
      )
    ).flat(),
    ...(await apps.listNamespacedControllerRevision({ namespace })).items
      .filter((r) => r.metadata?.finalizers?.length)
      .map((r) => `controllerrevisions/${r.metadata?.name}`),
  ];
  await waitFor('every ECS object deleted and every finalizer released', async () => ((await left()).length === 0 ? true : undefined), {
    timeoutMs: 120_000,
    describe: async () => (await left()).join(', '),
  });
}
