import type { CoordinationV1Api, V1Lease } from '@kubernetes/client-node';
import { expect } from 'chai';
import { WriteFence, WritesFencedError, makeApiClients } from '../../../operator/src/runtime/clients.js';
import { DEFAULT_LEADER_ELECTION_TIMING, LeaderElector, type LeaderElectorOptions } from '../../../operator/src/runtime/leader-election.js';
import { FakeClock, settle } from './fake-clock.js';
import { unreachableKubeConfig } from './fake-informer.js';

const apiError = (code: number, message: string) => Object.assign(new Error(message), { code });

/** One Lease in memory, with the API server's optimistic concurrency and its MicroTime format check. */
class LeaseStore {
  lease: V1Lease | undefined;
  private version = 0;
  writes = 0;

  read(): V1Lease {
    if (!this.lease) throw apiError(404, 'not found');
    return structuredClone(this.lease);
  }

  write(body: V1Lease, create: boolean): V1Lease {
    for (const field of ['acquireTime', 'renewTime'] as const) {
      const value = body.spec?.[field];
      if (value !== undefined && !/\.\d{6}Z"$/.test(JSON.stringify(value))) {
        throw apiError(400, `spec.${field}: MicroTime must have 6 fractional digits, got ${JSON.stringify(value)}`);
      }
    }
    if (create && this.lease) throw apiError(409, 'already exists');
    if (!create && body.metadata?.resourceVersion !== this.lease?.metadata?.resourceVersion) throw apiError(409, 'conflict');
    this.writes++;
    // Stored as JSON, as etcd would: times come back as strings.
    const stored = JSON.parse(JSON.stringify(body)) as V1Lease;
    stored.metadata = { ...stored.metadata, resourceVersion: String(++this.version) };
    this.lease = stored;
    return structuredClone(stored);
  }
}

type Network = 'up' | 'down' | 'hanging' | 'slow';

/**
 * The Lease API as one replica sees it: its network to the API server can go down or hang, or be slow: the
 * server acts on the request at once, and the answer arrives `slowMs` later.
 */
function leaseApi(store: LeaseStore, clock?: FakeClock) {
  const link = { state: 'up' as Network, slowMs: 0 };
  const call = <T>(operation: () => T): Promise<T> => {
    if (link.state === 'down') return Promise.reject(apiError(503, 'unavailable'));
    if (link.state === 'hanging') return new Promise(() => undefined);
    // A throwing operation rejects the promise, as a failed API call does.
    const answer = new Promise<T>((resolve) => resolve(operation()));
    if (link.state !== 'slow' || !clock) return answer;
    return clock.sleep(link.slowMs).then(() => answer);
  };
  const api = {
    readNamespacedLease: () => call(() => store.read()),
    createNamespacedLease: ({ body }: { body: V1Lease }) => call(() => store.write(body, true)),
    replaceNamespacedLease: ({ body }: { body: V1Lease }) => call(() => store.write(body, false)),
  } as unknown as CoordinationV1Api;
  return { api, link };
}

function replica(store: LeaseStore, clock: FakeClock, identity: string, extra: Partial<LeaderElectorOptions> = {}) {
  const { api, link } = leaseApi(store, clock);
  const log: string[] = [];
  let leaderSignal: AbortSignal | undefined;
  const elector = new LeaderElector(api, {
    namespace: 'ops',
    name: 'ecs-operator',
    identity,
    clock,
    // The timings the cases below count in (the defaults may change).
    leaseDurationMs: 15_000,
    renewDeadlineMs: 10_000,
    retryPeriodMs: 2_000,
    onStartedLeading: (signal) => {
      leaderSignal = signal;
      log.push('started');
    },
    onStoppedLeading: () => log.push('stopped'),
    ...extra,
  });
  const stop = new AbortController();
  const running = elector.run(stop.signal);
  return { elector, link, log, running, stop: () => stop.abort(), signal: () => leaderSignal };
}

/** A Lease store and a clock, with replica `a` already leading. */
async function withLeader() {
  const store = new LeaseStore();
  const clock = new FakeClock();
  const a = replica(store, clock, 'a');
  await settle();
  return { store, clock, a };
}

