// Migration fidelity on the real control plane: a Service spread over two capacity providers by base and weight,
// each provider a group of kwok nodes (by instance type; the spot group tainted); a Task kept to the zone of its
// subnet, its security groups named by its FieldsApplied condition, status.warnings and a Warning Event; the
// Service's tags and ECS managed tags on the pods; a provider the Cluster lacks refused. Every assertion reads
// pods, nodes, Tasks, Services and Events back from the API server. (fidelity.test.ts: target groups, EBS volumes.)
//
// The shared control plane has 6 nodes, ecs-node-1..6: one m5.large and one c5.xlarge in each of us-east-1a,
// us-east-1b and us-east-1c. The taint this suite puts on the c5.xlarge nodes has a key of its own namespace
// and is removed afterwards.
import { expect } from 'chai';
import type { V1Node, V1Pod, V1Taint } from '@kubernetes/client-node';
import type { ClusterSpec } from '../../operator/src/api/cluster.js';
import type { ServiceSpec } from '../../operator/src/api/service.js';
import type { TaskSpec } from '../../operator/src/api/task.js';
import { ecsObjects, group, INSTANCE_TYPE, mergePatch, NODES, version, ZONE } from './ecs-objects.js';
import { startOperator, writesAroundReconcile, type RunningOperator } from './harness.js';
import { clients, installCrds, throwawayNamespace, waitFor } from './helpers.js';

const { core, apps, custom } = clients();
const PROVIDER = 'ecs.operator.dev/capacity-provider';

