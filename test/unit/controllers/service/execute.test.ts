import { expect } from 'chai';
import type { KubernetesObject } from '@kubernetes/client-node';
import { executePlan } from '../../../../operator/src/controllers/service/execute.js';
import { planService } from '../../../../operator/src/controllers/service/plan.js';
import type { ServicePlan } from '../../../../operator/src/controllers/service/snapshot.js';
import type { EventRecorder } from '../../../../operator/src/runtime/events.js';
import { FakeChildWriter } from '../../../fakes/child-writer.js';
import { deployment, replicaSet, service, snapshot, task, tasks } from './fixtures.js';

class RecordedEvents implements EventRecorder {
  readonly events: Array<{ object: string; type: string; reason: string; message: string }> = [];
  normal(obj: KubernetesObject, reason: string, message: string): void {
    this.events.push({ object: obj.metadata?.name ?? '', type: 'Normal', reason, message });
  }
  warning(obj: KubernetesObject, reason: string, message: string): void {
    this.events.push({ object: obj.metadata?.name ?? '', type: 'Warning', reason, message });
  }
  async record(): Promise<void> {}
  async flush(): Promise<void> {}
}

const owner = { kind: 'Service', key: 'ns/web' };

describe('Service executor', () => {
  const failing = () => {
    const svc = service({ desiredCount: 2, deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: true } } });
    const rs = replicaSet(svc, 1, 2);
    const failed = task(rs, 'web-1-x', 'failed1');
    const snap = snapshot({ service: svc, revision: 1, deployments: [deployment(svc, rs, [failed, ...tasks(rs, { healthy: 1 })])] });
    return { svc: { ...svc, kind: 'Service' as const }, rs, failed, snap };
  };

  it('writes the status with the failure counted before it deletes the failed pod, then records the events', async () => {
    const { svc, rs, failed, snap } = failing();
    const writer = new FakeChildWriter().seed(svc, rs, failed.pod);
    const events = new RecordedEvents();
    const plan = planService(snap);
    expect(await executePlan(writer, events, owner, writer.get('Service', 'ns', 'web') as typeof svc, plan)).to.deep.equal({});
    const verbs = writer.writes.map((w) => `${w.verb} ${w.object}`);
    expect(verbs.indexOf('status Service/ns/web')).to.be.lessThan(verbs.indexOf('delete Pod/ns/web-1-x'));
    expect(verbs).to.include('delete Pod/ns/web-1-x');
    const status = writer.get('Service', 'ns', 'web')?.status as { deployments: Array<{ failedTasks: number; countedFailedTasks: string[] }> };
    expect(status.deployments[0]).to.include({ failedTasks: 1 }).and.to.have.deep.property('countedFailedTasks', ['pod-web-1-x']);
    expect(events.events.map((e) => e.reason)).to.include.members(['TaskFailed', 'TasksStopped']);
    expect(events.events.find((e) => e.reason === 'TaskFailed')?.object).to.equal('web-1-x');
  });

  it('stops at a 409: a stale status write deletes nothing and records no event', async () => {
    const { svc, rs, failed, snap } = failing();
    const writer = new FakeChildWriter().seed(svc, rs, failed.pod);
    const events = new RecordedEvents();
    // The cached Service is older than the stored one.
    const stale = { ...svc, metadata: { ...svc.metadata, resourceVersion: 'stale' } };
    let error: unknown;
    try {
      await executePlan(writer, events, owner, stale, planService({ ...snap, service: stale }));
    } catch (e) {
      error = e;
    }
    expect((error as { code?: number }).code).to.equal(409);
    expect(writer.writes.filter((w) => w.verb === 'delete' || w.verb === 'status')).to.deep.equal([]);
    expect(events.events).to.deep.equal([]);
  });

  it('turns a create answered AlreadyExists into a taken name and writes nothing after it', async () => {
    const svc = { ...service(), kind: 'Service' as const };
    const plan: ServicePlan = planService(snapshot({ service: svc, revision: 1 }));
    const foreign = { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'web-1', namespace: 'ns', uid: 'someone-else' } };
    const writer = new FakeChildWriter().seed(svc, foreign);
    const outcome = await executePlan(writer, new RecordedEvents(), owner, writer.get('Service', 'ns', 'web') as typeof svc, plan);
    expect(outcome).to.deep.equal({ taken: { kind: 'ReplicaSet', name: 'web-1' } });
    expect(writer.writes).to.deep.equal([]);
    expect(writer.get('ReplicaSet', 'ns', 'web-1')?.metadata?.uid).to.equal('someone-else');
  });

  it('turns an apply refused as NotOwned into a taken name; planning again with it reports ServiceNameTaken and leaves the object alone', async () => {
    const svc = {
      ...service({ serviceConnectConfiguration: { enabled: true, services: [{ portName: 'http', discoveryName: 'api' }] } }),
      kind: 'Service' as const,
    };
    const theirs = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: {
        name: 'api',
        namespace: 'ns',
        uid: 'theirs',
        labels: { 'app.kubernetes.io/managed-by': 'ecs-operator' },
        ownerReferences: [{ apiVersion: 'v1', kind: 'Other', name: 'x', uid: 'other', controller: true }],
      },
    };
    const rs = replicaSet(svc, 1, 2);
    const writer = new FakeChildWriter().seed(svc, rs, theirs);
    const storedRs = writer.get('ReplicaSet', 'ns', 'web-1') as typeof rs;
    const snap = snapshot({ service: svc, revision: 1, deployments: [deployment(svc, storedRs, tasks(storedRs, { healthy: 2 }))] });
    const events = new RecordedEvents();
    // The cache does not show it (label-selected informer): the plan creates it, the create finds it.
    const first = await executePlan(writer, events, owner, writer.get('Service', 'ns', 'web') as typeof svc, planService(snap));
    expect(first).to.deep.equal({ taken: { kind: 'Service', name: 'api' } });
    const again = planService({ ...snap, taken: [{ kind: 'Service', name: 'api' }] });
    expect(await executePlan(writer, events, owner, writer.get('Service', 'ns', 'web') as typeof svc, again)).to.deep.equal({});
    expect(writer.writes.filter((w) => w.object === 'Service/ns/api')).to.deep.equal([]);
    expect(writer.get('Service', 'ns', 'api')?.metadata?.uid).to.equal('theirs');
    const valid = (writer.get('Service', 'ns', 'web')?.status as { conditions: Array<{ type: string; reason: string; message: string }> }).conditions.find(
      (c) => c.type === 'Valid',
    );
    expect(valid).to.include({ reason: 'ServiceNameTaken' });
    expect(events.events.find((e) => e.reason === 'ServiceNameTaken')?.message).to.include("core Service named 'api'");
  });
});
