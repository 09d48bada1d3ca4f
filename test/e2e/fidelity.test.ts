// Migration fidelity on the real API server: a field the operator accepts but does not apply is named by the
// Service's FieldsApplied condition, its status.warnings and a Warning Event; a load balancer's target group is
// joined by a TargetGroupBinding (the kind served by a CRD written from the AWS Load Balancer Controller's
// documented API, without that controller), bound to the core Service of discovery, deleted with the Service,
// and a binding of that name that is someone else's is never taken over; a Service's volumeConfigurations give each of its
// tasks a claim of its own (kube-controller-manager's ephemeral volume controller makes them).
import { expect } from 'chai';
import type { KubernetesObject } from '@kubernetes/client-node';
import { ECS_API_VERSION } from '../../operator/src/api/meta.js';
import type { ServiceSpec } from '../../operator/src/api/service.js';
import type { TaskDefinitionSpec } from '../../operator/src/api/taskdefinition.js';
import { TARGET_GROUP_BINDING, targetGroupBindingName, type TargetGroupBinding } from '../../operator/src/translate/target-group-bindings.js';
import { FIXTURE_CRD_DIR, installCrds as installCrdsFrom } from '../cluster/crds.js';
import { ecsObjects, group, version } from './ecs-objects.js';
import { startOperator, type RunningOperator } from './harness.js';
import { clients, installCrds, kubeConfig, throwawayNamespace, waitFor } from './helpers.js';

const { core, custom } = clients();
const TGB = { group: TARGET_GROUP_BINDING.group, version: TARGET_GROUP_BINDING.version, plural: TARGET_GROUP_BINDING.plural };
const ARN = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/web-tg/0123456789abcdef';

const taskDefinition: TaskDefinitionSpec = {
  containerDefinitions: [{ name: 'web', image: 'nginx:1.27', cpu: 64, memory: 64, portMappings: [{ containerPort: 80, name: 'http' }] }],
};

