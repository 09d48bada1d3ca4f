// The local control plane is real: kube-controller-manager creates pods, kube-scheduler places them
// by affinity, kwok runs them; and the test hooks of test/cluster/stages.yaml make chosen pods fail.
import { expect } from 'chai';
import type { V1Pod } from '@kubernetes/client-node';
import { clients, throwawayNamespace, waitFor } from './helpers.js';
import { isReady } from '../../operator/src/translate/readiness.js';

const { core, apps } = clients();

function podSpec(labels: Record<string, string>, extra: Partial<V1Pod['spec']> = {}) {
  return {
    metadata: { labels },
    spec: { containers: [{ name: 'app', image: 'nginx:1.27' }], ...extra },
  };
}

describe('local control plane', function () {
  let ns: Awaited<ReturnType<typeof throwawayNamespace>>;
  before(async () => (ns = await throwawayNamespace(core, 'smoke')));
  after(async () => ns.remove());

  it('has 6 Ready simulated nodes over 3 zones and 2 instance types', async () => {
    const nodes = (await core.listNode({ labelSelector: 'type=kwok' })).items;
    const ready = nodes.filter(isReady);
    expect(ready.length).to.be.at.least(6);
    expect(new Set(ready.map((n) => n.metadata?.labels?.['topology.kubernetes.io/zone'])).size).to.be.at.least(3);
    expect(new Set(ready.map((n) => n.metadata?.labels?.['node.kubernetes.io/instance-type'])).size).to.be.at.least(2);
  });

  it('runs a ReplicaSet of 3 pods with a required zone affinity, all on nodes of that zone', async () => {
    const zone = 'us-east-1b';
    const labels = { app: 'zonal' };
    await apps.createNamespacedReplicaSet({
      namespace: ns.name,
      body: {
        metadata: { name: 'zonal' },
        spec: {
          replicas: 3,
          selector: { matchLabels: labels },
          template: podSpec(labels, {
            affinity: {
              nodeAffinity: {
                requiredDuringSchedulingIgnoredDuringExecution: {
                  nodeSelectorTerms: [{ matchExpressions: [{ key: 'topology.kubernetes.io/zone', operator: 'In', values: [zone] }] }],
                },
              },
            },
          }),
        },
      },
    });
    const listPods = async () => (await core.listNamespacedPod({ namespace: ns.name, labelSelector: 'app=zonal' })).items;
    const pods = await waitFor(
      '3 Running pods of the ReplicaSet',
      async () => {
        const items = await listPods();
        return items.length === 3 && items.every((p) => p.status?.phase === 'Running') ? items : undefined;
      },
      { describe: async () => JSON.stringify((await listPods()).map((p) => [p.metadata?.name, p.status?.phase, p.spec?.nodeName])) },
    );
    for (const pod of pods) {
      const node = await core.readNode({ name: pod.spec!.nodeName! });
      expect(node.metadata?.labels?.['topology.kubernetes.io/zone'], pod.metadata?.name).to.equal(zone);
    }
  });

  async function createPod(
    name: string,
    hooks: { labels?: Record<string, string>; annotations?: Record<string, string> },
    containers = ['app'],
  ): Promise<void> {
    await core.createNamespacedPod({
      namespace: ns.name,
      body: {
        metadata: { name, ...hooks },
        spec: { restartPolicy: 'Never', containers: containers.map((c) => ({ name: c, image: 'busybox:1.36' })) },
      },
    });
  }

  const readPod = (name: string) => core.readNamespacedPod({ name, namespace: ns.name });

  it('makes a chosen container exit with a chosen code after a delay (test hook)', async () => {
    const hooks = { 'test.ecs.operator.dev/exit-code': '3', 'test.ecs.operator.dev/exit-after': '2s', 'test.ecs.operator.dev/exit-container': 'app' };
    await createPod('exits', { labels: hooks }, ['app', 'sidecar']);
    const pod = await waitFor('container app to exit', async () => {
      const p = await readPod('exits');
      return p.status?.containerStatuses?.find((c) => c.name === 'app')?.state?.terminated ? p : undefined;
    });
    const byName = Object.fromEntries(pod.status!.containerStatuses!.map((c) => [c.name, c.state]));
    expect(byName.app?.terminated?.exitCode).to.equal(3);
    expect(byName.sidecar?.running, 'the other container keeps running').to.be.an('object');
    expect(pod.status?.phase).to.equal('Running');
  });

  it('fails the whole pod when every container exits non-zero (test hook)', async () => {
    await createPod('fails', { annotations: { 'test.ecs.operator.dev/exit-code': '137' } });
    const pod = await waitFor('pod to fail', async () => {
      const p = await readPod('fails');
      return p.status?.phase === 'Failed' ? p : undefined;
    });
    expect(pod.status?.containerStatuses?.[0]?.state?.terminated?.exitCode).to.equal(137);
  });

  it('keeps a pod from becoming ready, or from starting at all (test hooks)', async () => {
    await createPod('unready', { labels: { 'test.ecs.operator.dev/never-ready': 'true' } });
    await createPod('unpulled', { annotations: { 'test.ecs.operator.dev/pull-error': 'manifest unknown' } });
    const unready = await waitFor('pod to run', async () => {
      const p = await readPod('unready');
      return p.status?.phase === 'Running' ? p : undefined;
    });
    expect(unready.status?.conditions?.find((c) => c.type === 'Ready')?.status).to.equal('False');
    const unpulled = await waitFor('pull error', async () => {
      const p = await readPod('unpulled');
      return p.status?.containerStatuses?.[0]?.state?.waiting ? p : undefined;
    });
    expect(unpulled.status?.phase).to.equal('Pending');
    expect(unpulled.status?.containerStatuses?.[0]?.state?.waiting?.reason).to.equal('ErrImagePull');
    expect(unpulled.status?.containerStatuses?.[0]?.state?.waiting?.message).to.contain('manifest unknown');
  });
});
