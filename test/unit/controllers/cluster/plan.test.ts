import { expect } from 'chai';
import type { V1Node } from '@kubernetes/client-node';
import type { Cluster } from '../../../../operator/src/api/cluster.js';
import { ECS_API_VERSION } from '../../../../operator/src/api/meta.js';
import type { ClusterSnapshot } from '../../../../operator/src/controllers/cluster/observe.js';
import { METRICS_PERIOD_MS } from '../../../../operator/src/controllers/cluster/observe.js';
import { planCluster } from '../../../../operator/src/controllers/cluster/plan.js';

const NOW = new Date('2026-11-30T12:00:00Z');
const node = (name: string): V1Node => ({
  metadata: { name, labels: { 'kubernetes.io/os': 'linux' } },
  status: { allocatable: { cpu: '2', memory: '4Gi', pods: '110' }, conditions: [{ type: 'Ready', status: 'True' }] },
});
const cluster = (status?: Cluster['status']): Cluster => ({
  apiVersion: ECS_API_VERSION,
  kind: 'Cluster',
  metadata: { name: 'default', namespace: 'ns', generation: 2 },
  spec: {},
  ...(status ? { status } : {}),
});
const snapshot = (c: Cluster, usage?: ClusterSnapshot['input']['podUsage']): ClusterSnapshot => ({
  cluster: c,
  input: {
    clusterName: 'default',
    namespace: 'ns',
    spec: c.spec,
    nodes: [node('a'), node('b')],
    pods: [],
    isTaskPod: () => false,
    taskStatuses: ['RUNNING', 'PENDING'],
    activeServicesCount: 1,
    ...(usage ? { podUsage: usage } : {}),
  },
});

describe('Cluster planner', () => {
  it('writes the ECS status with observedGeneration and Valid=True, then nothing once the Cluster shows it', () => {
    const plan = planCluster(snapshot(cluster()), NOW);
    expect(plan.writeStatus).to.deep.include({
      registeredContainerInstancesCount: 2,
      runningTasksCount: 1,
      pendingTasksCount: 1,
      activeServicesCount: 1,
      observedGeneration: 2,
    });
    expect(plan.writeStatus?.conditions?.find((c) => c.type === 'Valid')?.status).to.equal('True');
    expect(plan.requeueAfterMs).to.equal(undefined);
    const again = planCluster(snapshot(cluster(plan.writeStatus)), NOW);
    expect(again.writeStatus).to.equal(undefined);
    expect(again.events).to.deep.equal([]);
  });

  it('looks again when the next metrics arrive while utilization is served', () => {
    const plan = planCluster(snapshot(cluster(), { served: true, usage: new Map([['a', { cpu: 500, memory: 1024 }]]) }), NOW);
    expect(plan.writeStatus?.cpuUtilization).to.be.a('number');
    expect(plan.requeueAfterMs).to.equal(METRICS_PERIOD_MS);
  });
});
