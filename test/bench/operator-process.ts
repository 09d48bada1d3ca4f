// The operator under measurement as its own process, as it runs in production: the compiled CLI
// (`node dist/operator/src/cli/main.js run`, what the container image runs; `buildOperator` compiles it) against
// the bench cluster, one namespace, leader election off, with the client-side rate limits the control plane's
// own controllers have here. Its memory and CPU come from /proc every 250 ms, its API requests by verb from its
// /metrics endpoint.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { NODE_FLAGS } from '../../operator/src/cli/node-flags.js';
import { REPO_ROOT } from '../cluster/cluster.js';
import { waitFor } from '../cluster/wait.js';
import { operatorRunArgs } from '../e2e/operator-replica.js';
import { counterDelta, gaugeValue, sampleProcess, sumCounterByLabel, sumCounterByLabels, type ProcessSample } from './process-stats.js';

const SAMPLE_INTERVAL_MS = 250;
/** The operator's counter of API requests (operator/src/runtime/metrics.ts), labelled by verb and resource. */
const API_REQUESTS_METRIC = 'ecs_operator_api_requests_total';
/** prom-client's default process metric of V8's used heap, with the operator's prefix. */
const HEAP_USED_METRIC = 'ecs_operator_nodejs_heap_size_used_bytes';
export const WRITE_VERBS = ['create', 'update', 'patch', 'apply', 'delete', 'deletecollection'];

/** The compiled CLI; run through tsx instead, the operator would carry the TypeScript compiler's memory and start-up. */
const COMPILED_CLI = join(REPO_ROOT, 'dist/operator/src/cli/main.js');

/**
 * The client-side limits kwokctl gives kube-controller-manager and kube-scheduler in the local control plane
 * (`disableQPSLimits`: --kube-api-qps=5000 --kube-api-burst=10000). The native twins run under them, so the
 * operator does too; its own defaults (20/30, kube-controller-manager's) are for a shared production API server.
 */
export const CONTROL_PLANE_CLIENT_LIMITS = ['--kube-api-qps', '5000', '--kube-api-burst', '10000'];

/** Compiles the project (`npm run build`) so the bench measures the JavaScript the image ships. */
export async function buildOperator(): Promise<void> {
  await promisify(execFile)(join(REPO_ROOT, 'node_modules/.bin/tsc'), ['-p', join(REPO_ROOT, 'tsconfig.json')], { cwd: REPO_ROOT });
  if (!existsSync(COMPILED_CLI)) throw new Error(`the build wrote no ${COMPILED_CLI}`);
}

/** What the operator has used and asked for up to one moment. */
export interface OperatorReading {
  at: number;
  cpuSeconds: number;
  rssMiB: number;
  requestsByVerb: Record<string, number>;
  /** Requests keyed `verb resource`, e.g. `patch services.ecs.operator.dev/status`. */
  requestsByResource: Record<string, number>;
  /** V8's heap in use (what is live, plus garbage not collected yet), from the operator's /metrics; RSS holds more. */
  heapUsedMiB?: number;
}

/** The cost of the operator between two readings. */
export interface OperatorUsage {
  seconds: number;
  cpuSeconds: number;
  requestsByVerb: Record<string, number>;
  requestsByResource: Record<string, number>;
}

