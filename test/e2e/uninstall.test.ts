// Uninstalling: once the operator is gone, `ecs-operator uninstall` releases its finalizers, so deleting the ECS
// objects and their namespace completes instead of staying Terminating for good.
import { expect } from 'chai';
import { CoordinationV1Api, V1MicroTime } from '@kubernetes/client-node';
import { uninstall } from '../../operator/src/cli/uninstall.js';
import { ECS_API_VERSION } from '../../operator/src/api/meta.js';
import { startOperator, type RunningOperator } from './harness.js';
import { clients, installCrds, throwawayNamespace, waitFor } from './helpers.js';

const { kc, core, custom } = clients();
const coordination = kc.makeApiClient(CoordinationV1Api);
const group = 'ecs.operator.dev';
const version = 'v1alpha1';

describe('uninstall', function () {
  let namespace: string;
  let operator: RunningOperator | undefined;
  let remove: (() => Promise<void>) | undefined;

  before(async () => {
    await installCrds();
    ({ name: namespace, remove } = await throwawayNamespace(core, 'uninstall'));
    operator = await startOperator(namespace);
  });
  after(async () => {
    await operator?.stop();
    await remove?.();
  });

  const finalizersOf = async (plural: string, name: string) =>
    ((await custom.getNamespacedCustomObject({ group, version, namespace, plural, name })) as { metadata: { finalizers?: string[] } }).metadata.finalizers ??
    [];

  it('releases every finalizer of the operator once it is gone, and the namespace is then deleted at once', async () => {
    const spec = { containerDefinitions: [{ name: 'web', image: 'nginx:1.27', cpu: 128, memory: 128 }] };
    await custom.createNamespacedCustomObject({
      group,
      version,
      namespace,
      plural: 'taskdefinitions',
      body: { apiVersion: ECS_API_VERSION, kind: 'TaskDefinition', metadata: { name: 'web' }, spec },
    });
    await custom.createNamespacedCustomObject({
      group,
      version,
      namespace,
      plural: 'services',
      body: { apiVersion: ECS_API_VERSION, kind: 'Service', metadata: { name: 'web' }, spec: { taskDefinition: 'web', desiredCount: 1 } },
    });
    await waitFor('the Service to hold its drain finalizer', async () => ((await finalizersOf('services', 'web')).length > 0 ? true : undefined));
    await operator?.stop();
    operator = undefined;

    // A replica that still leads would put the finalizers back: refused unless forced.
    const renewTime = new V1MicroTime(Date.now());
    await coordination.createNamespacedLease({
      namespace,
      body: { metadata: { name: 'ecs-operator-leader' }, spec: { holderIdentity: 'replica-1', leaseDurationSeconds: 300, renewTime } },
    });
    const refused = await uninstall(kc, { namespace }).then(
      () => undefined,
      (error: unknown) => (error as Error).message,
    );
    expect(refused).to.match(/an operator still leads \(Lease .*ecs-operator-leader held by replica-1\)/);
    expect(await finalizersOf('services', 'web'), 'nothing released while refused').to.not.deep.equal([]);
    await coordination.deleteNamespacedLease({ namespace, name: 'ecs-operator-leader' });

    const { released } = await uninstall(kc, { namespace });
    expect(released).to.include(`Service ${namespace}/web`);
    expect(await finalizersOf('services', 'web')).to.deep.equal([]);
    expect(await finalizersOf('taskdefinitions', 'web')).to.deep.equal([]);
    expect((await uninstall(kc, { namespace })).released, 'a second run has nothing to do').to.deep.equal([]);

    await core.deleteNamespace({ name: namespace });
    await waitFor(
      `namespace ${namespace} deleted with nothing left Terminating`,
      async () =>
        core.readNamespace({ name: namespace }).then(
          () => undefined,
          () => true,
        ),
      { timeoutMs: 60_000 },
    );
  });
});
