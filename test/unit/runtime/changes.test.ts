import type { V1Pod } from '@kubernetes/client-node';
import { expect } from 'chai';
import { podLifecycleChanged } from '../../../operator/src/runtime/changes.js';

const running = (): V1Pod => ({
  metadata: { name: 'web-1-abc', labels: { app: 'web' }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-1', uid: 'rs-1' }] },
  spec: { nodeName: 'node-1', containers: [{ name: 'app', image: 'nginx' }] },
  status: {
    phase: 'Running',
    podIP: '10.0.0.1',
    conditions: [
      { type: 'PodScheduled', status: 'True' },
      { type: 'Ready', status: 'True', lastProbeTime: new Date('2026-12-01T00:00:00Z') },
    ],
    containerStatuses: [
      { name: 'app', ready: true, restartCount: 0, image: 'nginx', imageID: 'sha256:1', state: { running: { startedAt: new Date('2026-12-01T00:00:00Z') } } },
    ],
  },
});

function changed(edit: (pod: V1Pod) => void): boolean {
  const before = running();
  const after = running();
  edit(after);
  return podLifecycleChanged(after, before);
}

describe('runtime/changes podLifecycleChanged', () => {
  it('ignores what no task status reads: probe times, restart counts, IPs, image ids, annotations', () => {
    expect(changed(() => undefined)).to.equal(false);
    expect(changed((p) => (p.status!.conditions![1]!.lastProbeTime = new Date('2026-12-01T00:01:00Z')))).to.equal(false);
    expect(changed((p) => (p.status!.containerStatuses![0]!.restartCount = 3))).to.equal(false);
    expect(changed((p) => (p.status!.podIP = '10.0.0.2'))).to.equal(false);
    expect(changed((p) => (p.status!.containerStatuses![0]!.imageID = 'sha256:2'))).to.equal(false);
    expect(changed((p) => (p.metadata!.annotations = { note: 'x' }))).to.equal(false);
  });

  it('sees every change a task lifecycle reads', () => {
    expect(changed((p) => (p.spec!.nodeName = 'node-2'))).to.equal(true);
    expect(changed((p) => (p.status!.phase = 'Failed'))).to.equal(true);
    expect(changed((p) => (p.status!.reason = 'Evicted'))).to.equal(true);
    expect(changed((p) => (p.metadata!.labels = { app: 'api' }))).to.equal(true);
    expect(changed((p) => (p.metadata!.ownerReferences = []))).to.equal(true);
    expect(changed((p) => (p.metadata!.deletionTimestamp = new Date()))).to.equal(true);
    expect(changed((p) => (p.status!.conditions![1]!.status = 'False'))).to.equal(true);
    expect(changed((p) => (p.status!.conditions![0] = { type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/6 nodes' }))).to.equal(
      true,
    );
    expect(changed((p) => (p.status!.containerStatuses![0]!.ready = false))).to.equal(true);
    expect(changed((p) => (p.status!.containerStatuses![0]!.state = { waiting: { reason: 'CrashLoopBackOff' } }))).to.equal(true);
    expect(changed((p) => (p.status!.containerStatuses![0]!.state = { terminated: { exitCode: 1, reason: 'Error' } }))).to.equal(true);
    expect(changed((p) => (p.status!.initContainerStatuses = [{ name: 'init', ready: false, restartCount: 0, image: 'x', imageID: '' }]))).to.equal(true);
  });
});
