import { expect } from 'chai';
import { ExponentialBackoff, WorkQueue } from '../../../operator/src/runtime/queue.js';
import { FakeClock, settle } from './fake-clock.js';

describe('runtime/queue', () => {
  it('holds a key added twice once', async () => {
    const queue = new WorkQueue({ clock: new FakeClock() });
    queue.add('ns/a');
    queue.add('ns/b');
    queue.add('ns/a');
    expect(queue.depth).to.equal(2);
    expect(await queue.get()).to.equal('ns/a');
    expect(await queue.get()).to.equal('ns/b');
    expect(queue.depth).to.equal(0);
  });

  it('processes a key re-added while processing once more, after done, and never concurrently', async () => {
    const queue = new WorkQueue({ clock: new FakeClock() });
    queue.add('k');
    const key = await queue.get();
    queue.add('k');
    queue.add('k');
    expect(queue.depth, 'not handed out while processing').to.equal(0);
    let second: string | undefined;
    void queue.get().then((k) => (second = k));
    await settle();
    expect(second).to.equal(undefined);
    queue.done(key!);
    await settle();
    expect(second).to.equal('k');
    queue.done('k');
    expect(queue.depth).to.equal(0);
  });

  it('runs workers without ever overlapping one key, and handles each distinct key', async () => {
    const queue = new WorkQueue({ clock: new FakeClock() });
    const active = new Set<string>();
    const seen: string[] = [];
    let overlap = false;
    const gates: Array<() => void> = [];
    const workers = queue.runWorkers(3, async (key) => {
      if (active.has(key)) overlap = true;
      active.add(key);
      seen.push(key);
      await new Promise<void>((resolve) => gates.push(resolve));
      active.delete(key);
    });
    for (const key of ['a', 'b', 'a', 'c', 'a']) queue.add(key);
    await settle();
    expect(seen).to.deep.equal(['a', 'b', 'c']);
    queue.add('a'); // re-added while 'a' is being processed
    gates.splice(0).forEach((open) => open());
    await settle();
    expect(seen).to.deep.equal(['a', 'b', 'c', 'a']);
    gates.splice(0).forEach((open) => open());
    await queue.shutdown();
    await workers;
    expect(overlap).to.equal(false);
  });

  it('addAfter waits for the clock and keeps only the earliest deadline per key', async () => {
    const clock = new FakeClock();
    const queue = new WorkQueue({ clock });
    queue.addAfter('k', 1000);
    queue.addAfter('k', 5000);
    queue.addAfter('k', 300);
    expect(clock.pending).to.equal(1);
    await clock.advance(299);
    expect(queue.depth).to.equal(0);
    await clock.advance(1);
    expect(queue.depth).to.equal(1);
    await clock.advance(10_000);
    expect(queue.depth, 'the later deadlines were dropped').to.equal(1);
  });

  it('backs off exponentially per key from 5 ms to a 5 minute cap, and forget resets', () => {
    const backoff = new ExponentialBackoff();
    const delays = Array.from({ length: 20 }, () => backoff.when('k'));
    expect(delays.slice(0, 4)).to.deep.equal([5, 10, 20, 40]);
    expect(Math.max(...delays)).to.equal(300_000);
    expect(delays.at(-1)).to.equal(300_000);
    expect(backoff.when('other'), 'per key').to.equal(5);
    expect(backoff.retries('k')).to.equal(20);
    backoff.forget('k');
    expect(backoff.when('k')).to.equal(5);
  });

  it('addRateLimited delays by the backoff of the key', async () => {
    const clock = new FakeClock();
    const queue = new WorkQueue({ clock });
    queue.addRateLimited('k');
    await clock.advance(4);
    expect(queue.depth).to.equal(0);
    await clock.advance(1);
    expect(queue.depth).to.equal(1);
    const key = (await queue.get())!;
    queue.done(key);
    queue.addRateLimited('k');
    await clock.advance(9);
    expect(queue.depth).to.equal(0);
    await clock.advance(1);
    expect(queue.depth).to.equal(1);
    expect(queue.retries('k')).to.equal(2);
    queue.forget('k');
    expect(queue.retries('k')).to.equal(0);
  });

  it('retries with backoff a key whose handler throws, without stopping the worker', async () => {
    const clock = new FakeClock();
    const queue = new WorkQueue({ clock });
    let calls = 0;
    const workers = queue.runWorkers(1, async () => {
      calls++;
      if (calls === 1) throw new Error('boom');
    });
    queue.add('k');
    await settle();
    expect(calls).to.equal(1);
    await clock.advance(5);
    expect(calls).to.equal(2);
    await queue.shutdown();
    await workers;
  });

  it('shutdown stops handing out work, drops waiting keys and resolves after the keys in flight are done', async () => {
    const clock = new FakeClock();
    const queue = new WorkQueue({ clock });
    queue.add('busy');
    queue.add('waiting');
    queue.addAfter('later', 1000);
    const busy = (await queue.get())!;
    let drained = false;
    const shutdown = queue.shutdown().then(() => (drained = true));
    expect(await queue.get()).to.equal(undefined);
    queue.add('new');
    expect(queue.depth).to.equal(0);
    expect(clock.pending, 'delayed adds cancelled').to.equal(0);
    await settle();
    expect(drained).to.equal(false);
    queue.done(busy);
    await shutdown;
    expect(drained).to.equal(true);
  });

  it('wakes idle workers on shutdown', async () => {
    const queue = new WorkQueue({ clock: new FakeClock() });
    const workers = queue.runWorkers(4, async () => undefined);
    await settle();
    await queue.shutdown();
    await workers;
  });
});
