// The Service controller on the real API server, with kwok nodes running the pods: scaling, rolling updates
// sampled against the ECS bounds, the circuit breaker with rollback, DAEMON services following nodes, service
// discovery, HPAs, deletion, and a restart of the operator in the middle of a rollout.
import { expect } from 'chai';
import {
  AutoscalingV2Api,
  DiscoveryV1Api,
  PatchStrategy,
  setHeaderOptions,
  Watch,
  type V1ControllerRevision,
  type V1ReplicaSet,
} from '@kubernetes/client-node';
import { ECS_API_VERSION } from '../../operator/src/api/meta.js';
import type { Service, ServiceSpec } from '../../operator/src/api/service.js';
import type { TaskDefinition, TaskDefinitionSpec } from '../../operator/src/api/taskdefinition.js';
import { REVISIONS_IN_USE_FINALIZER } from '../../operator/src/translate/revisions.js';
import { simulatedNode } from '../cluster/nodes.js';
import { kubectl } from './chart-helm.js';
import { watchServiceBounds } from './bounds.js';
import { startOperator, writesAroundReconcile, type RunningOperator } from './harness.js';
import { clients, installCrds, throwawayNamespace, waitFor } from './helpers.js';
import { isReady } from '../../operator/src/translate/readiness.js';

const { kc, core, apps, custom } = clients();
const autoscaling = kc.makeApiClient(AutoscalingV2Api);
const discovery = kc.makeApiClient(DiscoveryV1Api);
const group = 'ecs.operator.dev';
const version = 'v1alpha1';
const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const SERVICE_LABEL = 'ecs.operator.dev/service';

function taskSpec(image: string, dockerLabels: Record<string, string> = {}): TaskDefinitionSpec {
  return {
    containerDefinitions: [
      {
        name: 'web',
        image,
        cpu: 64,
        memory: 64,
        portMappings: [{ containerPort: 80, name: 'http' }],
        ...(Object.keys(dockerLabels).length > 0 ? { dockerLabels } : {}),
      },
    ],
  };
}

