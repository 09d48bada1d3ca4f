import { expect } from 'chai';
import { makeApiClients } from '../../../operator/src/runtime/clients.js';
import { TokenBucket } from '../../../operator/src/runtime/token-bucket.js';
import { FakeClock, settle } from './fake-clock.js';
import { unreachableKubeConfig } from './fake-informer.js';

/** Takes `count` tokens at once; returns the clock times (ms after the start) at which each was granted, in order. */
function grants(bucket: TokenBucket, clock: FakeClock, count: number): number[] {
  const start = clock.monotonic();
  const granted: number[] = [];
  for (let i = 0; i < count; i++) void bucket.take().then(() => granted.push(clock.monotonic() - start));
  return granted;
}

describe('runtime/token-bucket', () => {
  it('lets a burst through at once, then one request per 1/qps seconds, in order', async () => {
    const clock = new FakeClock();
    const bucket = new TokenBucket(20, 30, clock);
    const granted = grants(bucket, clock, 35);
    await settle();
    expect(granted).to.have.length(30);
    await clock.advance(49);
    expect(granted).to.have.length(30);
    await clock.advance(1);
    expect(granted).to.have.length(31);
    await clock.advance(200);
    expect(granted.slice(30)).to.deep.equal([50, 100, 150, 200, 250]);
  });

  it('refills at qps up to the burst while idle, and no further', async () => {
    const clock = new FakeClock();
    const bucket = new TokenBucket(10, 3, clock);
    await clock.advance(0);
    let granted = grants(bucket, clock, 3);
    await settle();
    expect(granted).to.have.length(3);
    await clock.advance(200); // two tokens back
    granted = grants(bucket, clock, 3);
    await settle();
    expect(granted).to.deep.equal([0, 0]);
    await clock.advance(60_000); // idle: the bucket holds the burst, not 600 tokens
    granted = grants(bucket, clock, 5);
    await settle();
    expect(granted).to.have.length(3);
  });

  it('refuses a rate or burst it cannot keep', () => {
    expect(() => new TokenBucket(0, 1)).to.throw(/positive rate/);
    expect(() => new TokenBucket(1, 0)).to.throw(/burst of at least 1/);
  });

  it("holds the clients' requests until their token, watches apart", async () => {
    const clock = new FakeClock();
    const sent: string[] = [];
    const { core } = makeApiClients(unreachableKubeConfig(), { rateLimit: new TokenBucket(1, 1, clock), onRequest: (verb) => sent.push(verb) });
    const first = core.listNamespacedPod({ namespace: 'ns' }).catch(() => undefined);
    const second = core.listNamespacedPod({ namespace: 'ns' }).catch(() => undefined);
    const watch = core.listNamespacedPod({ namespace: 'ns', watch: true }).catch(() => undefined);
    await Promise.all([first, watch]);
    expect(sent).to.have.members(['list', 'watch']);
    await clock.advance(999);
    expect(sent).to.have.length(2);
    await clock.advance(1);
    await second;
    expect(sent).to.have.members(['list', 'watch', 'list']);
  });
});
