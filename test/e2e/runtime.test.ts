// The runtime against a real API server: informers that recover from a broken watch, leader election between
// two electors, event aggregation, server-side apply that costs nothing once converged, and the manager's
// whole run (health endpoints, leader lease, graceful stop).
//
// A broken watch is simulated with a TCP proxy between the informer and the API server: the test cuts every
// connection through it and refuses new ones for a while, as a network partition or an API server restart
// would, while it changes objects directly. Leader election uses a proxy the same way: cutting the leader's
// link makes it stop renewing without stopping its process.
import { type AddressInfo, type Server, type Socket, createServer, connect } from 'node:net';
import { KubeConfig, type KubernetesObject, type V1ConfigMap } from '@kubernetes/client-node';
import { expect } from 'chai';
import { APPLIED_HASH_ANNOTATION, Applier, FIELD_MANAGER } from '../../operator/src/runtime/apply.js';
import { makeApiClients } from '../../operator/src/runtime/clients.js';
import { defaultConfig } from '../../operator/src/runtime/config.js';
import { Controller } from '../../operator/src/runtime/controller.js';
import { KubeEventRecorder } from '../../operator/src/runtime/events.js';
import { InformerFactory, RESOURCES, type ResourceType } from '../../operator/src/runtime/informer.js';
import { DEFAULT_LEADER_ELECTION_TIMING, LeaderElector } from '../../operator/src/runtime/leader-election.js';
import { silentLogger } from '../../operator/src/runtime/logging.js';
import { Manager } from '../../operator/src/runtime/manager.js';
import { Metrics } from '../../operator/src/runtime/metrics.js';
import { clients, kubeConfig, throwawayNamespace, waitFor } from './helpers.js';

const kc = kubeConfig();
const { core, custom } = clients(kc);

const configMaps: ResourceType<V1ConfigMap> = {
  apiVersion: 'v1',
  kind: 'ConfigMap',
  plural: 'configmaps',
  namespaced: true,
  model: 'V1ConfigMap',
  list: ({ core: api }, namespace, labelSelector) =>
    namespace ? api.listNamespacedConfigMap({ namespace, labelSelector }) : api.listConfigMapForAllNamespaces({ labelSelector }),
};

/** A TCP proxy to the API server that the test can cut. */
class Proxy {
  private readonly sockets = new Set<Socket>();
  private refusing = false;
  private readonly server: Server;

  constructor(private readonly target: URL) {
    this.server = createServer((client) => {
      if (this.refusing) return void client.destroy();
      const upstream = connect(Number(target.port), target.hostname);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
    });
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
  }

  /** A copy of `config` whose current cluster is reached through this proxy. */
  kubeConfig(config: KubeConfig): KubeConfig {
    const { port } = this.server.address() as AddressInfo;
    const proxied = new KubeConfig();
    proxied.loadFromOptions({
      clusters: config.clusters.map((cluster) => ({ ...cluster, server: `https://127.0.0.1:${port}` })),
      users: config.users,
      contexts: config.contexts,
      currentContext: config.currentContext,
    });
    return proxied;
  }

  /** Cuts every open connection and refuses new ones until `heal`. */
  cut(): void {
    this.refusing = true;
    for (const socket of this.sockets) socket.destroy();
  }

