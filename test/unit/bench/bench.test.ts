// The pure parts of `npm run bench`: its settings, /proc and Prometheus parsing, the statistics, the report and
// the chart. The cluster-facing parts are exercised by running the bench itself (BENCH_SCALE=0.05).
import { expect } from 'chai';
import {
  counterDelta,
  gaugeValue,
  machineUsageBetween,
  parseMachineCpuTicks,
  parseStatCommand,
  parseStatCpuTicks,
  parseStatusMemory,
  sumCounterByLabel,
  sumCounterByLabels,
} from '../../bench/process-stats.js';
import { chart, markdown, summarizeScenario, summarizeSteadyState, type Report, type ScenarioRuns } from '../../bench/report.js';
import { benchSettings, FULL_SIZES } from '../../bench/settings.js';
import { median, medianIndex, medianPerTask } from '../../bench/stats.js';
import { lineChart, thin, tickStep } from '../../bench/svg.js';
import { barePod, deployment, NATIVE_APP_LABEL } from '../../bench/workloads.js';
import { deploymentComplete, runningOf, serviceSteady } from '../../bench/scenarios.js';
import type { Service } from '../../../operator/src/api/service.js';

describe('bench', () => {
  describe('settings', () => {
    it('defaults to the full sizes of the performance issue, 3 rounds, every scenario', () => {
      const settings = benchSettings({}, 'nodes.yaml');
      expect(settings.scale).to.equal(1);
      expect(settings.rounds).to.equal(3);
      expect(settings.scenarios).to.deep.equal(['scale-out', 'rollout', 'fan-out', 'standalone-tasks', 'steady-state']);
      expect(settings.sizes).to.deep.equal({
        scaleOut: 1000,
        rollout: 500,
        fanOutServices: 300,
        fanOutTasksPerService: 4,
        standaloneTasks: 1000,
        steadyTasks: 5000,
        steadyTasksPerService: 100,
      });
      expect(settings.sizes).to.deep.equal({ ...FULL_SIZES });
      expect(settings.nodesFile).to.equal('nodes.yaml');
    });

    it('scales every count but the tasks per service, keeping at least one', () => {
      const { sizes } = benchSettings({ BENCH_SCALE: '0.1' }, 'n');
      expect(sizes).to.include({ scaleOut: 100, rollout: 50, fanOutServices: 30, fanOutTasksPerService: 4, standaloneTasks: 100, steadyTasks: 500 });
      expect(benchSettings({ BENCH_SCALE: '0.0001' }, 'n').sizes.fanOutServices).to.equal(1);
    });

    it('names the variable and what it expects when a value is wrong', () => {
      expect(() => benchSettings({ BENCH_SCALE: '2' }, 'n')).to.throw(/BENCH_SCALE: expected a number in \(0, 1\], got '2'/);
      expect(() => benchSettings({ BENCH_ROUNDS: '1.5' }, 'n')).to.throw(/BENCH_ROUNDS/);
      expect(() => benchSettings({ BENCH_SCENARIOS: 'scale-out,warp' }, 'n')).to.throw(/BENCH_SCENARIOS: 'warp' is not one of/);
    });

    it('runs a subset of scenarios in the fixed order', () => {
      expect(benchSettings({ BENCH_SCENARIOS: 'steady-state, scale-out' }, 'n').scenarios).to.deep.equal(['scale-out', 'steady-state']);
    });
  });

  describe('process and metrics parsing', () => {
    it('reads VmRSS and VmHWM from /proc/<pid>/status in MiB', () => {
      const status = 'Name:\tnode\nVmHWM:\t  204800 kB\nVmRSS:\t  102400 kB\nThreads:\t11\n';
      expect(parseStatusMemory(status)).to.deep.equal({ rssMiB: 100, peakRssMiB: 200 });
      expect(() => parseStatusMemory('Name:\tnode\n')).to.throw(/VmRSS/);
    });

    it('adds utime and stime of /proc/<pid>/stat, whatever the command name holds', () => {
      const stat = '4242 (node (a) b) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 70 0 0 20 0 11 0 999 0 0';
      expect(parseStatCpuTicks(stat)).to.equal(320);
    });

    it("reads the whole machine's busy and total CPU ticks from /proc/stat, and how busy it was between two samples", () => {
      const stat = 'cpu  100 10 50 800 20 5 5 10 0 0\ncpu0 50 5 25 400 10 2 3 5 0 0\nintr 1\n';
      expect(parseMachineCpuTicks(stat)).to.deep.equal({ busy: 180, total: 1000 });
      expect(() => parseMachineCpuTicks('intr 1\n')).to.throw(/cpu line/);
      expect(
        machineUsageBetween(
          { busySeconds: 10, totalSeconds: 100, byProcess: { etcd: 1, 'kube-apiserver': 2, gone: 5 } },
          { busySeconds: 25, totalSeconds: 120, byProcess: { etcd: 4, 'kube-apiserver': 2.01, operator: 3 } },
        ),
      ).to.deep.equal({ cpuSeconds: 15, busyPercent: 75, byProcess: { etcd: 3, operator: 3 } });
      expect(parseStatCommand('4242 (kube-apiserver) S 1 2')).to.equal('kube-apiserver');
      expect(parseStatCommand('4242 (node (a) b) S 1')).to.equal('node (a) b');
    });

    it('sums a Prometheus counter by one label and subtracts two readings', () => {
      const exposition = [
        '# HELP ecs_operator_api_requests_total Requests',
        '# TYPE ecs_operator_api_requests_total counter',
        'ecs_operator_api_requests_total{verb="create",resource="pods"} 3',
        'ecs_operator_api_requests_total{verb="create",resource="replicasets.apps"} 2',
        'ecs_operator_api_requests_total{verb="patch",resource="services.ecs.operator.dev/status"} 7',
        'ecs_operator_api_requests_total_other{verb="create"} 100',
      ].join('\n');
      const now = sumCounterByLabel(exposition, 'ecs_operator_api_requests_total', 'verb');
      expect(now).to.deep.equal({ create: 5, patch: 7 });
      expect(counterDelta({ create: 1, list: 4 }, { ...now, list: 4 })).to.deep.equal({ create: 4, list: 0, patch: 7 });
      expect(sumCounterByLabels(exposition, 'ecs_operator_api_requests_total', ['verb', 'resource'])).to.deep.equal({
        'create pods': 3,
        'create replicasets.apps': 2,
        'patch services.ecs.operator.dev/status': 7,
      });
      expect(gaugeValue('# TYPE x gauge\nx_other 1\nx 123.5\n', 'x')).to.equal(123.5);
      expect(gaugeValue('x_other 1\n', 'x')).to.equal(undefined);
    });
  });

  describe('statistics', () => {
    it('takes medians of odd and even counts and finds the run nearest the median', () => {
      expect(median([5, 1, 3])).to.equal(3);
      expect(median([4, 1, 3, 2])).to.equal(2.5);
      expect(medianIndex([9, 1, 5])).to.equal(2);
      expect(() => median([])).to.throw();
    });

    it('gives the median requests per task by verb, leaving out verbs never used', () => {
      expect(
        medianPerTask(
          [
            { create: 100, patch: 300, delete: 0 },
            { create: 100, patch: 200 },
            { create: 120, patch: 250 },
          ],
          100,
        ),
      ).to.deep.equal({ create: 1, patch: 2.5 });
    });
  });

  describe('workloads', () => {
    it('gives the native Deployment the pod the operator would make, selected by its own label', () => {
      const d = deployment('web', 3, 'nginx:1.27', { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: '100%' } });
      expect(d.spec?.selector.matchLabels).to.deep.equal({ [NATIVE_APP_LABEL]: 'web' });
      expect(d.spec?.template.metadata?.labels).to.deep.equal({ [NATIVE_APP_LABEL]: 'web' });
      const container = d.spec?.template.spec?.containers[0];
      expect(container?.image).to.equal('nginx:1.27');
      expect(container?.resources?.requests).to.include({ memory: '32Mi' });
      expect(d.spec?.template.spec?.restartPolicy).to.equal('Always');
      expect(barePod('t-1', 'nginx:1.27').spec?.restartPolicy).to.equal('Never');
    });
  });

  describe('convergence', () => {
    const steadyService = (overrides: Partial<NonNullable<Service['status']>> = {}): Service => ({
      apiVersion: 'ecs.operator.dev/v1alpha1',
      kind: 'Service',
      metadata: { name: 's', generation: 2 },
      spec: { taskDefinition: 'f', desiredCount: 4 },
      status: {
        observedGeneration: 2,
        desiredCount: 4,
        runningCount: 4,
        deployments: [
          { id: 'b', status: 'PRIMARY', taskDefinition: 'f:2', desiredCount: 4, pendingCount: 0, runningCount: 4, rolloutState: 'COMPLETED' },
          { id: 'a', status: 'INACTIVE', taskDefinition: 'f:1', desiredCount: 0, pendingCount: 0, runningCount: 0 },
        ],
        ...overrides,
      },
    });

    it('holds a Service steady only when its status says every task runs in one COMPLETED deployment', () => {
      expect(serviceSteady(steadyService(), 4, 'f:2')).to.equal(true);
      expect(serviceSteady(steadyService(), 4, 'f:1')).to.equal(false);
      expect(serviceSteady(steadyService({ observedGeneration: 1 }), 4, 'f:2')).to.equal(false);
      expect(serviceSteady(steadyService({ runningCount: 3 }), 4, 'f:2')).to.equal(false);
      const rolling = steadyService();
      rolling.status!.deployments![1]!.status = 'ACTIVE';
      expect(serviceSteady(rolling, 4, 'f:2')).to.equal(false);
      expect(runningOf(steadyService(), 'f:2')).to.equal(4);
      expect(runningOf(steadyService(), 'f:1')).to.equal(0);
    });

    it('holds a Deployment complete only on its current generation and image', () => {
      const d = deployment('web', 2, 'nginx:1.28');
      d.metadata!.generation = 3;
      d.status = { observedGeneration: 3, replicas: 2, updatedReplicas: 2, readyReplicas: 2, availableReplicas: 2 };
      expect(deploymentComplete(d, 2, 'nginx:1.28')).to.equal(true);
      expect(deploymentComplete(d, 2, 'nginx:1.27')).to.equal(false);
      expect(deploymentComplete({ ...d, status: { ...d.status, observedGeneration: 2 } }, 2, 'nginx:1.28')).to.equal(false);
      expect(deploymentComplete({ ...d, status: { ...d.status, availableReplicas: 1 } }, 2, 'nginx:1.28')).to.equal(false);
    });
  });

  describe('report', () => {
    const runs: ScenarioRuns = {
      name: 'scale-out',
      tasks: 100,
      runningLabel: 'tasks RUNNING',
      operatorPeakRssMiB: 181.26,
      wallSeconds: 42,
      rounds: [1, 2, 3].map((round) => ({
        round,
        first: round % 2 === 1 ? 'native' : 'ecs',
        nativeMs: [1000, 3000, 2000][round - 1]!,
        ecsMs: [3000, 5000, 4000][round - 1]!,
        operator: { seconds: 4, cpuSeconds: round, requestsByVerb: { create: 101, patch: 200 + round, list: 0 }, requestsByResource: {} },
        nativeMachine: { cpuSeconds: 2 * round, busyPercent: 90, byProcess: { etcd: round, 'kube-apiserver': 1 } },
        ecsMachine: { cpuSeconds: 3 * round, busyPercent: 95, byProcess: { etcd: round, 'kube-apiserver': 2 * round, operator: 1 } },
        nativeSeries: [
          [0, 0],
          [1, 100],
        ],
        ecsSeries: [
          [0, 0],
          [2, 50],
          [3, 100],
        ],
      })),
    };

    it('summarises medians, the ratio, peak RSS, CPU and requests per task in the JSON shape of the issue', () => {
      const summary = summarizeScenario(runs);
      expect(summary).to.include({
        name: 'scale-out',
        tasks: 100,
        nativeMedianMs: 2000,
        ecsMedianMs: 4000,
        ratio: 2,
        operatorPeakRssMiB: 181.3,
        operatorCpuSeconds: 2,
      });
      expect(summary.requestsPerTask).to.deep.equal({ create: 1.01, patch: 2.02 });
      expect(summary.perRound.map((r) => r.first)).to.deep.equal(['native', 'ecs', 'native']);
      expect(summary.machine).to.deep.equal({
        nativeCpuSeconds: 4,
        ecsCpuSeconds: 6,
        cpuRatio: 1.5,
        nativeBusyPercent: 90,
        ecsBusyPercent: 95,
        byProcess: [
          { process: 'kube-apiserver', native: 1, ecs: 4 },
          { process: 'operator', native: 0, ecs: 1 },
          { process: 'etcd', native: 2, ecs: 2 },
        ],
      });
    });

    it('gives the steady state per minute', () => {
      const steady = summarizeSteadyState({
        tasks: 5000,
        services: 50,
        convergeMs: 60_000,
        figuresMs: 90_000,
        windowSeconds: 30,
        resyncPeriodSeconds: 15,
        usage: {
          seconds: 30,
          cpuSeconds: 1.5,
          requestsByVerb: { list: 0, watch: 2, patch: 1 },
          requestsByResource: { 'watch pods': 2, 'patch services.ecs.operator.dev/status': 1 },
        },
        operatorHeapUsedMiB: 120.44,
        writes: 0,
        operatorRssMiB: 300,
        operatorPeakRssMiB: 350,
        stayedConverged: true,
        wallSeconds: 120,
      });
      expect(steady).to.include({ tasks: 5000, writesPerMinute: 0, cpuSecondsPerMinute: 3, operatorRssMiB: 300 });
      expect(steady.requestsPerMinute).to.deep.equal({ watch: 4, patch: 2 });
      expect(steady.writesPerMinuteByResource).to.deep.equal({ 'patch services.ecs.operator.dev/status': 2 });
      expect(steady.operatorHeapUsedMiB).to.equal(120.4);
    });

    it('marks a small-scale run in the Markdown table', () => {
      const report: Report = {
        commit: 'abcdef0123456789',
        scale: 0.1,
        nodes: 50,
        rounds: 3,
        startedAt: '2026-01-01T00:00:00Z',
        durationSeconds: 300,
        scenarios: [summarizeScenario(runs)],
      };
      const text = markdown(report);
      expect(text).to.match(/Small-scale run: sizes are 0.1 ×/);
      expect(text).to.include('| scale-out | 100 | 2.00 | 4.00 | 2.00 | 181 | 2.00 | create 1.01, patch 2.02 |');
      expect(markdown({ ...report, scale: 1 })).not.to.match(/Small-scale/);
    });

    it('names a scenario that failed and why', () => {
      const report: Report = {
        commit: 'abc',
        scale: 1,
        nodes: 50,
        rounds: 3,
        startedAt: '2026-01-01T00:00:00Z',
        durationSeconds: 60,
        scenarios: [],
        failures: [{ name: 'fan-out', error: 'timed out after 300s waiting for\nfan-out' }],
      };
      expect(markdown(report)).to.include('**fan-out failed:** timed out after 300s waiting for fan-out');
    });

    it('charts both sides of the median rounds with a legend', () => {
      const svg = chart(runs);
      expect(svg.match(/<polyline /g)).to.have.length(2);
      expect(svg).to.include('ECS (round 3, 4.00 s)').and.to.include('native (round 3, 2.00 s)');
    });
  });

  describe('chart', () => {
    it('picks round tick steps', () => {
      expect(tickStep(10)).to.equal(2);
      expect(tickStep(1000)).to.equal(200);
      expect(tickStep(0.3)).to.equal(0.05);
    });

    it('thins long series keeping both ends', () => {
      const points = Array.from({ length: 1001 }, (_, i) => i);
      const thinned = thin(points, 11);
      expect(thinned).to.have.length(11);
      expect(thinned[0]).to.equal(0);
      expect(thinned.at(-1)).to.equal(1000);
    });

    it('draws steps: a count holds until the next event', () => {
      const svg = lineChart({
        title: 'a < b',
        yLabel: 'n',
        lines: [
          {
            label: 'x',
            color: 'red',
            points: [
              [0, 0],
              [5, 10],
            ],
          },
        ],
      });
      const points = /points="([^"]+)"/.exec(svg)![1]!.split(' ');
      expect(points).to.have.length(3);
      expect(points[1]!.split(',')[1]).to.equal(points[0]!.split(',')[1]);
      expect(svg).to.include('a &lt; b');
    });
  });
});
