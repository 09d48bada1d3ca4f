import { expect } from 'chai';
import type { V1ContainerStatus, V1Pod } from '@kubernetes/client-node';
import { observeTask, STOPPED_REASONS } from '../../../operator/src/translate/task-status.js';
import { ANNOTATIONS } from '../../../operator/src/translate/labels.js';

const now = '2026-11-24T10:00:00.000Z';
const started = new Date('2026-11-24T09:59:00.000Z');
const probe = { exec: { command: ['true'] } };

function pod(
  opts: {
    phase?: string;
    scheduled?: boolean | 'unknown';
    statuses?: V1ContainerStatus[];
    essential?: string[];
    deleting?: boolean;
    names?: Record<string, string>;
  } = {},
): V1Pod {
  const scheduled = opts.scheduled ?? true;
  return {
    metadata: {
      name: 't',
      annotations: {
        [ANNOTATIONS.essentialContainers]: JSON.stringify(opts.essential ?? ['app']),
        ...(opts.names ? { [ANNOTATIONS.containerNames]: JSON.stringify(opts.names) } : {}),
      },
      ...(opts.deleting ? { deletionTimestamp: new Date(now) } : {}),
    },
    spec: {
      ...(scheduled === true ? { nodeName: 'ecs-node-1' } : {}),
      containers: [
        { name: 'app', image: 'nginx:1.27', readinessProbe: probe, ports: [{ containerPort: 80, hostPort: 8080 }] },
        { name: 'sidecar', image: 'envoy:1' },
      ],
    },
    status: {
      phase: opts.phase ?? 'Running',
      hostIP: '10.0.0.1',
      conditions: scheduled === 'unknown' ? [] : [{ type: 'PodScheduled', status: scheduled ? 'True' : 'False', reason: scheduled ? '' : 'Unschedulable' }],
      containerStatuses: opts.statuses ?? [running('app'), running('sidecar')],
    },
  };
}

function running(name: string, ready = true): V1ContainerStatus {
  return { name, image: '', imageID: '', ready, restartCount: 0, started: true, state: { running: { startedAt: started } } };
}
function exited(name: string, exitCode: number, reason = 'Error'): V1ContainerStatus {
  return { name, image: '', imageID: '', ready: false, restartCount: 0, state: { terminated: { exitCode, reason, startedAt: started, finishedAt: started } } };
}
function waiting(name: string, reason: string, message: string): V1ContainerStatus {
  return { name, image: '', imageID: '', ready: false, restartCount: 0, state: { waiting: { reason, message } } };
}

