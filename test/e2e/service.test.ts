// The Service controller on the real API server, with kwok nodes running the pods: scaling, rolling updates
// sampled against the ECS bounds, the circuit breaker with rollback, DAEMON services following nodes, service
// discovery, HPAs, deletion, and a restart of the operator in the middle of a rollout.
import { expect } from 'chai';
import { PatchStrategy, setHeaderOptions, Watch, type V1Pod, type V1ReplicaSet } from '@kubernetes/client-node';
import { ECS_API_VERSION } from '../../operator/src/api/meta.js';
import type { Service, ServiceSpec } from '../../operator/src/api/service.js';
import type { TaskDefinitionSpec } from '../../operator/src/api/taskdefinition.js';
import { taskBounds } from '../../operator/src/translate/rollout.js';
import { kubectl } from './chart-helm.js';
import { startOperator, type RunningOperator } from './harness.js';
import { clients, installCrds, throwawayNamespace, waitFor } from './helpers.js';

const { kc, core, apps, custom } = clients();
const group = 'ecs.operator.dev';
const version = 'v1alpha1';
const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const SERVICE_LABEL = 'ecs.operator.dev/service';

function taskSpec(image: string, dockerLabels: Record<string, string> = {}): TaskDefinitionSpec {
  return {
    containerDefinitions: [{
      name: 'web', image, cpu: 64, memory: 64,
      portMappings: [{ containerPort: 80, name: 'http' }],
      ...(Object.keys(dockerLabels).length > 0 ? { dockerLabels } : {}),
    }],
  };
}

const isReady = (p: V1Pod) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

