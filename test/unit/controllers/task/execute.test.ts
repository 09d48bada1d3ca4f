import { expect } from 'chai';
import type { KubernetesObject, V1Pod } from '@kubernetes/client-node';
import type { Task, TaskStatus } from '../../../../operator/src/api/task.js';
import { executeTaskPlan } from '../../../../operator/src/controllers/task/execute.js';
import { planTask } from '../../../../operator/src/controllers/task/plan.js';
import { PLACEMENT_EVALUATED_ANNOTATION } from '../../../../operator/src/controllers/task/plan-placement.js';
import { statusCodeOf } from '../../../../operator/src/runtime/clients.js';
import { FakeChildWriter } from '../../../fakes/child-writer.js';
import { launched, NAMESPACE, POD_STATES, snapshot, task, taskDefinition } from './helpers.js';

const owner = { kind: 'Task', key: `${NAMESPACE}/one` };

/** Records events as `reason` strings. */
function recorder() {
  const recorded: string[] = [];
  const record = (type: string) => (_obj: KubernetesObject, reason: string) => void recorded.push(`${type}:${reason}`);
  return { recorded, events: { normal: record('normal'), warning: record('warning') } };
}

/** A writer whose store holds `stored` (as the API server has it); returns the Task as stored, with its resourceVersion. */
function writerWith(stored: Task, ...others: KubernetesObject[]): { writer: FakeChildWriter; live: Task } {
  const writer = new FakeChildWriter().seed(stored, ...others);
  return { writer, live: writer.get('Task', NAMESPACE, 'one') as Task };
}

describe('Task executor', () => {
  it('launches in order: the status that records the launch, the shared ServiceAccount, then the pod', async () => {
    const { writer, live } = writerWith(task());
    const plan = planTask(snapshot({ task: live }, taskDefinition({ taskRoleArn: 'arn:aws:iam::123456789012:role/app' })));
    const { recorded, events } = recorder();
    await executeTaskPlan({ writer, events }, owner, live, plan);
    expect(writer.writes.map((w) => `${w.verb} ${w.object}`)).to.deep.equal([
      `status Task/${NAMESPACE}/one`,
      `createShared ServiceAccount/${NAMESPACE}/${(plan.actions[1] as { object: KubernetesObject }).object.metadata?.name}`,
      `create Pod/${NAMESPACE}/one`,
    ]);
    expect((writer.get('Task', NAMESPACE, 'one')?.status as TaskStatus).lastStatus).to.equal('PENDING');
    expect(recorded).to.deep.equal([]);
  });

  it('stops in order: the stop decision in status, then the pod delete, then the events', async () => {
    const { status, pod } = launched();
    const running = POD_STATES.running(pod);
    const { writer, live } = writerWith(task({ desiredStatus: 'STOPPED' }, status), running);
    const livePod = writer.get('Pod', NAMESPACE, 'one') as V1Pod;
    const plan = planTask(snapshot({ task: live, pod: livePod }));
    const { recorded, events } = recorder();
    await executeTaskPlan({ writer, events }, owner, live, plan);
    expect(writer.writes.map((w) => w.verb)).to.deep.equal(['status', 'delete']);
    expect(recorded).to.deep.equal(['normal:UserInitiated']);
  });

  describe('a plan made from a stale Task (the cache behind the status written before a pod delete)', () => {
    it('fails its status write with 409 and writes nothing else: no second pod for a task whose launch was recorded', async () => {
      const { status } = launched();
      // The API server has the launch recorded; the cache still shows the Task before it, and the pod was deleted by hand.
      const { writer, live } = writerWith(task({}, status));
      const stale: Task = { ...live, status: undefined, metadata: { ...live.metadata, resourceVersion: 'older' } };
      const plan = planTask(snapshot({ task: stale }));
      expect(
        plan.actions.map((a) => a.type),
        'the stale plan would launch',
      ).to.deep.equal(['writeStatus', 'createPod']);
      const { recorded, events } = recorder();
      const error = await executeTaskPlan({ writer, events }, owner, stale, plan).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(statusCodeOf(error)).to.equal(409);
      expect(writer.writes).to.deep.equal([]);
      expect(writer.get('Pod', NAMESPACE, 'one')).to.equal(undefined);
      expect(recorded).to.deep.equal([]);
    });

    it('does not report a stopped task as lost: the 409 sends it back, and the caught-up plan keeps its stop code', async () => {
      const { status, pod } = launched();
      const stopping = planTask(snapshot({ task: task({}, status), pod: POD_STATES.exited(pod) })).status;
      const { writer, live } = writerWith(task({}, stopping));
      const stale: Task = { ...live, status, metadata: { ...live.metadata, resourceVersion: 'older' } };
      const stalePlan = planTask(snapshot({ task: stale }));
      expect(stalePlan.status.stopCode, 'the stale plan would call it lost').to.equal('TerminationNotice');
      const error = await executeTaskPlan({ writer, ...recorder() }, owner, stale, stalePlan).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(statusCodeOf(error)).to.equal(409);
      expect(writer.writes).to.deep.equal([]);

      const caughtUp = planTask(snapshot({ task: live }));
      await executeTaskPlan({ writer, ...recorder() }, owner, live, caughtUp);
      expect(writer.get('Task', NAMESPACE, 'one')?.status).to.deep.include({ lastStatus: 'STOPPED', stopCode: 'EssentialContainerExited' });
    });
  });

  it('a waiting pod replaced for a placement change is not taken for lost from a stale Task: 409, then the replacement', async () => {
    const { status, pod } = launched();
    const waiting = POD_STATES.unschedulable(pod);
    const affinity = {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['gone'] }] }] },
      },
    };
    const outdated = {
      ...waiting,
      metadata: { ...waiting.metadata, annotations: { ...waiting.metadata?.annotations, [PLACEMENT_EVALUATED_ANNOTATION]: 'true' } },
      spec: { ...waiting.spec!, affinity },
    };
    const { writer, live } = writerWith(task({}, status), outdated);
    const replace = planTask(snapshot({ task: live, pod: writer.get('Pod', NAMESPACE, 'one') as V1Pod }));
    await executeTaskPlan({ writer, ...recorder() }, owner, live, replace);
    expect(writer.writes.map((w) => w.verb)).to.deep.equal(['status', 'delete']);

    // The cache shows the pod gone but not yet the status written before the delete.
    const stalePlan = planTask(snapshot({ task: live }));
    expect(stalePlan.status.stopCode, 'the stale plan would call it lost').to.equal('TerminationNotice');
    const error = await executeTaskPlan({ writer, ...recorder() }, owner, live, stalePlan).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(statusCodeOf(error)).to.equal(409);

    const current = writer.get('Task', NAMESPACE, 'one') as Task;
    await executeTaskPlan({ writer, ...recorder() }, owner, current, planTask(snapshot({ task: current })));
    expect(writer.writes.map((w) => w.verb)).to.deep.equal(['status', 'delete', 'status', 'create']);
    expect((writer.get('Task', NAMESPACE, 'one')?.status as TaskStatus).lastStatus).to.equal('PENDING');
  });

  it('a pod that exists already is an answer, not an error (the next plan sees it)', async () => {
    const { pod } = launched();
    const { writer, live } = writerWith(task(), pod);
    const plan = planTask(snapshot({ task: live }));
    await executeTaskPlan({ writer, ...recorder() }, owner, live, plan);
    expect(writer.writes.map((w) => w.verb)).to.deep.equal(['status']);
  });
});
