import { expect } from 'chai';
import type { V1Node, V1Pod } from '@kubernetes/client-node';
import { matchesLabelSelector, observeCluster, type ClusterStatusInput } from '../../../operator/src/translate/cluster-status.js';
import type { MetricsReading } from '../../../operator/src/translate/utilization.js';

function node(
  name: string,
  opts: { cpu?: string; memory?: string; zone?: string; ready?: boolean; cordoned?: boolean; labels?: Record<string, string> } = {},
): V1Node {
  return {
    metadata: {
      name,
      creationTimestamp: new Date('2026-11-24T00:00:00Z'),
      labels: {
        'topology.kubernetes.io/zone': opts.zone ?? 'us-east-1a',
        'kubernetes.io/arch': 'amd64',
        'node.kubernetes.io/instance-type': 'm5.large',
        ...opts.labels,
      },
    },
    spec: { unschedulable: opts.cordoned ?? false },
    status: {
      allocatable: { cpu: opts.cpu ?? '2', memory: opts.memory ?? '3768Mi' },
      conditions: [{ type: 'Ready', status: opts.ready === false ? 'False' : 'True' }],
    },
  };
}

function pod(
  name: string,
  nodeName: string | undefined,
  opts: { cpu?: string; memory?: string; hostPort?: number; phase?: string; task?: boolean } = {},
): V1Pod {
  return {
    metadata: { name, labels: opts.task === false ? {} : { 'ecs.operator.dev/cluster': 'default' } },
    spec: {
      ...(nodeName ? { nodeName } : {}),
      containers: [
        {
          name: 'app',
          image: 'nginx',
          resources: { requests: { cpu: opts.cpu ?? '97m', memory: opts.memory ?? '100Mi' } },
          ...(opts.hostPort ? { ports: [{ containerPort: opts.hostPort, hostPort: opts.hostPort }] } : {}),
        },
      ],
    },
    status: { phase: opts.phase ?? 'Running' },
  };
}

function input(nodes: V1Node[], pods: V1Pod[], extra: Partial<ClusterStatusInput> = {}): ClusterStatusInput {
  return {
    clusterName: 'default',
    namespace: 'team-a',
    spec: {},
    nodes,
    pods,
    isTaskPod: (p) => p.metadata?.labels?.['ecs.operator.dev/cluster'] === 'default',
    taskStatuses: [],
    activeServicesCount: 0,
    ...extra,
  };
}

const resource = (resources: { name: string; integerValue?: number; stringSetValue?: string[] }[] | undefined, name: string) =>
  resources?.find((r) => r.name === name);

