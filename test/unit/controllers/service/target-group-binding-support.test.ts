// Whether TargetGroupBindings are served is asked of API discovery, not on every reconcile: an answer is kept
// (two minutes while absent, ten once served), asked again at once after a write found the kind gone, and one
// question serves every reconcile waiting on it. Once served, the operator's bindings are cached and watched.
import { expect } from 'chai';
import type { Controller } from '../../../../operator/src/runtime/controller.js';
import type { OperatorContext } from '../../../../operator/src/controllers/context.js';
import { ABSENT_RECHECK_MS, SERVED_RECHECK_MS, TargetGroupBindingSupport } from '../../../../operator/src/controllers/service/target-group-bindings.js';

function setup(answer: () => Promise<{ resources: Array<{ name: string }> }>) {
  let now = 0;
  const calls = { discovery: 0, informers: [] as string[], watches: 0 };
  const informer = { hasSynced: () => true, waitForSync: () => Promise.resolve(), list: () => [], onChange: () => undefined };
  const context = {
    clock: { now: () => now },
    clients: {
      custom: {
        getAPIResources: () => {
          calls.discovery += 1;
          return answer();
        },
      },
    },
    informers: {
      for: (resource: { plural: string }) => {
        calls.informers.push(resource.plural);
        return informer;
      },
    },
    writer: { track: () => undefined },
    log: { warn: () => undefined },
  } as unknown as OperatorContext;
  const controller = { watch: () => (calls.watches += 1), enqueue: () => undefined } as unknown as Controller;
  return { support: new TargetGroupBindingSupport(context, () => controller), calls, advance: (ms: number) => (now += ms) };
}

const notFound = () => Promise.reject(Object.assign(new Error('not found'), { code: 404 }));

describe('TargetGroupBindingSupport', () => {
  it('finds the kind absent (404) and asks again only after a while', async () => {
    const { support, calls, advance } = setup(notFound);
    expect(await support.check()).to.equal(false);
    expect(await support.check()).to.equal(false);
    expect(calls.discovery).to.equal(1);
    advance(ABSENT_RECHECK_MS);
    await support.check();
    expect(calls.discovery).to.equal(2);
    expect(calls.informers).to.deep.equal([]);
  });

  it('asks once for the reconciles that wait at the same time', async () => {
    const { support, calls } = setup(notFound);
    await Promise.all([support.check(), support.check(), support.check()]);
    expect(calls.discovery).to.equal(1);
  });

  it('once served, caches and watches the bindings, and keeps the answer longer', async () => {
    const { support, calls, advance } = setup(() => Promise.resolve({ resources: [{ name: 'targetgroupbindings' }, { name: 'targetgroupbindings/status' }] }));
    expect(await support.check()).to.equal(true);
    expect(calls.informers).to.include('targetgroupbindings');
    expect(calls.watches).to.equal(1);
    advance(ABSENT_RECHECK_MS);
    await support.check();
    expect(calls.discovery).to.equal(1);
    advance(SERVED_RECHECK_MS);
    await support.check();
    expect(calls.discovery).to.equal(2);
    expect(calls.watches, 'one informer and one watch, however often it is asked').to.equal(1);
  });

  it('asks again at the next check after a write found the kind gone', async () => {
    const { support, calls } = setup(() => Promise.resolve({ resources: [{ name: 'targetgroupbindings' }] }));
    await support.check();
    support.recheck();
    await support.check();
    expect(calls.discovery).to.equal(2);
  });
});
