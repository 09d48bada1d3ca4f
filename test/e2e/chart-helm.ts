// Helm and kubectl for the end-to-end tests: the binaries the local control plane builds
// (never whatever is on PATH), and `helm template` of charts/ecs-operator parsed into objects.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubernetesObject } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { CHART_DIR } from '../../scripts/sync-packaging.js';
import { type Binaries, buildBinaries, readVersions } from '../cluster/cluster.js';

export { CHART_DIR };

/** The Kubernetes version charts render for without a cluster (the one the local control plane runs). */
export const KUBE_VERSION = readVersions().K8S_VERSION!;

let binaries: Promise<Binaries> | undefined;

/** The control plane's binaries, looked up (or, on a cold cache, built) once per process. */
export function controlPlaneBinaries(): Promise<Binaries> {
  binaries ??= buildBinaries();
  return binaries;
}

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Report a non-zero exit in the result instead of throwing. */
  allowFailure?: boolean;
  env?: NodeJS.ProcessEnv;
  /** Written to the command's stdin. */
  input?: string;
}

/** Runs the built (or cached) binary `name` of `component`. */
async function run(component: keyof Binaries, name: string, args: string[], { allowFailure = false, env, input }: RunOptions): Promise<CommandResult> {
  const file = join((await controlPlaneBinaries())[component], name);
  const result = await new Promise<CommandResult>((done) => {
    const child = execFile(file, args, { env: env ?? process.env, maxBuffer: 64 << 20 }, (error, stdout, stderr) =>
      done({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
    child.stdin?.end(input ?? '');
  });
  if (result.code !== 0 && !allowFailure) throw new Error(`${name} ${args.join(' ')} exited with ${result.code}: ${result.stderr}`);
  return result;
}

export const helm = (args: string[], options: RunOptions = {}) => run('helm', 'helm', args, options);
/** kubectl against the cluster of KUBECONFIG. */
export const kubectl = (args: string[], options: RunOptions = {}) => run('kubernetes', 'kubectl', args, options);
/** kube-scheduler, to check a configuration with --write-config-to. */
export const kubeScheduler = (args: string[], options: RunOptions = {}) => run('kubernetes', 'kube-scheduler', args, options);

export interface ChartOptions {
  release?: string;
  namespace?: string;
  /** Values, as a values file would give them. */
  values?: Record<string, unknown>;
}

/** The `-n`, `-f` arguments of `options`, with the values in a temporary file; `cleanup` removes it. */
export function chartArgs({ namespace = 'ecs-system', values = {} }: ChartOptions): { args: string[]; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'ecs-chart-values-'));
  const file = join(dir, 'values.json');
  writeFileSync(file, JSON.stringify(values));
  return { args: ['--namespace', namespace, '--values', file], cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** `helm template` of the chart; a non-zero exit comes back as the result, for tests of refused values. */
export async function templateChart(options: ChartOptions = {}, extra: string[] = []): Promise<CommandResult> {
  const { args, cleanup } = chartArgs(options);
  try {
    return await helm(['template', options.release ?? 'ecs', CHART_DIR, '--kube-version', KUBE_VERSION, ...args, ...extra], { allowFailure: true });
  } finally {
    cleanup();
  }
}

/** The chart's objects as `helm template` renders them (CRDs too with `includeCrds`). */
export async function renderChart(options: ChartOptions & { includeCrds?: boolean } = {}): Promise<KubernetesObject[]> {
  const result = await templateChart(options, options.includeCrds ? ['--include-crds'] : []);
  if (result.code !== 0) throw new Error(`helm template failed: ${result.stderr}`);
  return parseAllDocuments(result.stdout)
    .map((doc) => doc.toJS() as KubernetesObject | null)
    .filter((obj): obj is KubernetesObject => obj !== null && typeof obj === 'object');
}
