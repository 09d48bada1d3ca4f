import { expect } from 'chai';
import type { ScheduledTask, ScheduledTaskSpec, Task, TaskStatus } from '../../../operator/src/api/index.js';
import { planSchedule, type SchedulePlan } from '../../../operator/src/controllers/scheduledtask/plan.js';
import type { ScheduleSnapshot } from '../../../operator/src/controllers/scheduledtask/observe.js';

const CREATED = new Date('2026-03-02T10:00:00Z');
const minutes = (n: number) => new Date(CREATED.getTime() + n * 60_000);

function scheduleOf(spec: Partial<ScheduledTaskSpec>, status?: ScheduledTask['status']): ScheduledTask {
  return {
    apiVersion: 'ecs.operator.dev/v1alpha1',
    kind: 'ScheduledTask',
    metadata: { name: 'report', namespace: 'batch', uid: 'uid-report', generation: 1, creationTimestamp: CREATED },
    spec: { scheduleExpression: 'rate(1 minute)', target: { taskDefinition: 'report' }, ...spec },
    ...(status ? { status } : {}),
  };
}

function stopped(task: Task, status: TaskStatus): Task {
  return { ...task, status: { lastStatus: 'STOPPED', ...status } };
}

/** The snapshot after `plan` is carried out: its Tasks created, its history deleted, its status written. */
function applied(snapshot: ScheduleSnapshot, plan: SchedulePlan): ScheduleSnapshot {
  const deleted = new Set(plan.delete.map((task) => task.metadata.name));
  const tasks = [...snapshot.tasks.filter((task) => !deleted.has(task.metadata.name)), ...plan.create];
  return { ...snapshot, schedule: { ...snapshot.schedule, status: plan.status }, tasks };
}

const names = (tasks: readonly Task[]) => tasks.map((task) => task.metadata.name);