describe('Migration fidelity: fields not applied, target groups, per-task EBS volumes', function () {
  let namespace: string;
  let removeNamespace: (() => Promise<void>) | undefined;
  let operator: RunningOperator;

  const { create, getService, eventsOf, podsOf } = ecsObjects(() => namespace);
  const binding = async (name: string) =>
    (await custom.getNamespacedCustomObject({ ...TGB, namespace, name }).catch(() => undefined)) as TargetGroupBinding | undefined;

  before(async () => {
    await installCrds();
    // Served before the operator starts, as where the AWS Load Balancer Controller is installed.
    await installCrdsFrom(kubeConfig(), FIXTURE_CRD_DIR);
    ({ name: namespace, remove: removeNamespace } = await throwawayNamespace(core, 'fid'));
    operator = await startOperator(namespace);
    await create('taskdefinitions', 'TaskDefinition', 'web', taskDefinition);
  });
  after(async () => {
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- unset when before() failed
    await operator?.finish();
    await removeNamespace?.();
  });

  it('names enableExecuteCommand in the FieldsApplied condition, status.warnings and a Warning Event', async () => {
    await create('services', 'Service', 'exec', { taskDefinition: 'web', desiredCount: 1, enableExecuteCommand: true } satisfies ServiceSpec);
    const condition = await waitFor('FieldsApplied=False naming spec.enableExecuteCommand', async () => {
      const found = (await getService('exec')).status?.conditions?.find((c) => c.type === 'FieldsApplied');
      return found?.status === 'False' ? found : undefined;
    });
    expect(condition.reason).to.equal('NotApplied');
    expect(condition.message).to.match(/^spec\.enableExecuteCommand: ECS Exec is not set up/);
    expect((await getService('exec')).status?.warnings).to.deep.equal([condition.message]);
    const event = await waitFor('a NotApplied Warning Event', async () => (await eventsOf('exec')).find((e) => e.reason === 'NotApplied'));
    expect(event.type).to.equal('Warning');
    expect(event.message).to.equal(condition.message);
  });

  it('creates a TargetGroupBinding onto the core Service of discovery, and deletes it with the Service', async () => {
    await create('services', 'Service', 'lb', {
      taskDefinition: 'web',
      desiredCount: 1,
      loadBalancers: [{ targetGroupArn: ARN, containerName: 'web', containerPort: 80 }],
    } satisfies ServiceSpec);
    const name = targetGroupBindingName('lb', ARN);
    const created = await waitFor(`TargetGroupBinding ${name}`, () => binding(name));
    expect(created.spec).to.deep.equal({ targetGroupARN: ARN, targetType: 'ip', serviceRef: { name: 'lb', port: 80 } });
    const service = await getService('lb');
    expect(created.metadata?.ownerReferences).to.deep.equal([
      { apiVersion: ECS_API_VERSION, kind: 'Service', name: 'lb', uid: service.metadata.uid, controller: true, blockOwnerDeletion: true },
    ]);
    const coreService = await core.readNamespacedService({ namespace, name: 'lb' });
    expect(coreService.spec?.ports?.map((p) => p.port)).to.deep.equal([80]);
    const fields = service.status?.conditions?.find((c) => c.type === 'FieldsApplied');
    expect(fields?.status, 'a served kind: the target group is joined, nothing to warn').to.equal('True');

    await custom.deleteNamespacedCustomObject({ group, version, namespace, plural: 'services', name: 'lb' });
    await waitFor(`TargetGroupBinding ${name} deleted`, async () => ((await binding(name)) ? undefined : true));
  });

  it('gives each task of a Service its own EBS volume claim (a generic ephemeral volume) of the Cluster’s StorageClass', async () => {
    await create('clusters', 'Cluster', 'ebs', { managedEBSVolumes: { storageClasses: { gp3: 'ebs-gp3' } } });
    await create('taskdefinitions', 'TaskDefinition', 'db', {
      containerDefinitions: [
        { name: 'db', image: 'postgres:17', cpu: 64, memory: 64, mountPoints: [{ sourceVolume: 'data', containerPath: '/var/lib/data' }] },
      ],
      volumes: [{ name: 'data', configuredAtLaunch: true }],
    } satisfies TaskDefinitionSpec);
    await create('services', 'Service', 'db', {
      cluster: 'ebs',
      taskDefinition: 'db',
      desiredCount: 2,
      volumeConfigurations: [{ name: 'data', managedEBSVolume: { sizeInGiB: 10, volumeType: 'gp3', filesystemType: 'xfs' } }],
    } satisfies ServiceSpec);
    const pods = await waitFor('two tasks of db', async () => {
      const found = await podsOf('ecs.operator.dev/service=db');
      return found.length === 2 ? found : undefined;
    });
    // kube-controller-manager's ephemeral volume controller makes POD-VOLUME for each pod, owned by it.
    const claims = await waitFor('a claim per task', async () => {
      const found = (await core.listNamespacedPersistentVolumeClaim({ namespace })).items.filter((c) =>
        pods.some((p) => c.metadata?.ownerReferences?.some((o) => o.kind === 'Pod' && o.uid === p.metadata?.uid)),
      );
      return found.length === 2 ? found : undefined;
    });
    expect(claims.map((c) => c.metadata?.name).sort()).to.deep.equal(pods.map((p) => `${p.metadata?.name}-data`).sort());
    for (const claim of claims) {
      expect(claim.spec?.storageClassName).to.equal('ebs-gp3');
      expect(claim.spec?.resources?.requests?.storage).to.equal('10Gi');
      expect(claim.spec?.accessModes).to.deep.equal(['ReadWriteOnce']);
    }
    // What the claim cannot carry is said by the Service, as translate says it.
    const fields = await waitFor('FieldsApplied naming filesystemType', async () => {
      const found = (await getService('db')).status?.conditions?.find((c) => c.type === 'FieldsApplied');
      return found?.message.includes('spec.volumeConfigurations[0].managedEBSVolume.filesystemType: xfs') ? found : undefined;
    });
    expect(fields.status).to.equal('False');
  });

  it('leaves a TargetGroupBinding of that name that is not its own alone', async () => {
    const name = targetGroupBindingName('taken', ARN);
    const foreign: KubernetesObject & Pick<TargetGroupBinding, 'spec'> = {
      apiVersion: `${TGB.group}/${TGB.version}`,
      kind: TARGET_GROUP_BINDING.kind,
      metadata: { name, namespace },
      spec: { targetGroupARN: ARN, targetType: 'instance', serviceRef: { name: 'someone-else', port: 8080 } },
    };
    await custom.createNamespacedCustomObject({ ...TGB, namespace, body: foreign });
    await create('services', 'Service', 'taken', {
      taskDefinition: 'web',
      desiredCount: 1,
      loadBalancers: [{ targetGroupArn: ARN, containerName: 'web', containerPort: 80 }],
    } satisfies ServiceSpec);
    const valid = await waitFor('Valid=False TargetGroupBindingNameTaken', async () => {
      const found = (await getService('taken')).status?.conditions?.find((c) => c.type === 'Valid');
      return found?.reason === 'TargetGroupBindingNameTaken' ? found : undefined;
    });
    expect(valid.status).to.equal('False');
    expect(valid.message).to.include(name);
    const after = await binding(name);
    expect(after?.spec).to.deep.equal(foreign.spec);
    expect(after?.metadata?.ownerReferences).to.equal(undefined);
  });
});
