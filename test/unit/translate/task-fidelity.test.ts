// What a Task or Service asks of where and as what its tasks run, beyond the task definition: the capacity
// provider (its nodes and tolerations), the subnets' zones, and the tags ECS puts on tasks.
import { expect } from 'chai';
import type { V1Pod } from '@kubernetes/client-node';
import type { Cluster } from '../../../operator/src/api/cluster.js';
import type { Service, ServiceSpec } from '../../../operator/src/api/service.js';
import type { Task, TaskSpec } from '../../../operator/src/api/task.js';
import { ANNOTATIONS, LABELS } from '../../../operator/src/translate/labels.js';
import { taskFieldWarnings } from '../../../operator/src/translate/not-applied.js';
import { serviceTarget } from '../../../operator/src/translate/service-workload.js';
import { clusterIssues, taskPod } from '../../../operator/src/translate/workload.js';
import { taskSpec } from './helpers.js';

const cluster = (spec: Cluster['spec'] = {}): Cluster => ({
  apiVersion: 'ecs.operator.dev/v1alpha1',
  kind: 'Cluster',
  metadata: { name: 'prod', namespace: 'ns' },
  spec,
});
const task = (spec: Partial<TaskSpec>): Task => ({
  apiVersion: 'ecs.operator.dev/v1alpha1',
  kind: 'Task',
  metadata: { name: 'job', namespace: 'ns' },
  spec: { cluster: 'prod', taskDefinition: 'web', ...spec },
});
const service = (spec: Partial<ServiceSpec>): Service => ({
  apiVersion: 'ecs.operator.dev/v1alpha1',
  kind: 'Service',
  metadata: { name: 'web', namespace: 'ns', uid: 'u' },
  spec: { cluster: 'prod', taskDefinition: 'web', desiredCount: 1, ...spec },
});
const podOf = (t: Task, c: Cluster, tags: Array<{ key: string; value: string }> = []) =>
  taskPod({ task: t, cluster: c, spec: taskSpec({ tags }), family: 'web', revision: 1, nodes: [], pods: [] });
const requiredTerms = (pod: V1Pod | undefined) => pod?.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];

const PROVIDERS = cluster({
  capacityProviders: ['FARGATE'],
  capacityProviderNodes: [
    {
      capacityProvider: 'FARGATE_SPOT',
      nodeSelector: { matchLabels: { 'node.example.com/pool': 'spot' } },
      tolerations: [{ key: 'spot', operator: 'Equal', value: 'true', effect: 'NoSchedule' }],
    },
  ],
});

