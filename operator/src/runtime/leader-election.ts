// Leader election on a coordination.k8s.io/v1 Lease, after client-go's leaderelection: every replica tries to
// take the lease; the holder renews it every retry period with optimistic concurrency (resourceVersion), the
// others watch it and take it once it has gone unrenewed for its duration. A leader that cannot renew within
// the renew deadline stops leading at once, by its own timer, even while a renew request hangs: the gap
// between renew deadline (10 s) and lease duration (15 s) is what keeps two leaders from overlapping.
//
// One difference from client-go: a standby counts the lease's expiry from the holder's recorded renewTime when
// that lies in the standby's past, not only from when the standby itself saw the lease change. That bounds the
// takeover after a leader dies by the lease duration (client-go: lease duration plus up to a retry period),
// at the price of trusting clocks to agree within lease duration − renew deadline (5 s by default). A renewTime
// in the standby's future (the holder's clock is ahead) falls back to client-go's rule.
import { type CoordinationV1Api, type V1Lease, V1MicroTime } from '@kubernetes/client-node';
import { statusCodeOf } from './clients.js';
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
  clock?: Clock;
  log?: Logger;
  metrics?: Metrics;
}

interface ObservedRecord {
  holder: string;
  renewTime: number | undefined;
  leaseDurationMs: number;
  transitions: number;
  /** When this replica first saw the record as it is. */
  observedAt: number;
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
  private lastContact = Number.NEGATIVE_INFINITY;

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
    return this.isLeader || this.clock.now() - this.lastContact <= this.timing.leaseDurationMs;
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
    this.armDeadline();
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
      if (await this.tryAcquireOrRenew()) {
        if (this.isLeader) this.armDeadline();
      } else if (this.observed && this.observed.holder !== this.options.identity && this.observed.holder !== '') {
        this.stopLeading(`the lease is held by ${this.observed.holder}`);
      }
    }
  }

  /** A leader that has not renewed by the deadline stops, whatever its requests are doing. */
  private armDeadline(): void {
    this.cancelDeadline?.();
    this.cancelDeadline = this.clock.setTimeout(
      () => this.stopLeading(`could not renew the lease within ${this.timing.renewDeadlineMs} ms`),
      this.timing.renewDeadlineMs,
    );
  }

  private stopLeading(reason: string, level: 'info' | 'warn' = 'warn'): void {
    const leading = this.leading;
    if (!leading) return;
    this.leading = undefined;
    this.cancelDeadline?.();
    this.cancelDeadline = undefined;
    this.options.metrics?.leader.set(0);
    this.log.log(level, 'stopped leading', { reason });
    leading.abort(new Error(reason));
    this.options.onStoppedLeading?.();
  }

  /** When a standby should look again: at the retry period, or sooner if the lease expires sooner. */
  private nextAttemptInMs(): number {
    const expiresAt = this.expiresAt();
    if (expiresAt === undefined) return this.timing.retryPeriodMs;
    return Math.max(1, Math.min(this.timing.retryPeriodMs, expiresAt - this.clock.now()));
  }

  private expiresAt(): number | undefined {
    const record = this.observed;
    if (!record || record.holder === '') return undefined;
    const now = this.clock.now();
    const since = record.renewTime !== undefined && record.renewTime <= now ? Math.min(record.renewTime, record.observedAt) : record.observedAt;
    return since + record.leaseDurationMs;
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
    this.observed = { ...record, observedAt: this.clock.now() };
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
          this.ownLease = await this.api.createNamespacedLease({ namespace, body: this.leaseFor(undefined) });
          this.contact(this.ownLease);
          return true;
        }
        this.contact(current);
        const holder = current.spec?.holderIdentity ?? '';
        const expiresAt = this.expiresAt();
        if (holder !== '' && holder !== identity && expiresAt !== undefined && expiresAt > this.clock.now()) return false;
      }
      this.ownLease = await this.api.replaceNamespacedLease({ name, namespace, body: this.leaseFor(current) });
      this.contact(this.ownLease);
      return true;
    } catch (error) {
      this.ownLease = undefined;
      const status = statusCodeOf(error);
      // 409: someone else wrote the lease first (creating or updating it); the next attempt reads it afresh.
      if (status === 409) this.lastContact = this.clock.now();
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
    this.lastContact = this.clock.now();
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
