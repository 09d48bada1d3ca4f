import { expect } from 'chai';
import type { OperatorContext } from '../../../operator/src/controllers/context.js';
import { METRICS_PERIOD_MS, ResourceUsage } from '../../../operator/src/controllers/resource-usage.js';
import { silentLogger } from '../../../operator/src/runtime/logging.js';
import { FakeClock } from '../runtime/fake-clock.js';

/** A context whose metrics API answers each list with the next of `answers` (an error is thrown), counting lists. */
function fakeContext(clock: FakeClock, answers: unknown[]) {
  const lists: string[] = [];
  const warnings: string[] = [];
  const answer = async (what: string) => {
    lists.push(what);
    const next = answers.length > 1 ? answers.shift() : answers[0];
    if (next instanceof Error) throw next;
    return next;
  };
  const context = {
    clock,
    log: { ...silentLogger(), warn: (message: string) => warnings.push(message) },
    clients: {
      custom: {
        listClusterCustomObject: ({ plural }: { plural: string }) => answer(plural),
        listNamespacedCustomObject: ({ namespace, plural }: { namespace: string; plural: string }) => answer(`${plural} in ${namespace}`),
      },
    },
  } as unknown as OperatorContext;
  return { context, lists, warnings };
}

const statusError = (code: number) => Object.assign(new Error(`HTTP ${code}`), { code });
const podMetrics = {
  items: [{ metadata: { name: 'web-1' }, containers: [{ usage: { cpu: '250000000n', memory: '64Mi' } }, { usage: { cpu: '50m', memory: '1024Ki' } }] }],
};

describe('controllers/resource-usage', () => {
  it("lists a namespace's pod usage once a period however often it is read, summing each pod's containers", async () => {
    const clock = new FakeClock();
    const { context, lists } = fakeContext(clock, [podMetrics]);
    const usage = new ResourceUsage(context);
    const [first, second] = await Promise.all([usage.pods('shop'), usage.pods('shop')]);
    expect(first).to.deep.equal({ served: true, usage: new Map([['web-1', { cpu: 300, memory: 65 }]]) });
    expect(second).to.equal(first);
    await usage.pods('shop');
    expect(lists).to.deep.equal(['pods in shop']);
    await usage.pods('other');
    await clock.advance(METRICS_PERIOD_MS);
    await usage.pods('shop');
    expect(lists).to.deep.equal(['pods in shop', 'pods in other', 'pods in shop']);
  });

  it('says "not served" on 404 and 503 without a word, asking again only minutes later', async () => {
    const clock = new FakeClock();
    const { context, lists, warnings } = fakeContext(clock, [statusError(404)]);
    const usage = new ResourceUsage(context);
    expect(await usage.nodes()).to.deep.equal({ served: false });
    await clock.advance(METRICS_PERIOD_MS);
    await usage.nodes();
    expect(lists).to.have.length(1);
    await clock.advance(5 * 60_000);
    await usage.nodes();
    expect(lists).to.have.length(2);
    expect(warnings).to.deep.equal([]);
  });

  it('keeps the last answer through other failures, warning once until a list succeeds again', async () => {
    const clock = new FakeClock();
    const nodes = { items: [{ metadata: { name: 'n1' }, usage: { cpu: '1', memory: '1Gi' } }] };
    const { context, warnings } = fakeContext(clock, [nodes, statusError(403), statusError(500), nodes]);
    const usage = new ResourceUsage(context);
    const first = await usage.nodes();
    for (let i = 0; i < 2; i++) {
      await clock.advance(METRICS_PERIOD_MS);
      expect(await usage.nodes()).to.deep.equal(first);
    }
    expect(warnings).to.have.length(1);
    await clock.advance(METRICS_PERIOD_MS);
    expect(await usage.nodes()).to.deep.equal({ served: true, usage: new Map([['n1', { cpu: 1000, memory: 1024 }]]) });
  });
});