export function usageBetween(before: OperatorReading, after: OperatorReading): OperatorUsage {
  return {
    seconds: (after.at - before.at) / 1000,
    cpuSeconds: after.cpuSeconds - before.cpuSeconds,
    requestsByVerb: counterDelta(before.requestsByVerb, after.requestsByVerb),
    requestsByResource: counterDelta(before.requestsByResource, after.requestsByResource),
  };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export class OperatorProcess {
  private peakRss = 0;
  private last: ProcessSample | undefined;
  private readonly sampler: NodeJS.Timeout;
  private exited = false;

  private constructor(
    private readonly child: ChildProcess,
    private readonly metricsUrl: string,
  ) {
    child.once('exit', () => (this.exited = true));
    this.sampler = setInterval(() => this.sample(), SAMPLE_INTERVAL_MS);
    this.sample();
  }

  /** Starts `bin/ecs-operator run` for `namespace` and waits until its informers are synced (/readyz). */
  static async start(options: { kubeconfig: string; namespace: string; logFile: string; extraArgs?: string[] }): Promise<OperatorProcess> {
    const port = await freePort();
    const args = [
      ...operatorRunArgs(options.kubeconfig, options.namespace, `127.0.0.1:${port}`),
      '--leader-elect=false',
      '--log-level',
      process.env.BENCH_OPERATOR_LOG_LEVEL?.trim() || 'warn',
      ...CONTROL_PLANE_CLIENT_LIMITS,
      ...(options.extraArgs ?? []),
    ];
    const log = createWriteStream(options.logFile, { flags: 'a' });
    // The bench runs on the project's Node 24 (npm run bench), which runs the operator too: the child's pid is the operator's.
    // BENCH_OPERATOR_NODE_ARGS passes Node flags to the operator, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile it.
    const nodeArgs = (process.env.BENCH_OPERATOR_NODE_ARGS ?? '').split(' ').filter(Boolean);
    const child = spawn(process.execPath, [...NODE_FLAGS, ...nodeArgs, COMPILED_CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.pipe(log);
    child.stderr.pipe(log);
    const operator = new OperatorProcess(child, `http://127.0.0.1:${port}`);
    try {
      await waitFor(
        `the operator (pid ${child.pid}) to be ready`,
        async () => {
          if (operator.exited) throw new Error(`the operator exited during start-up; see ${options.logFile}`);
          const response = await fetch(`${operator.metricsUrl}/readyz`).catch(() => undefined);
          return response?.ok ? true : undefined;
        },
        { timeoutMs: 120_000 },
      );
    } catch (error) {
      await operator.stop();
      throw error;
    }
    return operator;
  }

  get pid(): number {
    return this.child.pid!;
  }

  private sample(): ProcessSample | undefined {
    const sample = this.exited ? undefined : sampleProcess(this.pid);
    if (sample) {
      this.last = sample;
      this.peakRss = Math.max(this.peakRss, sample.rssMiB, sample.peakRssMiB);
    }
    return sample;
  }

  /** The highest resident set size seen so far (the larger of the 250 ms samples and the kernel's VmHWM). */
  get peakRssMiB(): number {
    return this.peakRss;
  }

  private async metricsText(): Promise<string> {
    const response = await fetch(`${this.metricsUrl}/metrics`);
    if (!response.ok) throw new Error(`operator /metrics answered ${response.status}`);
    return response.text();
  }

  /** CPU, memory and request counters now. */
  async read(): Promise<OperatorReading> {
    const text = await this.metricsText();
    const sample = this.sample() ?? this.last;
    if (!sample) throw new Error(`operator process ${this.pid} has exited`);
    const heapUsed = gaugeValue(text, HEAP_USED_METRIC);
    return {
      at: sample.at,
      cpuSeconds: sample.cpuSeconds,
      rssMiB: sample.rssMiB,
      requestsByVerb: sumCounterByLabel(text, API_REQUESTS_METRIC, 'verb'),
      requestsByResource: sumCounterByLabels(text, API_REQUESTS_METRIC, ['verb', 'resource']),
      ...(heapUsed === undefined ? {} : { heapUsedMiB: heapUsed / 2 ** 20 }),
    };
  }

  /**
   * Waits until the operator has sent no API request but watches for `quietMs` (work it does after a run
   * converged, such as a last status write, belongs to the run), then reads. An operator that never goes quiet
   * is read after `timeoutMs` anyway, with a warning: that is a finding, not a reason to stop the bench.
   */
  async readWhenQuiet(quietMs = 2_000, timeoutMs = 60_000, { writesOnly = false }: { writesOnly?: boolean } = {}): Promise<OperatorReading> {
    const counted = (verb: string) => (writesOnly ? WRITE_VERBS.includes(verb) : verb !== 'watch');
    const busy = (reading: OperatorReading) =>
      Object.entries(reading.requestsByVerb)
        .filter(([verb]) => counted(verb))
        .reduce((sum, [, n]) => sum + n, 0);
    let last = await this.read();
    try {
      return await waitFor(
        `the operator to send no request for ${quietMs / 1000}s`,
        async () => {
          const now = await this.read();
          if (busy(now) !== busy(last)) last = now;
          return now.at - last.at >= quietMs ? now : undefined;
        },
        { timeoutMs },
      );
    } catch (error) {
      process.stderr.write(`[bench] warning: ${(error as Error).message}; reading it busy\n`);
      return this.read();
    }
  }

  /** SIGTERM, then waits for the exit (SIGKILL after the operator's own shutdown timeout has passed). */
  async stop(): Promise<void> {
    clearInterval(this.sampler);
    if (this.exited) return;
    const exit = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    const killer = setTimeout(() => this.child.kill('SIGKILL'), 30_000);
    await exit;
    clearTimeout(killer);
  }
}
