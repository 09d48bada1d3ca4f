import type { KubernetesObject } from '@kubernetes/client-node';
import { expect } from 'chai';
import { WritesFencedError } from '../../../operator/src/runtime/clients.js';
import { Controller, type ReconcileContext, type ReconcileResult, controllerOwnerKey } from '../../../operator/src/runtime/controller.js';
import { SharedInformer } from '../../../operator/src/runtime/informer.js';
import { Metrics } from '../../../operator/src/runtime/metrics.js';
import { FakeClock, settle } from './fake-clock.js';
import { FakeWatcher, noClients, obj, scriptedResource } from './fake-informer.js';

async function informerOf(clock: FakeClock, items: KubernetesObject[]) {
  const watcher = new FakeWatcher();
  const informer = new SharedInformer(noClients, scriptedResource([items]), { watcher, clock });
  informer.start();
  await informer.waitForSync();
  return { informer, watcher };
}

/** A controller whose reconcile records its calls and answers with `answer`. */
function recordingController(
  clock: FakeClock,
  primary: SharedInformer<KubernetesObject>,
  answer: (context: ReconcileContext) => Promise<ReconcileResult> = async () => undefined,
  options: { resyncPeriodMs?: number; concurrency?: number } = {},
) {
  const calls: string[] = [];
  const metrics = new Metrics();
  const controller = new Controller(
    {
      name: 'things',
      primary,
      reconcile: (context) => {
        calls.push(context.key);
        return answer(context);
      },
      resyncPeriodMs: options.resyncPeriodMs ?? 0,
      concurrency: options.concurrency ?? 1,
    },
    { clock, metrics },
  );
  const stop = new AbortController();
  const running = controller.run(stop.signal);
  return {
    controller,
    calls,
    metrics,
    stop: async () => {
      stop.abort();
      await running;
    },
  };
}

async function expectRejection(promise: Promise<unknown>, message: RegExp): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, 'rejected').to.be.instanceOf(Error);
  expect((error as Error).message).to.match(message);
}

