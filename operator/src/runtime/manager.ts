// The manager runs the operator process: it builds the shared pieces (clients, informers, child writer, event
// recorder, metrics, logs), lets each registered controller factory build its controller on them, serves
// /metrics /healthz /readyz, syncs the informers, and reconciles — on every replica when leader election is
// off, on the leader only when it is on. Standbys keep warm caches so that a takeover starts at once.
//
// Shutdown (SIGTERM, SIGINT): controllers stop taking keys, reconciles in flight get `shutdownTimeoutMs` to
// finish while the lease is still renewed, then writes are fenced, the lease is released so a standby takes
// over at once, informers stop and the server closes. Losing the lease instead fences writes at once, stops
// the controllers, and the replica stands by (caches warm) and campaigns again: it never exits on its own, so an
// API server outage or a frozen process costs no restart (controller-runtime exits instead).
import { KubeConfig } from '@kubernetes/client-node';
import { Applier } from './apply.js';
import { ChildWriter } from './child-writer.js';
import { type ApiClients, WriteFence, makeApiClients } from './clients.js';
import { type Clock, realClock } from './clock.js';
import type { OperatorConfig } from './config.js';
import type { Controller } from './controller.js';
import { type EventRecorder, KubeEventRecorder } from './events.js';
import { startHealthServer } from './health.js';
import { InformerFactory } from './informer.js';
import { LeaderElector } from './leader-election.js';
import { type Logger, createLogger, errorFields } from './logging.js';
import { Metrics } from './metrics.js';
import { TokenBucket } from './token-bucket.js';

/**
 * What a controller factory is given: everything shared. `settings` is the whole configuration of `run`
 * (stoppedTaskRetentionMs, resyncPeriodMs, concurrency, namespace ...).
 */
export interface ControllerContext {
  settings: OperatorConfig;
  clients: ApiClients;
  informers: InformerFactory;
  /**
   * Every write a controller makes: children, status and finalizers (expectations, preconditions, no adoption).
   * `clients` is for the few reads no informer serves (metrics).
   */
  writer: ChildWriter;
  events: EventRecorder;
  log: Logger;
  metrics: Metrics;
  clock: Clock;
}

/** Registers one controller (or a few that belong together); called once, before the informers start. */
export type ControllerFactory = (context: ControllerContext) => Controller | Controller[];

export interface ManagerOptions {
  /** Defaults to the kubeconfig the configuration names. */
  kubeConfig?: KubeConfig;
  log?: Logger;
  metrics?: Metrics;
  clock?: Clock;
}

/** Exit status of `run`: 0 after a requested shutdown (losing leadership does not end it). */
export type ExitCode = 0 | 1;

export function loadKubeConfig(config: Pick<OperatorConfig, 'kubeconfig'>): KubeConfig {
  const kc = new KubeConfig();
  if (config.kubeconfig) kc.loadFromFile(config.kubeconfig);
  else kc.loadFromDefault();
  return kc;
}

export class Manager {
  readonly log: Logger;
  readonly metrics: Metrics;
  private readonly clock: Clock;
  private readonly kc: KubeConfig;
  private readonly factories: ControllerFactory[] = [];
  /** The port of /metrics, /healthz and /readyz once `run` has started serving. */
  healthPort: number | undefined;

  constructor(
    readonly config: OperatorConfig,
    options: ManagerOptions = {},
  ) {
    this.log = options.log ?? createLogger(config.logLevel);
    this.metrics = options.metrics ?? new Metrics({ processMetrics: true });
    this.clock = options.clock ?? realClock;
    this.kc = options.kubeConfig ?? loadKubeConfig(config);
  }

  add(factory: ControllerFactory): this {
    this.factories.push(factory);
    return this;
  }

