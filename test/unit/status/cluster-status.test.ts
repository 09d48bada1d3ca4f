import { expect } from 'chai';
import type { V1Node, V1Pod } from '@kubernetes/client-node';
import { matchesLabelSelector, observeCluster, type ClusterStatusInput } from '../../../operator/src/translate/cluster-status.js';

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

  it('reports utilization only when the metrics API gives usage for every instance', () => {
    const nodes = [node('a'), node('b')];
    expect(observeCluster(input(nodes, [])).cpuUtilization).to.equal(undefined);
    expect(observeCluster(input(nodes, [], { usage: new Map([['a', { cpu: '1', memory: '1884Mi' }]]) })).cpuUtilization).to.equal(undefined);
    const status = observeCluster(
      input(nodes, [], {
        usage: new Map([
          ['a', { cpu: '1', memory: '1884Mi' }],
          ['b', { cpu: '1', memory: '1884Mi' }],
        ]),
      }),
    );
    expect(status).to.deep.include({ cpuUtilization: 50, memoryUtilization: 50 });
  });

  it('matches label selectors like Kubernetes', () => {
    expect(matchesLabelSelector({ a: '1' }, undefined)).to.equal(true);
    expect(matchesLabelSelector({ a: '1' }, { matchExpressions: [{ key: 'a', operator: 'In', values: ['1', '2'] }] })).to.equal(true);
    expect(matchesLabelSelector({ a: '1' }, { matchExpressions: [{ key: 'b', operator: 'NotIn', values: ['1'] }] })).to.equal(true);
    expect(matchesLabelSelector({ a: '1' }, { matchExpressions: [{ key: 'a', operator: 'DoesNotExist' }] })).to.equal(false);
    expect(matchesLabelSelector({}, { matchLabels: { a: '1' } })).to.equal(false);
  });
});