describe('Service controller', function () {
  let namespace: string;
  let removeNamespace: () => Promise<void>;
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
    return waitFor(`service ${name} steady with ${count} tasks of ${taskDefinition}`, async () => {
      const svc = await getService(name);
      const pods = await livePods(name);
      const [primary, ...others] = svc.status?.deployments ?? [];
      const ok = others.every((d) => d.status === 'INACTIVE') && primary?.status === 'PRIMARY' && primary.rolloutState === 'COMPLETED' && primary.taskDefinition === taskDefinition
        && svc.status?.runningCount === count && pods.length === count && pods.every(isReady)
        && svc.status?.conditions?.some((c) => c.type === 'Steady' && c.status === 'True');
      return ok ? svc : undefined;
    }, { timeoutMs, describe: async () => JSON.stringify({ status: (await getService(name)).status, pods: (await livePods(name)).length }) });
  }

  /**
   * Follows the service's pods through a watch: every event gives the next state of the API server in order,
   * and each state is checked against the ECS bounds (tasks not being deleted ≤ max, ready ones ≥ min).
   */
  async function sampleBounds(service: string, desiredCount: number, minimumHealthyPercent: number, maximumPercent: number) {
    const { minHealthy, maxTasks } = taskBounds(desiredCount, { minimumHealthyPercent, maximumPercent });
    const known = new Map<string, V1Pod>();
    for (const pod of (await core.listNamespacedPod({ namespace, labelSelector: `${SERVICE_LABEL}=${service}` })).items) known.set(pod.metadata?.name ?? '', pod);
    const violations: string[] = [];
    let samples = 0;
    let peak = 0;
    let trough = Infinity;
    const request = await new Watch(kc).watch(`/api/v1/namespaces/${namespace}/pods`, { labelSelector: `${SERVICE_LABEL}=${service}` }, (phase, pod: V1Pod) => {
      if (phase === 'DELETED') known.delete(pod.metadata?.name ?? '');
      else known.set(pod.metadata?.name ?? '', pod);
      const live = [...known.values()].filter((p) => !p.metadata?.deletionTimestamp);
      const healthy = live.filter(isReady).length;
      samples += 1;
      peak = Math.max(peak, live.length);
      trough = Math.min(trough, healthy);
      if (live.length > maxTasks) violations.push(`${live.length} tasks > ${maxTasks}`);
      if (healthy < minHealthy) violations.push(`${healthy} healthy < ${minHealthy}`);
    }, () => undefined);
    return {
      stop: () => {
        request.abort();
        return { samples, violations, peak, trough, minHealthy, maxTasks };
      },
    };
  }

  before(async () => {
    await installCrds();
    ({ name: namespace, remove: removeNamespace } = await throwawayNamespace(core, 'svc'));
    operator = await startOperator(namespace);
  });
  after(async () => {
    await operator?.stop();
    await removeNamespace?.();
  });

  describe('circuit breaker', () => {
    it('marks a deployment whose image cannot be pulled FAILED and rolls back to the last COMPLETED one', async () => {
      await create('taskdefinitions', 'TaskDefinition', 'cb', taskSpec('nginx:1.27'));
      await create('services', 'Service', 'cb', {
        taskDefinition: 'cb', desiredCount: 4, deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: true } },
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
      expect(messages.some((m) => /^\(service cb\) has started \d+ tasks: \(task cb-2-/.test(m)), messages.join('\n')).to.equal(true);
      expect(messages.some((m) => /^\(service cb\) has stopped \d+ running tasks: \(task cb-2-/.test(m)), messages.join('\n')).to.equal(true);
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
      await custom.patchNamespacedCustomObjectScale({ group, version, namespace, plural: 'services', name: 'scale', body: { spec: { replicas: 2 } } }, mergePatch);
      await steady('scale', 2, 'scale:1');
      const scale = (await custom.getNamespacedCustomObjectScale({ group, version, namespace, plural: 'services', name: 'scale' })) as { spec: object; status: object };
      expect(scale.spec).to.deep.equal({ replicas: 2 });
      expect(scale.status).to.deep.equal({ replicas: 2, selector: `${SERVICE_LABEL}=scale` });
      expect((await replicaSetsOf('scale')).map((rs) => rs.metadata?.name)).to.deep.equal(['scale-1']);
    });

    it('costs no API request once converged, even when reconciled again', async () => {
      await steady('scale', 2, 'scale:1');
      const before = await operator.writes();
      // A label the controller ignores: the Service is reconciled, and nothing needs writing.
      await custom.patchNamespacedCustomObject({ group, version, namespace, plural: 'services', name: 'scale', body: { metadata: { labels: { touched: 'yes' } } } }, mergePatch);
      await new Promise((r) => setTimeout(r, 3000));
      expect(await operator.writes()).to.equal(before);
    });

    for (const [min, max] of [[100, 200], [50, 100], [0, 100]] as const) {
      it(`rolls revision 1 to 2 with desiredCount 10 under (${min}, ${max}) within the bounds at every pod event`, async () => {
        const name = `roll-${min}-${max}`;
        await create('taskdefinitions', 'TaskDefinition', name, taskSpec('nginx:1.27'));
        await create('services', 'Service', name, {
          taskDefinition: name, desiredCount: 10, deploymentConfiguration: { minimumHealthyPercent: min, maximumPercent: max },
        } satisfies ServiceSpec);
        await steady(name, 10, `${name}:1`);
        const sampler = await sampleBounds(name, 10, min, max);
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
        expect(svc.status?.deployments?.[0]).to.deep.include({ status: 'PRIMARY', rolloutState: 'COMPLETED', rolloutStateReason: `ECS deployment ${id} completed.` });
        const messages = svc.status?.events?.map((e) => e.message) ?? [];
        const completed = messages.indexOf(`(service ${name}) (deployment ${id}) deployment completed.`);
        const steadyAfter = messages.indexOf(`(service ${name}) has reached a steady state.`);
        expect(completed, messages.join('\n')).to.be.at.least(0);
        expect(steadyAfter, 'the newest steady-state event follows the completion').to.be.within(0, completed);
      });
    }
  });
});