describe('Migration fidelity on the real scheduler: capacity providers, subnets, tags', function () {
  let namespace: string;
  let removeNamespace: (() => Promise<void>) | undefined;
  let operator: RunningOperator;
  let spotTaint: V1Taint;
  const nodes = new Map<string, V1Node>();
  const spotNodes = () => NODES.filter((n) => nodes.get(n)?.metadata?.labels?.[INSTANCE_TYPE] === 'c5.xlarge');
  const { create, podsOf, eventsOf, taskUntil, serviceUntil } = ecsObjects(() => namespace);
  const label = (node: string | undefined, key: string) => nodes.get(node ?? '')?.metadata?.labels?.[key];
  /** Sets a node's taints to the ones it had plus `extra`. */
  const taint = (name: string, extra: V1Taint[]) =>
    core.patchNode({ name, body: { spec: { taints: [...(nodes.get(name)?.spec?.taints ?? []), ...extra] } } }, mergePatch);

  /** Waits until exactly `count` pods of the service run (none pending); the pods. */
  async function runningPodsOf(service: string, count: number): Promise<V1Pod[]> {
    return waitFor(
      `${count} running tasks of service ${service}`,
      async () => {
        const pods = await podsOf(`ecs.operator.dev/service=${service}`);
        return pods.length === count && pods.every((p) => p.status?.phase === 'Running') ? pods : undefined;
      },
      {
        timeoutMs: 90_000,
        describe: async () =>
          JSON.stringify((await podsOf(`ecs.operator.dev/service=${service}`)).map((p) => [p.metadata?.name, p.status?.phase, p.spec?.nodeName])),
      },
    );
  }

  before(async () => {
    await installCrds();
    ({ name: namespace, remove: removeNamespace } = await throwawayNamespace(core, 'fidelity'));
    for (const node of (await core.listNode()).items) nodes.set(node.metadata?.name ?? '', node);
    expect([...nodes.keys()]).to.include.members(NODES);
    spotTaint = { key: `${namespace}.e2e.ecs.operator.dev/spot`, value: 'true', effect: 'NoSchedule' };
    for (const name of spotNodes()) await taint(name, [spotTaint]);
    operator = await startOperator(namespace);
    await create('clusters', 'Cluster', 'mixed', {
      nodeSelector: { matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: NODES }] },
      capacityProviders: ['FARGATE', 'FARGATE_SPOT'],
      capacityProviderNodes: [
        { capacityProvider: 'FARGATE', nodeSelector: { matchLabels: { [INSTANCE_TYPE]: 'm5.large' } } },
        {
          capacityProvider: 'FARGATE_SPOT',
          nodeSelector: { matchLabels: { [INSTANCE_TYPE]: 'c5.xlarge' } },
          tolerations: [{ key: spotTaint.key, operator: 'Equal', value: 'true', effect: 'NoSchedule' }],
        },
      ],
      subnets: [
        { subnetId: 'subnet-0aaa', availabilityZone: 'us-east-1a' },
        { subnetId: 'subnet-0bbb', availabilityZone: 'us-east-1b' },
      ],
    } satisfies ClusterSpec);
    await create('taskdefinitions', 'TaskDefinition', 'small', { containerDefinitions: [{ name: 'app', image: 'busybox', cpu: 16, memory: 32 }] });
  });
  after(async () => {
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- unset when before() failed
    await operator?.finish();
    for (const name of spotNodes()) await taint(name, []).catch(() => undefined);
    await removeNamespace?.();
  });

  it('spreads a Service over two providers by base and weight: FARGATE base 2 weight 1, FARGATE_SPOT weight 2 of 7 → 4 and 3', async () => {
    await create('services', 'Service', 'split', {
      cluster: 'mixed',
      taskDefinition: 'small',
      desiredCount: 7,
      capacityProviderStrategy: [
        { capacityProvider: 'FARGATE', base: 2, weight: 1 },
        { capacityProvider: 'FARGATE_SPOT', weight: 2 },
      ],
      propagateTags: 'SERVICE',
      enableECSManagedTags: true,
      tags: [{ key: 'team', value: 'payments' }],
    } satisfies ServiceSpec);
    const pods = await runningPodsOf('split', 7);
    const onType = (type: string) => pods.filter((p) => label(p.spec?.nodeName, INSTANCE_TYPE) === type);
    // The provider's share lands on the provider's nodes, and only there.
    expect(onType('m5.large').map((p) => p.metadata?.labels?.[PROVIDER])).to.deep.equal(['FARGATE', 'FARGATE', 'FARGATE', 'FARGATE']);
    expect(onType('c5.xlarge').map((p) => p.metadata?.labels?.[PROVIDER])).to.deep.equal(['FARGATE_SPOT', 'FARGATE_SPOT', 'FARGATE_SPOT']);
    // One deployment of 7 in ECS terms, steady once all run.
    const service = await serviceUntil('split', 'steady', (s) => s.status?.conditions?.some((c) => c.type === 'Steady' && c.status === 'True') ?? false);
    expect(service.status?.deployments?.map((d) => [d.status, d.desiredCount, d.runningCount])).to.deep.equal([['PRIMARY', 7, 7]]);
    expect(service.status?.runningCount).to.equal(7);
    // The Service's tags and the ECS managed tags reach every task.
    for (const pod of pods) {
      expect(pod.metadata?.labels?.team).to.equal('payments');
      expect(JSON.parse(pod.metadata?.annotations?.['ecs.operator.dev/tags'] ?? '{}')).to.deep.equal({
        'aws:ecs:clusterName': 'mixed',
        'aws:ecs:serviceName': 'split',
      });
    }
  });

  it('moves tasks to the new split when desiredCount changes: 10 → 5 and 5 (base 2, then 1:2 of 8 is 3:5)', async () => {
    await custom.patchNamespacedCustomObject(
      { group, version, namespace, plural: 'services', name: 'split', body: { spec: { desiredCount: 10 } } },
      mergePatch,
    );
    const pods = await runningPodsOf('split', 10);
    const byProvider = (name: string) => pods.filter((p) => p.metadata?.labels?.[PROVIDER] === name);
    expect(byProvider('FARGATE').every((p) => label(p.spec?.nodeName, INSTANCE_TYPE) === 'm5.large')).to.equal(true);
    expect(byProvider('FARGATE_SPOT').every((p) => label(p.spec?.nodeName, INSTANCE_TYPE) === 'c5.xlarge')).to.equal(true);
    expect([byProvider('FARGATE').length, byProvider('FARGATE_SPOT').length]).to.deep.equal([5, 5]);
  });

  it('costs no API request once the split Service converged, even when reconciled again', async () => {
    const { before, after } = await writesAroundReconcile(operator, { namespace, plural: 'services', name: 'split' });
    expect(after).to.equal(before);
  });

  it('keeps a Task to the zone of its subnet, and names its security groups in FieldsApplied, status.warnings and an Event', async () => {
    await create('tasks', 'Task', 'zoned', {
      cluster: 'mixed',
      taskDefinition: 'small',
      launchType: 'FARGATE',
      networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-0bbb'], securityGroups: ['sg-0123'] } },
    } satisfies TaskSpec);
    const task = await taskUntil('zoned', 'RUNNING', (t) => t.status?.lastStatus === 'RUNNING');
    expect(label(task.status?.containerInstance, ZONE)).to.equal('us-east-1b');
    // The mapped subnet is applied (the zone); the launch type and the security groups are not.
    const warnings = [
      "spec.launchType: launch type FARGATE is not a capacity here: the tasks run on the Cluster's container instances (its nodes); a capacityProviderStrategy selects among them",
      'spec.networkConfiguration.awsvpcConfiguration.securityGroups: not applied: pods get no security groups; restrict their traffic with NetworkPolicies',
    ];
    expect(task.status?.warnings).to.deep.equal(warnings);
    expect(task.status?.conditions?.find((c) => c.type === 'FieldsApplied')).to.deep.include({
      status: 'False',
      reason: 'NotApplied',
      message: warnings.join('; '),
    });
    const events = await waitFor(
      'a NotApplied Warning Event for each',
      async () => {
        const found = (await eventsOf('zoned')).filter((e) => e.reason === 'NotApplied');
        return found.length === warnings.length ? found : undefined;
      },
      { timeoutMs: 30_000 },
    );
    expect(events.map((e) => [e.type, e.message]).sort()).to.deep.equal(warnings.map((w) => ['Warning', w]).sort());
  });

  it("runs a Task on its strategy's provider: FARGATE_SPOT's tainted nodes, recorded in status", async () => {
    await create('tasks', 'Task', 'spot', {
      cluster: 'mixed',
      taskDefinition: 'small',
      capacityProviderStrategy: [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }],
    } satisfies TaskSpec);
    const task = await taskUntil('spot', 'RUNNING', (t) => t.status?.lastStatus === 'RUNNING');
    expect(label(task.status?.containerInstance, INSTANCE_TYPE)).to.equal('c5.xlarge');
    expect(task.status?.capacityProviderName).to.equal('FARGATE_SPOT');
  });

  it('refuses a provider the Cluster does not have, naming the field, and runs nothing', async () => {
    await create('services', 'Service', 'unknown', {
      cluster: 'mixed',
      taskDefinition: 'small',
      desiredCount: 1,
      capacityProviderStrategy: [{ capacityProvider: 'MY_ASG_PROVIDER', weight: 1 }],
    } satisfies ServiceSpec);
    const service = await serviceUntil('unknown', 'Valid=False', (s) => s.status?.conditions?.some((c) => c.type === 'Valid' && c.status === 'False') ?? false);
    expect(service.status?.conditions?.find((c) => c.type === 'Valid')?.message).to.equal(
      "spec.capacityProviderStrategy[0].capacityProvider: capacity provider 'MY_ASG_PROVIDER' is not one of Cluster 'mixed' (spec.capacityProviders, spec.capacityProviderNodes); ECS refuses it",
    );
    expect(await podsOf('ecs.operator.dev/service=unknown')).to.deep.equal([]);
    expect((await apps.listNamespacedReplicaSet({ namespace, labelSelector: 'ecs.operator.dev/service=unknown' })).items).to.deep.equal([]);
  });
});
