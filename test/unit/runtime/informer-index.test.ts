import type { KubernetesListObject, KubernetesObject } from '@kubernetes/client-node';
import { expect } from 'chai';
import fc from 'fast-check';
import { InformerFactory, type ListPage, RESOURCES, type ResourceType, SharedInformer, trimForCache } from '../../../operator/src/runtime/informer.js';
import { FakeClock, settle } from './fake-clock.js';
import { FakeWatcher, noClients, obj, scriptedResource } from './fake-informer.js';

/** A Thing on `node` (a label), at `resourceVersion`. */
const on = (name: string, node: string | undefined, resourceVersion: string): KubernetesObject => ({
  ...obj(name, resourceVersion),
  metadata: { ...obj(name, resourceVersion).metadata, ...(node ? { labels: { node } } : {}) },
});
const byNode = (o: KubernetesObject): string[] => (o.metadata?.labels?.node ? [o.metadata.labels.node] : []);
const names = (objects: readonly KubernetesObject[]) => objects.map((o) => o.metadata?.name).sort();

/** An API server of Things: the list answers what it holds now, one page of `limit` at a time when asked. */
class ThingServer {
  readonly objects = new Map<string, KubernetesObject>();
  readonly pages: ListPage[] = [];
  resourceVersion = 0;
  readonly resource: ResourceType = {
    apiVersion: 'test/v1',
    kind: 'Thing',
    plural: 'things',
    namespaced: true,
    list: async (_clients, _namespace, _labelSelector, page = {}): Promise<KubernetesListObject<KubernetesObject>> => {
      this.pages.push(page);
      const all = [...this.objects.values()].sort((a, b) => a.metadata!.name!.localeCompare(b.metadata!.name!));
      const from = Number(page._continue ?? 0);
      const to = page.limit ? from + page.limit : all.length;
      return {
        metadata: { resourceVersion: String(this.resourceVersion), ...(to < all.length ? { _continue: String(to) } : {}) },
        items: all.slice(from, to).map((o) => structuredClone(o)),
      };
    },
  };

  put(name: string, node: string | undefined): KubernetesObject {
    const thing = on(name, node, String(++this.resourceVersion));
    this.objects.set(name, thing);
    return structuredClone(thing);
  }

  remove(name: string): KubernetesObject | undefined {
    const thing = this.objects.get(name);
    this.objects.delete(name);
    this.resourceVersion++;
    return thing && structuredClone(thing);
  }
}

async function started(resource: ResourceType, options: { listPageSize?: number } = {}) {
  const watcher = new FakeWatcher();
  const informer = new SharedInformer(noClients, resource, { watcher, clock: new FakeClock(), ...options });
  informer.addIndex('node', byNode);
  informer.start();
  await informer.waitForSync();
  return { watcher, informer };
}

