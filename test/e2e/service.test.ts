// The Service controller on the real API server, with kwok nodes running the pods: scaling, rolling updates
// sampled against the ECS bounds, the circuit breaker with rollback, DAEMON services following nodes, service
// discovery, HPAs, deletion, and a restart of the operator in the middle of a rollout.
import { expect } from 'chai';
import { PatchStrategy, setHeaderOptions, Watch, type V1Pod, type V1ReplicaSet } from '@kubernetes/client-node';
import { ECS_API_VERSION } from '../../operator/src/api/meta.js';
import type { Service, ServiceSpec } from '../../operator/src/api/service.js';
import type { TaskDefinitionSpec } from '../../operator/src/api/taskdefinition.js';
import { taskBounds } from '../../operator/src/translate/rollout.js';
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
      const ok = others.length === 0 && primary?.status === 'PRIMARY' && primary.rolloutState === 'COMPLETED' && primary.taskDefinition === taskDefinition
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
