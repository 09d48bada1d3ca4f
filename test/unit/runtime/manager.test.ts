import { expect } from 'chai';
import { defaultConfig } from '../../../operator/src/runtime/config.js';
import { Controller } from '../../../operator/src/runtime/controller.js';
import { SharedInformer } from '../../../operator/src/runtime/informer.js';
import { silentLogger } from '../../../operator/src/runtime/logging.js';
import { Manager } from '../../../operator/src/runtime/manager.js';
import { Metrics } from '../../../operator/src/runtime/metrics.js';
import { FakeClock, settle } from './fake-clock.js';
import { FakeWatcher, noClients, obj, scriptedResource, unreachableKubeConfig } from './fake-informer.js';

/**
 * A manager without leader election whose one controller reads a scripted informer: nothing reaches an API
 * server, so the manager's own sequence (serve, reconcile, drain, stop) is what is tested.
 */
function managerWithController(reconcile: () => Promise<void>) {
  const clock = new FakeClock();
  const config = defaultConfig({ metricsAddr: '127.0.0.1:0', shutdownTimeoutMs: 20_000 });
  config.leaderElection = { ...config.leaderElection, enabled: false };
  const manager = new Manager(config, { kubeConfig: unreachableKubeConfig(), log: silentLogger(), metrics: new Metrics(), clock });
  const primary = new SharedInformer(noClients, scriptedResource([[obj('a', '1')]]), { watcher: new FakeWatcher(), clock });
  primary.start();
  manager.add((context) => {
    expect(context.settings).to.equal(config);
    return new Controller({ name: 'things', primary, reconcile }, context);
  });
  return { manager, clock, primary };
}

const get = (manager: Manager, path: string) => fetch(`http://127.0.0.1:${manager.healthPort}${path}`);

describe('runtime/manager', () => {
  it('serves health and metrics, reconciles, and stops with status 0 once the reconcile in flight is done', async () => {
    let finish!: () => void;
    let calls = 0;
    const { manager, primary } = managerWithController(() => {
      calls++;
      return new Promise((resolve) => (finish = resolve));
    });
    await primary.waitForSync();
    const stop = new AbortController();
    const running = manager.run(stop.signal);
    await settle();
    while (calls === 0) await settle();
    expect((await get(manager, '/healthz')).status).to.equal(200);
    expect((await get(manager, '/readyz')).status).to.equal(200);
    expect(await (await get(manager, '/metrics')).text()).to.contain('ecs_operator_workqueue_depth{controller="things"} 0');
    expect((await get(manager, '/nothing')).status).to.equal(404);
    stop.abort();
    let exited: number | undefined;
    void running.then((code) => (exited = code));
    await settle();
    expect(exited, 'waits for the reconcile in flight').to.equal(undefined);
    finish();
    expect(await running).to.equal(0);
  });

  it('gives up on a reconcile that outlives the shutdown deadline', async () => {
    let calls = 0;
    const { manager, clock, primary } = managerWithController(() => {
      calls++;
      return new Promise(() => undefined);
    });
    await primary.waitForSync();
    const stop = new AbortController();
    const running = manager.run(stop.signal);
    while (calls === 0) await settle();
    stop.abort();
    let exited: number | undefined;
    void running.then((code) => (exited = code));
    await clock.advance(19_999);
    expect(exited).to.equal(undefined);
    await clock.advance(1);
    while (exited === undefined) await settle();
    expect(exited).to.equal(0);
  });
});