describe('Service controller', function () {
  let namespace: string;
  let removeNamespace: (() => Promise<void>) | undefined;
  let operator: RunningOperator;

  const getService = async (name: string) => (await custom.getNamespacedCustomObject({ group, version, namespace, plural: 'services', name })) as Service;
  const create = (plural: string, kind: string, name: string, spec: object) =>
    custom.createNamespacedCustomObject({ group, version, namespace, plural, body: { apiVersion: ECS_API_VERSION, kind, metadata: { name }, spec } });
  const patchSpec = (plural: string, name: string, spec: object) =>
    custom.patchNamespacedCustomObject({ group, version, namespace, plural, name, body: { spec } }, mergePatch);
  /** The service's pods that are not being deleted (ECS RUNNING and PENDING tasks). */
  const livePods = async (service: string) =>
    (await core.listNamespacedPod({ namespace, labelSelector: `${SERVICE_LABEL}=${service}` })).items.filter((p) => !p.metadata?.deletionTimestamp);
  const replicaSetsOf = async (service: string): Promise<V1ReplicaSet[]> =>
    (await apps.listNamespacedReplicaSet({ namespace, labelSelector: `${SERVICE_LABEL}=${service}` })).items;

  /** Waits until the service runs exactly `count` ready tasks of `taskDefinition` in one COMPLETED deployment. */
  async function steady(name: string, count: number, taskDefinition: string, timeoutMs = 90_000): Promise<Service> {
    return waitFor(
      `service ${name} steady with ${count} tasks of ${taskDefinition}`,
      async () => {
        const svc = await getService(name);
        const pods = await livePods(name);
        const [primary, ...others] = svc.status?.deployments ?? [];
        const ok =
          others.every((d) => d.status === 'INACTIVE') &&
          primary?.status === 'PRIMARY' &&
          primary.rolloutState === 'COMPLETED' &&
          primary.taskDefinition === taskDefinition &&
          svc.status?.runningCount === count &&
          pods.length === count &&
          pods.every(isReady) &&
          svc.status.conditions?.some((c) => c.type === 'Steady' && c.status === 'True');
        return ok ? svc : undefined;
      },
      { timeoutMs, describe: async () => JSON.stringify({ status: (await getService(name)).status, pods: (await livePods(name)).length }) },
    );
  }

  before(async () => {
    await installCrds();
    ({ name: namespace, remove: removeNamespace } = await throwawayNamespace(core, 'svc'));
    operator = await startOperator(namespace);
  });
  after(async () => {
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- unset when before() failed
    await operator?.finish();
    await removeNamespace?.();
  });

  describe('circuit breaker', () => {
    it('marks a deployment whose image cannot be pulled FAILED and rolls back to the last COMPLETED one', async () => {
      await create('taskdefinitions', 'TaskDefinition', 'cb', taskSpec('nginx:1.27'));
      await create('services', 'Service', 'cb', {
        taskDefinition: 'cb',
        desiredCount: 4,
        deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: true } },
      } satisfies ServiceSpec);
      const before = await steady('cb', 4, 'cb:1');
      const previousId = before.status?.deployments?.[0]?.id;
      await patchSpec('taskdefinitions', 'cb', taskSpec('nginx:does-not-exist', { 'test.ecs.operator.dev/pull-error': 'not-found' }));

      const failed = await waitFor('cb-2 FAILED', async () => {
        const rs = (await replicaSetsOf('cb')).find((r) => r.metadata?.name === 'cb-2');
        return rs?.metadata?.annotations?.['ecs.operator.dev/rollout-state'] === 'FAILED' ? rs : undefined;
      });
      expect(failed.metadata?.annotations?.['ecs.operator.dev/rollout-state-reason']).to.equal('ECS deployment circuit breaker: tasks failed to start.');
      const svc = await steady('cb', 4, 'cb:1');
      const [primary, rolledBack] = svc.status?.deployments ?? [];
      expect(primary?.id).to.equal(previousId);
      expect(rolledBack).to.deep.include({ status: 'INACTIVE', taskDefinition: 'cb:2', rolloutState: 'FAILED', desiredCount: 0, runningCount: 0 });
      expect(rolledBack?.failedTasks).to.be.at.least(3);
      expect(rolledBack?.circuitBreaker).to.deep.include({ status: 'TRIGGERED', threshold: 3 });
      const sets = Object.fromEntries((await replicaSetsOf('cb')).map((rs) => [rs.metadata?.name, rs.spec?.replicas]));
      expect(sets).to.deep.equal({ 'cb-1': 4, 'cb-2': 0 });
      expect((await livePods('cb')).every((p) => p.spec?.containers[0]?.image === 'nginx:1.27')).to.equal(true);
      const messages = svc.status?.events?.map((e) => e.message) ?? [];
      expect(messages).to.include(`(service cb) (deployment ${rolledBack?.id}) deployment failed: tasks failed to start.`);
      expect(messages).to.include(`(service cb) rolling back to deployment ${previousId}.`);
      expect(
        messages.some((m) => /^\(service cb\) has started \d+ tasks: \(task cb-2-/.test(m)),
        messages.join('\n'),
      ).to.equal(true);
      expect(
        messages.some((m) => /^\(service cb\) has stopped \d+ running tasks: \(task cb-2-/.test(m)),
        messages.join('\n'),
      ).to.equal(true);
    });
  });

  describe('circuit breaker without rollback', () => {
    it('marks a deployment whose tasks fail their health checks FAILED, starts no more of them, and keeps the old tasks', async () => {
      await create('taskdefinitions', 'TaskDefinition', 'sick', taskSpec('nginx:1.27'));
      await create('services', 'Service', 'sick', {
        taskDefinition: 'sick',
        desiredCount: 4,
        deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: false } },
      } satisfies ServiceSpec);
      await steady('sick', 4, 'sick:1');
      await patchSpec('taskdefinitions', 'sick', taskSpec('nginx:1.28', { 'test.ecs.operator.dev/never-ready': 'true' }));
      const svc = await waitFor('sick:2 FAILED', async () => {
        const current = await getService('sick');
        return current.status?.deployments?.[0]?.rolloutState === 'FAILED' ? current : undefined;
      });
      expect(svc.status?.deployments?.[0]).to.deep.include({
        status: 'PRIMARY',
        taskDefinition: 'sick:2',
        rolloutStateReason: 'ECS deployment circuit breaker: tasks failed health checks.',
      });
      expect(svc.status?.events?.map((e) => e.message)).to.include('(service sick) is unable to consistently start tasks successfully.');
      // Held: the failed deployment starts nothing more, the old one keeps its healthy tasks.
      await new Promise((r) => setTimeout(r, 3000));
      const sets = Object.fromEntries((await replicaSetsOf('sick')).map((rs) => [rs.metadata?.name, rs.spec?.replicas]));
      expect(sets).to.deep.equal({ 'sick-1': 4, 'sick-2': 0 });
      const pods = await livePods('sick');
      expect(pods.filter(isReady).map((p) => p.spec?.containers[0]?.image)).to.deep.equal(Array(4).fill('nginx:1.27'));
      expect(pods).to.have.length(4);
    });
  });

  describe('REPLICA', () => {
    it('runs desiredCount tasks in ReplicaSet NAME-REVISION and scales up and down to the exact count', async () => {
      await create('taskdefinitions', 'TaskDefinition', 'scale', taskSpec('nginx:1.27'));
      await create('services', 'Service', 'scale', { taskDefinition: 'scale', desiredCount: 3 } satisfies ServiceSpec);
      const svc = await steady('scale', 3, 'scale:1');
      const [rs] = await replicaSetsOf('scale');
      expect(rs?.metadata?.name).to.equal('scale-1');
      expect(rs?.metadata?.ownerReferences?.[0]).to.deep.include({ kind: 'Service', name: 'scale', controller: true, blockOwnerDeletion: true });
      expect(svc.status?.deployments?.[0]?.id).to.match(/^ecs-svc\/\d{19}$/);
      expect(svc.status?.selector).to.equal(`${SERVICE_LABEL}=scale`);
      expect(svc.status?.events?.map((e) => e.message)).to.include('(service scale) has reached a steady state.');

      await patchSpec('services', 'scale', { desiredCount: 6 });
      await steady('scale', 6, 'scale:1');
      await patchSpec('services', 'scale', { desiredCount: 1 });
      await steady('scale', 1, 'scale:1');

      // The scale subresource, as kubectl scale and HorizontalPodAutoscalers use it.
      await kubectl(['scale', '-n', namespace, 'services.ecs.operator.dev/scale', '--replicas=4']);
      await steady('scale', 4, 'scale:1');
      await custom.patchNamespacedCustomObjectScale(
        { group, version, namespace, plural: 'services', name: 'scale', body: { spec: { replicas: 2 } } },
        mergePatch,
      );
      await steady('scale', 2, 'scale:1');
      const scale = (await custom.getNamespacedCustomObjectScale({ group, version, namespace, plural: 'services', name: 'scale' })) as {
        spec: object;
        status: object;
      };
      expect(scale.spec).to.deep.equal({ replicas: 2 });
      expect(scale.status).to.deep.equal({ replicas: 2, selector: `${SERVICE_LABEL}=scale` });
      expect((await replicaSetsOf('scale')).map((rs) => rs.metadata?.name)).to.deep.equal(['scale-1']);
    });

    it('starts a new deployment of the same revision when forceNewDeployment changes', async () => {
      await patchSpec('services', 'scale', { forceNewDeployment: 'one' });
      await waitFor('a second ReplicaSet of revision 1', async () => ((await replicaSetsOf('scale')).length === 2 ? true : undefined));
      const svc = await steady('scale', 2, 'scale:1');
      const sets = Object.fromEntries((await replicaSetsOf('scale')).map((rs) => [rs.metadata?.name, rs.spec?.replicas]));
      const forced = Object.keys(sets).find((name) => name !== 'scale-1') ?? '';
      expect(forced).to.match(/^scale-1-[0-9a-f]{6}$/);
      expect(sets).to.deep.equal({ 'scale-1': 0, [forced]: 2 });
      expect(svc.status?.deployments?.[0]?.replicaSet).to.equal(forced);
    });

    it('costs no API request once converged, even when reconciled again', async () => {
      // Trailing writes of the earlier tests are not this test's: it starts once the operator is quiet.
      const { before, after } = await writesAroundReconcile(operator, { namespace, plural: 'services', name: 'scale' });
      expect(after).to.equal(before);
    });

    for (const [min, max] of [
      [100, 200],
      [50, 100],
      [0, 100],
    ] as const) {
      it(`rolls revision 1 to 2 with desiredCount 10 under (${min}, ${max}) within the bounds at every pod event`, async () => {
        const name = `roll-${min}-${max}`;
        await create('taskdefinitions', 'TaskDefinition', name, taskSpec('nginx:1.27'));
        await create('services', 'Service', name, {
          taskDefinition: name,
          desiredCount: 10,
          deploymentConfiguration: { minimumHealthyPercent: min, maximumPercent: max },
        } satisfies ServiceSpec);
        await steady(name, 10, `${name}:1`);
        const sampler = await watchServiceBounds(kc, namespace, name, 10, { minimumHealthyPercent: min, maximumPercent: max });
        await patchSpec('taskdefinitions', name, taskSpec('nginx:1.28'));
        const svc = await steady(name, 10, `${name}:2`);
        const result = sampler.stop();
        expect(result.violations, JSON.stringify(result)).to.deep.equal([]);
        expect(result.samples).to.be.greaterThan(20);
        // The rollout uses the room ECS gives it: the bounds are reached, never crossed.
        expect({ peak: result.peak, trough: result.trough }).to.deep.equal({ peak: result.maxTasks, trough: result.minHealthy });

        const sets = Object.fromEntries((await replicaSetsOf(name)).map((rs) => [rs.metadata?.name, rs.spec?.replicas]));
        expect(sets).to.deep.equal({ [`${name}-1`]: 0, [`${name}-2`]: 10 });
        const pods = await livePods(name);
        expect(pods.every((p) => p.spec?.containers[0]?.image === 'nginx:1.28')).to.equal(true);
        const id = svc.status?.deployments?.[0]?.id ?? '';
        expect(svc.status?.deployments?.[0]).to.deep.include({
          status: 'PRIMARY',
          rolloutState: 'COMPLETED',
          rolloutStateReason: `ECS deployment ${id} completed.`,
        });
        const messages = svc.status?.events?.map((e) => e.message) ?? [];
        const completed = messages.indexOf(`(service ${name}) (deployment ${id}) deployment completed.`);
        const steadyAfter = messages.indexOf(`(service ${name}) has reached a steady state.`);
        expect(completed, messages.join('\n')).to.be.at.least(0);
        expect(steadyAfter, 'the newest steady-state event follows the completion').to.be.within(0, completed);
      });
    }
  });
  describe('HorizontalPodAutoscaler', () => {
    it("scales a Service through the scale subresource (to its min and max replicas) and reads its tasks' metrics", async () => {
      await create('taskdefinitions', 'TaskDefinition', 'hpa', taskSpec('nginx:1.27'));
      await create('services', 'Service', 'hpa', { taskDefinition: 'hpa', desiredCount: 2 } satisfies ServiceSpec);
      await steady('hpa', 2, 'hpa:1');
      await autoscaling.createNamespacedHorizontalPodAutoscaler({
        namespace,
        body: {
          metadata: { name: 'hpa' },
          spec: {
            scaleTargetRef: { apiVersion: ECS_API_VERSION, kind: 'Service', name: 'hpa' },
            minReplicas: 4,
            maxReplicas: 6,
            metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }],
          },
        },
      });
      await steady('hpa', 4, 'hpa:1', 120_000);
      const hpa = await waitFor('the HPA to report AbleToScale', async () => {
        const current = await autoscaling.readNamespacedHorizontalPodAutoscaler({ name: 'hpa', namespace });
        return current.status?.conditions?.some((c) => c.type === 'AbleToScale' && c.status === 'True') ? current : undefined;
      });
      expect(hpa.status?.desiredReplicas).to.equal(4);
      expect(hpa.status?.conditions?.find((c) => c.type === 'AbleToScale')?.reason).to.equal('SucceededRescale');
      await autoscaling.patchNamespacedHorizontalPodAutoscaler({ name: 'hpa', namespace, body: { spec: { minReplicas: 1, maxReplicas: 3 } } }, mergePatch);
      await steady('hpa', 3, 'hpa:1', 120_000);
      // Within its bounds the HPA scales on metrics: metrics-server serves the tasks' simulated usage (scaling on it
      // is test/e2e/metrics.test.ts's).
      await waitFor(
        "the HPA to read the tasks' CPU",
        async () => {
          const current = await autoscaling.readNamespacedHorizontalPodAutoscaler({ name: 'hpa', namespace });
          const active = current.status?.conditions?.find((c) => c.type === 'ScalingActive');
          return active?.status === 'True' && active.reason === 'ValidMetricFound' ? true : undefined;
        },
        { timeoutMs: 120_000 },
      );
      await autoscaling.deleteNamespacedHorizontalPodAutoscaler({ name: 'hpa', namespace });
    });
  });

  describe('DAEMON', () => {
    const readyNodes = async () =>
      (await core.listNode()).items
        .filter((n) => !n.metadata?.deletionTimestamp && isReady(n))
        .map((n) => n.metadata?.name ?? '')
        .sort();
    /** Waits for one ready task of `taskDefinition` on each of `nodes`, and no other. */
    const onEveryNode = (nodes: string[], taskDefinition: string) =>
      waitFor(
        `one daemon task of ${taskDefinition} on each of ${nodes.length} nodes`,
        async () => {
          const pods = await livePods('daemon');
          const svc = await getService('daemon');
          const placed = pods.map((p) => p.spec?.nodeName ?? '').sort();
          const ok =
            JSON.stringify(placed) === JSON.stringify(nodes) &&
            pods.every(isReady) &&
            pods.every((p) => p.metadata?.annotations?.['ecs.operator.dev/task-definition'] === taskDefinition) &&
            svc.status?.desiredCount === nodes.length &&
            svc.status.runningCount === nodes.length &&
            svc.status.deployments?.length === 1 &&
            svc.status.deployments[0]?.rolloutState === 'COMPLETED';
          return ok ? svc : undefined;
        },
        {
          timeoutMs: 120_000,
          describe: async () =>
            JSON.stringify({ nodes, pods: (await livePods('daemon')).map((p) => p.spec?.nodeName), status: (await getService('daemon')).status?.deployments }),
        },
      );

    it('runs one task per container instance, rolls with the DAEMON defaults, and follows a node added and removed', async () => {
      const nodeName = `svc-e2e-${namespace}`;
      await create('taskdefinitions', 'TaskDefinition', 'daemon', taskSpec('fluentbit:1'));
      await create('services', 'Service', 'daemon', { taskDefinition: 'daemon', schedulingStrategy: 'DAEMON' } satisfies ServiceSpec);
      const nodes = await readyNodes();
      await onEveryNode(nodes, 'daemon:1');
      const ds = await apps.readNamespacedDaemonSet({ name: 'daemon', namespace });
      expect(ds.metadata?.ownerReferences?.[0]).to.deep.include({ kind: 'Service', name: 'daemon', controller: true });
      expect(ds.spec?.updateStrategy?.rollingUpdate).to.deep.include({ maxUnavailable: '100%', maxSurge: '0%' });

      // DAEMON defaults (0, 100): never more than one task per node.
      const sampler = await watchServiceBounds(kc, namespace, 'daemon', nodes.length, { minimumHealthyPercent: 0, maximumPercent: 100 });
      await patchSpec('taskdefinitions', 'daemon', taskSpec('fluentbit:2'));
      await onEveryNode(nodes, 'daemon:2');
      const result = sampler.stop();
      expect(result.violations, JSON.stringify(result)).to.deep.equal([]);

      try {
        await core.createNode({ body: simulatedNode(nodeName, { zone: 'us-east-1a', instanceType: 'm5.large', cpu: '2', memory: '8Gi' }) });
        await onEveryNode([...nodes, nodeName].sort(), 'daemon:2');
        await core.deleteNode({ name: nodeName });
        await onEveryNode(nodes, 'daemon:2');
      } finally {
        await core.deleteNode({ name: nodeName }).catch(() => undefined);
      }
    });
  });

  describe('service discovery', () => {
    it('publishes serviceRegistries and Service Connect names as core Services that select the tasks', async () => {
      await create('taskdefinitions', 'TaskDefinition', 'disco', taskSpec('nginx:1.27'));
      await create('services', 'Service', 'disco', {
        taskDefinition: 'disco',
        desiredCount: 2,
        serviceRegistries: [{ registryArn: 'arn:aws:servicediscovery:us-east-1:123456789012:service/srv-disco', containerName: 'web', containerPort: 80 }],
        serviceConnectConfiguration: {
          enabled: true,
          namespace,
          services: [{ portName: 'http', discoveryName: 'disco-api', clientAliases: [{ port: 8080 }] }],
        },
      } satisfies ServiceSpec);
      await steady('disco', 2, 'disco:1');
      const byName = await waitFor('both core Services', async () => {
        const list = (await core.listNamespacedService({ namespace, labelSelector: `${SERVICE_LABEL}=disco` })).items;
        return list.length === 2 ? Object.fromEntries(list.map((s) => [s.metadata?.name ?? '', s])) : undefined;
      });
      expect(byName.disco?.spec?.ports?.map((p) => ({ port: p.port, targetPort: p.targetPort, protocol: p.protocol }))).to.deep.equal([
        { port: 80, targetPort: 'http', protocol: 'TCP' },
      ]);
      expect(byName['disco-api']?.spec?.ports?.map((p) => ({ port: p.port, targetPort: p.targetPort }))).to.deep.equal([{ port: 8080, targetPort: 'http' }]);
      for (const service of Object.values(byName)) {
        expect(service.spec?.selector).to.deep.equal({ [SERVICE_LABEL]: 'disco' });
        expect(service.spec?.type).to.equal('ClusterIP');
        expect(service.metadata?.ownerReferences?.[0]).to.deep.include({ kind: 'Service', name: 'disco', controller: true });
      }
      const podIps = (await livePods('disco')).map((p) => p.status?.podIP).sort();
      await waitFor('the endpoints of disco-api to be the tasks', async () => {
        const slices = (await discovery.listNamespacedEndpointSlice({ namespace, labelSelector: 'kubernetes.io/service-name=disco-api' })).items;
        const ready = slices
          .flatMap((s) => s.endpoints ?? [])
          .filter((e) => e.conditions?.ready)
          .flatMap((e) => e.addresses)
          .sort();
        return JSON.stringify(ready) === JSON.stringify(podIps) ? true : undefined;
      });

      await patchSpec('services', 'disco', { serviceConnectConfiguration: { enabled: false } });
      await waitFor('disco-api removed', async () =>
        (await core.listNamespacedService({ namespace, labelSelector: `${SERVICE_LABEL}=disco` })).items.length === 1 ? true : undefined,
      );
    });

    it('leaves a core Service of the discovery name that it does not control untouched and reports ServiceNameTaken', async () => {
      // Someone else's Service, without the operator's labels: the label-selected cache never shows it.
      const theirs = await core.createNamespacedService({
        namespace,
        body: {
          metadata: { name: 'taken', labels: { owner: 'someone-else' } },
          spec: { type: 'ClusterIP', selector: { app: 'other' }, ports: [{ port: 9999 }] },
        },
      });
      await create('taskdefinitions', 'TaskDefinition', 'taken', taskSpec('nginx:1.27'));
      await create('services', 'Service', 'taken', {
        taskDefinition: 'taken',
        desiredCount: 1,
        serviceRegistries: [{ registryArn: 'arn:aws:servicediscovery:us-east-1:123456789012:service/srv-taken', containerName: 'web', containerPort: 80 }],
      } satisfies ServiceSpec);
      const svc = await waitFor('Valid=False ServiceNameTaken', async () => {
        const current = await getService('taken');
        const valid = current.status?.conditions?.find((c) => c.type === 'Valid');
        return valid?.status === 'False' && valid.reason === 'ServiceNameTaken' ? current : undefined;
      });
      expect(svc.status?.conditions?.find((c) => c.type === 'Valid')?.message).to.include("core Service named 'taken'");
      const events = await waitFor('a ServiceNameTaken Event', async () => {
        const list = (await core.listNamespacedEvent({ namespace, fieldSelector: 'involvedObject.name=taken,reason=ServiceNameTaken' })).items;
        return list.length > 0 ? list : undefined;
      });
      expect(events[0]?.message).to.include("core Service named 'taken'");
      // The tasks still run; the core Service is exactly as its owner left it.
      await waitFor('the task running', async () => ((await livePods('taken')).some(isReady) ? true : undefined));
      const after = await core.readNamespacedService({ namespace, name: 'taken' });
      expect(after.metadata?.resourceVersion).to.equal(theirs.metadata?.resourceVersion);
      expect(after.metadata?.ownerReferences ?? []).to.deep.equal([]);
      expect(after.spec?.selector).to.deep.equal({ app: 'other' });
      await core.deleteNamespacedService({ namespace, name: 'taken' });
    });
  });

  describe('deletion', () => {
    const revisionsOf = async (family: string): Promise<V1ControllerRevision[]> =>
      (await apps.listNamespacedControllerRevision({ namespace, labelSelector: `ecs.operator.dev/family=${family}` })).items;

    it('keeps a pinned revision while the Service runs it, and stops the tasks (DRAINING, then INACTIVE) before the Service goes', async () => {
      await create('taskdefinitions', 'TaskDefinition', 'pin', taskSpec('nginx:1.27'));
      await create('services', 'Service', 'pin', { taskDefinition: 'pin:1', desiredCount: 2 } satisfies ServiceSpec);
      await steady('pin', 2, 'pin:1');
      const taskDefinition = () =>
        custom.getNamespacedCustomObject({ group, version, namespace, plural: 'taskdefinitions', name: 'pin' }) as Promise<TaskDefinition>;
      await custom.deleteNamespacedCustomObject({ group, version, namespace, plural: 'taskdefinitions', name: 'pin' });
      const deleting = await waitFor('the TaskDefinition being deleted', async () => {
        const td = await taskDefinition();
        return td.metadata.deletionTimestamp ? td : undefined;
      });
      expect(deleting.metadata.finalizers, 'kept while the Service uses its revision').to.include(REVISIONS_IN_USE_FINALIZER);
      expect((await revisionsOf('pin')).map((r) => r.metadata?.name)).to.deep.equal(['pin-1']);
      await steady('pin', 2, 'pin:1');

      // A finalizer of the test's own keeps the Service readable after the operator lets it go.
      await custom.patchNamespacedCustomObject(
        {
          group,
          version,
          namespace,
          plural: 'services',
          name: 'pin',
          body: { metadata: { finalizers: ['ecs.operator.dev/drain-tasks', 'test.ecs.operator.dev/hold'] } },
        },
        mergePatch,
      );
      const seen: string[] = [];
      const watching = await new Watch(kc).watch(
        `/apis/${group}/${version}/namespaces/${namespace}/services`,
        { fieldSelector: 'metadata.name=pin' },
        (_phase, svc: Service) => {
          if (svc.status?.status && seen.at(-1) !== svc.status.status) seen.push(svc.status.status);
        },
        () => undefined,
      );
      await custom.deleteNamespacedCustomObject({ group, version, namespace, plural: 'services', name: 'pin' });
      const drained = await waitFor('the Service drained and released by the operator', async () => {
        const svc = await getService('pin');
        return svc.metadata.finalizers?.includes('ecs.operator.dev/drain-tasks') ? undefined : svc;
      });
      expect(drained.status).to.deep.include({ status: 'INACTIVE', desiredCount: 0, runningCount: 0, pendingCount: 0 });
      watching.abort();
      expect(seen).to.deep.equal(['ACTIVE', 'DRAINING', 'INACTIVE']);
      expect(await livePods('pin')).to.have.length(0);
      expect((await replicaSetsOf('pin')).map((rs) => rs.spec?.replicas)).to.deep.equal([0]);
      await custom.patchNamespacedCustomObject(
        { group, version, namespace, plural: 'services', name: 'pin', body: { metadata: { finalizers: [] } } },
        mergePatch,
      );
      await waitFor(
        'the ReplicaSets collected, the TaskDefinition and its revision released',
        async () => {
          const tdGone = await taskDefinition().then(
            () => false,
            () => true,
          );
          return tdGone && (await replicaSetsOf('pin')).length === 0 && (await revisionsOf('pin')).length === 0 ? true : undefined;
        },
        { timeoutMs: 90_000 },
      );
    });
  });

  describe('operator restart', () => {
    it('resumes a rollout after a restart without leaving the bounds or making a second ReplicaSet', async () => {
      await create('taskdefinitions', 'TaskDefinition', 'restart', taskSpec('nginx:1.27'));
      await create('services', 'Service', 'restart', {
        taskDefinition: 'restart',
        desiredCount: 10,
        deploymentConfiguration: { minimumHealthyPercent: 100, maximumPercent: 110 },
      } satisfies ServiceSpec);
      await steady('restart', 10, 'restart:1');
      const sampler = await watchServiceBounds(kc, namespace, 'restart', 10, { minimumHealthyPercent: 100, maximumPercent: 110 });
      // Stop the operator as soon as the new deployment has begun: one task at a time leaves it far from done.
      const begun = new Promise<void>((resolve) => {
        const request = new Watch(kc).watch(
          `/apis/apps/v1/namespaces/${namespace}/replicasets`,
          { labelSelector: `${SERVICE_LABEL}=restart` },
          (_phase, rs: V1ReplicaSet) => {
            if (rs.metadata?.name === 'restart-2' && (rs.status?.readyReplicas ?? 0) >= 1) {
              resolve();
              void request.then((r) => r.abort());
            }
          },
          () => undefined,
        );
      });
      await patchSpec('taskdefinitions', 'restart', taskSpec('nginx:1.28'));
      await begun;
      await operator.stop();
      const midway = Object.fromEntries((await replicaSetsOf('restart')).map((rs) => [rs.metadata?.name, rs.spec?.replicas ?? 0]));
      expect(midway['restart-1'], JSON.stringify(midway)).to.be.greaterThan(0);
      operator = await startOperator(namespace);
      await steady('restart', 10, 'restart:2');
      const result = sampler.stop();
      expect(result.violations, JSON.stringify(result)).to.deep.equal([]);
      const sets = Object.fromEntries((await replicaSetsOf('restart')).map((rs) => [rs.metadata?.name, rs.spec?.replicas]));
      expect(sets).to.deep.equal({ 'restart-1': 0, 'restart-2': 10 });
    });
  });
});
