import { KubeConfig, type KubernetesObject, type V1Pod } from '@kubernetes/client-node';
import { expect } from 'chai';
import {
  InformerFactory,
  MIN_WATCH_TIMEOUT_SECONDS,
  RESOURCES,
  SharedInformer,
  WATCH_INACTIVITY_TIMEOUT_MS,
  quietWatch,
  resourcePath,
} from '../../../operator/src/runtime/informer.js';
import { Metrics } from '../../../operator/src/runtime/metrics.js';
import { FakeClock, settle } from './fake-clock.js';
import { FakeWatcher, noClients, obj, scriptedResource } from './fake-informer.js';

describe('runtime/informer', () => {
  it('is synced once the first list is in the cache, and serves get, list and keys', async () => {
    const watcher = new FakeWatcher();
    const informer = new SharedInformer(noClients, scriptedResource([[obj('a', '1'), obj('b', '2', 'other')]]), {
      watcher,
      clock: new FakeClock(),
    });
    const added: string[] = [];
    informer.onAdd((o) => added.push(o.metadata!.name!));
    expect(informer.hasSynced()).to.equal(false);
    informer.start();
    await informer.waitForSync();
    expect(informer.hasSynced()).to.equal(true);
    expect(added).to.have.members(['a', 'b']);
    expect(informer.get('a', 'ns')?.metadata?.resourceVersion).to.equal('1');
    expect(informer.list('other').map((o) => o.metadata?.name)).to.deep.equal(['b']);
    expect(informer.keys()).to.have.members(['ns/a', 'other/b']);
    expect(watcher.last.query.resourceVersion).to.equal('2');
    await informer.stop();
  });

  it('delivers watch events to add, update, delete and change handlers, and unsubscribes', async () => {
    const watcher = new FakeWatcher();
    const informer = new SharedInformer(noClients, scriptedResource([[]]), { watcher, clock: new FakeClock() });
    const seen: string[] = [];
    informer.onAdd((o) => seen.push(`add ${o.metadata!.name}`));
    informer.onUpdate((o) => seen.push(`update ${o.metadata!.name}`));
    informer.onDelete((o) => seen.push(`delete ${o.metadata!.name}`));
    const off = informer.onChange((o) => seen.push(`change ${o.metadata!.name}`));
    informer.start();
    await informer.waitForSync();
    watcher.last.send('ADDED', obj('a', '5'), {});
    watcher.last.send('MODIFIED', obj('a', '6'), {});
    off();
    watcher.last.send('DELETED', obj('a', '7'), {});
    expect(seen).to.deep.equal(['add a', 'change a', 'update a', 'change a', 'delete a']);
    expect(informer.list()).to.deep.equal([]);
    await informer.stop();
  });

  it('survives a handler that throws: the other handlers, the cache and the watch go on, and the throw is counted', async () => {
    const watcher = new FakeWatcher();
    const metrics = new Metrics();
    const informer = new SharedInformer(noClients, scriptedResource([[obj('a', '1'), obj('b', '2')]]), {
      watcher,
      clock: new FakeClock(),
      metrics,
    });
    const seen: string[] = [];
    // Like a key mapper reading `obj.spec.taskDefinition` of a Task created without a spec.
    const readsSpec = (o: KubernetesObject) => (o as KubernetesObject & { spec: { taskDefinition: string } }).spec.taskDefinition;
    informer.onAdd(readsSpec);
    informer.onChange(readsSpec);
    informer.onAdd((o) => seen.push(`add ${o.metadata!.name}`));
    informer.onUpdate((o) => seen.push(`update ${o.metadata!.name}`));
    informer.start();
    await informer.waitForSync();
    expect(seen).to.deep.equal(['add a', 'add b']);
    watcher.last.send('ADDED', obj('c', '3'), {});
    watcher.last.send('MODIFIED', obj('c', '4'), {});
    await settle();
    expect(seen).to.deep.equal(['add a', 'add b', 'add c', 'update c']);
    expect(informer.keys()).to.have.members(['ns/a', 'ns/b', 'ns/c']);
    expect(informer.get('c', 'ns')?.metadata?.resourceVersion).to.equal('4');
    expect(await metrics.value('ecs_operator_handler_panics_total', { informer: 'things.test' })).to.equal(7);
    await informer.stop();
  });

  it('restarts with backoff when the list fails, and syncs when it succeeds', async () => {
    const clock = new FakeClock();
    const watcher = new FakeWatcher();
    const metrics = new Metrics();
    const resource = scriptedResource([new Error('connect ECONNREFUSED'), new Error('still down'), [obj('a', '3')]]);
    const informer = new SharedInformer(noClients, resource, { watcher, clock, metrics });
    informer.start();
    await settle();
    expect(resource.calls).to.equal(1);
    expect(informer.hasSynced()).to.equal(false);
    await clock.advance(999);
    expect(resource.calls, 'waits 1 s before the first restart').to.equal(1);
    await clock.advance(1);
    expect(resource.calls).to.equal(2);
    await clock.advance(1999);
    expect(resource.calls, 'the second restart waits 2 s').to.equal(2);
    await clock.advance(1);
    expect(resource.calls).to.equal(3);
    expect(informer.hasSynced()).to.equal(true);
    expect(informer.get('a', 'ns')).to.not.equal(undefined);
    expect(await metrics.value('ecs_operator_informer_restarts_total')).to.equal(2);
    await informer.stop();
  });

  it('restarts a broken watch from the last resourceVersion it saw, without relisting', async () => {
    const clock = new FakeClock();
    const watcher = new FakeWatcher();
    const resource = scriptedResource([[obj('a', '1')]]);
    const informer = new SharedInformer(noClients, resource, { watcher, clock });
    informer.start();
    await informer.waitForSync();
    watcher.last.send('ADDED', obj('b', '8'), {});
    watcher.last.end(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }));
    await settle();
    expect(watcher.watches).to.have.length(1);
    await clock.advance(1000);
    expect(watcher.watches).to.have.length(2);
    expect(watcher.last.query.resourceVersion).to.equal('8');
    expect(resource.calls).to.equal(1);
    watcher.last.send('ADDED', obj('c', '9'), {});
    expect(informer.keys()).to.have.members(['ns/a', 'ns/b', 'ns/c']);
    await informer.stop();
  });

  it('lists afresh, with backoff, once three watches in a row have failed, instead of watching from one resourceVersion forever', async () => {
    const clock = new FakeClock();
    const watcher = new FakeWatcher();
    const metrics = new Metrics();
    const resource = scriptedResource([[obj('a', '1')], [obj('b', '20')]]);
    const informer = new SharedInformer(noClients, resource, { watcher, clock, metrics });
    const deleted: string[] = [];
    informer.onDelete((o) => deleted.push(o.metadata!.name!));
    informer.start();
    await informer.waitForSync();
    const internalError = () => Object.assign(new Error('Internal Server Error'), { statusCode: 500 });
    watcher.last.end(internalError());
    await clock.advance(1_000);
    watcher.last.end(internalError());
    await clock.advance(2_000);
    watcher.last.end(internalError());
    expect(watcher.watches.map((w) => w.query.resourceVersion)).to.deep.equal(['1', '1', '1']);
    await clock.advance(3_999);
    expect(resource.calls, 'the restarts back off: 1 s, 2 s, 4 s').to.equal(1);
    await clock.advance(1);
    expect(resource.calls).to.equal(2);
    expect(deleted).to.deep.equal(['a']);
    expect(informer.keys()).to.deep.equal(['ns/b']);
    expect(watcher.last.query.resourceVersion).to.equal('20');
    expect(await metrics.value('ecs_operator_informer_relists_total')).to.equal(1);
    await informer.stop();
  });

  it('lists afresh when watches keep answering with an ERROR event and closing', async () => {
    const clock = new FakeClock();
    const watcher = new FakeWatcher();
    const resource = scriptedResource([[obj('a', '1')], [obj('a', '30')]]);
    const informer = new SharedInformer(noClients, resource, { watcher, clock });
    informer.start();
    await informer.waitForSync();
    for (let attempt = 0; attempt < 3; attempt++) {
      watcher.last.send('ERROR', { kind: 'Status', code: 500, message: 'etcdserver: request timed out' }, {});
      watcher.last.end(null);
      await clock.advance(10_000);
    }
    expect(resource.calls).to.equal(2);
    expect(informer.get('a', 'ns')?.metadata?.resourceVersion).to.equal('30');
    expect(watcher.last.query.resourceVersion).to.equal('30');
    await informer.stop();
  });

  it('reports a cache stale after a bound without a successful list or a working watch, and fresh once one works', async () => {
    const clock = new FakeClock();
    const watcher = new FakeWatcher();
    const scripted = scriptedResource([[obj('a', '1', 'team-a')]]);
    const server = { down: false };
    const resource = {
      ...scripted,
      list: (...args: Parameters<typeof scripted.list>) => (server.down ? Promise.reject(new Error('connect ECONNREFUSED')) : scripted.list(...args)),
    };
    const factory = new InformerFactory(noClients, { namespace: 'team-a', watcher, clock });
    const informer = factory.for(resource, { labelSelector: 'app=web' });
    factory.start();
    await factory.waitForSync();
    await clock.advance(600_000);
    expect(factory.notReady(), 'an open watch keeps the cache fresh however quiet').to.deep.equal([]);
    server.down = true;
    watcher.refuse = true;
    watcher.last.end(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }));
    await clock.advance(60_000);
    expect(factory.notReady()).to.deep.equal([]);
    await clock.advance(1);
    expect(factory.notReady()).to.deep.equal([`informer ${informer.path}?labelSelector=app=web has had no successful list or watch for 60 s`]);
    expect(informer.hasSynced(), 'the cache is kept').to.equal(true);
    server.down = false;
    watcher.refuse = false;
    await clock.advance(30_000);
    expect(factory.notReady()).to.deep.equal([]);
    await factory.stop();
  });

  it('relists on 410 Gone and reports objects deleted meanwhile', async () => {
    const watcher = new FakeWatcher();
    const resource = scriptedResource([
      [obj('a', '1'), obj('b', '2')],
      [obj('b', '2'), obj('c', '12')],
    ]);
    const informer = new SharedInformer(noClients, resource, { watcher, clock: new FakeClock() });
    const deleted: string[] = [];
    informer.onDelete((o) => deleted.push(o.metadata!.name!));
    informer.start();
    await informer.waitForSync();
    watcher.last.end(Object.assign(new Error('Gone'), { statusCode: 410 }));
    await settle();
    expect(resource.calls).to.equal(2);
    expect(deleted).to.deep.equal(['a']);
    expect(informer.keys()).to.have.members(['ns/b', 'ns/c']);
    await informer.stop();
  });

  it('does not restart after stop', async () => {
    const clock = new FakeClock();
    const resource = scriptedResource([new Error('down')]);
    const informer = new SharedInformer(noClients, resource, { watcher: new FakeWatcher(), clock });
    informer.start();
    await settle();
    await informer.stop();
    await clock.advance(60_000);
    expect(resource.calls).to.equal(1);
  });

  it('deserializes watched objects of core kinds into typed models, as listed ones are', async () => {
    const watcher = new FakeWatcher();
    const informer = new SharedInformer<V1Pod>(noClients, scriptedResource([[]], 'V1Pod'), {
      watcher,
      clock: new FakeClock(),
    });
    informer.start();
    await informer.waitForSync();
    const raw = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'ns', resourceVersion: '4', creationTimestamp: '2025-01-02T03:04:05Z' } };
    watcher.last.send('ADDED', raw, {});
    const created = informer.get('p', 'ns')?.metadata?.creationTimestamp;
    expect(created).to.be.instanceOf(Date);
    expect(created?.toISOString()).to.equal('2025-01-02T03:04:05.000Z');
    await informer.stop();
  });

  it('builds watch paths for one namespace or all, and cluster-scoped kinds', () => {
    expect(resourcePath(RESOURCES.tasks, 'team-a')).to.equal('/apis/ecs.operator.dev/v1alpha1/namespaces/team-a/tasks');
    expect(resourcePath(RESOURCES.tasks)).to.equal('/apis/ecs.operator.dev/v1alpha1/tasks');
    expect(resourcePath(RESOURCES.pods, 'team-a')).to.equal('/api/v1/namespaces/team-a/pods');
    expect(resourcePath(RESOURCES.replicaSets)).to.equal('/apis/apps/v1/replicasets');
    expect(resourcePath(RESOURCES.nodes, 'team-a')).to.equal('/api/v1/nodes');
  });

  it('shares one informer per path and label selector, and starts late informers', async () => {
    const watcher = new FakeWatcher();
    const factory = new InformerFactory(noClients, { namespace: 'team-a', watcher, clock: new FakeClock() });
    const resource = scriptedResource([[obj('a', '1', 'team-a')]]);
    const first = factory.for(resource);
    expect(factory.for(resource)).to.equal(first);
    const selected = factory.for(resource, { labelSelector: 'app=web' });
    expect(selected).to.not.equal(first);
    expect(first.path).to.equal('/apis/test/v1/namespaces/team-a/things');
    factory.start();
    await factory.waitForSync();
    expect(factory.hasSynced()).to.equal(true);
    const late = factory.for({ ...resource, plural: 'others' });
    expect(factory.notReady()).to.deep.equal([`informer ${late.path} has not synced`]);
    await late.waitForSync();
    expect(factory.hasSynced()).to.equal(true);
    expect(watcher.watches.find((w) => w.query.labelSelector === 'app=web')).to.not.equal(undefined);
    await factory.stop();
  });
});

describe('runtime/informer watches', () => {
  it('ask for bookmarks and a jittered server-side timeout of 5 to 10 minutes, as client-go does', async () => {
    for (const [draw, expected] of [
      [0, 300],
      [0.5, 450],
      [0.999, 599],
    ] as const) {
      const watcher = new FakeWatcher();
      const informer = new SharedInformer(noClients, scriptedResource([[obj('a', '1')]]), { watcher, clock: new FakeClock(), random: () => draw });
      informer.start();
      await informer.waitForSync();
      expect(watcher.last.query).to.include({ resourceVersion: '1', allowWatchBookmarks: true, timeoutSeconds: expected });
      await informer.stop();
    }
  });

  it("are not aborted by client-node's 30 s inactivity limit: the client waits past the longest server timeout", () => {
    const watch = quietWatch(new KubeConfig());
    expect((watch as unknown as { requestTimeoutMs: number }).requestTimeoutMs).to.equal(WATCH_INACTIVITY_TIMEOUT_MS);
    expect(WATCH_INACTIVITY_TIMEOUT_MS).to.be.greaterThan(2 * MIN_WATCH_TIMEOUT_SECONDS * 1000);
  });
});
