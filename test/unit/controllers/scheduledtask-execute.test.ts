import { expect } from 'chai';
import type { KubernetesObject } from '@kubernetes/client-node';
import type { ScheduledTask, Task } from '../../../operator/src/api/index.js';
import { executeSchedulePlan } from '../../../operator/src/controllers/scheduledtask/execute.js';
import { planSchedule } from '../../../operator/src/controllers/scheduledtask/plan.js';
import { FakeChildWriter } from '../../fakes/child-writer.js';

const CREATED = new Date('2026-03-02T10:00:00Z');
const minutes = (n: number) => new Date(CREATED.getTime() + n * 60_000);
const owner = { kind: 'ScheduledTask', key: 'batch/report' };

function recorder() {
  const recorded: Array<{ type: string; reason: string; message: string; object?: string }> = [];
  const record = (type: string) => (object: KubernetesObject, reason: string, message: string) =>
    recorded.push({ type, reason, message, object: object.metadata?.name });
  return { recorded, events: { normal: record('normal'), warning: record('warning') } };
}

function scheduleIn(writer: FakeChildWriter, spec: Partial<ScheduledTask['spec']> = {}): ScheduledTask {
  const schedule = {
    apiVersion: 'ecs.operator.dev/v1alpha1',
    kind: 'ScheduledTask',
    metadata: { name: 'report', namespace: 'batch', uid: 'uid-report', generation: 1, creationTimestamp: CREATED },
    spec: { scheduleExpression: 'rate(1 minute)', target: { taskDefinition: 'report' }, ...spec },
  } as ScheduledTask;
  writer.seed(schedule);
  return writer.get('ScheduledTask', 'batch', 'report') as ScheduledTask;
}

const tasksIn = (writer: FakeChildWriter) => [...writer.store.values()].filter((o): o is Task => o.kind === 'Task');

describe('ScheduledTask controller: execute', () => {
  it("creates the run's Tasks before writing status, and records the events", async () => {
    const writer = new FakeChildWriter();
    const { recorded, events } = recorder();
    const schedule = scheduleIn(writer);
    const plan = planSchedule({ schedule, tasks: [], now: minutes(1.5) });
    const { created } = await executeSchedulePlan({ writer, events }, owner, schedule, plan);
    expect(created).to.have.length(2);
    expect(writer.writes.map((w) => `${w.verb} ${w.object}`)).to.deep.equal([
      ...created.map((name) => `create Task/batch/${name}`),
      'status ScheduledTask/batch/report',
    ]);
    expect((writer.get('ScheduledTask', 'batch', 'report') as ScheduledTask).status?.lastScheduleTime).to.equal('2026-03-02T10:01:00Z');
    expect(recorded.filter((e) => e.reason === 'Started').map((e) => e.object)).to.deep.equal(['report', 'report']);
  });

  it('a Task that exists already is an answer: the run is not started twice and nothing fails', async () => {
    const writer = new FakeChildWriter();
    const schedule = scheduleIn(writer);
    const plan = planSchedule({ schedule, tasks: [], now: minutes(0.5) });
    writer.seed(...plan.create);
    const { created } = await executeSchedulePlan({ writer, events: recorder().events }, owner, schedule, plan);
    expect(created).to.deep.equal([]);
    expect(writer.writes.map((w) => w.verb)).to.deep.equal(['status']);
  });

  it('deletes history only after status records its time, and not at all when the status was stale', async () => {
    const writer = new FakeChildWriter();
    const schedule = scheduleIn(writer, { successfulRunsHistoryLimit: 0 });
    const first = planSchedule({ schedule, tasks: [], now: minutes(0.5) });
    await executeSchedulePlan({ writer, events: recorder().events }, owner, schedule, first);
    const [task] = tasksIn(writer);
    const done = {
      ...task!,
      status: { lastStatus: 'STOPPED' as const, stopCode: 'EssentialContainerExited' as const, containers: [{ name: 'report', exitCode: 0 }] },
    };
    writer.seed(done);
    const current = writer.get('ScheduledTask', 'batch', 'report') as ScheduledTask;
    const plan = planSchedule({ schedule: current, tasks: [done], now: minutes(0.8) });
    expect(plan.delete).to.have.length(1);

    // A plan made from a copy older than the store: the status write is refused (409) and nothing is deleted.
    const stale = { ...current, metadata: { ...current.metadata, resourceVersion: '0' } };
    writer.writes.length = 0;
    let refused: unknown;
    await executeSchedulePlan({ writer, events: recorder().events }, owner, stale, plan).catch((error: unknown) => {
      refused = error;
    });
    expect((refused as { code?: number }).code).to.equal(409);
    expect(writer.writes).to.deep.equal([]);

    await executeSchedulePlan({ writer, events: recorder().events }, owner, current, plan);
    expect(writer.writes.map((w) => `${w.verb} ${w.object}`)).to.deep.equal(['status ScheduledTask/batch/report', `delete Task/batch/${task!.metadata.name}`]);
  });

  it('Replace asks the running Task to stop through an apply of desiredStatus STOPPED', async () => {
    const writer = new FakeChildWriter();
    const schedule = scheduleIn(writer, { concurrencyPolicy: 'Replace' });
    await executeSchedulePlan({ writer, events: recorder().events }, owner, schedule, planSchedule({ schedule, tasks: [], now: minutes(0.5) }));
    const running = tasksIn(writer);
    const current = writer.get('ScheduledTask', 'batch', 'report') as ScheduledTask;
    writer.writes.length = 0;
    await executeSchedulePlan({ writer, events: recorder().events }, owner, current, planSchedule({ schedule: current, tasks: running, now: minutes(1.5) }));
    expect(writer.writes.map((w) => w.verb)).to.deep.equal(['create', 'apply', 'status']);
    expect((writer.get('Task', 'batch', running[0]!.metadata.name!) as Task).spec.desiredStatus).to.equal('STOPPED');
  });
});