describe('observeCluster (ECS cluster status from nodes and pods)', () => {
  it('registers CPU units and MiB and subtracts what a task reserves, adding its static host port (the ECS example)', () => {
    // ECS: 2048 CPU / 3768 MiB registered; a task reserving 100 units (97m) / 100 MiB with port 80 leaves 1948 / 3668.
    const status = observeCluster(input([node('n1')], [pod('t1', 'n1', { hostPort: 80 })]));
    const [instance] = status.containerInstances!;
    expect(resource(instance!.registeredResources, 'CPU')?.integerValue).to.equal(2048);
    expect(resource(instance!.registeredResources, 'MEMORY')?.integerValue).to.equal(3768);
    expect(resource(instance!.remainingResources, 'CPU')?.integerValue).to.equal(1948);
    expect(resource(instance!.remainingResources, 'MEMORY')?.integerValue).to.equal(3668);
    expect(resource(instance!.remainingResources, 'PORTS')?.stringSetValue).to.deep.equal(['80']);
    expect(instance).to.deep.include({ nodeName: 'n1', status: 'ACTIVE', agentConnected: true, runningTasksCount: 1, pendingTasksCount: 0 });
  });

  it('counts every non-terminated pod against remaining resources but only tasks against reservation', () => {
    const status = observeCluster(
      input(
        [node('n1', { cpu: '1', memory: '1000Mi' })],
        [
          pod('task', 'n1', { cpu: '250m', memory: '100Mi' }),
          pod('other', 'n1', { cpu: '250m', memory: '400Mi', task: false }),
          pod('done', 'n1', { cpu: '500m', memory: '500Mi', phase: 'Succeeded' }),
        ],
      ),
    );
    expect(resource(status.containerInstances![0]!.remainingResources, 'CPU')?.integerValue).to.equal(512);
    expect(resource(status.containerInstances![0]!.remainingResources, 'MEMORY')?.integerValue).to.equal(500);
    expect(status.cpuReservation).to.equal(25);
    expect(status.memoryReservation).to.equal(10);
  });

  it('reports a cordoned node DRAINING and a NotReady node disconnected', () => {
    const status = observeCluster(input([node('a', { cordoned: true }), node('b', { ready: false })], []));
    expect(status.containerInstances!.map((i) => [i.nodeName, i.status, i.agentConnected])).to.deep.equal([
      ['a', 'DRAINING', true],
      ['b', 'ACTIVE', false],
    ]);
    expect(status.registeredContainerInstancesCount).to.equal(2);
  });

  it('selects its container instances by label and shows their ECS attributes', () => {
    const nodes = [node('a', { labels: { pool: 'ecs', team: 'x' } }), node('b', { labels: { pool: 'batch' } })];
    const status = observeCluster(input(nodes, [], { spec: { nodeSelector: { matchLabels: { pool: 'ecs' } }, attributeLabels: { team: 'team' } } }));
    expect(status.containerInstances!.map((i) => i.nodeName)).to.deep.equal(['a']);
    expect(status.containerInstances![0]!.attributes).to.deep.equal([
      { name: 'ecs.availability-zone', value: 'us-east-1a' },
      { name: 'ecs.cpu-architecture', value: 'x86_64' },
      { name: 'ecs.instance-type', value: 'm5.large' },
      { name: 'team', value: 'x' },
    ]);
  });

  it('counts running and pending tasks and services, and bounds the instance list', () => {
    const nodes = ['a', 'b', 'c'].map((n) => node(n));
    const status = observeCluster(
      input(nodes, [], {
        spec: { maxInstanceDetails: 2 },
        taskStatuses: ['RUNNING', 'RUNNING', 'PENDING', 'PROVISIONING', 'STOPPED', undefined],
        activeServicesCount: 2,
      }),
    );
    expect(status).to.deep.include({
      registeredContainerInstancesCount: 3,
      runningTasksCount: 2,
      pendingTasksCount: 2,
      activeServicesCount: 2,
      containerInstancesOmitted: 1,
    });
    expect(status.containerInstances).to.have.length(2);
  });

  describe('utilization', () => {
    const served = (usage: Record<string, { cpu: number; memory: number }>): MetricsReading => ({ served: true, usage: new Map(Object.entries(usage)) });
    // Two 2-CPU / 3768 MiB instances: 4000m and 7536 MiB registered.
    const nodes = [node('a'), node('b')];
    const pods = [
      pod('t1', 'a', { cpu: '500m', memory: '512Mi' }),
      pod('t2', 'b', { cpu: '500m', memory: '512Mi' }),
      pod('starting', 'b', { phase: 'Pending' }),
      pod('other', 'a', { task: false }),
    ];
    const usage = served({
      t1: { cpu: 400, memory: 942 },
      t2: { cpu: 600, memory: 942 },
      starting: { cpu: 900, memory: 900 },
      other: { cpu: 1000, memory: 1000 },
    });
    const nodeUsage = served({ a: { cpu: 1400, memory: 1942 } });

    it("is the RUNNING tasks' usage over what the instances registered (ECS), not the usage of other pods or of pending tasks", () => {
      const status = observeCluster(input(nodes, pods, { podUsage: usage }));
      // (400m + 600m) / 4000m = 25 %; 1884 MiB / 7536 MiB = 25 %.
      expect(status).to.deep.include({ cpuUtilization: 25, memoryUtilization: 25 });
    });

    it('counts only the tasks on the instances the selector picks, over those instances', () => {
      const status = observeCluster(
        input([node('a', { labels: { pool: 'ecs' } }), node('b')], pods, { spec: { nodeSelector: { matchLabels: { pool: 'ecs' } } }, podUsage: usage }),
      );
      // t1 alone on a: 400m of 2000m, 942 of 3768 MiB.
      expect(status).to.deep.include({ cpuUtilization: 20, memoryUtilization: 25 });
    });

    it("shows each instance's node usage over what it registered, where the node is measured", () => {
      const status = observeCluster(input(nodes, pods, { nodeUsage, podUsage: usage }));
      expect(status.containerInstances!.map((i) => [i.nodeName, i.cpuUtilization, i.memoryUtilization])).to.deep.equal([
        ['a', 70, 51.54],
        ['b', undefined, undefined],
      ]);
    });

    it('is absent where the metrics API is not served, and kept as shown until it was asked or while a node is left out', () => {
      const none = observeCluster(input(nodes, pods, { nodeUsage: { served: false }, podUsage: { served: false } }));
      expect(none.cpuUtilization).to.equal(undefined);
      expect(none.containerInstances!.every((i) => i.cpuUtilization === undefined)).to.equal(true);
      const shown = observeCluster(input(nodes, pods, { nodeUsage, podUsage: usage }));
      const kept = observeCluster(input(nodes, pods, { shown }));
      expect(kept).to.deep.include({ cpuUtilization: 25, memoryUtilization: 25 });
      expect(kept.containerInstances![0]).to.deep.include({ cpuUtilization: 70, memoryUtilization: 51.54 });
      const unmeasured = observeCluster(input(nodes, pods, { nodeUsage: served({}), podUsage: usage, shown }));
      expect(unmeasured.containerInstances![0], 'a node the metrics API leaves out').to.deep.include({ cpuUtilization: 70, memoryUtilization: 51.54 });
    });

    it('keeps the figures shown while usage jitters within the deadband, and moves past it', () => {
      const shown = observeCluster(input(nodes, pods, { nodeUsage, podUsage: usage }));
      const jitter = served({ t1: { cpu: 410, memory: 942 }, t2: { cpu: 600, memory: 942 } });
      expect(observeCluster(input(nodes, pods, { podUsage: jitter, shown })).cpuUtilization).to.equal(25);
      const more = served({ t1: { cpu: 500, memory: 942 }, t2: { cpu: 600, memory: 942 } });
      expect(observeCluster(input(nodes, pods, { podUsage: more, shown })).cpuUtilization).to.equal(27.5);
    });

    it("reserves a task's pod-level size (ECS task cpu and memory) where the task definition sets it", () => {
      const sized = pod('sized', 'a', { cpu: '100m', memory: '64Mi' });
      sized.spec!.resources = { requests: { cpu: '1', memory: '1884Mi' }, limits: { cpu: '1', memory: '1884Mi' } };
      const status = observeCluster(input(nodes, [sized]));
      expect(status).to.deep.include({ cpuReservation: 25, memoryReservation: 25 });
    });
  });

  it('matches label selectors like Kubernetes', () => {
    expect(matchesLabelSelector({ a: '1' }, undefined)).to.equal(true);
    expect(matchesLabelSelector({ a: '1' }, { matchExpressions: [{ key: 'a', operator: 'In', values: ['1', '2'] }] })).to.equal(true);
    expect(matchesLabelSelector({ a: '1' }, { matchExpressions: [{ key: 'b', operator: 'NotIn', values: ['1'] }] })).to.equal(true);
    expect(matchesLabelSelector({ a: '1' }, { matchExpressions: [{ key: 'a', operator: 'DoesNotExist' }] })).to.equal(false);
    expect(matchesLabelSelector({}, { matchLabels: { a: '1' } })).to.equal(false);
  });
});
