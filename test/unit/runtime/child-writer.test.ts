import type { KubernetesObject } from '@kubernetes/client-node';
import { expect } from 'chai';
import { APPLIED_HASH_ANNOTATION, Applier, FIELD_MANAGER, withAppliedHash } from '../../../operator/src/runtime/apply.js';
import { ChildWriter, NotOwnedError, type ChildWrites } from '../../../operator/src/runtime/child-writer.js';
import type { ApiClients } from '../../../operator/src/runtime/clients.js';
import type { SharedInformer } from '../../../operator/src/runtime/informer.js';
import { RESOURCES } from '../../../operator/src/runtime/informer.js';
import { FakeApiError, FakeChildWriter } from '../../fakes/child-writer.js';
import { FakeClock } from './fake-clock.js';

type Handler = (obj: KubernetesObject) => void;

/** Clients whose write calls are recorded and answered by `answer` (which may throw an API error). */
function scriptedClients(answer: (method: string, args: unknown[]) => unknown = (_m, args) => args[0]) {
  const calls: Array<{ method: string; args: unknown[] }> = [];
  const call =
    (method: string) =>
    async (...args: unknown[]) => {
      calls.push({ method, args });
      return answer(method, args);
    };
  const clients = {
    objects: { create: call('create'), patch: call('patch'), delete: call('delete') },
    custom: { patchNamespacedCustomObjectStatus: call('patchStatus'), patchNamespacedCustomObject: call('patchObject') },
  } as unknown as ApiClients;
  return { clients, calls };
}

/** Enough of a SharedInformer for `track`: its kind and its event subscriptions, fired by the test. */
function fakeInformer(kind: string) {
  const handlers: Record<'add' | 'update' | 'delete', Handler[]> = { add: [], update: [], delete: [] };
  const informer = {
    resource: { kind },
    onAdd: (h: Handler) => (handlers.add.push(h), () => undefined),
    onUpdate: (h: Handler) => (handlers.update.push(h), () => undefined),
    onDelete: (h: Handler) => (handlers.delete.push(h), () => undefined),
  };
  return {
    informer: informer as unknown as SharedInformer<KubernetesObject>,
    fire: (verb: keyof typeof handlers, obj: KubernetesObject) => handlers[verb].forEach((h) => h(obj)),
  };
}

const owner = { kind: 'Service', key: 'ns/web' };
const ownerRef = { apiVersion: 'ecs.operator.dev/v1alpha1', kind: 'Service', name: 'web', uid: 'svc-uid', controller: true };
const child = (extra: Partial<KubernetesObject['metadata']> = {}): KubernetesObject & { spec: { replicas: number } } => ({
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  metadata: { name: 'web-1', namespace: 'ns', ownerReferences: [ownerRef], ...extra },
  spec: { replicas: 2 },
});
const conflict = () => Object.assign(new Error('conflict'), { code: 409 });
const notFound = () => Object.assign(new Error('not found'), { code: 404 });

function writer(clients: ApiClients) {
  return new ChildWriter(clients, new Applier(clients), { clock: new FakeClock() });
}