describe('ScheduledTask controller: plan', () => {
  it('starts a rate(1 minute) schedule once per minute from its creation, owned by the schedule and started by it', () => {
    const snapshot = { schedule: scheduleOf({}), tasks: [], now: minutes(2.5) };
    const plan = planSchedule(snapshot);
    const base = Math.floor(CREATED.getTime() / 60_000);
    expect(names(plan.create)).to.deep.equal([`report-${base}`, `report-${base + 1}`, `report-${base + 2}`]);
    const [first] = plan.create;
    expect(first!.metadata.ownerReferences).to.deep.equal([
      { apiVersion: 'ecs.operator.dev/v1alpha1', kind: 'ScheduledTask', name: 'report', uid: 'uid-report', controller: true, blockOwnerDeletion: true },
    ]);
    expect(first!.spec.startedBy).to.equal('scheduled-task/report');
    expect(plan.status.lastScheduleTime).to.equal('2026-03-02T10:02:00Z');
    expect(plan.status.nextScheduleTime).to.equal('2026-03-02T10:03:00Z');
    expect(plan.status.scheduleArn).to.equal('arn:aws:scheduler:local:batch:schedule/default/report');
    expect(plan.status.runs?.map((run) => run.scheduledTime)).to.deep.equal(['2026-03-02T10:02:00Z', '2026-03-02T10:01:00Z', '2026-03-02T10:00:00Z']);
    expect(plan.status.events?.map((event) => event.message)).to.include(
      `(schedule report) has started 1 tasks for the scheduled time 2026-03-02T10:00:00Z: (task report-${base}).`,
    );
    expect(plan.events.filter((event) => event.reason === 'Started')).to.have.length(3);
    expect(plan.requeueAfterMs).to.equal(30_000);
    expect(plan.status.conditions?.find((c) => c.type === 'Valid')?.status).to.equal('True');
  });

  it('planning again on what the plan did changes nothing: no run twice, no write', () => {
    let snapshot: ScheduleSnapshot = { schedule: scheduleOf({}), tasks: [], now: minutes(1.2) };
    snapshot = applied(snapshot, planSchedule(snapshot));
    const again = planSchedule(snapshot);
    expect(again.create).to.deep.equal([]);
    expect(again.status).to.deep.equal(snapshot.schedule.status);
    expect(again.events).to.deep.equal([]);
  });

  it('a restart that lost the status (but not the Tasks) runs nothing twice', () => {
    let snapshot: ScheduleSnapshot = { schedule: scheduleOf({}), tasks: [], now: minutes(1.2) };
    snapshot = applied(snapshot, planSchedule(snapshot));
    const restarted = planSchedule({ ...snapshot, schedule: scheduleOf({}), now: minutes(1.9) });
    expect(restarted.create).to.deep.equal([]);
    expect(restarted.status.lastScheduleTime).to.equal('2026-03-02T10:01:00Z');
  });

  it('count: 3 runs three Tasks per time, numbered', () => {
    const plan = planSchedule({ schedule: scheduleOf({ target: { taskDefinition: 'report', count: 3 } }), tasks: [], now: minutes(0.5) });
    const base = Math.floor(CREATED.getTime() / 60_000);
    expect(names(plan.create)).to.deep.equal([`report-${base}-1`, `report-${base}-2`, `report-${base}-3`]);
    expect(plan.status.runs).to.have.length(1);
    expect(plan.status.runs?.[0]?.tasks).to.have.length(3);
  });

  it('Forbid holds the next time while a run is going, and runs it when that run ends', () => {
    const spec = { concurrencyPolicy: 'Forbid' as const };
    let snapshot: ScheduleSnapshot = { schedule: scheduleOf(spec), tasks: [], now: minutes(0.1) };
    snapshot = applied(snapshot, planSchedule(snapshot));
    expect(snapshot.tasks).to.have.length(1);
    const held = planSchedule({ ...snapshot, now: minutes(1.1) });
    expect(held.create).to.deep.equal([]);
    expect(held.status.nextScheduleTime).to.equal('2026-03-02T10:01:00Z');
    const ended = planSchedule({ ...snapshot, tasks: [stopped(snapshot.tasks[0]!, { stopCode: 'EssentialContainerExited' })], now: minutes(1.2) });
    expect(ended.create).to.have.length(1);
  });

  it('Replace asks the running Task to stop and starts the new run', () => {
    let snapshot: ScheduleSnapshot = { schedule: scheduleOf({ concurrencyPolicy: 'Replace' }), tasks: [], now: minutes(0.1) };
    snapshot = applied(snapshot, planSchedule(snapshot));
    const plan = planSchedule({ ...snapshot, now: minutes(1.1) });
    expect(names(plan.stop)).to.deep.equal(names(snapshot.tasks));
    expect(plan.create).to.have.length(1);
    expect(plan.events.map((event) => event.reason)).to.include('Stopping');
  });

  it('a DISABLED schedule runs nothing and says which times it skipped, once rather than every time', () => {
    const snapshot = { schedule: scheduleOf({ state: 'DISABLED' }), tasks: [], now: minutes(2.5) };
    const plan = planSchedule(snapshot);
    expect(plan.create).to.deep.equal([]);
    expect(plan.status.events?.[0]?.message).to.equal(
      '(schedule report) skipped 3 scheduled times from 2026-03-02T10:00:00Z to 2026-03-02T10:02:00Z: the schedule is DISABLED.',
    );
    const later = planSchedule({ ...applied(snapshot, plan), now: minutes(3.5) });
    expect(later.create).to.deep.equal([]);
    expect(later.status.lastScheduleTime).to.equal('2026-03-02T10:03:00Z');
    expect(later.status.events).to.deep.equal(plan.status.events);
    expect(later.events).to.deep.equal([]);
  });

  it('refuses a bad expression with Valid=False naming spec.scheduleExpression, runs nothing, and says it once', () => {
    const snapshot = { schedule: scheduleOf({ scheduleExpression: 'cron(0 10 ? * FRX *)' }), tasks: [], now: minutes(1) };
    const plan = planSchedule(snapshot);
    const valid = plan.status.conditions?.find((c) => c.type === 'Valid');
    expect(valid?.status).to.equal('False');
    expect(valid?.message).to.match(/^spec\.scheduleExpression: cron\(0 10 \? \* FRX \*\): .*FRX/);
    expect(plan.create).to.deep.equal([]);
    expect(plan.status.nextScheduleTime).to.equal(undefined);
    expect(plan.events).to.deep.equal([{ type: 'warning', reason: 'InvalidSpec', message: valid?.message }]);
    expect(plan.status.events?.[0]?.message).to.equal(`(schedule report) is not valid: ${valid?.message}`);
    expect(planSchedule(applied(snapshot, plan)).events).to.deep.equal([]);
  });

  it('does not throw on a ScheduledTask without a spec or a target', () => {
    const bare = { ...scheduleOf({}), spec: undefined } as unknown as ScheduledTask;
    expect(planSchedule({ schedule: bare, tasks: [], now: minutes(1) }).status.conditions?.[0]?.message).to.equal('spec: is required');
    const noTarget = { ...scheduleOf({}), spec: { scheduleExpression: 'rate(1 minute)' } } as unknown as ScheduledTask;
    expect(planSchedule({ schedule: noTarget, tasks: [], now: minutes(1) }).status.conditions?.[0]?.message).to.equal('spec.target: is required');
  });

  it('names the time zone field when it is not an IANA zone', () => {
    const plan = planSchedule({
      schedule: scheduleOf({ scheduleExpression: 'cron(0 2 * * ? *)', scheduleExpressionTimezone: 'Mars/Olympus' }),
      tasks: [],
      now: minutes(1),
    });
    expect(plan.status.conditions?.[0]?.message).to.match(/^spec\.scheduleExpressionTimezone: 'Mars\/Olympus'/);
  });

  describe('retries (retryPolicy.maximumRetryAttempts)', () => {
    const started = (spec: Partial<ScheduledTaskSpec> = {}) => {
      const snapshot: ScheduleSnapshot = { schedule: scheduleOf({ scheduleExpression: 'rate(1 hour)', ...spec }), tasks: [], now: minutes(0.1) };
      return applied(snapshot, planSchedule(snapshot));
    };
    const failedToStart = (task: Task) => stopped(task, { stopCode: 'TaskFailedToStart', stoppedReason: 'CannotPullContainerError: pull access denied' });

    it('starts a Task that failed to start again, counted in status, until the attempts are used up', () => {
      const snapshot = started({ retryPolicy: { maximumRetryAttempts: 2 } });
      const first = snapshot.tasks[0]!;
      const once = planSchedule({ ...snapshot, tasks: [failedToStart(first)], now: minutes(1) });
      expect(names(once.create)).to.deep.equal([`${first.metadata.name}-r1`]);
      expect(once.create[0]!.metadata.annotations?.['ecs.operator.dev/retry-of']).to.equal(first.metadata.name);
      expect(once.status.runs?.[0]?.retryAttempts).to.equal(1);
      expect(once.status.runs?.[0]?.outcome).to.equal('running');
      expect(once.events.find((event) => event.reason === 'Retrying')?.message)
        .to.contain('attempt 1 of 2')
        .and.contain('CannotPullContainerError');
      const retry1 = once.create[0]!;
      const twice = planSchedule({ ...snapshot, tasks: [failedToStart(first), failedToStart(retry1)], now: minutes(2) });
      expect(names(twice.create)).to.deep.equal([`${first.metadata.name}-r2`]);
      const spent = planSchedule({ ...snapshot, tasks: [failedToStart(first), failedToStart(retry1), failedToStart(twice.create[0]!)], now: minutes(3) });
      expect(spent.create).to.deep.equal([]);
      expect(spent.status.runs?.[0]).to.include({ outcome: 'failed', retryAttempts: 2 });
    });

    it('does not retry a Task whose container ran and failed, nor past the event age, nor with 0 attempts', () => {
      const snapshot = started({ retryPolicy: { maximumRetryAttempts: 3, maximumEventAgeInSeconds: 120 } });
      const first = snapshot.tasks[0]!;
      const exited = stopped(first, { stopCode: 'EssentialContainerExited', containers: [{ name: 'report', exitCode: 1 }] });
      expect(planSchedule({ ...snapshot, tasks: [exited], now: minutes(1) }).create).to.deep.equal([]);
      expect(planSchedule({ ...snapshot, tasks: [failedToStart(first)], now: minutes(2.5) }).create).to.deep.equal([]);
      const none = started({ retryPolicy: { maximumRetryAttempts: 0 } });
      expect(planSchedule({ ...none, tasks: [failedToStart(none.tasks[0]!)], now: minutes(1) }).create).to.deep.equal([]);
    });

    it('a retried run that succeeded counts as succeeded, and history deletes its every attempt', () => {
      const snapshot = started({ scheduleExpression: 'rate(1 minute)', successfulRunsHistoryLimit: 0 });
      const first = snapshot.tasks[0]!;
      const retry = planSchedule({ ...snapshot, tasks: [failedToStart(first)], now: minutes(0.5) }).create[0]!;
      const done = stopped(retry, { stopCode: 'EssentialContainerExited', containers: [{ name: 'report', exitCode: 0 }] });
      const plan = planSchedule({ ...snapshot, tasks: [failedToStart(first), done], now: minutes(0.9) });
      expect(names(plan.delete).sort()).to.deep.equal([first.metadata.name, retry.metadata.name].sort());
      expect(plan.status.lastScheduleTime).to.equal('2026-03-02T10:00:00Z');
    });
  });
});
