// `ecs-operator translate` shows what the controller does with capacity providers, subnets and tags: the
// ReplicaSet of each provider with its share of the tasks, the Task's provider, the refusals and warnings in the
// controller's words.
import { expect } from 'chai';
import { main as importMain } from '../../../operator/src/cli/import.js';
import { main } from '../../../operator/src/cli/translate.js';
import { run } from './helpers.js';

const MANIFESTS = `
apiVersion: ecs.operator.dev/v1alpha1
kind: Cluster
metadata: { name: prod }
spec:
  capacityProviderNodes:
    - capacityProvider: FARGATE
      nodeSelector: { matchLabels: { pool: on-demand } }
    - capacityProvider: FARGATE_SPOT
      nodeSelector: { matchLabels: { pool: spot } }
      tolerations: [{ key: spot, operator: Exists, effect: NoSchedule }]
  subnets:
    - { subnetId: subnet-a, availabilityZone: zone-a }
---
apiVersion: ecs.operator.dev/v1alpha1
kind: TaskDefinition
metadata: { name: web }
spec:
  family: web
  containerDefinitions: [{ name: web, image: nginx, memory: 128 }]
---
apiVersion: ecs.operator.dev/v1alpha1
kind: Service
metadata: { name: web }
spec:
  cluster: prod
  taskDefinition: web
  desiredCount: 10
  capacityProviderStrategy:
    - { capacityProvider: FARGATE, base: 2, weight: 1 }
    - { capacityProvider: FARGATE_SPOT, weight: 3 }
  networkConfiguration: { awsvpcConfiguration: { subnets: [subnet-a, subnet-x], securityGroups: [sg-1] } }
  propagateTags: SERVICE
  enableECSManagedTags: true
  tags: [{ key: env, value: prod }]
---
apiVersion: ecs.operator.dev/v1alpha1
kind: Task
metadata: { name: once }
spec:
  cluster: prod
  taskDefinition: web
  capacityProviderStrategy: [{ capacityProvider: FARGATE_SPOT, weight: 1 }]
`;

/** What `import` warns about the ECS JSON `input` (which it imports, exit 0). */
async function importWarnings(input: object): Promise<string[]> {
  const imported = await run(importMain, ['-f', 'in.json'], { 'in.json': JSON.stringify(input) });
  expect(imported.status).to.equal(0);
  return imported.errors;
}

describe('ecs-operator translate: capacity providers, subnets and tags', () => {
  it("prints one ReplicaSet per provider with the ECS split, and the Task on its provider's nodes", async () => {
    const result = await run(main, ['-f', 'all.yaml'], { 'all.yaml': MANIFESTS });
    expect(result.status).to.equal(0);
    const replicaSets = result.objects.filter((o) => o.kind === 'ReplicaSet');
    expect(replicaSets.map((rs) => [rs.metadata.name.replace(/-[0-9a-f]{6}-/, '-HASH-'), rs.spec.replicas])).to.deep.equal([
      ['web-1-HASH-fargate', 4],
      ['web-1-HASH-fargate-spot', 6],
    ]);
    expect(replicaSets[1].spec.template.spec.tolerations).to.deep.equal([{ key: 'spot', operator: 'Exists', effect: 'NoSchedule' }]);
    expect(replicaSets[0].spec.template.metadata.labels).to.include({ env: 'prod' });
    const pod = result.objects.find((o) => o.kind === 'Pod');
    expect(pod.metadata.labels['ecs.operator.dev/capacity-provider']).to.equal('FARGATE_SPOT');
  });

  it('says the same warnings as import for what does not apply', async () => {
    const translated = await run(main, ['-f', 'all.yaml'], { 'all.yaml': MANIFESTS });
    const expected = [
      'warning: all.yaml: Service web: spec.networkConfiguration.awsvpcConfiguration.securityGroups: not applied: pods get no security groups; restrict their traffic with NetworkPolicies',
      "warning: all.yaml: Service web: spec.networkConfiguration.awsvpcConfiguration.subnets[1]: subnet 'subnet-x' has no zone in Cluster 'prod' (spec.subnets); it does not keep the tasks to a zone",
    ];
    expect(translated.errors).to.deep.equal(expected);
    expect(
      await importWarnings({
        serviceName: 'web',
        cluster: 'prod',
        taskDefinition: 'web:1',
        desiredCount: 1,
        networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-x'], securityGroups: ['sg-1'] } },
      }),
    ).to.deep.equal([
      'warning: in.json: networkConfiguration.awsvpcConfiguration.securityGroups: not applied: pods get no security groups; restrict their traffic with NetworkPolicies',
      "warning: in.json: networkConfiguration.awsvpcConfiguration.subnets[0]: subnet 'subnet-x' has no zone in Cluster 'prod' (spec.subnets); it does not keep the tasks to a zone",
    ]);
  });

  it('refuses a provider the Cluster does not have, as the controller does; import warns about it', async () => {
    const refused = MANIFESTS.replace('capacityProvider: FARGATE_SPOT, weight: 1 }]', 'capacityProvider: MY_ASG, weight: 1 }]');
    const result = await run(main, ['-f', 'all.yaml'], { 'all.yaml': refused });
    expect(result.status).to.not.equal(0);
    expect(result.errors.join('\n')).to.include(
      "all.yaml: Task once: spec.capacityProviderStrategy[0].capacityProvider: capacity provider 'MY_ASG' is not one of Cluster 'prod' (spec.capacityProviders, spec.capacityProviderNodes); ECS refuses it",
    );
    expect(
      await importWarnings({ cluster: 'prod', taskDefinition: 'web:1', capacityProviderStrategy: [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }] }),
    ).to.deep.equal([
      "warning: in.json: capacityProviderStrategy[0].capacityProvider: capacity provider 'FARGATE_SPOT' is not one of Cluster 'prod' (spec.capacityProviders, spec.capacityProviderNodes); ECS refuses it",
    ]);
  });

  it('import warns about a strategy on a DAEMON service, as CreateService refuses it', async () => {
    expect(
      await importWarnings({
        serviceName: 'agent',
        cluster: 'prod',
        taskDefinition: 'agent:1',
        schedulingStrategy: 'DAEMON',
        capacityProviderStrategy: [{ capacityProvider: 'FARGATE', weight: 1 }],
      }),
    ).to.deep.equal(['warning: in.json: capacityProviderStrategy: a DAEMON service cannot use capacity providers, as in ECS']);
  });
});
