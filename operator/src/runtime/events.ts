// Kubernetes Events for what a user should see (`kubectl describe`, `kubectl get events`). A repeat of the same
// event (same object, type, reason and message) bumps the count and lastTimestamp of the Event already written
// instead of adding another, as client-go's recorder does, so a failing reconcile retried every few seconds
// leaves one Event counting up rather than a flood. Recording never throws into the caller: an event that
// cannot be written is logged and counted, and the reconcile goes on.
import { hostname } from 'node:os';
import { type CoreV1Event, type KubernetesObject, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { type ApiClients, statusCodeOf } from './clients.js';
import { type Clock, realClock } from './clock.js';
import { type Logger, errorFields, silentLogger } from './logging.js';
import type { Metrics } from './metrics.js';

export type EventType = 'Normal' | 'Warning';

export interface EventRecorder {
  /** Records an event about `obj` in the background. */
  normal(obj: KubernetesObject, reason: string, message: string): void;
  warning(obj: KubernetesObject, reason: string, message: string): void;
  /** Records an event; the promise settles when it is written (or failed) and never rejects. */
  record(obj: KubernetesObject, type: EventType, reason: string, message: string): Promise<void>;
  /** Resolves when every event recorded so far is written or has failed. */
  flush(): Promise<void>;
}

export interface EventRecorderOptions {
  component?: string;
  /** Which replica reports (pod name); defaults to the host name. */
  instance?: string;
  clock?: Clock;
  log?: Logger;
  metrics?: Metrics;
  /** How many distinct events are remembered for aggregation. */
  cacheSize?: number;
}

/** Events of cluster-scoped objects (Nodes) go to this namespace, as kubectl looks for them there. */
const CLUSTER_SCOPED_EVENT_NAMESPACE = 'default';
const MAX_MESSAGE_LENGTH = 1024;
const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

interface Written {
  name: string;
  namespace: string;
  count: number;
}

export class KubeEventRecorder implements EventRecorder {
  private readonly component: string;
  private readonly instance: string;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly metrics: Metrics | undefined;
  private readonly cacheSize: number;
  /** Aggregation key → the Event written for it, least recently used first. */
  private readonly written = new Map<string, Written>();
  /** Aggregation key → the write in progress, so repeats of one event are written one after another. */
  private readonly inFlight = new Map<string, Promise<void>>();
  private sequence = 0;

  constructor(
    private readonly clients: ApiClients,
    { component = 'ecs-operator', instance = hostname(), clock = realClock, log, metrics, cacheSize = 4096 }: EventRecorderOptions = {},
  ) {
    this.component = component;
    this.instance = instance;
    this.clock = clock;
    this.log = log ?? silentLogger();
    this.metrics = metrics;
    this.cacheSize = cacheSize;
  }

  normal(obj: KubernetesObject, reason: string, message: string): void {
    void this.record(obj, 'Normal', reason, message);
  }

  warning(obj: KubernetesObject, reason: string, message: string): void {
    void this.record(obj, 'Warning', reason, message);
  }

  record(obj: KubernetesObject, type: EventType, reason: string, message: string): Promise<void> {
    const text = message.length > MAX_MESSAGE_LENGTH ? `${message.slice(0, MAX_MESSAGE_LENGTH - 3)}...` : message;
    const { name = '', namespace, uid } = obj.metadata ?? {};
    const key = [obj.apiVersion, obj.kind, namespace ?? '', name, uid ?? '', type, reason, text].join('\u0000');
    const previous = this.inFlight.get(key) ?? Promise.resolve();
    const write = previous
      .then(() => this.write(key, obj, type, reason, text))
      .catch((error: unknown) => {
        this.metrics?.eventWriteFailures.inc();
        this.log.warn('could not write event', { ...errorFields(error), object: `${obj.kind}/${name}`, reason });
      })
      .finally(() => {
        if (this.inFlight.get(key) === write) this.inFlight.delete(key);
      });
    this.inFlight.set(key, write);
    return write;
  }

  async flush(): Promise<void> {
    await Promise.all([...this.inFlight.values()]);
  }

  private async write(key: string, obj: KubernetesObject, type: EventType, reason: string, message: string): Promise<void> {
    const now = new Date(this.clock.now());
    const seen = this.written.get(key);
    if (seen) {
      try {
        await this.clients.core.patchNamespacedEvent(
          { name: seen.name, namespace: seen.namespace, body: { count: seen.count + 1, lastTimestamp: now.toISOString() } },
          mergePatch,
        );
        seen.count += 1;
        this.remember(key, seen);
        return;
      } catch (error) {
        // The Event expired (events live an hour by default): write a new one.
        if (statusCodeOf(error) !== 404) throw error;
        this.written.delete(key);
      }
    }
    const event = this.newEvent(obj, type, reason, message, now);
    const namespace = event.metadata.namespace ?? CLUSTER_SCOPED_EVENT_NAMESPACE;
    await this.clients.core.createNamespacedEvent({ namespace, body: event });
    this.remember(key, { name: event.metadata.name ?? '', namespace, count: 1 });
  }

  private newEvent(obj: KubernetesObject, type: EventType, reason: string, message: string, now: Date): CoreV1Event {
    const { name = '', namespace, uid, resourceVersion } = obj.metadata ?? {};
    // client-go names events `<object>.<hex nanoseconds>`; the sequence keeps two events in one millisecond apart.
    const nanos = BigInt(now.getTime()) * 1_000_000n + BigInt(this.sequence++ % 1_000_000);
    return {
      metadata: { name: `${name}.${nanos.toString(16)}`, namespace: namespace ?? CLUSTER_SCOPED_EVENT_NAMESPACE },
      involvedObject: { apiVersion: obj.apiVersion, kind: obj.kind, name, namespace, uid, resourceVersion },
      type,
      reason,
      message,
      count: 1,
      firstTimestamp: now,
      lastTimestamp: now,
      source: { component: this.component, host: this.instance },
      reportingComponent: this.component,
      reportingInstance: this.instance,
    };
  }

  private remember(key: string, written: Written): void {
    this.written.delete(key);
    this.written.set(key, written);
    if (this.written.size > this.cacheSize) {
      const oldest = this.written.keys().next().value;
      if (oldest !== undefined) this.written.delete(oldest);
    }
  }
}
