import { Command } from 'commander';
import { expect } from 'chai';
import { addRunOptions, configFromOptions, parseDuration } from '../../../operator/src/runtime/config.js';

/** Parses `argv` as `run` would, with `env` as the environment. */
function configOf(argv: string[], env: NodeJS.ProcessEnv = {}) {
  const command = addRunOptions(new Command('run')).exitOverride();
  command.parse(argv, { from: 'user' });
  return configFromOptions(command.opts(), env);
}

describe('runtime/config', () => {
  it('parses Go-style durations', () => {
    expect(parseDuration('500ms')).to.equal(500);
    expect(parseDuration('15s')).to.equal(15_000);
    expect(parseDuration('5m')).to.equal(300_000);
    expect(parseDuration('1h30m')).to.equal(5_400_000);
    expect(parseDuration('1.5s')).to.equal(1500);
    expect(parseDuration('0')).to.equal(0);
    for (const bad of ['15', '', 'm5', '5 m', '5d', '1h-2m']) expect(() => parseDuration(bad), bad).to.throw(/not a duration/);
  });

  it('has the documented defaults', () => {
    const config = configOf([], { POD_NAME: 'op-0', POD_NAMESPACE: 'ops' });
    expect(config).to.deep.include({
      metricsAddr: ':8080',
      logLevel: 'info',
      resyncPeriodMs: 300_000,
      concurrency: 5,
      taskConcurrency: 20,
      kubeApiQps: 20,
      kubeApiBurst: 30,
      stoppedTaskRetentionMs: 3_600_000,
      shutdownTimeoutMs: 20_000,
    });
    expect(config.namespace).to.equal(undefined);
    expect(config.kubeconfig).to.equal(undefined);
    expect(config.leaderElection).to.deep.equal({
      enabled: true,
      namespace: 'ops',
      name: 'ecs-operator-leader',
      identity: 'op-0',
      leaseDurationMs: 12_000,
      renewDeadlineMs: 8_000,
      retryPeriodMs: 2_000,
    });
  });

  it('takes a flag over its environment variable over the default', () => {
    const env = { WATCH_NAMESPACE: 'from-env', LOG_LEVEL: 'debug', RESYNC_PERIOD: '1m' };
    const fromEnv = configOf([], env);
    expect(fromEnv.namespace).to.equal('from-env');
    expect(fromEnv.logLevel).to.equal('debug');
    expect(fromEnv.resyncPeriodMs).to.equal(60_000);
    const fromFlags = configOf(['--namespace', 'team-a', '--log-level=warn', '--metrics-addr', '127.0.0.1:9090'], env);
    expect(fromFlags.namespace).to.equal('team-a');
    expect(fromFlags.logLevel).to.equal('warn');
    expect(fromFlags.metricsAddr).to.equal('127.0.0.1:9090');
    expect(fromFlags.leaderElection.namespace, 'the Lease lives in the watched namespace when nothing else says').to.equal('team-a');
  });

  it('turns leader election off with --leader-elect=false or LEADER_ELECT=false', () => {
    expect(configOf(['--leader-elect=false']).leaderElection.enabled).to.equal(false);
    expect(configOf(['--leader-elect', 'false']).leaderElection.enabled).to.equal(false);
    expect(configOf([], { LEADER_ELECT: 'false' }).leaderElection.enabled).to.equal(false);
    expect(configOf(['--leader-elect'], { LEADER_ELECT: 'false' }).leaderElection.enabled).to.equal(true);
  });

  it('names the flag in errors', () => {
    expect(() => configOf(['--concurrency', '0'])).to.throw(/--concurrency: '0' is not a positive whole number/);
    expect(() => configOf(['--kube-api-qps', '0'])).to.throw(/--kube-api-qps: '0' is not a positive number/);
    expect(() => configOf([], { KUBE_API_BURST: '2.5' })).to.throw(/--kube-api-burst: '2.5' is not a positive whole number/);
    expect(configOf(['--kube-api-qps', '7.5', '--kube-api-burst=10'])).to.deep.include({ kubeApiQps: 7.5, kubeApiBurst: 10 });
    expect(() => configOf(['--log-level', 'loud'])).to.throw(/--log-level: 'loud' is not one of/);
    expect(() => configOf([], { RESYNC_PERIOD: 'often' })).to.throw(/--resync-period: 'often' is not a duration/);
  });

  it('lets no namespace use the host unless --allow-host-access-namespaces or ALLOW_HOST_ACCESS_NAMESPACES lists it', () => {
    expect(configOf([]).hostAccess).to.deep.equal({ namespaces: [] });
    expect(configOf(['--allow-host-access-namespaces', 'monitoring, kube-ops,']).hostAccess).to.deep.equal({ namespaces: ['monitoring', 'kube-ops'] });
    expect(configOf([], { ALLOW_HOST_ACCESS_NAMESPACES: '*' }).hostAccess).to.deep.equal({ namespaces: ['*'] });
  });
});
