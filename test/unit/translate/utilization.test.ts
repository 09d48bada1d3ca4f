import { expect } from 'chai';
import type { V1Pod } from '@kubernetes/client-node';
import {
  type MetricsReading,
  podReservation,
  resourcesOf,
  serviceUtilization,
  steadyPercent,
  type Utilization,
  withoutUtilization,
} from '../../../operator/src/translate/utilization.js';

interface TaskPod {
  name: string;
  phase?: string;
  deleting?: boolean;
  /** Per container requests. */
  containers?: Array<{ cpu?: string; memory?: string }>;
  /** Pod-level requests: the ECS task size. */
  task?: { cpu?: string; memory?: string };
}

function taskPod({ name, phase = 'Running', deleting = false, containers = [{ cpu: '250m', memory: '128Mi' }], task }: TaskPod): V1Pod {
  const requests = (r: { cpu?: string; memory?: string }) => ({
    ...(r.cpu ? { cpu: r.cpu } : {}),
    ...(r.memory ? { memory: r.memory } : {}),
  });
  return {
    metadata: { name, ...(deleting ? { deletionTimestamp: new Date('2026-12-01T00:00:00Z') } : {}) },
    spec: {
      containers: containers.map((c, i) => ({ name: `c${i}`, image: 'x', resources: { requests: requests(c) } })),
      ...(task ? { resources: { requests: requests(task) } } : {}),
    },
    status: { phase },
  };
}

const served = (usage: Record<string, { cpu: number; memory: number }>): MetricsReading => ({ served: true, usage: new Map(Object.entries(usage)) });

