// Properties of the Task planner over random snapshots: any earlier status, any pod state, with or without
// its Cluster and revision, wanted RUNNING or STOPPED.
import { expect } from 'chai';
import fc from 'fast-check';
import type { V1Pod } from '@kubernetes/client-node';
import type { TaskLastStatus, TaskStatus, TaskStopCode } from '../../../../operator/src/api/task.js';
import { launchRecorded, type TaskSnapshot } from '../../../../operator/src/controllers/task/observe.js';
import { planTask, replacingPod, type TaskPlan } from '../../../../operator/src/controllers/task/plan.js';
import { PLACEMENT_CHANGED } from '../../../../operator/src/controllers/task/plan-placement.js';
import { createdPod, launched, NOW, POD_STATES, type PodState, RETENTION_MS, snapshot, task } from './helpers.js';

const base = launched();
const LAST_STATUSES: Array<TaskLastStatus | undefined> = [undefined, 'PROVISIONING', 'PENDING', 'ACTIVATING', 'RUNNING', 'DEACTIVATING', 'STOPPING', 'STOPPED'];
const STOP_CODES: Array<TaskStopCode | undefined> = [undefined, 'EssentialContainerExited', 'TaskFailedToStart', 'UserInitiated', 'TerminationNotice'];

const statusArbitrary: fc.Arbitrary<TaskStatus> = fc
  .record({
    lastStatus: fc.constantFrom(...LAST_STATUSES),
    stopCode: fc.constantFrom(...STOP_CODES),
    placementChanged: fc.boolean(),
    stoppedAgoMs: fc.integer({ min: 0, max: 2 * RETENTION_MS }),
    fromLaunch: fc.boolean(),
  })
  .map(({ lastStatus, stopCode, placementChanged, stoppedAgoMs, fromLaunch }) => {
    const status: TaskStatus = fromLaunch ? { ...base.status } : {};
    if (lastStatus) status.lastStatus = lastStatus;
    else delete status.lastStatus;
    if (stopCode) Object.assign(status, { stopCode, stoppedReason: 'why' });
    if (lastStatus === 'STOPPED') status.stoppedAt = new Date(NOW - stoppedAgoMs).toISOString();
    if (placementChanged) {
      status.conditions = [
        ...(status.conditions ?? []).filter((c) => c.type !== 'Placed'),
        { type: 'Placed', status: 'False', reason: PLACEMENT_CHANGED, message: 'changed', lastTransitionTime: new Date(NOW - 5000).toISOString() },
      ];
    }
    return status;
  });

const snapshotArbitrary: fc.Arbitrary<TaskSnapshot> = fc
  .record({
    status: fc.option(statusArbitrary, { nil: undefined }),
    pod: fc.option(fc.constantFrom(...(Object.keys(POD_STATES) as PodState[])), { nil: undefined }),
    podNameTaken: fc.boolean(),
    cluster: fc.boolean(),
    revision: fc.boolean(),
    desiredStatus: fc.constantFrom('RUNNING' as const, 'STOPPED' as const),
  })
  .map(({ status, pod, podNameTaken, cluster, revision, desiredStatus }) =>
    snapshot({
      task: task({ desiredStatus }, status),
      ...(pod ? { pod: POD_STATES[pod](base.pod) } : {}),
      podNameTaken: podNameTaken && !pod,
      ...(cluster ? {} : { cluster: undefined }),
      ...(revision ? {} : { revision: { ok: false, reason: 'no ACTIVE revision' } }),
    }),
  );

/** The world after `plan` is carried out: its status written, its pod created or deleted, its default Cluster made. */
function after(s: TaskSnapshot, plan: TaskPlan): TaskSnapshot | undefined {
  if (plan.actions.some((a) => a.type === 'deletePod' || (a.type === 'createShared' && a.object.kind === 'Cluster'))) return undefined;
  const pod: V1Pod | undefined = createdPod(plan) ?? s.pod;
  return { ...s, task: { ...s.task, status: plan.status }, ...(pod ? { pod } : {}) };
}

describe('Task planner properties', () => {
  it('never two pods: no plan creates a pod when one exists, when the name is taken, or when the status records a launch (save a placement replacement)', () => {
    fc.assert(
      fc.property(snapshotArbitrary, (s) => {
        const plan = planTask(s);
        const creates = plan.actions.filter((a) => a.type === 'createPod');
        expect(creates.length).to.be.at.most(1);
        if (creates.length === 0) return;
        const previous = s.task.status ?? {};
        expect(s.pod, 'a pod exists').to.equal(undefined);
        expect(s.podNameTaken).to.equal(false);
        expect(!launchRecorded(previous) || replacingPod(previous, s.pod), 'the status records a launch').to.equal(true);
      }),
      { numRuns: 500 },
    );
  });

  it('a pod is created only after the status write that records its launch', () => {
    fc.assert(
      fc.property(snapshotArbitrary, (s) => {
        const plan = planTask(s);
        const create = plan.actions.findIndex((a) => a.type === 'createPod');
        if (create < 0) return;
        const write = plan.actions.findIndex((a) => a.type === 'writeStatus');
        expect(write).to.be.within(0, create - 1);
        expect(launchRecorded(plan.status)).to.equal(true);
        // A replacement drops its marker: a missing pod after this write is a lost task, not one to replace.
        expect(replacingPod(plan.status, undefined)).to.equal(false);
      }),
      { numRuns: 500 },
    );
  });

  it('planning again on the planned result changes nothing (when the plan deleted no pod: that is followed by its own step)', () => {
    fc.assert(
      fc.property(snapshotArbitrary, (s) => {
        const plan = planTask(s);
        const next = after(s, plan);
        if (!next) return;
        const again = planTask(next);
        expect(again.actions).to.deep.equal([]);
        expect(again.status).to.deep.equal(plan.status);
        expect(again.events).to.deep.equal([]);
      }),
      { numRuns: 500 },
    );
  });

  it('a STOPPED task stays STOPPED with the same status, whatever it sees', () => {
    fc.assert(
      fc.property(snapshotArbitrary, (s) => {
        if (s.task.status?.lastStatus !== 'STOPPED' || s.podNameTaken) return;
        const plan = planTask(s);
        expect(plan.status).to.deep.equal(s.task.status);
        expect(plan.actions.every((a) => a.type === 'deletePod')).to.equal(true);
      }),
      { numRuns: 300 },
    );
  });
});
