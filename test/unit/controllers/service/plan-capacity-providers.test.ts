// The REPLICA planner with a capacity provider strategy: one ReplicaSet per provider, the deployment's tasks split
// by base and weight, the rollout bounds on the deployment's totals, and a strategy ECS would refuse refused.
import { expect } from 'chai';
import type { V1ReplicaSet } from '@kubernetes/client-node';
import type { Cluster } from '../../../../operator/src/api/cluster.js';
import { planService } from '../../../../operator/src/controllers/service/plan.js';
import type { ServiceAction, ServiceSnapshot } from '../../../../operator/src/controllers/service/snapshot.js';
import { LABELS } from '../../../../operator/src/translate/labels.js';
import { serviceTarget } from '../../../../operator/src/translate/service-workload.js';
import { applyActions, CLUSTER, service, snapshot, taskDefinition, tasks, writesOf } from './fixtures.js';

const CLUSTER_WITH_PROVIDERS: Cluster = {
  ...CLUSTER,
  spec: {
    capacityProviderNodes: [
      { capacityProvider: 'FARGATE', nodeSelector: { matchLabels: { pool: 'on-demand' } } },
      {
        capacityProvider: 'FARGATE_SPOT',
        nodeSelector: { matchLabels: { pool: 'spot' } },
        tolerations: [{ key: 'spot', operator: 'Exists', effect: 'NoSchedule' }],
      },
    ],
  },
};

const STRATEGY = [
  { capacityProvider: 'FARGATE', base: 1, weight: 1 },
  { capacityProvider: 'FARGATE_SPOT', weight: 3 },
];

const replicaSetsWritten = (actions: readonly ServiceAction[]): V1ReplicaSet[] =>
  actions.flatMap((a) => (a.verb === 'create' ? [a.object] : a.verb === 'apply' ? [a.desired] : [])).filter((o): o is V1ReplicaSet => o.kind === 'ReplicaSet');
const replicasByName = (actions: readonly ServiceAction[]) =>
  Object.fromEntries(replicaSetsWritten(actions).map((rs) => [rs.metadata?.name, rs.spec?.replicas]));
const statusOf = (actions: readonly ServiceAction[]) => actions.find((a): a is Extract<ServiceAction, { verb: 'status' }> => a.verb === 'status')?.status;

/** Plans until nothing more is written (the ReplicaSet controller and kubelet doing nothing in between). */
function settle(snap: ServiceSnapshot): ServiceSnapshot {
  let current = snap;
  for (let i = 0; i < 5; i++) {
    const plan = planService(current);
    if (writesOf(current, plan.actions).length === 0) return current;
    current = applyActions(current, plan.actions);
  }
  return current;
}