describe('observeTask (ECS task status from its pod)', () => {
  it('is PROVISIONING before the pod exists', () => {
    expect(observeTask({ desiredStatus: 'RUNNING', now }).status).to.deep.include({ lastStatus: 'PROVISIONING', desiredStatus: 'RUNNING' });
  });

  it('is PROVISIONING until the scheduler looked at the pod, PENDING while it cannot be placed', () => {
    expect(observeTask({ pod: pod({ phase: 'Pending', scheduled: 'unknown', statuses: [] }), desiredStatus: 'RUNNING', now }).status.lastStatus).to.equal(
      'PROVISIONING',
    );
    const pending = observeTask({ pod: pod({ phase: 'Pending', scheduled: false, statuses: [] }), desiredStatus: 'RUNNING', now });
    expect(pending.status.lastStatus).to.equal('PENDING');
    expect(pending.stopPod, 'waiting for capacity never stops a task').to.equal(undefined);
  });

  it('is PENDING on a node while containers are created, with the container instance', () => {
    const { status } = observeTask({ pod: pod({ phase: 'Pending', statuses: [] }), desiredStatus: 'RUNNING', now });
    expect(status).to.deep.include({ lastStatus: 'PENDING', containerInstance: 'ecs-node-1' });
  });

  it('is RUNNING and HEALTHY when every container runs and the checked essential one is ready', () => {
    const { status, stopPod } = observeTask({ pod: pod(), desiredStatus: 'RUNNING', now });
    expect(stopPod).to.equal(undefined);
    expect(status).to.deep.include({ lastStatus: 'RUNNING', desiredStatus: 'RUNNING', healthStatus: 'HEALTHY', startedAt: started.toISOString() });
    expect(status.containers).to.deep.equal([
      {
        name: 'app',
        image: 'nginx:1.27',
        lastStatus: 'RUNNING',
        healthStatus: 'HEALTHY',
        networkBindings: [{ bindIP: '10.0.0.1', containerPort: 80, hostPort: 8080, protocol: 'tcp' }],
      },
      { name: 'sidecar', image: 'envoy:1', lastStatus: 'RUNNING', healthStatus: 'UNKNOWN' },
    ]);
  });

  it('reports UNHEALTHY when a checked essential container is not ready', () => {
    const { status } = observeTask({ pod: pod({ statuses: [running('app', false), running('sidecar')] }), desiredStatus: 'RUNNING', now });
    expect(status.healthStatus).to.equal('UNHEALTHY');
    expect(status.lastStatus).to.equal('RUNNING');
  });

  it('stops the task with EssentialContainerExited when an essential container exits', () => {
    const { status, stopPod } = observeTask({ pod: pod({ statuses: [exited('app', 2), running('sidecar')] }), desiredStatus: 'RUNNING', now });
    expect(stopPod).to.deep.equal({ stopCode: 'EssentialContainerExited', stoppedReason: STOPPED_REASONS.essentialExited });
    expect(status).to.deep.include({ lastStatus: 'DEACTIVATING', desiredStatus: 'STOPPED', stopCode: 'EssentialContainerExited', stoppingAt: now });
    expect(status.containers?.[0]).to.deep.include({ name: 'app', lastStatus: 'STOPPED', exitCode: 2 });
  });

  it('keeps the task running when a non-essential container exits', () => {
    const { status, stopPod } = observeTask({ pod: pod({ statuses: [running('app'), exited('sidecar', 1)] }), desiredStatus: 'RUNNING', now });
    expect(stopPod).to.equal(undefined);
    expect(status.lastStatus).to.equal('RUNNING');
    expect(status.containers?.[1]).to.deep.include({ lastStatus: 'STOPPED', exitCode: 1 });
  });

  it('stops the task with TaskFailedToStart and CannotPullContainerError when an image cannot be pulled', () => {
    const statuses = [waiting('app', 'ErrImagePull', 'manifest unknown'), waiting('sidecar', 'ContainerCreating', '')];
    const { status, stopPod } = observeTask({ pod: pod({ phase: 'Pending', statuses }), desiredStatus: 'RUNNING', now });
    expect(stopPod).to.deep.equal({ stopCode: 'TaskFailedToStart', stoppedReason: 'CannotPullContainerError: manifest unknown' });
    expect(status.containers?.[0]).to.deep.include({ lastStatus: 'PENDING', reason: 'CannotPullContainerError: manifest unknown' });
  });

  it('stops the task with UserInitiated when the user sets desiredStatus STOPPED', () => {
    const { status, stopPod } = observeTask({ pod: pod(), desiredStatus: 'STOPPED', now });
    expect(stopPod).to.deep.equal({ stopCode: 'UserInitiated', stoppedReason: STOPPED_REASONS.user });
    expect(status.lastStatus).to.equal('DEACTIVATING');
  });

  it('is STOPPING while the pod terminates, then STOPPED with every container stopped once it is gone', () => {
    const first = observeTask({ pod: pod(), desiredStatus: 'STOPPED', now });
    const stopping = observeTask({ pod: pod({ deleting: true }), previous: first.status, desiredStatus: 'STOPPED', now });
    expect(stopping.status.lastStatus).to.equal('STOPPING');
    expect(stopping.stopPod).to.equal(undefined);
    const gone = observeTask({ previous: stopping.status, desiredStatus: 'STOPPED', now: '2026-11-24T10:00:05.000Z' });
    expect(gone.status).to.deep.include({ lastStatus: 'STOPPED', stopCode: 'UserInitiated', stoppedAt: '2026-11-24T10:00:05.000Z', stoppingAt: now });
    expect(gone.status.containers?.map((c) => c.lastStatus)).to.deep.equal(['STOPPED', 'STOPPED']);
  });

  it('never changes a STOPPED task again, even if asked to run', () => {
    const stopped = observeTask({ previous: { lastStatus: 'RUNNING' }, desiredStatus: 'RUNNING', now }).status;
    expect(stopped).to.deep.include({ lastStatus: 'STOPPED', stopCode: 'TerminationNotice' });
    expect(observeTask({ pod: pod(), previous: stopped, desiredStatus: 'RUNNING', now: 'later' }).status).to.equal(stopped);
  });

  it('is STOPPED when every container finished, keeping the pod', () => {
    const { status, stopPod } = observeTask({
      pod: pod({ phase: 'Succeeded', statuses: [exited('app', 0, 'Completed'), exited('sidecar', 0, 'Completed')] }),
      desiredStatus: 'RUNNING',
      now,
    });
    expect(stopPod).to.equal(undefined);
    expect(status).to.deep.include({ lastStatus: 'STOPPED', stopCode: 'EssentialContainerExited', executionStoppedAt: now, stoppedAt: now });
  });

  it('reports OOM kills in ECS words and ECS container names', () => {
    const oom = observeTask({
      pod: pod({ statuses: [exited('app', 137, 'OOMKilled'), running('sidecar')], names: { app: 'App_1' } }),
      desiredStatus: 'RUNNING',
      now,
    });
    expect(oom.status.containers?.[0]).to.deep.include({ name: 'App_1', exitCode: 137, reason: 'OutOfMemoryError: Container killed due to memory usage' });
  });
});
