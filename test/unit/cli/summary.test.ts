import { expect } from 'chai';
import { renderSummary, renderTable } from '../../../operator/src/cli/summary.js';
import type { Cluster } from '../../../operator/src/api/cluster.js';
import type { ScheduledTask } from '../../../operator/src/api/scheduledtask.js';
import type { Service } from '../../../operator/src/api/service.js';
import type { Task } from '../../../operator/src/api/task.js';

const meta = (name: string) => ({ name, namespace: 'demo' });

describe('ecs-operator summary', () => {
  it('pads columns to the widest cell and says when a table is empty', () => {
    expect(
      renderTable(
        'T',
        ['A', 'BB'],
        [
          ['x', 'y'],
          ['long', 'z'],
        ],
      ),
    ).to.equal('T\nA     BB\nx     y\nlong  z\n');
    expect(renderTable('T', ['A'], [])).to.equal('T: none\n');
  });

  it('shows clusters, services and tasks in ECS terms', () => {
    const cluster = {
      apiVersion: 'ecs.operator.dev/v1alpha1',
      kind: 'Cluster',
      metadata: meta('default'),
      spec: {},
      status: {
        clusterName: 'default',
        status: 'ACTIVE',
        registeredContainerInstancesCount: 6,
        runningTasksCount: 4,
        pendingTasksCount: 0,
        activeServicesCount: 1,
        cpuReservation: 12.5,
        memoryReservation: 3,
        cpuUtilization: 4.25,
      },
    } as Cluster;
    const service = {
      apiVersion: 'ecs.operator.dev/v1alpha1',
      kind: 'Service',
      metadata: meta('web'),
      spec: { taskDefinition: 'web', desiredCount: 3 },
      status: {
        status: 'ACTIVE',
        desiredCount: 3,
        runningCount: 3,
        pendingCount: 0,
        taskDefinition: 'web:1',
        deployments: [
          { id: 'ecs-svc/1', status: 'PRIMARY', taskDefinition: 'web:1', desiredCount: 3, pendingCount: 0, runningCount: 3, rolloutState: 'COMPLETED' },
        ],
        events: [{ id: '1', createdAt: '2026-11-24T00:00:00Z', message: '(service web) has reached a steady state.' }],
        cpuUtilization: 61.5,
        memoryUtilization: 40,
      },
    } as Service;
    const task = {
      apiVersion: 'ecs.operator.dev/v1alpha1',
      kind: 'Task',
      metadata: meta('batch'),
      spec: { taskDefinition: 'batch' },
      status: {
        lastStatus: 'STOPPED',
        desiredStatus: 'STOPPED',
        taskDefinition: 'batch:1',
        containerInstance: 'ecs-node-2',
        stopCode: 'EssentialContainerExited',
        stoppedReason: 'Essential container in task exited',
      },
    } as Task;
    const schedule = {
      apiVersion: 'ecs.operator.dev/v1alpha1',
      kind: 'ScheduledTask',
      metadata: meta('nightly-report'),
      spec: { scheduleExpression: 'cron(0 2 * * ? *)', scheduleExpressionTimezone: 'Europe/Berlin', target: { taskDefinition: 'report' } },
      status: {
        lastScheduleTime: '2026-11-24T01:00:00Z',
        nextScheduleTime: '2026-11-25T01:00:00Z',
        runs: [{ scheduledTime: '2026-11-24T01:00:00Z', outcome: 'succeeded', tasks: [{ name: 'nightly-report-29401500' }] }],
      },
    } as ScheduledTask;
    const invalid = {
      ...schedule,
      metadata: meta('typo'),
      spec: { ...schedule.spec, scheduleExpression: 'cron(0 2 * * ? x)' },
      status: {
        conditions: [
          { type: 'Valid', status: 'False', reason: 'InvalidSpec', message: 'spec.scheduleExpression: ...', lastTransitionTime: '2026-11-24T00:00:00Z' },
        ],
      },
    } as ScheduledTask;
    const text = renderSummary({ clusters: [cluster], services: [service], tasks: [task], scheduledTasks: [schedule, invalid] });
    expect(text).to.match(/^CLUSTERS\nNAMESPACE +CLUSTER +STATUS +INSTANCES/);
    expect(text).to.match(/CPU RESERVED +MEMORY RESERVED +CPU USED +MEMORY USED\n/);
    // A figure the metrics API does not give (here the cluster's memory) is a dash.
    expect(text).to.match(/demo +default +ACTIVE +6 +4 +0 +1 +12.5% +3% +4.25% +-\n/);
    expect(text).to.match(/ROLLOUT +CPU +MEMORY +LAST EVENT\n/);
    expect(text).to.match(/demo +web +ACTIVE +REPLICA +3 +3 +0 +web:1 +COMPLETED +61.5% +40% +\(service web\) has reached a steady state\./);
    expect(text).to.match(/demo +batch +STOPPED +STOPPED +batch:1 +ecs-node-2 +- +EssentialContainerExited: Essential container in task exited/);
    expect(text).to.match(/\nSCHEDULES\nNAMESPACE +SCHEDULE +STATE +EXPRESSION +TIME ZONE +TASK DEFINITION +LAST RUN +OUTCOME +NEXT RUN\n/);
    expect(text).to.match(
      /demo +nightly-report +ENABLED +cron\(0 2 \* \* \? \*\) +Europe\/Berlin +report +2026-11-24T01:00:00Z +succeeded +2026-11-25T01:00:00Z\n/,
    );
    expect(text).to.match(/demo +typo +INVALID +cron\(0 2 \* \* \? x\) +Europe\/Berlin +report +- +- +-\n/);
  });
});
