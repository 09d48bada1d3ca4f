import { expect } from 'chai';
import type { V1Container, V1ContainerStatus, V1Pod } from '@kubernetes/client-node';
import { ANNOTATIONS } from '../../operator/src/translate/labels.js';
import { classifyServiceTask, HEALTH_CHECK_FAILED_REASON, healthCheckAllowanceSeconds } from '../../operator/src/translate/service-tasks.js';

const now = Date.parse('2026-11-24T10:00:00Z');
const secondsAgo = (s: number) => new Date(now - s * 1000);

function pod(
  opts: {
    phase?: string;
    ready?: boolean;
    started?: number;
    statuses?: V1ContainerStatus[];
    container?: Partial<V1Container>;
    deleting?: boolean;
    scheduled?: boolean;
  } = {},
): V1Pod {
  const started = secondsAgo(opts.started ?? 60);
  return {
    metadata: {
      name: 'web-1-abcde',
      creationTimestamp: secondsAgo((opts.started ?? 60) + 1),
      annotations: { [ANNOTATIONS.essentialContainers]: JSON.stringify(['app']) },
      ...(opts.deleting ? { deletionTimestamp: new Date(now) } : {}),
    },
    spec: { ...(opts.scheduled === false ? {} : { nodeName: 'ecs-node-1' }), containers: [{ name: 'app', image: 'nginx', ...opts.container }] },
    status: {
      phase: opts.phase ?? 'Running',
      conditions: [
        {
          type: 'PodScheduled',
          status: opts.scheduled === false ? 'False' : 'True',
          ...(opts.scheduled === false ? { reason: 'Unschedulable', message: '0/6 nodes are available' } : {}),
        },
        { type: 'Ready', status: opts.ready === false ? 'False' : 'True' },
      ],
      containerStatuses: opts.statuses ?? [
        { name: 'app', image: 'nginx', imageID: '', ready: opts.ready !== false, restartCount: 0, started: true, state: { running: { startedAt: started } } },
      ],
    },
  };
}

const waiting = (reason: string, message = ''): V1ContainerStatus[] => [
  { name: 'app', image: 'nginx', imageID: '', ready: false, restartCount: 0, state: { waiting: { reason, message } } },
];
const classify = (p: V1Pod, gracePeriodSeconds = 0) => classifyServiceTask(p, { now, gracePeriodSeconds });

describe('service tasks', () => {
  it('a running, ready pod is a HEALTHY RUNNING task', () => {
    expect(classify(pod())).to.deep.equal({ state: 'HEALTHY', lastStatus: 'RUNNING' });
  });

  it('a pod being deleted is STOPPING, whatever else it says', () => {
    expect(classify(pod({ deleting: true, statuses: waiting('ErrImagePull') })).state).to.equal('STOPPING');
  });

  it('an unschedulable or unstarted pod is PENDING', () => {
    expect(classify(pod({ scheduled: false, phase: 'Pending', statuses: [] }))).to.deep.include({ state: 'PENDING' });
    expect(classify(pod({ phase: 'Pending', statuses: waiting('ContainerCreating') }))).to.deep.include({ state: 'PENDING' });
  });

  it('an image that cannot be pulled fails the task at circuit breaker stage 1, in ECS words', () => {
    const task = classify(pod({ phase: 'Pending', statuses: waiting('ErrImagePull', 'failed to pull image nginx:nope: not found') }));
    expect(task.state).to.equal('FAILED');
    expect(task.failure).to.deep.equal({ stage: 1, reason: 'CannotPullContainerError: failed to pull image nginx:nope: not found' });
  });

  it('an exited essential container, or one crashing in a loop, fails the task at stage 2', () => {
    const exited = classify(
      pod({ phase: 'Failed', statuses: [{ name: 'app', image: 'nginx', imageID: '', ready: false, restartCount: 0, state: { terminated: { exitCode: 1 } } }] }),
    );
    expect(exited.failure?.stage).to.equal(2);
    const crashing = classify(pod({ ready: false, statuses: waiting('CrashLoopBackOff') }));
    expect(crashing).to.deep.include({ state: 'FAILED', failure: { stage: 2, reason: 'Essential container in task exited' } });
  });

  it('a task stopped by its node (eviction) is FAILED but not counted by the circuit breaker', () => {
    const evicted = pod({ phase: 'Failed', statuses: [] });
    evicted.status!.reason = 'Evicted';
    evicted.status!.message = 'The node was low on resource: memory.';
    expect(classify(evicted)).to.deep.include({ state: 'FAILED', failure: { reason: 'Evicted: The node was low on resource: memory.' } });
  });

  it('a running pod that is not ready is STARTING during the grace period and FAILED after it', () => {
    const starting = classify(pod({ ready: false, started: 10 }), 30);
    expect(starting).to.deep.equal({ state: 'STARTING', lastStatus: 'RUNNING', healthCheckDueInMs: 20_000 });
    expect(classify(pod({ ready: false, started: 31 }), 30)).to.deep.include({ state: 'FAILED', failure: { stage: 2, reason: HEALTH_CHECK_FAILED_REASON } });
  });

  it('gives health checks the time they need to pass first: start period and failure threshold', () => {
    const probe = { exec: { command: ['true'] }, periodSeconds: 5, failureThreshold: 2 };
    const checked = { readinessProbe: probe, startupProbe: { ...probe, failureThreshold: 4, initialDelaySeconds: 1 } };
    const withChecks = pod({ ready: false, started: 20, container: checked });
    expect(healthCheckAllowanceSeconds(withChecks)).to.equal(1 + 20 + 10);
    expect(classify(withChecks).state).to.equal('STARTING');
    expect(classify(pod({ ready: false, started: 32, container: checked })).state).to.equal('FAILED');
    // Kubernetes defaults for what a probe leaves out: every 10 s, 3 failures.
    expect(healthCheckAllowanceSeconds(pod({ container: { readinessProbe: { exec: { command: ['true'] } } } }))).to.equal(30);
    expect(healthCheckAllowanceSeconds(pod())).to.equal(0);
  });
});