describe('Task and Service fidelity: capacity providers, subnets, tags', () => {
  describe('capacity providers of a Task', () => {
    it('runs on the provider a single task goes to, on its nodes, tolerating its taints, labelled with it', () => {
      const { pod } = podOf(
        task({
          capacityProviderStrategy: [
            { capacityProvider: 'FARGATE', weight: 1 },
            { capacityProvider: 'FARGATE_SPOT', weight: 4 },
          ],
        }),
        PROVIDERS,
      );
      expect(pod?.metadata?.labels?.[LABELS.capacityProvider]).to.equal('FARGATE_SPOT');
      expect(pod?.metadata?.annotations?.[ANNOTATIONS.capacityProvider]).to.equal('FARGATE_SPOT');
      expect(requiredTerms(pod)).to.deep.equal([{ matchExpressions: [{ key: 'node.example.com/pool', operator: 'In', values: ['spot'] }] }]);
      expect(pod?.spec?.tolerations).to.deep.equal([{ key: 'spot', operator: 'Equal', value: 'true', effect: 'NoSchedule' }]);
    });

    it('goes to the provider with a base, which runs the first task', () => {
      const { pod } = podOf(
        task({
          capacityProviderStrategy: [
            { capacityProvider: 'FARGATE', weight: 1, base: 1 },
            { capacityProvider: 'FARGATE_SPOT', weight: 4 },
          ],
        }),
        PROVIDERS,
      );
      expect(pod?.metadata?.labels?.[LABELS.capacityProvider]).to.equal('FARGATE');
      // A provider the Cluster only lists runs on any of its nodes.
      expect(requiredTerms(pod)).to.deep.equal([]);
      expect(pod?.spec?.tolerations).to.equal(undefined);
    });

    it("uses the Cluster's default strategy without a strategy or a launch type; a launch type keeps the Cluster's nodes", () => {
      const withDefault = cluster({ ...PROVIDERS.spec, defaultCapacityProviderStrategy: [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }] });
      expect(podOf(task({}), withDefault).pod?.metadata?.labels?.[LABELS.capacityProvider]).to.equal('FARGATE_SPOT');
      const launched = podOf(task({ launchType: 'FARGATE' }), withDefault).pod;
      expect(launched?.metadata?.labels).not.to.have.property(LABELS.capacityProvider);
      expect(launched?.spec?.tolerations).to.equal(undefined);
    });

    it('is refused, naming the field, for a provider the Cluster does not have', () => {
      const result = podOf(task({ capacityProviderStrategy: [{ capacityProvider: 'MY_ASG', weight: 1 }] }), PROVIDERS);
      expect(result.pod).to.equal(undefined);
      expect(result.error?.path).to.equal('spec.capacityProviderStrategy[0].capacityProvider');
      const fromDefault = podOf(task({}), cluster({ defaultCapacityProviderStrategy: [{ capacityProvider: 'FARGATE', weight: 1 }] }));
      expect(fromDefault.error?.path).to.equal('Cluster prod spec.defaultCapacityProviderStrategy[0].capacityProvider');
    });
  });

  describe('subnets', () => {
    const ZONES = cluster({
      subnets: [
        { subnetId: 'subnet-a', availabilityZone: 'us-east-1a' },
        { subnetId: 'subnet-b', availabilityZone: 'us-east-1b' },
      ],
    });
    const network = (subnets: string[], extra: object = {}) => ({ networkConfiguration: { awsvpcConfiguration: { subnets, ...extra } } });

    it('keeps a task to the zones of the subnets it names', () => {
      const { pod, warnings } = podOf(task(network(['subnet-b', 'subnet-a'])), ZONES);
      expect(requiredTerms(pod)).to.deep.equal([
        { matchExpressions: [{ key: 'topology.kubernetes.io/zone', operator: 'In', values: ['us-east-1a', 'us-east-1b'] }] },
      ]);
      expect(warnings).to.deep.equal([]);
    });

    it('warns about a subnet the Cluster does not map, in the words import says it; security groups and a public IP are fields not applied', () => {
      const spec = network(['subnet-a', 'subnet-z'], { securityGroups: ['sg-1'], assignPublicIp: 'ENABLED' });
      const { pod, warnings } = podOf(task(spec), ZONES);
      expect(requiredTerms(pod)).to.deep.equal([{ matchExpressions: [{ key: 'topology.kubernetes.io/zone', operator: 'In', values: ['us-east-1a'] }] }]);
      expect(warnings).to.deep.equal([
        {
          path: 'spec.networkConfiguration.awsvpcConfiguration.subnets[1]',
          message: "subnet 'subnet-z' has no zone in Cluster 'prod' (spec.subnets); it does not keep the tasks to a zone",
        },
      ]);
      expect(clusterIssues(task(spec).spec, ZONES)).to.deep.equal(warnings);
      // Whatever the Cluster: the rules the controllers' FieldsApplied condition, import and translate all say.
      expect(taskFieldWarnings(task(spec))).to.deep.equal([
        {
          path: 'spec.networkConfiguration.awsvpcConfiguration.securityGroups',
          message: 'not applied: pods get no security groups; restrict their traffic with NetworkPolicies',
        },
        { path: 'spec.networkConfiguration.awsvpcConfiguration.assignPublicIp', message: 'not applied: pods get an IP of the pod network, never a public one' },
      ]);
    });

    it('adds no zone requirement when no subnet is mapped', () => {
      const { pod } = podOf(task(network(['subnet-z'])), cluster());
      expect(requiredTerms(pod)).to.deep.equal([]);
    });

    it('keeps a Service to the zones too, on every provider', () => {
      const withBoth = cluster({ ...ZONES.spec, ...PROVIDERS.spec });
      const { target } = serviceTarget({
        service: service({ ...network(['subnet-a']), capacityProviderStrategy: [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }] }),
        cluster: withBoth,
        strategy: 'REPLICA',
        spec: taskSpec(),
        family: 'web',
        revision: 1,
        nodes: [],
        pods: [],
      });
      const template = target?.parts?.[0]?.template;
      const expressions = template?.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms[0]?.matchExpressions;
      expect(expressions).to.deep.include({ key: 'topology.kubernetes.io/zone', operator: 'In', values: ['us-east-1a'] });
      expect(expressions).to.deep.include({ key: 'node.example.com/pool', operator: 'In', values: ['spot'] });
    });
  });

  describe('tags', () => {
    const targetOf = (spec: Partial<ServiceSpec>) =>
      serviceTarget({
        service: service(spec),
        cluster: cluster({ clusterName: 'production' }),
        strategy: 'REPLICA',
        spec: taskSpec({ tags: [{ key: 'team', value: 'td' }] }),
        family: 'web',
        revision: 1,
        nodes: [],
        pods: [],
      });

    it("propagateTags SERVICE puts the Service's tags on its tasks, and not the task definition's", () => {
      const labels = targetOf({ propagateTags: 'SERVICE', tags: [{ key: 'env', value: 'prod' }] }).target?.template.metadata?.labels;
      expect(labels).to.include({ env: 'prod' });
      expect(labels).not.to.have.property('team');
    });

    it("propagateTags TASK_DEFINITION and NONE leave the Service's tags on the Service", () => {
      expect(targetOf({ propagateTags: 'TASK_DEFINITION', tags: [{ key: 'env', value: 'prod' }] }).target?.template.metadata?.labels)
        .to.include({ team: 'td' })
        .and.not.have.property('env');
      expect(targetOf({ tags: [{ key: 'env', value: 'prod' }] }).target?.template.metadata?.labels).not.to.have.property('env');
    });

    it('enableECSManagedTags adds aws:ecs:clusterName and aws:ecs:serviceName, kept in the tags annotation (not label syntax)', () => {
      const { target, warnings } = targetOf({ enableECSManagedTags: true, serviceName: 'web-svc' });
      expect(JSON.parse(target?.template.metadata?.annotations?.[ANNOTATIONS.tags] ?? '{}')).to.deep.equal({
        'aws:ecs:clusterName': 'production',
        'aws:ecs:serviceName': 'web-svc',
      });
      expect(warnings).to.deep.equal([]);
    });

    it("puts a Task's own tags and its managed tag on its pod, its own winning over the task definition's", () => {
      const { pod, warnings } = podOf(
        task({ tags: [{ key: 'team', value: 'own' }], propagateTags: 'TASK_DEFINITION', enableECSManagedTags: true }),
        cluster(),
        [{ key: 'team', value: 'td' }],
      );
      expect(pod?.metadata?.labels).to.include({ team: 'own' });
      expect(JSON.parse(pod?.metadata?.annotations?.[ANNOTATIONS.tags] ?? '{}')).to.deep.equal({ 'aws:ecs:clusterName': 'prod', team: 'td' });
      expect(warnings.map((w) => w.path)).to.deep.equal(['web:1 spec.tags[0]']);
    });
  });
});