  heal(): void {
    this.refusing = false;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

const target = new URL(kc.getCurrentCluster()!.server);
const names = (objects: readonly KubernetesObject[]) => objects.map((o) => o.metadata?.name).sort();

describe('runtime against the API server', function () {
  let ns: Awaited<ReturnType<typeof throwawayNamespace>>;
  before(async () => (ns = await throwawayNamespace(core, 'runtime')));
  after(async () => ns.remove());

  it('restarts an informer whose watch broke, and catches up on what changed meanwhile', async () => {
    const proxy = new Proxy(target);
    await proxy.listen();
    const metrics = new Metrics();
    const informers = new InformerFactory(makeApiClients(proxy.kubeConfig(kc)), { namespace: ns.name, metrics, log: silentLogger() });
    const informer = informers.for(configMaps, { labelSelector: 'test=informer' });
    const deleted: string[] = [];
    informer.onDelete((cm) => deleted.push(cm.metadata!.name!));
    const labels = { test: 'informer' };
    try {
      await core.createNamespacedConfigMap({ namespace: ns.name, body: { metadata: { name: 'before', labels } } });
      informers.start();
      await informers.waitForSync();
      expect(names(informer.list())).to.deep.equal(['before']);

      proxy.cut();
      await core.createNamespacedConfigMap({ namespace: ns.name, body: { metadata: { name: 'during', labels } } });
      await core.deleteNamespacedConfigMap({ name: 'before', namespace: ns.name });
      await waitFor('the informer to notice the broken watch and schedule a restart', async () =>
        (await metrics.value('ecs_operator_informer_restarts_total')) > 0 ? true : undefined,
      );
      expect(names(informer.list()), 'the cache is stale while cut off').to.deep.equal(['before']);

      proxy.heal();
      await waitFor('the informer to catch up', async () => (names(informer.list()).join() === 'during' ? true : undefined), {
        timeoutMs: 60_000,
        describe: async () => names(informer.list()).join(),
      });
      expect(deleted).to.deep.equal(['before']);
      await core.createNamespacedConfigMap({ namespace: ns.name, body: { metadata: { name: 'after', labels } } });
      await waitFor('the restarted watch to deliver new events', async () => (informer.get('after', ns.name) ? true : undefined));
    } finally {
      await informers.stop();
      await proxy.close();
    }
  });

  it('elects one leader of two; when the leader stops renewing the other takes over 12 s after its last renewal', async () => {
    const proxy = new Proxy(target);
    await proxy.listen();
    const lease = { namespace: ns.name, name: 'election-test' };
    const happenings: Array<{ who: string; what: string; at: number }> = [];
    const elector = (who: string, config: KubeConfig) =>
      new LeaderElector(makeApiClients(config).coordination, {
        ...lease,
        identity: who,
        onStartedLeading: () => happenings.push({ who, what: 'started', at: Date.now() }),
        onStoppedLeading: () => happenings.push({ who, what: 'stopped', at: Date.now() }),
      });
    const first = elector('first', proxy.kubeConfig(kc));
    const second = elector('second', kc);
    const stopFirst = new AbortController();
    const stopSecond = new AbortController();
    const readLease = () => coordinationLease(lease.namespace, lease.name);
    try {
      const firstRunning = first.run(stopFirst.signal);
      await waitFor('the first elector to lead', async () => (first.isLeader ? true : undefined));
      const secondRunning = second.run(stopSecond.signal);
      await waitFor('the second elector to see the leader', async () => (second.leader === 'first' ? true : undefined));
      expect(second.isLeader).to.equal(false);

      proxy.cut();
      const cutAt = Date.now();
      await waitFor('the second elector to take over', async () => (second.isLeader ? true : undefined), { timeoutMs: 25_000 });
      const takeover = happenings.find((h) => h.who === 'second' && h.what === 'started')!.at;
      const firstStopped = happenings.find((h) => h.who === 'first' && h.what === 'stopped')!.at;
      // The last renewal was sent before the cut, and the standby acts the moment the 12 s lease expires;
      // the margin is the time of its own read and write of the Lease. The leader's 8 s renew deadline counts
      // from when it sent that renewal.
      const { leaseDurationMs, renewDeadlineMs } = DEFAULT_LEADER_ELECTION_TIMING;
      expect(takeover - cutAt, 'takeover after the leader stopped renewing').to.be.at.most(leaseDurationMs + 500);
      expect(firstStopped - cutAt, 'the cut-off leader stops by its renew deadline').to.be.at.most(renewDeadlineMs + 500);
      expect(firstStopped, 'never two leaders at once').to.be.below(takeover);
      await firstRunning;
      expect((await readLease()).spec?.holderIdentity).to.equal('second');

      stopSecond.abort();
      await secondRunning;
      expect((await readLease()).spec?.holderIdentity, 'released on shutdown').to.equal(undefined);
      const third = elector('third', kc);
      const stopThird = new AbortController();
      const thirdRunning = third.run(stopThird.signal);
      const started = Date.now();
      await waitFor('a new elector to take the released lease at once', async () => (third.isLeader ? true : undefined));
      expect(Date.now() - started).to.be.below(3_000);
      stopThird.abort();
      await thirdRunning;
    } finally {
      stopFirst.abort();
      stopSecond.abort();
      await proxy.close();
    }
  });

  it('aggregates repeats of an event into one Event with a count', async () => {
    const cm = await core.createNamespacedConfigMap({ namespace: ns.name, body: { metadata: { name: 'evented' } } });
    const object = { ...cm, apiVersion: 'v1', kind: 'ConfigMap' } as KubernetesObject;
    const recorder = new KubeEventRecorder(makeApiClients(kc), { log: silentLogger() });
    for (let i = 0; i < 3; i++) await recorder.record(object, 'Warning', 'Repeated', 'the same thing again');
    await recorder.record(object, 'Normal', 'Other', 'something else');
    const events = (await core.listNamespacedEvent({ namespace: ns.name, fieldSelector: `involvedObject.uid=${cm.metadata!.uid}` })).items;
    expect(events).to.have.length(2);
    const repeated = events.find((event) => event.reason === 'Repeated');
    expect(repeated).to.deep.include({ count: 3, type: 'Warning', message: 'the same thing again', reportingComponent: 'ecs-operator' });
    expect(repeated?.involvedObject).to.deep.include({ kind: 'ConfigMap', name: 'evented', uid: cm.metadata!.uid });
    expect(repeated?.source?.component).to.equal('ecs-operator');
  });

  it('server-side applies once, then sends nothing for the same desired object; status only when it changes', async () => {
    const metrics = new Metrics();
    const counted = makeApiClients(kc, { onRequest: (verb, resource) => metrics.apiRequests.inc({ verb, resource }) });
    const applier = new Applier(counted);
    const requests = () => metrics.value('ecs_operator_api_requests_total');
    const desired: V1ConfigMap = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'applied', namespace: ns.name, labels: { a: 'b' } },
      data: { key: 'value' },
    };

    const first = await applier.apply(desired, undefined);
    expect(first.written).to.equal(true);
    const live = await core.readNamespacedConfigMap({ name: 'applied', namespace: ns.name });
    expect(live.metadata?.annotations?.[APPLIED_HASH_ANNOTATION]).to.be.a('string');
    expect(live.metadata?.managedFields?.map((f) => [f.manager, f.operation])).to.deep.include([FIELD_MANAGER, 'Apply']);
    const before = await requests();
    const second = await applier.apply(structuredClone(desired), live);
    expect(second.written).to.equal(false);
    expect(await requests(), 'no request for an unchanged desired object').to.equal(before);
    const changed = await applier.apply({ ...desired, data: { key: 'other' } }, live);
    expect(changed.written).to.equal(true);
    expect((await core.readNamespacedConfigMap({ name: 'applied', namespace: ns.name })).data).to.deep.equal({ key: 'other' });

    const task = (await custom.createNamespacedCustomObject({
      group: 'ecs.operator.dev',
      version: 'v1alpha1',
      namespace: ns.name,
      plural: 'tasks',
      body: { apiVersion: 'ecs.operator.dev/v1alpha1', kind: 'Task', metadata: { name: 'status-test' }, spec: { taskDefinition: 'web' } },
    })) as KubernetesObject & { status?: Record<string, unknown> };
    const status = {
      lastStatus: 'PROVISIONING',
      conditions: [{ type: 'Valid', status: 'True', reason: 'Valid', message: '', lastTransitionTime: '2025-01-01T00:00:00Z' }],
    };
    const written = await applier.applyStatus(RESOURCES.tasks, task, status);
    expect(written.written).to.equal(true);
    expect(written.object.status).to.deep.equal(status);
    const afterStatus = await requests();
    const again = await applier.applyStatus(RESOURCES.tasks, written.object, structuredClone(status));
    expect(again.written).to.equal(false);
    expect(await requests()).to.equal(afterStatus);
    const reread = (await custom.getNamespacedCustomObject({
      group: 'ecs.operator.dev',
      version: 'v1alpha1',
      namespace: ns.name,
      plural: 'tasks',
      name: 'status-test',
    })) as typeof task;
    expect(reread.status).to.deep.equal(status);
    expect((reread as { spec?: unknown }).spec, 'spec untouched by the status write').to.deep.equal((task as { spec?: unknown }).spec);
  });

  it('runs the manager: ready once synced and leading, reconciles, and on stop releases its lease and exits 0', async () => {
    const config = defaultConfig({ namespace: ns.name, metricsAddr: '127.0.0.1:0', shutdownTimeoutMs: 5_000 });
    config.leaderElection = { ...config.leaderElection, namespace: ns.name, name: 'manager-test', identity: 'manager-under-test' };
    const manager = new Manager(config, { kubeConfig: kc, log: silentLogger(), metrics: new Metrics() });
    const reconciled = new Set<string>();
    manager.add((context) => {
      const informer = context.informers.for(configMaps);
      const reconcile = async ({ key }: { key: string }) => void reconciled.add(key);
      return new Controller({ name: 'configmaps', primary: informer, reconcile }, context);
    });
    await core.createNamespacedConfigMap({ namespace: ns.name, body: { metadata: { name: 'seen-by-manager' } } });
    const stop = new AbortController();
    const running = manager.run(stop.signal);
    const endpoint = (path: string) => fetch(`http://127.0.0.1:${manager.healthPort}${path}`);
    await waitFor('the health server', async () => manager.healthPort);
    expect((await endpoint('/healthz')).status).to.equal(200);
    await waitFor('/readyz to answer 200', async () => ((await endpoint('/readyz')).status === 200 ? true : undefined));
    await waitFor('the controller to reconcile the ConfigMap', async () => (reconciled.has(`${ns.name}/seen-by-manager`) ? true : undefined));
    const metricsText = await (await endpoint('/metrics')).text();
    expect(metricsText).to.match(/ecs_operator_reconcile_total\{controller="configmaps",result="success"\} [1-9]/);
    expect(metricsText).to.match(/ecs_operator_leader 1/);
    stop.abort();
    expect(await running).to.equal(0);
    expect((await coordinationLease(ns.name, 'manager-test')).spec?.holderIdentity, 'lease released').to.equal(undefined);
  });
});

async function coordinationLease(namespace: string, name: string) {
  return makeApiClients(kc).coordination.readNamespacedLease({ name, namespace });
}
