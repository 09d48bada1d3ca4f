import type { KubernetesObject, V1Node, V1Pod } from '@kubernetes/client-node';
import { expect } from 'chai';
import { clusterSettingsChanged, nodeCapacityChanged, podUsageChanged } from '../../../operator/src/runtime/changes.js';
import type { Cluster } from '../../../operator/src/api/cluster.js';
import { Controller, type WatchOptions } from '../../../operator/src/runtime/controller.js';
import { SharedInformer } from '../../../operator/src/runtime/informer.js';
import { FakeClock, settle } from './fake-clock.js';
import { FakeWatcher, noClients, scriptedResource } from './fake-informer.js';

/** A pod of cluster `cluster` (a label), in `phase`, whose Ready condition was last probed at `probedAt`. */
function pod(
  resourceVersion: string,
  { cluster = 'a', phase = 'Pending', probedAt = 0, nodeName }: { cluster?: string; phase?: string; probedAt?: number; nodeName?: string } = {},
): V1Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'ns', resourceVersion, labels: { cluster } },
    spec: { containers: [{ name: 'app', resources: { requests: { cpu: '100m' } } }], ...(nodeName ? { nodeName } : {}) },
    status: { phase, conditions: [{ type: 'Ready', status: 'False', lastProbeTime: new Date(probedAt) }] },
  };
}

async function started(clock: FakeClock) {
  const watcher = new FakeWatcher();
  const informer = new SharedInformer(noClients, scriptedResource([[]]), { watcher, clock });
  informer.start();
  await informer.waitForSync();
  return { watcher, informer };
}

/** A controller of Clusters that hears of pods through `options`; returns the keys it reconciled, in order. */
async function clusterControllerOfPods(options: WatchOptions<V1Pod>) {
  const clock = new FakeClock();
  const clusters = await started(clock);
  const pods = await started(clock);
  const reconciled: string[] = [];
  const controller = new Controller(
    { name: 'clusters', primary: clusters.informer, resyncPeriodMs: 0, reconcile: async ({ key }) => void reconciled.push(key) },
    { clock },
  );
  controller.watch(pods.informer, (p: V1Pod) => `ns/${p.metadata?.labels?.cluster}`, options);
  const stop = new AbortController();
  const running = controller.run(stop.signal);
  return {
    clock,
    reconciled,
    send: (phase: 'ADDED' | 'MODIFIED', p: KubernetesObject) => pods.watcher.last.send(phase, p, {}),
    stop: async () => {
      stop.abort();
      await running;
    },
  };
}

describe('runtime/controller: which updates enqueue', () => {
  it('measured: 20 probe-time updates of a pod cost 20 reconciles unfiltered, none with podUsageChanged', async () => {
    const churn = async (options: WatchOptions<V1Pod>) => {
      const run = await clusterControllerOfPods(options);
      run.send('ADDED', pod('1'));
      await settle();
      for (let i = 2; i <= 21; i++) {
        run.send('MODIFIED', pod(String(i), { probedAt: i }));
        await settle();
      }
      await run.stop();
      return run.reconciled.length - 1; // less the add
    };
    expect(await churn({})).to.equal(20);
    expect(await churn({ relevantUpdate: podUsageChanged })).to.equal(0);
  });

  it('coalesces a burst of relevant updates into one reconcile after coalesceMs', async () => {
    const run = await clusterControllerOfPods({ relevantUpdate: podUsageChanged, coalesceMs: 1000 });
    run.send('ADDED', pod('1'));
    run.send('MODIFIED', pod('2', { nodeName: 'n1' }));
    run.send('MODIFIED', pod('3', { nodeName: 'n1', phase: 'Running' }));
    await run.clock.advance(999);
    expect(run.reconciled).to.deep.equal([]);
    await run.clock.advance(1);
    expect(run.reconciled).to.deep.equal(['ns/a']);
    await run.stop();
  });

  it('enqueues the keys of the old object too when a relevant change moves it (a label changed)', async () => {
    const run = await clusterControllerOfPods({ relevantUpdate: podUsageChanged });
    run.send('ADDED', pod('1'));
    await settle();
    run.send('MODIFIED', pod('2', { cluster: 'b' }));
    await settle();
    expect(run.reconciled).to.have.members(['ns/a', 'ns/b', 'ns/a']);
    expect(run.reconciled).to.have.length(3);
    await run.stop();
  });

  it('nodeCapacityChanged: heartbeats and image lists do not count; labels, taints, allocatable and readiness do', () => {
    const node = (patch: { labels?: Record<string, string>; ready?: string; heartbeat?: number; allocatableCpu?: string; taint?: boolean }): V1Node => ({
      metadata: { name: 'n', labels: patch.labels ?? { zone: 'a' } },
      spec: patch.taint ? { taints: [{ key: 'k', effect: 'NoExecute' }] } : {},
      status: {
        allocatable: { cpu: patch.allocatableCpu ?? '2' },
        conditions: [{ type: 'Ready', status: patch.ready ?? 'True', lastHeartbeatTime: new Date(patch.heartbeat ?? 0) }],
        images: [{ names: [`img-${patch.heartbeat ?? 0}`] }],
      },
    });
    const base = node({});
    expect(nodeCapacityChanged(node({ heartbeat: 5 }), base)).to.equal(false);
    expect(
      [node({ labels: { zone: 'b' } }), node({ ready: 'False' }), node({ allocatableCpu: '4' }), node({ taint: true })].map((n) =>
        nodeCapacityChanged(n, base),
      ),
    ).to.deep.equal([true, true, true, true]);
  });

  it('clusterSettingsChanged: status (counts, utilization) does not count; the spec and labels do', () => {
    const cluster = (patch: Partial<Cluster>): Cluster => ({
      apiVersion: 'ecs.operator.dev/v1alpha1',
      kind: 'Cluster',
      metadata: { name: 'default', namespace: 'ns', labels: { team: 'a' } },
      spec: { schedulerName: 'default-scheduler' },
      status: { runningTasksCount: 1, cpuUtilization: 3 },
      ...patch,
    });
    const base = cluster({});
    expect(clusterSettingsChanged(cluster({ status: { runningTasksCount: 9, cpuUtilization: 40 } }), base)).to.equal(false);
    expect(
      [cluster({ spec: { schedulerName: 'ecs-binpack-cpu' } }), cluster({ metadata: { name: 'default', namespace: 'ns', labels: { team: 'b' } } })].map((c) =>
        clusterSettingsChanged(c, base),
      ),
    ).to.deep.equal([true, true]);
  });
});
