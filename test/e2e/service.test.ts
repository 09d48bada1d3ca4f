// The Service controller on the real API server, with kwok nodes running the pods: scaling, rolling updates
// sampled against the ECS bounds, the circuit breaker with rollback, DAEMON services following nodes, service
// discovery, HPAs, deletion, and a restart of the operator in the middle of a rollout.
import { expect } from 'chai';
import { PatchStrategy, setHeaderOptions, type V1Pod, type V1ReplicaSet } from '@kubernetes/client-node';
import { ECS_API_VERSION } from '../../operator/src/api/meta.js';
import type { Service, ServiceSpec } from '../../operator/src/api/service.js';
import type { TaskDefinitionSpec } from '../../operator/src/api/taskdefinition.js';
import { taskBounds } from '../../operator/src/translate/rollout.js';
import { startOperator, type RunningOperator } from './harness.js';
import { clients, installCrds, throwawayNamespace, waitFor } from './helpers.js';

const { core, apps, custom } = clients();
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
  });
});