describe('runtime/leader-election', () => {
  it('creates the lease when there is none and leads, writing MicroTime times', async () => {
    const { store, a } = await withLeader();
    expect(a.elector.isLeader).to.equal(true);
    expect(a.log).to.deep.equal(['started']);
    expect(store.lease?.spec).to.deep.include({ holderIdentity: 'a', leaseDurationSeconds: 15, leaseTransitions: 0 });
    expect(store.lease?.spec?.renewTime).to.match(/\.\d{6}Z$/);
    a.stop();
    await a.running;
  });

  it('renews every retry period while leading; the other replica stands by', async () => {
    const { store, clock, a } = await withLeader();
    const b = replica(store, clock, 'b');
    await clock.advance(60_000);
    expect(a.elector.isLeader).to.equal(true);
    expect(b.elector.isLeader).to.equal(false);
    expect(b.elector.leader).to.equal('a');
    expect(b.elector.healthy(), 'a standby that reaches the API server is healthy').to.equal(true);
    expect(store.writes, 'one create and a renewal every 2 s').to.equal(31);
    a.stop();
    b.stop();
    await Promise.all([a.running, b.running]);
  });

  it('a standby takes over within the lease duration after the leader stops renewing', async () => {
    const { store, clock, a } = await withLeader();
    const b = replica(store, clock, 'b');
    await clock.advance(4_000);
    const lastRenewal = new Date(store.lease?.spec?.renewTime as unknown as string).getTime();
    a.link.state = 'hanging';
    let takeover: number | undefined;
    for (let t = 0; t < 20_000 && takeover === undefined; t += 100) {
      await clock.advance(100);
      if (b.elector.isLeader) takeover = clock.now();
    }
    expect(takeover, 'b took over').to.not.equal(undefined);
    expect(takeover! - lastRenewal).to.be.at.most(15_100);
    expect(takeover! - lastRenewal).to.be.at.least(15_000);
    expect(store.lease?.spec).to.deep.include({ holderIdentity: 'b', leaseTransitions: 1 });
    expect(a.elector.isLeader, 'a stopped at its renew deadline, before b took over').to.equal(false);
    b.stop();
    await b.running;
  });

  it('a leader that cannot renew stops at its renew deadline even while its request hangs', async () => {
    const { clock, a } = await withLeader();
    const renewedAt = clock.now();
    a.link.state = 'hanging';
    await clock.advance(9_999);
    expect(a.elector.isLeader).to.equal(true);
    expect(a.signal()?.aborted).to.equal(false);
    await clock.advance(1);
    expect(a.elector.isLeader).to.equal(false);
    expect(a.signal()?.aborted).to.equal(true);
    expect(a.log).to.deep.equal(['started', 'stopped']);
    expect(clock.now() - renewedAt).to.equal(10_000);
  });

  it('counts the renew deadline from when the renewal was sent, not from when its answer came', async () => {
    const { clock, a } = await withLeader();
    a.link.state = 'slow';
    a.link.slowMs = 5_000;
    await clock.advance(2_000); // the renewal sent at 2 s is answered at 7 s
    await clock.advance(5_000);
    a.link.state = 'hanging'; // the renewal sent at 9 s never is
    await clock.advance(4_999);
    expect(a.elector.isLeader).to.equal(true);
    await clock.advance(1);
    expect(a.elector.isLeader, 'stopped 10 s after the last successful renewal was sent').to.equal(false);
    expect(clock.now() - Date.UTC(2025, 0, 1)).to.equal(12_000);
  });

  it('renews nothing with an answer that comes after the deadline', async () => {
    const { clock, a } = await withLeader();
    a.link.state = 'slow';
    a.link.slowMs = 10_500; // sent at 2 s, answered at 12.5 s, past the 12 s deadline it would have set
    await clock.advance(12_499);
    expect(a.elector.isLeader).to.equal(false);
    await clock.advance(1);
    expect(a.elector.isLeader).to.equal(false);
    expect(a.log).to.deep.equal(['started', 'stopped']);
  });

  it('fences writes on the clock: after an event-loop stall past the deadline no write goes out, before any timer runs', async () => {
    const store = new LeaseStore();
    const clock = new FakeClock();
    const fence = new WriteFence(false, clock);
    const { core } = makeApiClients(unreachableKubeConfig(), { fence });
    const write = () => core.createNamespacedConfigMap({ namespace: 'ns', body: { metadata: { name: 'c' } } }).catch((error: unknown) => error);
    const a = replica(store, clock, 'a', { fence });
    await settle();
    expect(a.elector.isLeader).to.equal(true);
    expect(await write(), 'sent (and failed to connect)').to.not.be.instanceOf(WritesFencedError);
    clock.stall(9_999); // renewed at 0 s; the event loop is blocked until 9.999 s
    expect(fence.isOpen).to.equal(true);
    clock.stall(1);
    expect(fence.isOpen, 'closed at the deadline though no timer has run').to.equal(false);
    expect(await write()).to.be.instanceOf(WritesFencedError);
    await clock.advance(0);
    expect(a.elector.isLeader).to.equal(false);
  });

  it('survives failed renewals inside the deadline', async () => {
    const { clock, a } = await withLeader();
    a.link.state = 'down';
    await clock.advance(7_000); // the renewals at 2, 4 and 6 s fail; the one at 8 s is inside the 10 s deadline
    a.link.state = 'up';
    await clock.advance(30_000);
    expect(a.elector.isLeader).to.equal(true);
    expect(a.log).to.deep.equal(['started']);
    a.stop();
    await a.running;
  });

  it('releases the lease on shutdown so a standby takes over within a retry period', async () => {
    const { store, clock, a } = await withLeader();
    const b = replica(store, clock, 'b');
    await clock.advance(3_000);
    a.stop();
    await a.running;
    expect(a.log).to.deep.equal(['started', 'stopped']);
    expect(store.lease?.spec?.holderIdentity).to.equal(undefined);
    await clock.advance(2_000);
    expect(b.elector.isLeader).to.equal(true);
    b.stop();
    await b.running;
  });

  it('stops leading when another replica holds the lease', async () => {
    const { store, clock, a } = await withLeader();
    const stolen = store.read();
    stolen.spec = { ...stolen.spec, holderIdentity: 'intruder' };
    store.write(stolen, false);
    await clock.advance(4_000);
    expect(a.elector.isLeader).to.equal(false);
    expect(a.log).to.deep.equal(['started', 'stopped']);
  });

  it("defaults to timings that keep a takeover within 15 s of the leader's death", () => {
    const { leaseDurationMs, renewDeadlineMs, retryPeriodMs } = DEFAULT_LEADER_ELECTION_TIMING;
    expect(leaseDurationMs + retryPeriodMs).to.be.at.most(15_000);
    expect(renewDeadlineMs).to.be.below(leaseDurationMs);
  });

  it('refuses timings where the renew deadline does not leave the lease a margin', () => {
    const { api } = leaseApi(new LeaseStore());
    const options = { namespace: 'ops', name: 'l', identity: 'a', onStartedLeading: () => undefined };
    expect(() => new LeaderElector(api, { ...options, leaseDurationMs: 10_000, renewDeadlineMs: 10_000 })).to.throw(/lease duration/);
  });
});