describe('runtime/controller', () => {
  it('drops the event of a key mapper that throws, counts it, and keeps mapping the others', async () => {
    const clock = new FakeClock();
    const { informer } = await informerOf(clock, []);
    const children = await informerOf(clock, []);
    const run = recordingController(clock, informer);
    type WithSpec = KubernetesObject & { spec: { parent: string } };
    run.controller.watch(children.informer, (child) => `ns/${(child as WithSpec).spec.parent}`);
    children.watcher.last.send('ADDED', obj('nospec', '5'), {});
    children.watcher.last.send('ADDED', { ...obj('child', '6'), spec: { parent: 'p' } }, {});
    await settle();
    expect(run.calls).to.deep.equal(['ns/p']);
    expect(children.informer.keys()).to.have.members(['ns/nospec', 'ns/child']);
    expect(await run.metrics.value('ecs_operator_handler_panics_total', { controller: 'things' })).to.equal(1);
    await run.stop();
  });

  it('reconciles every primary object at start and again on its events, with key, namespace and name', async () => {
    const clock = new FakeClock();
    const { informer, watcher } = await informerOf(clock, [obj('a', '1'), obj('b', '2')]);
    const contexts: Array<Pick<ReconcileContext, 'key' | 'namespace' | 'name'>> = [];
    const run = recordingController(clock, informer, async ({ key, namespace, name }) => void contexts.push({ key, namespace, name }));
    await settle();
    expect(run.calls).to.have.members(['ns/a', 'ns/b']);
    expect(contexts).to.deep.include({ key: 'ns/a', namespace: 'ns', name: 'a' });
    watcher.last.send('MODIFIED', obj('a', '3'), {});
    await settle();
    expect(run.calls.filter((key) => key === 'ns/a')).to.have.length(2);
    expect(await run.metrics.value('ecs_operator_reconcile_total', { controller: 'things', result: 'success' })).to.equal(3);
    await run.stop();
  });

  it('maps events of owned children to their controller owner', async () => {
    const clock = new FakeClock();
    const { informer: primary } = await informerOf(clock, []);
    const { informer: children, watcher } = await informerOf(clock, []);
    const run = recordingController(clock, primary);
    run.controller.watch(children, controllerOwnerKey('Task', 'ecs.operator.dev/v1alpha1'));
    const child = (name: string, ownerKind: string, controller: boolean): KubernetesObject => ({
      metadata: {
        name,
        namespace: 'ns',
        resourceVersion: name,
        ownerReferences: [{ apiVersion: 'ecs.operator.dev/v1alpha1', kind: ownerKind, name: 'owner', uid: 'u', controller }],
      },
    });
    watcher.last.send('ADDED', child('p1', 'Task', true), {});
    watcher.last.send('ADDED', child('p2', 'Service', true), {});
    watcher.last.send('ADDED', child('p3', 'Task', false), {});
    await settle();
    expect(run.calls).to.deep.equal(['ns/owner']);
    await run.stop();
  });

  it('retries a failing key with exponential backoff, and a success resets it', async () => {
    const clock = new FakeClock();
    const { informer } = await informerOf(clock, [obj('a', '1')]);
    let failures = 2;
    const run = recordingController(clock, informer, async () => {
      if (failures-- > 0) throw new Error('API server said no');
    });
    await settle();
    expect(run.calls).to.have.length(1);
    await clock.advance(5);
    expect(run.calls, 'first retry after 5 ms').to.have.length(2);
    await clock.advance(9);
    expect(run.calls).to.have.length(2);
    await clock.advance(1);
    expect(run.calls, 'second retry after 10 ms').to.have.length(3);
    expect(run.controller.queue.retries('ns/a')).to.equal(0);
    expect(await run.metrics.value('ecs_operator_reconcile_errors_total', { controller: 'things' })).to.equal(2);
    expect(await run.metrics.value('ecs_operator_reconcile_total', { result: 'error' })).to.equal(2);
    await run.stop();
  });

  it('reconciles again after requeueAfterMs', async () => {
    const clock = new FakeClock();
    const { informer } = await informerOf(clock, [obj('a', '1')]);
    const run = recordingController(clock, informer, async () => ({ requeueAfterMs: 60_000 }));
    await settle();
    await clock.advance(59_999);
    expect(run.calls).to.have.length(1);
    await clock.advance(1);
    expect(run.calls).to.have.length(2);
    expect(await run.metrics.value('ecs_operator_reconcile_total', { result: 'requeue' })).to.equal(2);
    await run.stop();
  });

  it('runs a periodic task at start and a period after each run, only while it runs, past a task that throws', async () => {
    const clock = new FakeClock();
    const { informer } = await informerOf(clock, [obj('a', '1')]);
    const controller = new Controller({ name: 'things', primary: informer, reconcile: async () => undefined, resyncPeriodMs: 0 }, { clock });
    let ticks = 0;
    controller.every(20_000, async () => {
      ticks += 1;
      if (ticks === 2) throw new Error('metrics.k8s.io is down');
    });
    const stop = new AbortController();
    const running = controller.run(stop.signal);
    await settle();
    expect(ticks).to.equal(1);
    await clock.advance(20_000);
    expect(ticks).to.equal(2);
    await clock.advance(20_000);
    expect(ticks, 'the one after a failure runs').to.equal(3);
    stop.abort();
    await running;
    await clock.advance(60_000);
    expect(ticks, 'none after stop').to.equal(3);
  });

  it('resyncs every primary object each period', async () => {
    const clock = new FakeClock();
    const { informer } = await informerOf(clock, [obj('a', '1'), obj('b', '2')]);
    const run = recordingController(clock, informer, undefined, { resyncPeriodMs: 300_000 });
    await settle();
    expect(run.calls).to.have.length(2);
    await clock.advance(300_000);
    expect(run.calls).to.have.length(4);
    await clock.advance(300_000);
    expect(run.calls).to.have.length(6);
    await run.stop();
    await clock.advance(300_000);
    expect(run.calls, 'no resync after stop').to.have.length(6);
  });

  it('on stop finishes the reconcile in flight, takes no more keys, and does not retry fenced writes', async () => {
    const clock = new FakeClock();
    const { informer, watcher } = await informerOf(clock, [obj('a', '1')]);
    let release!: () => void;
    const run = recordingController(
      clock,
      informer,
      ({ signal }) =>
        new Promise((resolve, reject) => {
          release = () => (signal.aborted ? reject(new WritesFencedError('patch pods')) : resolve());
        }),
    );
    await settle();
    expect(run.calls).to.deep.equal(['ns/a']);
    let stopped = false;
    const stopping = run.stop().then(() => (stopped = true));
    watcher.last.send('ADDED', obj('b', '2'), {});
    await settle();
    expect(stopped, 'waits for the reconcile in flight').to.equal(false);
    release();
    await stopping;
    await clock.advance(60_000);
    expect(run.calls).to.deep.equal(['ns/a']);
  });

  it('runs again after a run ended (a replica that leads again), from every object, but never twice at once', async () => {
    const clock = new FakeClock();
    const { informer, watcher } = await informerOf(clock, [obj('a', '1')]);
    const run = recordingController(clock, informer);
    await settle();
    await expectRejection(run.controller.run(new AbortController().signal), /already running/);
    await run.stop();
    // Standing by: events change the cache, nothing reconciles.
    watcher.last.send('ADDED', obj('b', '2'), {});
    await settle();
    expect(run.calls).to.deep.equal(['ns/a']);
    const again = new AbortController();
    const running = run.controller.run(again.signal);
    await settle();
    expect([...run.calls].sort()).to.deep.equal(['ns/a', 'ns/a', 'ns/b']);
    watcher.last.send('MODIFIED', obj('b', '3'), {});
    await settle();
    expect(run.calls.filter((key) => key === 'ns/b')).to.have.length(2);
    again.abort();
    await running;
  });

  it('runs distinct keys concurrently up to the configured number of workers', async () => {
    const clock = new FakeClock();
    const { informer } = await informerOf(clock, [obj('a', '1'), obj('b', '2'), obj('c', '3')]);
    let active = 0;
    let peak = 0;
    const gates: Array<() => void> = [];
    const run = recordingController(
      clock,
      informer,
      async () => {
        peak = Math.max(peak, ++active);
        await new Promise<void>((resolve) => gates.push(resolve));
        active--;
      },
      { concurrency: 2 },
    );
    await settle();
    expect(peak).to.equal(2);
    gates.splice(0).forEach((open) => open());
    await settle();
    gates.splice(0).forEach((open) => open());
    await settle();
    expect(run.calls).to.have.length(3);
    await run.stop();
  });
});
