import { expect } from 'chai';
import type { V1ControllerRevision } from '@kubernetes/client-node';
import { ECS_API_VERSION } from '../../../../operator/src/api/meta.js';
import type { TaskDefinition, TaskDefinitionSpec } from '../../../../operator/src/api/taskdefinition.js';
import type { TaskDefinitionSnapshot } from '../../../../operator/src/controllers/taskdefinition/observe.js';
import { IN_USE_RECHECK_MS, planTaskDefinition, type TaskDefinitionPlan } from '../../../../operator/src/controllers/taskdefinition/plan.js';
import { REVISIONS_IN_USE_FINALIZER, revisionObject } from '../../../../operator/src/translate/revisions.js';

const NOW = new Date('2026-11-30T12:00:00Z');
const spec = (image = 'nginx:1.27'): TaskDefinitionSpec => ({ containerDefinitions: [{ name: 'app', image, memory: 256 }] });

function td(fields: { spec?: TaskDefinitionSpec; finalizer?: boolean; deleting?: boolean; status?: TaskDefinition['status'] } = {}): TaskDefinition {
  return {
    apiVersion: ECS_API_VERSION,
    kind: 'TaskDefinition',
    metadata: {
      name: 'web',
      namespace: 'ns',
      uid: 'td-uid',
      generation: 1,
      resourceVersion: '5',
      ...(fields.finalizer ? { finalizers: [REVISIONS_IN_USE_FINALIZER] } : {}),
      ...(fields.deleting ? { deletionTimestamp: NOW } : {}),
    },
    spec: fields.spec ?? spec(),
    ...(fields.status ? { status: fields.status } : {}),
  };
}

/** Revision `n` of a TaskDefinition with `image`, as the cache shows it. */
const revision = (n: number, image = 'nginx:1.27'): V1ControllerRevision => {
  const r = revisionObject(td({ spec: spec(image) }), n);
  return { ...r, metadata: { ...r.metadata, creationTimestamp: new Date(NOW.getTime() - n * 1000) } };
};
const snapshot = (fields: Partial<TaskDefinitionSnapshot> = {}): TaskDefinitionSnapshot => ({ td: td(), revisions: [], inUse: new Set(), ...fields });
const verbs = (plan: TaskDefinitionPlan) => plan.actions.map((a) => a.type);
const statusOf = (plan: TaskDefinitionPlan) => {
  const write = plan.actions.find((a) => a.type === 'writeStatus');
  return write?.type === 'writeStatus' ? write.status : undefined;
};

describe('TaskDefinition planner', () => {
  it('registers revision 1 for a new spec, with an Event, and nothing else until the cache shows it', () => {
    const plan = planTaskDefinition(snapshot(), NOW);
    expect(verbs(plan)).to.deep.equal(['createRevision']);
    expect(plan.actions[0]).to.deep.nested.include({ 'revision.metadata.name': 'web-1', 'revision.revision': 1 });
    expect(plan.events).to.deep.equal([{ type: 'normal', reason: 'RevisionRegistered', message: 'registered revision web:1' }]);
  });

  it('then sets the finalizer, alone (it changes the resourceVersion the status write must carry)', () => {
    expect(verbs(planTaskDefinition(snapshot({ revisions: [revision(1)] }), NOW))).to.deep.equal(['setFinalizer']);
  });

  it('then writes the status: latest revision, ARN, revision list with registration times, Valid=True; then nothing', () => {
    const plan = planTaskDefinition(snapshot({ td: td({ finalizer: true }), revisions: [revision(1)] }), NOW);
    expect(verbs(plan)).to.deep.equal(['writeStatus']);
    expect(statusOf(plan)).to.deep.include({
      family: 'web',
      revision: 1,
      taskDefinition: 'web:1',
      taskDefinitionArn: 'arn:aws:ecs:local:ns:task-definition/web:1',
      status: 'ACTIVE',
    });
    expect(statusOf(plan)?.revisions).to.deep.equal([{ revision: 1, status: 'ACTIVE', controllerRevision: 'web-1', registeredAt: '2026-11-30T11:59:59.000Z' }]);
    const again = planTaskDefinition(snapshot({ td: td({ finalizer: true, status: statusOf(plan) }), revisions: [revision(1)] }), NOW);
    expect(again.actions).to.deep.equal([]);
    expect(again.events).to.deep.equal([]);
  });

  it('registers the next number for a changed spec, never reusing one (status remembers a number whose revision is gone)', () => {
    const changed = td({ spec: spec('nginx:1.28'), finalizer: true, status: { revision: 4 } });
    const plan = planTaskDefinition(snapshot({ td: changed, revisions: [revision(1), revision(2)] }), NOW);
    expect(plan.actions[0]).to.deep.nested.include({ type: 'createRevision', 'revision.revision': 5 });
  });

  it('an invalid spec is Valid=False naming the field, with a warning Event, and registers nothing', () => {
    const broken = td({ spec: { containerDefinitions: [{ name: 'app', image: 'nginx', memory: 256, memoryReservation: 512 }] } });
    const plan = planTaskDefinition(snapshot({ td: broken }), NOW);
    expect(verbs(plan)).to.deep.equal(['writeStatus']);
    const valid = statusOf(plan)?.conditions?.find((c) => c.type === 'Valid');
    expect(valid).to.deep.include({ status: 'False', reason: 'InvalidSpec' });
    expect(valid?.message).to.match(/^spec\.containerDefinitions\[0\]\.memory: /);
    expect(plan.events.map((e) => `${e.type}:${e.reason}`)).to.deep.equal(['warning:InvalidSpec']);
  });

  it('a family an older TaskDefinition registers: FamilyConflict on spec.family', () => {
    const plan = planTaskDefinition(snapshot({ familyRegisteredBy: 'older' }), NOW);
    expect(statusOf(plan)?.conditions?.find((c) => c.type === 'Valid')).to.deep.include({
      status: 'False',
      reason: 'FamilyConflict',
      message: "spec.family: family 'web' is already registered by TaskDefinition 'older'",
    });
  });

  describe('deletion', () => {
    it('while a revision is in use: DELETE_IN_PROGRESS, looked at again later', () => {
      const deleting = td({
        deleting: true,
        finalizer: true,
        status: { status: 'ACTIVE', revisions: [{ revision: 1, status: 'ACTIVE', controllerRevision: 'web-1' }] },
      });
      const plan = planTaskDefinition(snapshot({ td: deleting, revisions: [revision(1)], inUse: new Set([1]) }), NOW);
      expect(statusOf(plan)).to.deep.include({
        status: 'DELETE_IN_PROGRESS',
        revisions: [{ revision: 1, status: 'DELETE_IN_PROGRESS', controllerRevision: 'web-1' }],
      });
      expect(plan.requeueAfterMs).to.equal(IN_USE_RECHECK_MS);
    });
    it('once nothing uses it: the finalizer goes, and nothing else is written', () => {
      const plan = planTaskDefinition(snapshot({ td: td({ deleting: true, finalizer: true }), revisions: [revision(1)] }), NOW);
      expect(plan.actions).to.deep.equal([{ type: 'setFinalizer', present: false }]);
      expect(planTaskDefinition(snapshot({ td: td({ deleting: true }), revisions: [revision(1)] }), NOW).actions).to.deep.equal([]);
    });
  });
});
