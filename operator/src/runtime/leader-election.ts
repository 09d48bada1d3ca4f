// Leader election on a coordination.k8s.io/v1 Lease, after client-go's leaderelection: every replica tries to
// take the lease; the holder renews it every retry period with optimistic concurrency (resourceVersion), the
// others watch it and take it once it has gone unrenewed for its duration. The gap between renew deadline
// (8 s) and lease duration (12 s) is what keeps two leaders from overlapping, so the leader counts its
// deadline from the moment it SENT its last successful renewal (the renewTime it wrote is stamped then), on
// the monotonic clock (a wall clock set back must not lengthen it). Past the deadline the write fence refuses
// every write, checked on the write itself: after an event-loop stall, writes queued behind it run before any
// timer and would otherwise go out from a leader whose lease a standby may already hold. A timer also ends
// leadership at the deadline, even while a renew request hangs, so reconciles stop.
//
// One difference from client-go: a standby counts the lease's expiry from the holder's recorded renewTime when
// that lies in the standby's past, not only from when the standby itself saw the lease change. That bounds the
// takeover after a leader dies by the lease duration (client-go: lease duration plus up to a retry period),
// at the price of trusting clocks to agree within lease duration − renew deadline (4 s by default). A renewTime
// in the standby's future (the holder's clock is ahead) falls back to client-go's rule. Wall-clock time is read
// only to compare with renewTime, once, when a change of the lease is observed; its expiry is then kept on the
// monotonic clock.
import { type CoordinationV1Api, type V1Lease, V1MicroTime } from '@kubernetes/client-node';
import { type WriteFence, statusCodeOf } from './clients.js';
import { type Cancel, type Clock, realClock } from './clock.js';
import { type Logger, errorFields, silentLogger } from './logging.js';
import type { Metrics } from './metrics.js';

export interface LeaderElectionTiming {
  /** How long a lease stays valid after its last renewal. */
  leaseDurationMs: number;
  /** How long a leader keeps leading without a successful renewal. */
  renewDeadlineMs: number;
  /** How often the leader renews and a standby looks. */
  retryPeriodMs: number;
}

/**
 * A standby takes over at most leaseDuration + retryPeriod after the leader's last renewal, and the leader
 * renews every retryPeriod: 12 s + 2 s keeps a takeover within 15 s of the leader's death.
 */
export const DEFAULT_LEADER_ELECTION_TIMING: LeaderElectionTiming = {
  leaseDurationMs: 12_000,
  renewDeadlineMs: 8_000,
  retryPeriodMs: 2_000,
};

export interface LeaderElectorOptions extends Partial<LeaderElectionTiming> {
  /** Namespace and name of the Lease. */
  namespace: string;
  name: string;
  /** Who this replica is (pod name, or host name and pid). */
  identity: string;
  /** Called on becoming leader; `signal` aborts the moment leadership ends. */
  onStartedLeading: (signal: AbortSignal) => void;
  /** Called once when leadership ends (lost, or released on shutdown). */
  onStoppedLeading?: () => void;
  /** Called whenever another holder is seen. */
  onNewLeader?: (identity: string) => void;
  /** Opened while this replica may write as the leader: until its renew deadline, moved on by each renewal. */
  fence?: WriteFence;
  clock?: Clock;
  log?: Logger;
  metrics?: Metrics;
}

interface ObservedRecord {
  holder: string;
  renewTime: number | undefined;
  leaseDurationMs: number;
  transitions: number;
  /** When the lease as recorded expires, on this replica's monotonic clock. */
  expiresAt: number;
}

const timeOf = (value: unknown): number | undefined => {
  if (value === undefined || value === null) return undefined;
  const time = new Date(value as string | Date).getTime();
  return Number.isNaN(time) ? undefined : time;
};

