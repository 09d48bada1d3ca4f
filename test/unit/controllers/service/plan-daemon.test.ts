import { expect } from 'chai';
import type { V1DaemonSet } from '@kubernetes/client-node';
import { controllerReference } from '../../../../operator/src/controllers/common.js';
import { planService } from '../../../../operator/src/controllers/service/plan.js';
import type { ServiceAction } from '../../../../operator/src/controllers/service/snapshot.js';
import { withAppliedHash } from '../../../../operator/src/runtime/apply.js';
import { serviceDaemonSet } from '../../../../operator/src/translate/service-workload.js';
import { applyActions, service, snapshot, target, task, writesOf } from './fixtures.js';

const statusOf = (actions: readonly ServiceAction[]) => actions.find((a): a is Extract<ServiceAction, { verb: 'status' }> => a.verb === 'status')?.status;

describe('Service DAEMON planner', () => {
  const svc = service({ schedulingStrategy: 'DAEMON', desiredCount: undefined });
  const daemonSet = (revision: number, scheduled: number): V1DaemonSet => {
    const ds = withAppliedHash(serviceDaemonSet(svc, target(svc, revision), [controllerReference(svc)]));
    return {
      ...ds,
      metadata: { ...ds.metadata, uid: 'ds-uid', generation: 1, resourceVersion: '5' },
      status: {
        desiredNumberScheduled: scheduled,
        updatedNumberScheduled: scheduled,
        observedGeneration: 1,
        currentNumberScheduled: scheduled,
        numberMisscheduled: 0,
        numberReady: scheduled,
      },
    };
  };

  it('creates one DaemonSet for the resolved revision', () => {
    const plan = planService(snapshot({ service: svc, revision: 1 }));
    const created = plan.actions.filter((a) => a.verb === 'create').map((a) => ('object' in a ? `${a.object.kind}/${a.object.metadata?.name}` : ''));
    expect(created).to.deep.equal(['DaemonSet/web']);
  });

  it('completes once every scheduled node runs a healthy task of the PRIMARY, and then plans no write', () => {
    const ds = daemonSet(1, 2);
    const snap = snapshot({ service: svc, revision: 1, daemonSets: [ds], daemonTasks: [task(ds, 'web-a', 'healthy'), task(ds, 'web-b', 'healthy')] });
    const plan = planService(snap);
    expect(statusOf(plan.actions)?.deployments?.[0]).to.include({ status: 'PRIMARY', desiredCount: 2, runningCount: 2, rolloutState: 'COMPLETED' });
    const after = applyActions(snap, plan.actions);
    expect(writesOf(after, planService(after).actions)).to.deep.equal([]);
  });

  it('stops a failed task after counting it, and names it in a "has stopped" event once', () => {
    const ds = daemonSet(1, 1);
    const snap = snapshot({ service: svc, revision: 1, daemonSets: [ds], daemonTasks: [task(ds, 'web-a', 'failed2')] });
    const plan = planService(snap);
    const verbs = plan.actions.map((a) => a.verb);
    expect(verbs.indexOf('status')).to.be.lessThan(verbs.indexOf('delete'));
    expect(statusOf(plan.actions)?.deployments?.[0]).to.include({ failedTasks: 1 });
    const after = applyActions(snap, plan.actions);
    const again = planService(after);
    expect(statusOf(again.actions)?.deployments?.[0]).to.include({ failedTasks: 1 });
    expect(statusOf(again.actions)?.events?.filter((e) => e.message.includes('has stopped'))).to.have.length(1);
  });

  it('reports a DaemonSet name held by someone else and writes nothing to it', () => {
    const plan = planService({ ...snapshot({ service: svc, revision: 1 }), foreign: [{ kind: 'DaemonSet', name: 'web' }] });
    expect(plan.actions.map((a) => a.verb)).to.deep.equal(['status']);
    expect(statusOf(plan.actions)?.conditions?.find((c) => c.type === 'Valid')).to.include({ status: 'False', reason: 'DaemonSetNameTaken' });
  });
});