describe('translate/utilization', () => {
  it('reads metrics.k8s.io quantities as millicores and MiB', () => {
    const { cpu, memory } = resourcesOf({ cpu: '250123456n', memory: '65536Ki' });
    expect(cpu).to.be.closeTo(250.123456, 1e-9);
    expect(memory).to.equal(64);
    expect(resourcesOf({ cpu: 'junk', memory: '1Gi' })).to.deep.equal({ cpu: 0, memory: 1024 });
  });

  describe('podReservation', () => {
    const cases: Array<[string, V1Pod, { cpu: number; memory: number }]> = [
      ["the containers' sum", taskPod({ name: 'p', containers: [{ cpu: '250m', memory: '128Mi' }, { cpu: '500m' }] }), { cpu: 750, memory: 128 }],
      ['the task size where set', taskPod({ name: 'p', task: { cpu: '1', memory: '2Gi' } }), { cpu: 1000, memory: 2048 }],
      ["the task cpu and the containers' memory", taskPod({ name: 'p', task: { cpu: '1' } }), { cpu: 1000, memory: 128 }],
      ['nothing for a task that reserves nothing', taskPod({ name: 'p', containers: [{}] }), { cpu: 0, memory: 0 }],
    ];
    for (const [what, pod, expected] of cases) it(`is ${what}`, () => expect(podReservation(pod)).to.deep.equal(expected));

    it('is the larger of the long-running containers and any one init container, as the scheduler counts', () => {
      const pod = taskPod({ name: 'p' });
      pod.spec!.initContainers = [
        { name: 'setup', image: 'x', resources: { requests: { cpu: '1' } } },
        { name: 'proxy', image: 'x', restartPolicy: 'Always', resources: { requests: { memory: '64Mi' } } },
      ];
      expect(podReservation(pod)).to.deep.equal({ cpu: 1000, memory: 192 });
    });
  });

  describe('serviceUtilization (ECS service CPUUtilization / MemoryUtilization)', () => {
    const cases: Array<{ what: string; tasks: TaskPod[]; usage: MetricsReading | undefined; shown?: Utilization; expected: Utilization }> = [
      {
        what: "the RUNNING tasks' usage over their reservation",
        tasks: [{ name: 'a' }, { name: 'b' }],
        usage: served({ a: { cpu: 200, memory: 64 }, b: { cpu: 100, memory: 32 } }),
        // 300m of 500m, 96 of 256 MiB.
        expected: { cpuUtilization: 60, memoryUtilization: 37.5 },
      },
      {
        what: 'over the task size where the task definition sets one',
        tasks: [{ name: 'a', task: { cpu: '1', memory: '1Gi' } }],
        usage: served({ a: { cpu: 250, memory: 256 } }),
        expected: { cpuUtilization: 25, memoryUtilization: 25 },
      },
      {
        what: 'without tasks that are not RUNNING (pending, being stopped, finished)',
        tasks: [{ name: 'a' }, { name: 'pending', phase: 'Pending' }, { name: 'stopping', deleting: true }, { name: 'done', phase: 'Failed' }],
        usage: served({ a: { cpu: 125, memory: 64 }, pending: { cpu: 900, memory: 900 }, stopping: { cpu: 900, memory: 900 }, done: { cpu: 1, memory: 1 } }),
        expected: { cpuUtilization: 50, memoryUtilization: 50 },
      },
      {
        what: 'without RUNNING tasks not measured yet, in usage and in reservation',
        tasks: [{ name: 'a' }, { name: 'new', containers: [{ cpu: '4', memory: '4Gi' }] }],
        usage: served({ a: { cpu: 250, memory: 128 } }),
        expected: { cpuUtilization: 100, memoryUtilization: 100 },
      },
      {
        what: 'absent for a resource nothing reserves (zero reservation)',
        tasks: [{ name: 'a', containers: [{ memory: '128Mi' }] }],
        usage: served({ a: { cpu: 250, memory: 32 } }),
        expected: { memoryUtilization: 25 },
      },
      {
        what: 'absent when the metrics API is not served',
        tasks: [{ name: 'a' }],
        usage: { served: false },
        shown: { cpuUtilization: 10, memoryUtilization: 10 },
        expected: {},
      },
      {
        what: 'absent without RUNNING tasks',
        tasks: [{ name: 'p', phase: 'Pending' }],
        usage: served({}),
        shown: { cpuUtilization: 10 },
        expected: {},
      },
      {
        what: 'as shown until the metrics API was asked',
        tasks: [{ name: 'a' }],
        usage: undefined,
        shown: { cpuUtilization: 10, memoryUtilization: 20 },
        expected: { cpuUtilization: 10, memoryUtilization: 20 },
      },
      {
        what: 'as shown while no RUNNING task is measured (metrics missing for a scrape)',
        tasks: [{ name: 'a' }],
        usage: served({}),
        shown: { cpuUtilization: 10 },
        expected: { cpuUtilization: 10 },
      },
      {
        what: 'as shown while usage jitters within the deadband',
        tasks: [{ name: 'a' }],
        usage: served({ a: { cpu: 125.9, memory: 64.5 } }),
        shown: { cpuUtilization: 50, memoryUtilization: 50 },
        expected: { cpuUtilization: 50, memoryUtilization: 50 },
      },
      {
        what: 'the new figure once usage moves past the deadband',
        tasks: [{ name: 'a' }],
        usage: served({ a: { cpu: 127.5, memory: 64 } }),
        shown: { cpuUtilization: 50, memoryUtilization: 50 },
        expected: { cpuUtilization: 51, memoryUtilization: 50 },
      },
    ];
    for (const { what, tasks, usage, shown = {}, expected } of cases) {
      it(`is ${what}`, () => expect(serviceUtilization(tasks.map(taskPod), usage, shown)).to.deep.equal(expected));
    }
  });

  it('moves a shown figure only by the deadband or more', () => {
    expect([
      steadyPercent(50.49, 50),
      steadyPercent(49.51, 50),
      steadyPercent(50.5, 50),
      steadyPercent(undefined, 50),
      steadyPercent(12, undefined),
    ]).to.deep.equal([50, 50, 50.5, undefined, 12]);
  });

  it('drops the figures from a status, and nothing else', () => {
    expect(withoutUtilization({ runningCount: 2, cpuUtilization: 5, memoryUtilization: 6 })).to.deep.equal({ runningCount: 2 });
  });
});