export class LeaderElector {
  private readonly options: LeaderElectorOptions;
  private readonly timing: LeaderElectionTiming;
  private readonly clock: Clock;
  private readonly log: Logger;
  private observed: ObservedRecord | undefined;
  /** The lease as last written by this replica; renewals replace it without reading first. */
  private ownLease: V1Lease | undefined;
  private leading: AbortController | undefined;
  private cancelDeadline: Cancel | undefined;
  /** Monotonic time of the last answer from the API server. */
  private lastContact = Number.NEGATIVE_INFINITY;
  /** Monotonic time at which the last successful write of the lease was sent. */
  private renewalSentAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly api: CoordinationV1Api,
    options: LeaderElectorOptions,
  ) {
    this.options = options;
    this.timing = {
      leaseDurationMs: options.leaseDurationMs ?? DEFAULT_LEADER_ELECTION_TIMING.leaseDurationMs,
      renewDeadlineMs: options.renewDeadlineMs ?? DEFAULT_LEADER_ELECTION_TIMING.renewDeadlineMs,
      retryPeriodMs: options.retryPeriodMs ?? DEFAULT_LEADER_ELECTION_TIMING.retryPeriodMs,
    };
    const { leaseDurationMs, renewDeadlineMs, retryPeriodMs } = this.timing;
    if (!(leaseDurationMs > renewDeadlineMs && renewDeadlineMs > retryPeriodMs && retryPeriodMs > 0)) {
      throw new Error('leader election: need lease duration > renew deadline > retry period > 0');
    }
    this.clock = options.clock ?? realClock;
    this.log = (options.log ?? silentLogger()).child({ lease: `${options.namespace}/${options.name}`, identity: options.identity });
  }

  get isLeader(): boolean {
    return this.leading !== undefined;
  }

  /** The holder last seen on the lease. */
  get leader(): string | undefined {
    return this.observed?.holder || undefined;
  }

  /** Leading, or standing by with the API server answering within a lease duration. */
  healthy(): boolean {
    return this.isLeader || this.clock.monotonic() - this.lastContact <= this.timing.leaseDurationMs;
  }

  /**
   * Campaigns until leading, leads until leadership is lost or `signal` aborts, then returns. On abort a
   * leader releases the lease so that a standby takes over at once.
   */
  async run(signal: AbortSignal): Promise<void> {
    this.log.info('waiting for the leader lease', this.timing);
    if (!(await this.acquire(signal))) return;
    const leading = new AbortController();
    this.leading = leading;
    this.options.metrics?.leader.set(1);
    this.log.info('became leader');
    this.renewed();
    this.options.onStartedLeading(leading.signal);
    await this.renew(signal, leading.signal);
    if (signal.aborted && this.isLeader) {
      this.stopLeading('shutting down', 'info');
      await this.release();
    }
  }

  private async acquire(signal: AbortSignal): Promise<boolean> {
    while (!signal.aborted) {
      if (await this.tryAcquireOrRenew()) return true;
      await this.clock.sleep(this.nextAttemptInMs(), signal);
    }
    return false;
  }

  private async renew(signal: AbortSignal, leading: AbortSignal): Promise<void> {
    const stop = AbortSignal.any([signal, leading]);
    for (;;) {
      await this.clock.sleep(this.timing.retryPeriodMs, stop);
      if (stop.aborted) return;
      // After a stall this wakes up before the deadline's timer runs: past the deadline there is nothing to renew.
      if (this.clock.monotonic() >= this.renewalSentAt + this.timing.renewDeadlineMs) {
        this.stopLeadingAtDeadline();
        return;
      }
      if (await this.tryAcquireOrRenew()) {
        if (this.isLeader) this.renewed();
      } else if (this.observed && this.observed.holder !== this.options.identity && this.observed.holder !== '') {
        this.stopLeading(`the lease is held by ${this.observed.holder}`);
      }
    }
  }

  /**
   * After a successful write of the lease: writes may go out until the renew deadline counted from when it
   * was sent, and leadership ends then unless renewed again, whatever the requests are doing. An answer that
   * comes after that deadline renews nothing.
   */
  private renewed(): void {
    const deadline = this.renewalSentAt + this.timing.renewDeadlineMs;
    this.cancelDeadline?.();
    this.cancelDeadline = undefined;
    const remaining = deadline - this.clock.monotonic();
    if (remaining <= 0) return this.stopLeadingAtDeadline();
    this.options.fence?.open(deadline);
    this.cancelDeadline = this.clock.setTimeout(() => this.stopLeadingAtDeadline(), remaining);
  }

  private stopLeadingAtDeadline(): void {
    this.stopLeading(`could not renew the lease within ${this.timing.renewDeadlineMs} ms`);
  }

  private stopLeading(reason: string, level: 'info' | 'warn' = 'warn'): void {
    const leading = this.leading;
    if (!leading) return;
    this.leading = undefined;
    this.cancelDeadline?.();
    this.cancelDeadline = undefined;
    this.options.fence?.close();
    this.options.metrics?.leader.set(0);
    this.log.log(level, 'stopped leading', { reason });
    leading.abort(new Error(reason));
    this.options.onStoppedLeading?.();
  }

  /** When a standby should look again: at the retry period, or sooner if the lease expires sooner. */
  private nextAttemptInMs(): number {
    const expiresAt = this.expiresAt();
    if (expiresAt === undefined) return this.timing.retryPeriodMs;
    return Math.max(1, Math.min(this.timing.retryPeriodMs, expiresAt - this.clock.monotonic()));
  }

  /** When the observed holder's lease expires (monotonic), or undefined when nobody holds it. */
  private expiresAt(): number | undefined {
    const record = this.observed;
    return !record || record.holder === '' ? undefined : record.expiresAt;
  }

  private observe(lease: V1Lease): void {
    const spec = lease.spec ?? {};
    const record = {
      holder: spec.holderIdentity ?? '',
      renewTime: timeOf(spec.renewTime),
      leaseDurationMs: (spec.leaseDurationSeconds ?? this.timing.leaseDurationMs / 1000) * 1000,
      transitions: spec.leaseTransitions ?? 0,
    };
    const previous = this.observed;
    const changed =
      !previous ||
      previous.holder !== record.holder ||
      previous.renewTime !== record.renewTime ||
      previous.leaseDurationMs !== record.leaseDurationMs ||
      previous.transitions !== record.transitions;
    if (!changed) return;
    // Counted from the renewTime when it lies in this replica's past, else from now.
    const now = this.clock.now();
    const age = record.renewTime !== undefined && record.renewTime <= now ? now - record.renewTime : 0;
    this.observed = { ...record, expiresAt: this.clock.monotonic() - age + record.leaseDurationMs };
    if (record.holder && record.holder !== previous?.holder && record.holder !== this.options.identity) {
      this.log.info('leader observed', { leader: record.holder });
      this.options.onNewLeader?.(record.holder);
    }
  }

  /** One attempt: true when this replica holds the lease afterwards. */
  private async tryAcquireOrRenew(): Promise<boolean> {
    const { namespace, name, identity } = this.options;
    try {
      let current = this.isLeader ? this.ownLease : undefined;
      if (!current) {
        current = await this.read();
        if (!current) {
          const sentAt = this.clock.monotonic();
          this.ownLease = await this.api.createNamespacedLease({ namespace, body: this.leaseFor(undefined) });
          this.contact(this.ownLease);
          this.renewalSentAt = sentAt;
          return true;
        }
        this.contact(current);
        const holder = current.spec?.holderIdentity ?? '';
        const expiresAt = this.expiresAt();
        if (holder !== '' && holder !== identity && expiresAt !== undefined && expiresAt > this.clock.monotonic()) return false;
      }
      const sentAt = this.clock.monotonic();
      this.ownLease = await this.api.replaceNamespacedLease({ name, namespace, body: this.leaseFor(current) });
      this.contact(this.ownLease);
      this.renewalSentAt = sentAt;
      return true;
    } catch (error) {
      this.ownLease = undefined;
      const status = statusCodeOf(error);
      // 409: someone else wrote the lease first (creating or updating it); the next attempt reads it afresh.
      if (status === 409) this.lastContact = this.clock.monotonic();
      else this.log.warn('lease request failed', errorFields(error));
      return false;
    }
  }

  private async read(): Promise<V1Lease | undefined> {
    try {
      return await this.api.readNamespacedLease({ name: this.options.name, namespace: this.options.namespace });
    } catch (error) {
      if (statusCodeOf(error) === 404) return undefined;
      throw error;
    }
  }

  private contact(lease: V1Lease): void {
    this.lastContact = this.clock.monotonic();
    this.observe(lease);
  }

  /** The lease this replica writes: held by it and renewed now, keeping acquireTime while it stays the holder. */
  private leaseFor(current: V1Lease | undefined): V1Lease {
    const now = new V1MicroTime(this.clock.now());
    const spec = current?.spec ?? {};
    const stillMine = spec.holderIdentity === this.options.identity;
    return {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: {
        name: this.options.name,
        namespace: this.options.namespace,
        ...(current?.metadata?.resourceVersion ? { resourceVersion: current.metadata.resourceVersion } : {}),
      },
      spec: {
        holderIdentity: this.options.identity,
        leaseDurationSeconds: Math.ceil(this.timing.leaseDurationMs / 1000),
        acquireTime: stillMine && spec.acquireTime ? new V1MicroTime(timeOf(spec.acquireTime) ?? now.getTime()) : now,
        renewTime: now,
        leaseTransitions: (spec.leaseTransitions ?? 0) + (current && !stillMine ? 1 : 0),
      },
    };
  }

  /** Gives the lease up (no holder, 1 s duration) so a standby need not wait for it to expire. */
  private async release(): Promise<void> {
    const lease = this.ownLease;
    if (!lease) return;
    const now = new V1MicroTime(this.clock.now());
    const spec = lease.spec ?? {};
    try {
      await this.api.replaceNamespacedLease({
        name: this.options.name,
        namespace: this.options.namespace,
        body: {
          ...lease,
          spec: { leaseDurationSeconds: 1, acquireTime: now, renewTime: now, leaseTransitions: spec.leaseTransitions ?? 0 },
        },
      });
      this.log.info('released the leader lease');
    } catch (error) {
      this.log.warn('could not release the leader lease; a standby takes over when it expires', errorFields(error));
    } finally {
      this.ownLease = undefined;
    }
  }
}