describe('Service REPLICA planner with a capacity provider strategy', () => {
  it('creates one ReplicaSet per provider, split as ECS splits: the base first, then 1:3 of the rest', () => {
    const svc = service({ desiredCount: 9, capacityProviderStrategy: STRATEGY });
    const plan = planService(snapshot({ service: svc, revision: 1, cluster: CLUSTER_WITH_PROVIDERS }));
    const written = replicaSetsWritten(plan.actions);
    expect(written.map((rs) => rs.metadata?.name)).to.have.length(2);
    const [onDemand, spot] = written;
    expect(onDemand?.spec?.replicas).to.equal(3);
    expect(spot?.spec?.replicas).to.equal(6);
    expect(onDemand?.metadata?.name).to.match(/^web-1-[0-9a-f]{6}-fargate$/);
    expect(spot?.metadata?.name).to.match(/^web-1-[0-9a-f]{6}-fargate-spot$/);
    // Each selects its own pods, which run on the provider's nodes and tolerate its taints.
    expect(spot?.spec?.selector.matchLabels?.[LABELS.capacityProvider]).to.equal('FARGATE_SPOT');
    expect(spot?.spec?.template?.metadata?.labels?.[LABELS.capacityProvider]).to.equal('FARGATE_SPOT');
    const terms = spot?.spec?.template?.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
    expect(terms.every((t) => t.matchExpressions?.some((e) => e.key === 'pool' && e.values?.[0] === 'spot'))).to.equal(true);
    expect(spot?.spec?.template?.spec?.tolerations).to.deep.equal([{ key: 'spot', operator: 'Exists', effect: 'NoSchedule' }]);
    expect(onDemand?.spec?.template?.spec?.tolerations).to.equal(undefined);
    // One deployment in status, its desiredCount the total.
    const deployments = statusOf(plan.actions)?.deployments ?? [];
    expect(deployments).to.have.length(1);
    expect(deployments[0]).to.include({ desiredCount: 9, status: 'PRIMARY' });
  });

  it('plans no write when planning again on the planned result, and splits a new desiredCount again', () => {
    const svc = service({ desiredCount: 9, capacityProviderStrategy: STRATEGY });
    const settled = settle(snapshot({ service: svc, revision: 1, cluster: CLUSTER_WITH_PROVIDERS }));
    expect(writesOf(settled, planService(settled).actions)).to.deep.equal([]);
    const scaled = { ...settled, service: { ...settled.service, spec: { ...settled.service.spec, desiredCount: 5 } } };
    expect(Object.values(replicasByName(planService(scaled).actions))).to.deep.equal([2, 3]);
  });

  it('takes the Cluster default strategy when the Service names neither a strategy nor a launch type', () => {
    const cluster = { ...CLUSTER_WITH_PROVIDERS, spec: { ...CLUSTER_WITH_PROVIDERS.spec, defaultCapacityProviderStrategy: STRATEGY } };
    const plan = planService(snapshot({ service: service({ desiredCount: 5 }), revision: 1, cluster }));
    expect(Object.values(replicasByName(plan.actions))).to.deep.equal([2, 3]);
    const withLaunchType = planService(snapshot({ service: service({ desiredCount: 5, launchType: 'FARGATE' }), revision: 1, cluster }));
    expect(replicasByName(withLaunchType.actions)).to.deep.equal({ 'web-1': 5 });
  });

  it('starts a new deployment for another strategy, within the bounds on the totals', () => {
    const svc = service({ desiredCount: 4, capacityProviderStrategy: STRATEGY, deploymentConfiguration: { minimumHealthyPercent: 100, maximumPercent: 150 } });
    const created1 = settle(snapshot({ service: svc, revision: 1, cluster: CLUSTER_WITH_PROVIDERS }));
    // Every task of the first deployment runs healthy.
    const settled = {
      ...created1,
      deployments: created1.deployments.map((d) => ({
        ...d,
        tasks: (d.parts ?? []).flatMap((p) => (p.live ? tasks(p.live, { healthy: p.live.spec?.replicas ?? 0 }) : [])),
      })),
    };
    expect(settled.deployments[0]?.tasks).to.have.length(4);
    const changed = {
      ...settled,
      service: { ...settled.service, spec: { ...settled.service.spec, capacityProviderStrategy: [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }] } },
    };
    const plan = planService({ ...changed, target: snapshot({ service: changed.service, revision: 1, cluster: CLUSTER_WITH_PROVIDERS }).target! });
    const replicas = replicasByName(plan.actions);
    const created = plan.actions.flatMap((a) => (a.verb === 'create' ? [a.object.metadata?.name] : []));
    expect(created).to.have.length(1);
    expect(created[0]).to.match(/^web-1-[0-9a-f]{6}-fargate-spot$/);
    // maximumPercent 150 of 4: at most 6 tasks in all, so the new deployment starts with 2.
    expect(replicas[created[0] ?? '']).to.equal(2);
  });

  it('refuses a provider the Cluster does not have, naming the field, as CreateService refuses it', () => {
    const svc = service({
      desiredCount: 2,
      capacityProviderStrategy: [
        { capacityProvider: 'FARGATE', weight: 1 },
        { capacityProvider: 'ASG_PROVIDER', weight: 1 },
      ],
    });
    const result = serviceTarget({
      service: svc,
      cluster: CLUSTER_WITH_PROVIDERS,
      strategy: 'REPLICA',
      spec: taskDefinition(),
      family: 'web',
      revision: 1,
      nodes: [],
      pods: [],
    });
    expect(result.target).to.equal(undefined);
    expect(result.error).to.deep.equal({
      path: 'spec.capacityProviderStrategy[1].capacityProvider',
      message: "capacity provider 'ASG_PROVIDER' is not one of Cluster 'default' (spec.capacityProviders, spec.capacityProviderNodes); ECS refuses it",
    });
  });

  it('refuses a strategy on a DAEMON service, and ignores the Cluster default there', () => {
    const daemon = service({ schedulingStrategy: 'DAEMON', capacityProviderStrategy: STRATEGY });
    const input = { cluster: CLUSTER_WITH_PROVIDERS, strategy: 'DAEMON' as const, spec: taskDefinition(), family: 'web', revision: 1, nodes: [], pods: [] };
    expect(serviceTarget({ ...input, service: daemon }).error?.path).to.equal('spec.capacityProviderStrategy');
    const cluster = { ...CLUSTER_WITH_PROVIDERS, spec: { ...CLUSTER_WITH_PROVIDERS.spec, defaultCapacityProviderStrategy: STRATEGY } };
    expect(serviceTarget({ ...input, cluster, service: service({ schedulingStrategy: 'DAEMON' }) }).target?.parts).to.equal(undefined);
  });

  it('names an unmapped subnet and the security groups in FieldsApplied and status.warnings, with one Event each until they change', () => {
    const network = { awsvpcConfiguration: { subnets: ['subnet-x'], securityGroups: ['sg-1'] } };
    const snap = snapshot({ service: service({ networkConfiguration: network }), revision: 1 });
    const plan = planService(snap);
    const warnings = [
      'spec.networkConfiguration.awsvpcConfiguration.securityGroups: not applied: pods get no security groups; restrict their traffic with NetworkPolicies',
      "spec.networkConfiguration.awsvpcConfiguration.subnets[0]: subnet 'subnet-x' has no zone in Cluster 'default' (spec.subnets); it does not keep the tasks to a zone",
    ];
    const status = statusOf(plan.actions);
    expect(status?.warnings).to.deep.equal(warnings);
    expect(status?.conditions?.find((c) => c.type === 'FieldsApplied')).to.deep.include({
      status: 'False',
      reason: 'NotApplied',
      message: warnings.join('; '),
    });
    expect(plan.events.filter((e) => e.reason === 'NotApplied').map((e) => e.message)).to.deep.equal(warnings);
    const again = planService(applyActions(snap, plan.actions));
    expect(again.events.filter((e) => e.reason === 'NotApplied')).to.deep.equal([]);
  });

  it('keeps a Service to the zones of the subnets its Cluster maps, with nothing to warn', () => {
    const cluster = { ...CLUSTER, spec: { subnets: [{ subnetId: 'subnet-x', availabilityZone: 'us-east-1b' }] } };
    const network = { awsvpcConfiguration: { subnets: ['subnet-x'] } };
    const plan = planService(snapshot({ service: service({ networkConfiguration: network }), revision: 1, cluster }));
    const [rs] = replicaSetsWritten(plan.actions);
    expect(rs?.spec?.template?.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms).to.deep.equal([
      { matchExpressions: [{ key: 'topology.kubernetes.io/zone', operator: 'In', values: ['us-east-1b'] }] },
    ]);
    const status = statusOf(plan.actions);
    expect(status?.warnings).to.deep.equal([]);
    expect(status?.conditions?.find((c) => c.type === 'FieldsApplied')).to.deep.include({ status: 'True', reason: 'Applied' });
  });
});