describe('runtime/child-writer', () => {
  it('records a creation before sending it, and the informer clears it', async () => {
    const { informer, fire } = fakeInformer('ReplicaSet');
    let caughtUpWhileSending: boolean | undefined;
    const w: ChildWriter = writer(scriptedClients((_m, args) => ((caughtUpWhileSending = w.caughtUp(owner)), args[0])).clients);
    w.track(informer);
    w.track(informer); // once per informer
    expect(await w.create(owner, child())).to.equal('created');
    expect(caughtUpWhileSending, 'expected before the request').to.equal(false);
    expect(w.pending(owner)).to.deep.equal(['creation of ReplicaSet/ns/web-1']);
    fire('add', child());
    expect(w.caughtUp(owner)).to.equal(true);
  });

  it('creates with a POST carrying the applied hash and the field manager; AlreadyExists is an answer', async () => {
    const { clients, calls } = scriptedClients(() => {
      throw conflict();
    });
    const w = writer(clients);
    expect(await w.create(owner, child())).to.equal('exists');
    expect(w.caughtUp(owner), 'a failed create expects nothing').to.equal(true);
    const [sent, , , fieldManager] = calls[0]!.args as [KubernetesObject, unknown, unknown, string];
    expect(calls[0]!.method).to.equal('create');
    expect(sent.metadata?.annotations?.[APPLIED_HASH_ANNOTATION]).to.be.a('string');
    expect(fieldManager).to.equal(FIELD_MANAGER);
    expect(await w.createShared({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'role', namespace: 'ns' } })).to.equal('exists');
  });

  it('passes on other errors of a create, expecting nothing', async () => {
    const w = writer(
      scriptedClients(() => {
        throw Object.assign(new Error('forbidden'), { code: 403 });
      }).clients,
    );
    let thrown: unknown;
    await w.create(owner, child()).catch((error: unknown) => (thrown = error));
    expect((thrown as Error).message).to.equal('forbidden');
    expect(w.caughtUp(owner)).to.equal(true);
  });

  it('applies over a live child with its resourceVersion, and not at all when already applied from the same object', async () => {
    const { clients, calls } = scriptedClients();
    const w = writer(clients);
    const live = withAppliedHash({ ...child(), metadata: { ...child().metadata, resourceVersion: '7' } });
    expect((await w.apply(child(), live)).written).to.equal(false);
    expect(calls).to.have.length(0);
    expect((await w.apply(child(), live, { force: true })).written).to.equal(true);
    const changed = { ...child(), spec: { replicas: 3 } };
    await w.apply(changed, live);
    const sent = calls.map((c) => c.args[0] as KubernetesObject & { spec: { replicas: number } });
    expect(sent.map((s) => s.metadata?.resourceVersion)).to.deep.equal(['7', '7']);
    expect(sent[1]!.spec.replicas).to.equal(3);
    expect(calls.every((c) => c.method === 'patch')).to.equal(true);
  });

  it("holds an owner's cache as behind after an apply for it, until the informer shows a version after the one it replaced", async () => {
    const { informer, fire } = fakeInformer('ReplicaSet');
    let caughtUpWhileSending: boolean | undefined;
    const answer = (_m: string, args: unknown[]) => {
      caughtUpWhileSending = w.caughtUp(owner);
      const sent = args[0] as KubernetesObject;
      return { ...sent, metadata: { ...sent.metadata, resourceVersion: '8' } };
    };
    const w: ChildWriter = writer(scriptedClients(answer).clients);
    w.track(informer);
    // As an informer lists it: no kind on the item.
    const { kind: _kind, ...live }: KubernetesObject = { ...child(), metadata: { ...child().metadata, resourceVersion: '7' } };
    const desired: KubernetesObject = { ...child(), spec: { replicas: 6 } } as KubernetesObject;
    expect((await w.apply(desired, live, { owner })).written).to.equal(true);
    expect(caughtUpWhileSending, 'expected before the request').to.equal(false);
    expect(w.pending(owner)).to.deep.equal(['update of ReplicaSet/ns/web-1']);
    fire('update', live);
    expect(w.caughtUp(owner), 'the version it replaced is no news').to.equal(false);
    fire('update', { ...live, metadata: { ...live.metadata, resourceVersion: '8' } });
    expect(w.caughtUp(owner)).to.equal(true);
  });

  it('expects nothing of an apply that failed or changed nothing, nor of one made for no owner', async () => {
    const live = { ...child(), metadata: { ...child().metadata, resourceVersion: '7' } };
    const refused = writer(
      scriptedClients(() => {
        throw conflict();
      }).clients,
    );
    await refused.apply({ ...child(), spec: { replicas: 6 } }, live, { owner }).catch(() => undefined);
    expect(refused.caughtUp(owner)).to.equal(true);
    const unchanged = writer(scriptedClients((_m, args) => ({ ...(args[0] as KubernetesObject), metadata: { ...live.metadata } })).clients);
    await unchanged.apply({ ...child(), spec: { replicas: 6 } }, live, { owner });
    expect(unchanged.caughtUp(owner)).to.equal(true);
    const ownerless = writer(scriptedClients((_m, args) => ({ ...(args[0] as KubernetesObject), metadata: { resourceVersion: '8' } })).clients);
    await ownerless.apply({ ...child(), spec: { replicas: 6 } }, live);
    expect(ownerless.caughtUp(owner)).to.equal(true);
  });

  it('never applies over an object another owner controls, or none', async () => {
    const { clients, calls } = scriptedClients();
    const w = writer(clients);
    const foreign = child({ ownerReferences: [{ ...ownerRef, uid: 'other' }] });
    const orphan = child({ ownerReferences: [] });
    for (const live of [foreign, orphan]) {
      let thrown: unknown;
      await w.apply(child(), live).catch((error: unknown) => (thrown = error));
      expect(thrown).to.be.instanceOf(NotOwnedError);
    }
    expect(calls).to.have.length(0);
  });

  it('deletes with a uid precondition (and the resourceVersion when asked); gone or changed is false', async () => {
    let answer: () => unknown = () => ({});
    const { clients, calls } = scriptedClients(() => answer());
    const w = writer(clients);
    const { informer, fire } = fakeInformer('ReplicaSet');
    w.track(informer);
    const live = child({ uid: 'rs-uid', resourceVersion: '5' });
    expect(await w.delete(owner, live)).to.equal(true);
    expect(w.caughtUp(owner)).to.equal(false);
    fire('delete', live);
    expect(w.caughtUp(owner)).to.equal(true);
    expect(await w.delete(owner, live, { resourceVersion: true, gracePeriodSeconds: 0 })).to.equal(true);
    const bodies = calls.map((c) => c.args[6] as { preconditions: unknown; gracePeriodSeconds?: number });
    expect(bodies[0]!.preconditions).to.deep.equal({ uid: 'rs-uid' });
    expect(bodies[1]).to.deep.include({ preconditions: { uid: 'rs-uid', resourceVersion: '5' }, gracePeriodSeconds: 0 });
    for (const error of [notFound, conflict]) {
      answer = () => {
        throw error();
      };
      expect(await w.delete(owner, live)).to.equal(false);
    }
  });

  it('writes status only when it differs, as of the resourceVersion it was computed from', async () => {
    const { clients, calls } = scriptedClients((_m, args) => (args[0] as { body: unknown }).body);
    const w = writer(clients);
    const live = {
      apiVersion: 'ecs.operator.dev/v1alpha1',
      kind: 'Service',
      metadata: { name: 'web', namespace: 'ns', resourceVersion: '11' },
      status: { runningCount: 1 },
    };
    expect((await w.writeStatus(RESOURCES.services, live, { runningCount: 1 })).written).to.equal(false);
    expect((await w.writeStatus(RESOURCES.services, live, { runningCount: 2 })).written).to.equal(true);
    const { body, fieldManager, force } = calls[0]!.args[0] as { body: KubernetesObject; fieldManager: string; force: boolean };
    expect(body.metadata?.resourceVersion).to.equal('11');
    expect({ fieldManager, force }).to.deep.equal({ fieldManager: FIELD_MANAGER, force: true });
  });

  it('holds a cached object that is still the version its status write replaced as not current, until the cache moves on', async () => {
    const stamped = (rv: string) => (_m: string, args: unknown[]) => {
      const body = (args[0] as { body: KubernetesObject }).body;
      return { ...body, metadata: { ...body.metadata, resourceVersion: rv } };
    };
    const live = { apiVersion: 'ecs.operator.dev/v1alpha1', kind: 'Service', metadata: { name: 'web', namespace: 'ns', resourceVersion: '11' }, status: {} };
    const w = writer(scriptedClients(stamped('12')).clients);
    expect(w.isCurrent(live)).to.equal(true);
    await w.writeStatus(RESOURCES.services, live, { runningCount: 2 });
    expect(w.isCurrent(live)).to.equal(false);
    expect(w.isCurrent({ ...live, metadata: { ...live.metadata, resourceVersion: '12' } })).to.equal(true);
    expect(w.isCurrent(live)).to.equal(true);
    // A write the server found changed nothing (same version) brings no event: nothing to wait for.
    const unchanged = writer(scriptedClients(stamped('11')).clients);
    await unchanged.writeStatus(RESOURCES.services, live, { runningCount: 2 });
    expect(unchanged.isCurrent(live)).to.equal(true);
    // An owner that is gone forgets it.
    const gone = writer(scriptedClients(stamped('12')).clients);
    await gone.writeStatus(RESOURCES.services, live, { runningCount: 2 });
    gone.forget({ kind: 'Service', key: 'ns/web' });
    expect(gone.isCurrent(live)).to.equal(true);
  });

  it('adds and removes a finalizer as of the resourceVersion seen, once', async () => {
    const { clients, calls } = scriptedClients();
    const w = writer(clients);
    const live = { kind: 'Service', metadata: { name: 'web', namespace: 'ns', resourceVersion: '3', finalizers: ['other'] } };
    expect(await w.setFinalizer(RESOURCES.services, live, 'ecs.operator.dev/drain-tasks', false)).to.equal(false);
    expect(await w.setFinalizer(RESOURCES.services, live, 'ecs.operator.dev/drain-tasks', true)).to.equal(true);
    const request = calls[0]!.args[0] as { body: { metadata: unknown } };
    expect(request.body.metadata).to.deep.equal({ finalizers: ['other', 'ecs.operator.dev/drain-tasks'], resourceVersion: '3' });
  });

  describe('its fake (test/fakes/child-writer.ts) answers as the real one does', () => {
    const scenarios = async (w: ChildWrites) => {
      const outcomes: unknown[] = [await w.create(owner, child()), await w.create(owner, child())];
      await w.apply(child(), child({ ownerReferences: [] })).catch((error: unknown) => outcomes.push(error instanceof NotOwnedError));
      return outcomes;
    };

    it('AlreadyExists and NotOwned', async () => {
      let created = false;
      const real = writer(
        scriptedClients((_m, args) => {
          if (created) throw conflict();
          created = true;
          return args[0];
        }).clients,
      );
      expect(await scenarios(new FakeChildWriter())).to.deep.equal(await scenarios(real));
    });

    it('a stale resourceVersion is a 409, a missing object a 404', async () => {
      const scaled = (replicas: number): KubernetesObject => Object.assign(child(), { spec: { replicas } });
      const fake = new FakeChildWriter();
      await fake.create(owner, child());
      const stored = fake.get('ReplicaSet', 'ns', 'web-1')!;
      await fake.apply(scaled(5), stored);
      let thrown: unknown;
      await fake.apply(scaled(6), stored).catch((error: unknown) => (thrown = error));
      expect(thrown).to.be.instanceOf(FakeApiError).and.have.property('code', 409);
      expect(await fake.delete(owner, stored)).to.equal(true);
      expect(fake.writes.map((w) => w.verb)).to.deep.equal(['create', 'apply', 'delete']);
    });
  });
});