  /** Runs until `signal` aborts (returns 0); after losing leadership it stands by and campaigns again. */
  async run(signal: AbortSignal): Promise<ExitCode> {
    const { config, log, metrics, clock } = this;
    const election = config.leaderElection;
    // With leader election the elector opens it, until each renewal's deadline, and closes it.
    const fence = new WriteFence(!election.enabled, clock);
    const onRequest = (verb: string, resource: string) => metrics.apiRequests.inc({ verb, resource });
    const rateLimit = new TokenBucket(config.kubeApiQps, config.kubeApiBurst, clock);
    const clients = makeApiClients(this.kc, { onRequest, fence, rateLimit });
    const informers = new InformerFactory(clients, { namespace: config.namespace, clock, log, metrics });
    const events = new KubeEventRecorder(clients, { instance: election.identity, clock, log, metrics });
    const context: ControllerContext = {
      settings: config,
      clients,
      informers,
      writer: new ChildWriter(clients, new Applier(clients), { clock }),
      events,
      log,
      metrics,
      clock,
    };
    const controllers = this.factories.flatMap((factory) => factory(context));
    const runControllers = (until: AbortSignal) => Promise.all(controllers.map((controller) => controller.run(until))).then(() => undefined);
    let reconciling: Promise<void> | undefined;
    let stopping = false;
    const elector = election.enabled
      ? new LeaderElector(makeApiClients(this.kc, { onRequest }).coordination, {
          ...election,
          clock,
          log,
          metrics,
          fence,
          onStartedLeading: (leading) => {
            reconciling = runControllers(AbortSignal.any([leading, signal]));
          },
        })
      : undefined;

    const server = await startHealthServer(config.metricsAddr, metrics, () => [
      ...informers.notReady(),
      ...(elector && !elector.healthy() ? ['leader election cannot reach its Lease'] : []),
      ...(stopping ? ['shutting down'] : []),
    ]);
    this.healthPort = server.port;
    log.info('operator starting', {
      namespace: config.namespace ?? '(all)',
      controllers: controllers.map((controller) => controller.name),
      metricsPort: server.port,
      leaderElection: election.enabled ? `${election.namespace}/${election.name} as ${election.identity}` : 'off',
    });

    informers.start();
    await informers.waitForSync(signal);
    if (!signal.aborted) log.info('informers synced', { informers: informers.all.length });

    const exitCode: ExitCode = 0;
    if (!elector) {
      reconciling = runControllers(signal);
      await untilAborted(signal);
      stopping = true;
      await this.drain(reconciling);
    } else {
      const campaign = new AbortController();
      for (;;) {
        const electing = elector.run(campaign.signal);
        const lost = await Promise.race([electing.then(() => !signal.aborted), untilAborted(signal).then(() => false)]);
        if (!lost) {
          stopping = true;
          // Still leading while the reconciles in flight finish: the lease is renewed and writes pass.
          if (reconciling) await this.drain(reconciling);
          campaign.abort();
          await electing;
          break;
        }
        // Writes are fenced already and the controllers stop taking keys; once the reconciles in flight are
        // done this replica is a standby again, caches warm, and campaigns for the lease anew. Exiting instead
        // would turn every API server outage longer than the renew deadline into a restart of every replica.
        log.warn('lost the leader lease; standing by to campaign again');
        if (reconciling) await this.drain(reconciling);
        reconciling = undefined;
      }
    }
    fence.close();
    await Promise.race([events.flush(), clock.sleep(2_000)]);
    await informers.stop();
    await server.close();
    log.info('operator stopped', { exitCode });
    return exitCode;
  }

  private async drain(reconciling: Promise<void>): Promise<void> {
    const finished = await Promise.race([reconciling.then(() => true), this.clock.sleep(this.config.shutdownTimeoutMs).then(() => false)]);
    if (!finished) this.log.warn('reconciles still running at the shutdown deadline', { shutdownTimeoutMs: this.config.shutdownTimeoutMs });
  }
}

function untilAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}

/**
 * Runs `manager` until SIGTERM or SIGINT and returns its exit status. A second signal exits at once, for a
 * shutdown that hangs.
 */
export async function runUntilSignalled(manager: Manager): Promise<ExitCode> {
  const shutdown = new AbortController();
  const onSignal = (name: NodeJS.Signals) => {
    if (shutdown.signal.aborted) {
      manager.log.warn('second signal; exiting now', { signal: name });
      process.exit(1);
    }
    manager.log.info('shutting down', { signal: name });
    shutdown.abort();
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  try {
    return await manager.run(shutdown.signal);
  } catch (error) {
    manager.log.error('operator failed', errorFields(error));
    return 1;
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  }
}
