import { expect } from 'chai';
import type { V1Service } from '@kubernetes/client-node';
import { controllerReference } from '../../../../operator/src/controllers/common.js';
import { planService, SERVICE_FINALIZER } from '../../../../operator/src/controllers/service/plan.js';
import type { ServiceAction } from '../../../../operator/src/controllers/service/snapshot.js';
import { withAppliedHash } from '../../../../operator/src/runtime/apply.js';
import { serviceDiscoveryObjects } from '../../../../operator/src/translate/service-workload.js';
import { applyActions, deployment, replicaSet, service, snapshot, taskDefinition, tasks, writesOf } from './fixtures.js';

const statusOf = (actions: readonly ServiceAction[]) => actions.find((a): a is Extract<ServiceAction, { verb: 'status' }> => a.verb === 'status')?.status;
const named = (actions: readonly ServiceAction[]) =>
  actions.map((a) =>
    `${a.verb} ${'object' in a ? `${a.object.kind}/${a.object.metadata?.name}` : 'desired' in a ? `${a.desired.kind}/${a.desired.metadata?.name}` : ''}`.trim(),
  );

describe('Service discovery planner', () => {
  const svc = service({ serviceRegistries: [{ containerName: 'web', containerPort: 80 }] });
  const rs = replicaSet(svc, 1, 2, { state: 'COMPLETED' });
  const base = snapshot({ service: svc, revision: 1, deployments: [deployment(svc, rs, tasks(rs, { healthy: 2 }))] });

  it('creates a missing core Service with a create (never an apply that could take one over)', () => {
    expect(named(planService(base).actions)).to.include('create Service/web');
  });

  it('leaves a core Service controlled by another object alone: ServiceNameTaken, with an Event naming it', () => {
    const theirs: V1Service = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'ns', uid: 'theirs' }, spec: {} };
    for (const snap of [
      { ...base, coreServices: [theirs] },
      { ...base, taken: [{ kind: 'Service' as const, name: 'web' }] },
    ]) {
      const plan = planService(snap);
      expect(named(plan.actions).filter((a) => a.endsWith('Service/web'))).to.deep.equal([]);
      expect(statusOf(plan.actions)?.conditions?.find((c) => c.type === 'Valid')).to.include({ status: 'False', reason: 'ServiceNameTaken' });
      expect(plan.events.find((e) => e.reason === 'ServiceNameTaken')?.message).to.include("core Service named 'web'");
    }
  });

  it('removes a core Service it owns that the spec no longer names', () => {
    const [old] = serviceDiscoveryObjects(svc, taskDefinition(), [controllerReference(svc)]).services;
    const renamed = { ...withAppliedHash(old!), metadata: { ...withAppliedHash(old!).metadata, name: 'old', uid: 'old-uid' } };
    expect(named(planService({ ...base, coreServices: [renamed] }).actions)).to.include('delete Service/old');
  });

  it('plans no write once its core Service exists', () => {
    const after = applyActions(base, planService(base).actions);
    expect(writesOf(after, planService(after).actions)).to.deep.equal([]);
  });
});

describe('Service deletion planner', () => {
  const deleted = (svc = service()) => ({ ...svc, metadata: { ...svc.metadata, deletionTimestamp: new Date() } });

  it('drains: scales every ReplicaSet to 0 and says DRAINING while tasks remain, keeping the finalizer', () => {
    const svc = deleted();
    const rs = replicaSet(svc, 1, 2);
    const plan = planService(snapshot({ service: svc, revision: 1, deployments: [deployment(svc, rs, tasks(rs, { healthy: 2 }))] }));
    expect(named(plan.actions)).to.deep.equal(['status', 'apply ReplicaSet/web-1']);
    expect(statusOf(plan.actions)).to.include({ status: 'DRAINING', desiredCount: 0, runningCount: 2 });
    expect(plan.requeueAfterMs).to.be.greaterThan(0);
  });

  it('once no task remains: INACTIVE, then the finalizer goes (after the status)', () => {
    const svc = deleted();
    const rs = replicaSet(svc, 1, 0);
    const plan = planService(snapshot({ service: svc, revision: 1, deployments: [deployment(svc, rs, tasks(rs, { stopping: 1 }))] }));
    expect(plan.actions.map((a) => a.verb)).to.deep.equal(['status', 'finalizer']);
    expect(statusOf(plan.actions)?.status).to.equal('INACTIVE');
    expect(plan.actions.at(-1)).to.deep.equal({ verb: 'finalizer', present: false });
  });

  it('does nothing for a deleted Service without its finalizer', () => {
    const svc = deleted();
    const plan = planService(snapshot({ service: { ...svc, metadata: { ...svc.metadata, finalizers: ['other'] } } }));
    expect(plan.actions).to.deep.equal([]);
    expect(SERVICE_FINALIZER).to.equal('ecs.operator.dev/drain-tasks');
  });
});