describe('runtime/informer: old objects, indexes, trimming, pages', () => {
  it('gives update handlers the object the cache held before, and change handlers too (on updates only)', async () => {
    const { watcher, informer } = await started(scriptedResource([[on('a', 'n1', '1')]]));
    const updates: string[] = [];
    informer.onUpdate((o, old) => updates.push(`${old.metadata?.labels?.node}->${o.metadata?.labels?.node}`));
    const changes: Array<string | undefined> = [];
    informer.onChange((_o, old) => changes.push(old?.metadata?.resourceVersion));
    watcher.last.send('MODIFIED', on('a', 'n2', '2'), {});
    watcher.last.send('MODIFIED', on('a', 'n3', '3'), {});
    watcher.last.send('ADDED', on('b', 'n1', '4'), {});
    watcher.last.send('DELETED', on('a', 'n3', '5'), {});
    expect(updates).to.deep.equal(['n1->n2', 'n2->n3']);
    expect(changes).to.deep.equal(['1', '2', undefined, undefined]);
    await informer.stop();
  });

  it('keeps an index right across add, update (moving between values), delete and a relist that missed events', async () => {
    const server = new ThingServer();
    server.put('a', 'n1');
    server.put('b', 'n1');
    const { watcher, informer } = await started(server.resource);
    expect(names(informer.byIndex('node', 'n1'))).to.deep.equal(['a', 'b']);
    watcher.last.send('MODIFIED', server.put('a', 'n2'), {});
    watcher.last.send('ADDED', server.put('c', undefined), {});
    expect(names(informer.byIndex('node', 'n1'))).to.deep.equal(['b']);
    expect(names(informer.byIndex('node', 'n2'))).to.deep.equal(['a']);
    watcher.last.send('DELETED', server.remove('b')!, {});
    expect(informer.byIndex('node', 'n1')).to.deep.equal([]);
    // Missed while the watch was down: c moved to n1, a was deleted, d was added.
    server.put('c', 'n1');
    server.remove('a');
    server.put('d', 'n2');
    watcher.last.end(Object.assign(new Error('Gone'), { statusCode: 410 }));
    await settle();
    expect(names(informer.byIndex('node', 'n1'))).to.deep.equal(['c']);
    expect(names(informer.byIndex('node', 'n2'))).to.deep.equal(['d']);
    await informer.stop();
  });

  it('indexes what is cached already when an index is added late; the same index twice is one, another under its name an error', async () => {
    const { informer } = await started(scriptedResource([[on('a', 'n1', '1'), on('b', 'n2', '2')]]));
    const late = (o: KubernetesObject) => [o.metadata?.name ?? ''];
    informer.addIndex('name', late).addIndex('name', late);
    expect(names(informer.byIndex('name', 'b'))).to.deep.equal(['b']);
    expect(() => informer.addIndex('name', (o) => [o.metadata?.uid ?? ''])).to.throw(/another index named name/);
    expect(() => informer.byIndex('nope', 'x')).to.throw(/no index named nope/);
    await informer.stop();
  });

  it('property: after any events and relists, each index lookup equals a full scan of the cache', async () => {
    const nameArb = fc.constantFrom('a', 'b', 'c', 'd', 'e');
    const nodeArb = fc.option(fc.constantFrom('n1', 'n2', 'n3'), { nil: undefined });
    const step = fc.oneof(
      fc.record({ op: fc.constant('put' as const), name: nameArb, node: nodeArb }),
      fc.record({ op: fc.constant('delete' as const), name: nameArb }),
      fc.record({ op: fc.constant('missedPut' as const), name: nameArb, node: nodeArb }),
      fc.record({ op: fc.constant('missedDelete' as const), name: nameArb }),
      fc.record({ op: fc.constant('relist' as const) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 25 }), async (steps) => {
        const server = new ThingServer();
        const { watcher, informer } = await started(server.resource);
        for (const s of steps) {
          if (s.op === 'put') watcher.last.send(informer.get(s.name, 'ns') ? 'MODIFIED' : 'ADDED', server.put(s.name, s.node), {});
          else if (s.op === 'delete') {
            const gone = server.remove(s.name);
            if (gone) watcher.last.send('DELETED', gone, {});
          } else if (s.op === 'missedPut') server.put(s.name, s.node);
          else if (s.op === 'missedDelete') server.remove(s.name);
          else {
            watcher.last.end(Object.assign(new Error('Gone'), { statusCode: 410 }));
            await settle();
          }
        }
        for (const node of ['n1', 'n2', 'n3']) {
          expect(names(informer.byIndex('node', node))).to.deep.equal(names(informer.list().filter((o) => byNode(o).includes(node))));
        }
        await informer.stop();
      }),
      { numRuns: 60 },
    );
  });

  it('lists in pages of listPageSize, following continue tokens, into one cache', async () => {
    const server = new ThingServer();
    for (const name of ['a', 'b', 'c', 'd', 'e']) server.put(name, 'n1');
    const { informer } = await started(server.resource, { listPageSize: 2 });
    expect(server.pages).to.deep.equal([{ limit: 2 }, { limit: 2, _continue: '2' }, { limit: 2, _continue: '4' }]);
    expect(names(informer.list())).to.deep.equal(['a', 'b', 'c', 'd', 'e']);
    expect(names(informer.byIndex('node', 'n1'))).to.have.length(5);
    await informer.stop();
  });

  it('drops managedFields and the last-applied annotation from listed and watched objects, keeping other annotations', async () => {
    const heavy = (name: string, rv: string, annotations: Record<string, string>): KubernetesObject => ({
      ...obj(name, rv),
      metadata: {
        ...obj(name, rv).metadata,
        managedFields: [{ manager: 'kubectl', operation: 'Apply', fieldsV1: { 'f:spec': {} } }],
        annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"big":true}', ...annotations },
      },
    });
    const { watcher, informer } = await started(scriptedResource([[heavy('listed', '1', { keep: 'me' })]]));
    watcher.last.send('ADDED', heavy('watched', '2', {}), {});
    expect(informer.get('listed', 'ns')?.metadata).to.deep.equal({ name: 'listed', namespace: 'ns', resourceVersion: '1', annotations: { keep: 'me' } });
    expect(informer.get('watched', 'ns')?.metadata).to.deep.equal({ name: 'watched', namespace: 'ns', resourceVersion: '2' });
    expect(trimForCache({ metadata: { name: 'x' } })).to.deep.equal({ metadata: { name: 'x' } });
    await informer.stop();
  });

  it("caches only the operator's own ReplicaSets and ControllerRevisions unless told otherwise; every Pod and Node", () => {
    const factory = new InformerFactory(noClients, { watcher: new FakeWatcher() });
    expect(factory.for(RESOURCES.replicaSets).labelSelector).to.equal('app.kubernetes.io/managed-by=ecs-operator');
    expect(factory.for(RESOURCES.controllerRevisions).labelSelector).to.equal('app.kubernetes.io/managed-by=ecs-operator');
    expect(factory.for(RESOURCES.replicaSets)).to.equal(factory.for(RESOURCES.replicaSets, { labelSelector: 'app.kubernetes.io/managed-by=ecs-operator' }));
    expect(factory.for(RESOURCES.replicaSets, { labelSelector: 'x=y' }).labelSelector).to.equal('x=y');
    expect([factory.for(RESOURCES.pods).labelSelector, factory.for(RESOURCES.nodes).labelSelector]).to.deep.equal([undefined, undefined]);
  });
});
