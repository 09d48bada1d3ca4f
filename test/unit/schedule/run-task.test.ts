import { expect } from 'chai';
import type { ScheduledTask, Task, TaskStatus } from '../../../operator/src/api/index.js';
import { scheduledRunTask, scheduledTaskRuns, scheduleRunTaskOf, scheduleStartedBy } from '../../../operator/src/translate/schedule/run-task.js';

const schedule: ScheduledTask = {
  apiVersion: 'ecs.operator.dev/v1alpha1',
  kind: 'ScheduledTask',
  metadata: { name: 'nightly.report', namespace: 'reports', uid: 'u-1' },
  spec: {
    scheduleExpression: 'cron(0 2 * * ? *)',
    target: {
      taskDefinition: 'report:3',
      count: 2,
      cluster: 'batch',
      overrides: { containerOverrides: [{ name: 'report', command: ['run'] }] },
      tags: [{ key: 'team', value: 'bi' }],
    },
  },
};
const owner = {
  apiVersion: 'ecs.operator.dev/v1alpha1',
  kind: 'ScheduledTask',
  name: 'nightly.report',
  uid: 'u-1',
  controller: true,
  blockOwnerDeletion: true,
};

function withStatus(task: Task, status: TaskStatus): Task {
  return { ...task, status };
}

describe('schedule: the Tasks of a run', () => {
  const planned = { name: 'nightly-report-29453880-1', scheduledTime: new Date('2026-01-01T02:00:00Z') };
  const task = scheduledRunTask(schedule, planned, [owner]);

  it('is the target as RunTask input, less count, started by the schedule and marked with its time', () => {
    expect(task).to.deep.equal({
      apiVersion: 'ecs.operator.dev/v1alpha1',
      kind: 'Task',
      metadata: {
        name: 'nightly-report-29453880-1',
        namespace: 'reports',
        labels: { 'app.kubernetes.io/managed-by': 'ecs-operator', 'ecs.operator.dev/scheduled-task': 'nightly.report' },
        annotations: { 'ecs.operator.dev/scheduled-time': '2026-01-01T02:00:00Z' },
        ownerReferences: [owner],
      },
      spec: {
        taskDefinition: 'report:3',
        cluster: 'batch',
        overrides: { containerOverrides: [{ name: 'report', command: ['run'] }] },
        tags: [{ key: 'team', value: 'bi' }],
        startedBy: 'scheduled-task/nightly-report',
      },
    });
    expect(schedule.spec.target.count, 'the schedule is not changed').to.equal(2);
  });

  it('keeps startedBy within the letters and length ECS allows', () => {
    expect(scheduleStartedBy(`a.b${'x'.repeat(200)}`)).to.match(/^[A-Za-z0-9/_-]{1,128}$/);
  });

  it('reads back as running until it stops, then succeeded or failed', () => {
    expect(scheduleRunTaskOf(task)).to.deep.equal({ name: planned.name, scheduledTime: planned.scheduledTime, outcome: 'running' });
    expect(scheduleRunTaskOf(withStatus(task, { lastStatus: 'STOPPING', stopCode: 'UserInitiated' }))?.outcome).to.equal('running');
    const exited = (exitCode: number) =>
      withStatus(task, { lastStatus: 'STOPPED', stopCode: 'EssentialContainerExited', containers: [{ name: 'report', exitCode }] });
    expect(scheduleRunTaskOf(exited(0))?.outcome).to.equal('succeeded');
    expect(scheduleRunTaskOf(exited(1))?.outcome).to.equal('failed');
    expect(scheduleRunTaskOf(withStatus(task, { lastStatus: 'STOPPED', stopCode: 'TaskFailedToStart' }))?.outcome).to.equal('failed');
    expect(
      scheduleRunTaskOf(withStatus(task, { lastStatus: 'STOPPED', stopCode: 'UserInitiated', containers: [{ name: 'report', exitCode: 0 }] }))?.outcome,
    ).to.equal('failed');
  });

  it("is none of the schedule's runs without a valid scheduled time", () => {
    expect(scheduleRunTaskOf({ ...task, metadata: { name: 'x' } })).to.equal(undefined);
    expect(scheduleRunTaskOf({ ...task, metadata: { name: 'x', annotations: { 'ecs.operator.dev/scheduled-time': 'yesterday' } } })).to.equal(undefined);
  });

  it('lists the runs newest first, each with its Tasks and their stop codes', () => {
    const later = scheduledRunTask(schedule, { name: 'nightly-report-29455320', scheduledTime: new Date('2026-01-02T02:00:00Z') });
    const second = scheduledRunTask(schedule, { name: 'nightly-report-29453880-2', scheduledTime: planned.scheduledTime });
    const runs = scheduledTaskRuns([
      withStatus(second, { lastStatus: 'STOPPED', stopCode: 'EssentialContainerExited', stoppedReason: 'Essential container in task exited' }),
      withStatus(later, { lastStatus: 'RUNNING' }),
      task,
    ]);
    expect(runs).to.deep.equal([
      { scheduledTime: '2026-01-02T02:00:00Z', outcome: 'running', tasks: [{ name: 'nightly-report-29455320', lastStatus: 'RUNNING' }] },
      {
        scheduledTime: '2026-01-01T02:00:00Z',
        outcome: 'running',
        tasks: [
          { name: 'nightly-report-29453880-1' },
          {
            name: 'nightly-report-29453880-2',
            lastStatus: 'STOPPED',
            stopCode: 'EssentialContainerExited',
            stoppedReason: 'Essential container in task exited',
          },
        ],
      },
    ]);
  });
});
