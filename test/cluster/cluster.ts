// The local control plane: etcd, kube-apiserver, kube-controller-manager, kube-scheduler, the kwok
// controller and metrics-server as local processes, run by kwokctl's `binary` runtime from binaries built by build-binaries.sh.
// State lives in `.cluster/` of the checkout, so two checkouts never share a cluster.
import { execFile, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ApiregistrationV1Api, CoreV1Api, Health, KubeConfig, type V1Node } from '@kubernetes/client-node';
import { stringify } from 'yaml';
import { kubeSchedulerConfiguration } from '../../operator/src/translate/placement/scheduler-profiles.js';
import { waitFor } from './wait.js';
import { DEFAULT_NODE_SET, loadNodeSet, nodeSetToNodes, type NodeSetConfig } from './nodes.js';
import { isReady } from '../../operator/src/translate/readiness.js';

const run = promisify(execFile);

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const STATE_DIR = join(REPO_ROOT, '.cluster');
export const KUBECONFIG_PATH = join(STATE_DIR, 'kubeconfig');

/**
 * Where a control plane keeps its state and what kwokctl calls it. Every command of this module takes one; the
 * default is the checkout's `.cluster/`. A second site (the chaos run's, which restarts kube-apiserver) is a
 * second control plane with its own processes, ports and kubeconfig.
 */
export interface ClusterSite {
  stateDir: string;
  name: string;
}
export const DEFAULT_SITE: ClusterSite = { stateDir: STATE_DIR, name: 'ecs-operator' };
export const kubeconfigOf = (site: ClusterSite): string => join(site.stateDir, 'kubeconfig');
const workdirOf = (site: ClusterSite): string => join(site.stateDir, 'kwok');
const clusterDirOf = (site: ClusterSite): string => join(workdirOf(site), 'clusters', site.name);

/** Folders of the built binaries, as build-binaries.sh prints them. */
export interface Binaries {
  etcd: string;
  kwok: string;
  helm: string;
  kubernetes: string;
  metricsServer: string;
}

function log(message: string): void {
  process.stderr.write(`[cluster] ${message}\n`);
}

/** Builds (or finds in the cache) every binary of the control plane. */
export async function buildBinaries(): Promise<Binaries> {
  const script = join(REPO_ROOT, 'test/cluster/build-binaries.sh');
  const child = execFile('bash', [script], { maxBuffer: 1 << 20 });
  child.stderr?.pipe(process.stderr);
  const stdout = await new Promise<string>((done, fail) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('exit', (code) => (code === 0 ? done(out) : fail(new Error(`${script} exited with ${code}`))));
  });
  const paths = Object.fromEntries(
    stdout
      .trim()
      .split('\n')
      .map((line) => {
        const [key, value] = line.split('=', 2);
        // METRICS_SERVER_BIN → metricsServer
        return [
          key!
            .replace(/_BIN$/, '')
            .toLowerCase()
            .replace(/_(.)/g, (_, c: string) => c.toUpperCase()),
          value!,
        ];
      }),
  );
  return paths as unknown as Binaries;
}

/** The kube-scheduler runs the ECS strategy profiles (binpack, random) beside the default one, as the Helm chart does. */
function writeSchedulerConfig(site: ClusterSite): string {
  const path = join(site.stateDir, 'kube-scheduler.yaml');
  writeFileSync(path, stringify(kubeSchedulerConfiguration()));
  return path;
}

function kwokctlConfig(bin: Binaries, site: ClusterSite, auditPolicy: string | undefined): string {
  const k8sVersion = readVersions().K8S_VERSION!;
  const options = {
    apiVersion: 'config.kwok.x-k8s.io/v1alpha1',
    kind: 'KwokctlConfiguration',
    options: {
      runtime: 'binary',
      bindAddress: '127.0.0.1',
      kubeVersion: k8sVersion,
      etcdBinary: join(bin.etcd, 'etcd'),
      kubeApiserverBinary: join(bin.kubernetes, 'kube-apiserver'),
      kubeControllerManagerBinary: join(bin.kubernetes, 'kube-controller-manager'),
      kubeSchedulerBinary: join(bin.kubernetes, 'kube-scheduler'),
      kubectlBinary: join(bin.kubernetes, 'kubectl'),
      kwokControllerBinary: join(bin.kwok, 'kwok'),
      kwokctlBinary: join(bin.kwok, 'kwokctl'),
      kubeSchedulerConfig: writeSchedulerConfig(site),
      // kube-apiserver writes its audit log to logs/audit.log of the cluster folder (`kwokctl logs audit`).
      ...(auditPolicy ? { kubeAuditPolicy: auditPolicy } : {}),
      // metrics-server scrapes kwok's simulated kubelet /metrics/resource (resource-usage.yaml says what pods use);
      // its manifests (APIService v1beta1.metrics.k8s.io, RBAC) come from its module, copied beside the binary.
      enableMetricsServer: true,
      metricsServerBinary: join(bin.metricsServer, 'metrics-server'),
      metricsServerManifests: [join(bin.metricsServer, 'manifests/overlays/release')],
      // Tests create and delete many objects fast; the client-side rate limits of the components would only slow them.
      disableQPSLimits: true,
    },
  };
  const stages = readFileSync(join(REPO_ROOT, 'test/cluster/stages.yaml'), 'utf8');
  const usage = readFileSync(join(REPO_ROOT, 'test/cluster/resource-usage.yaml'), 'utf8');
  return `${stringify(options)}\n${stages}\n${usage}`;
}

export function readVersions(): Record<string, string> {
  const text = readFileSync(join(REPO_ROOT, 'test/cluster/versions.env'), 'utf8');
  return Object.fromEntries(
    text
      .split('\n')
      .filter((l) => /^[A-Z0-9_]+=/.test(l))
      .map((l) => l.split('=', 2) as [string, string]),
  );
}

async function kwokctl(bin: Binaries, site: ClusterSite, args: string[]): Promise<string> {
  const { stdout } = await run(join(bin.kwok, 'kwokctl'), ['--name', site.name, ...args], {
    env: { ...process.env, KWOK_WORKDIR: workdirOf(site) },
    maxBuffer: 16 << 20,
  });
  return stdout;
}

export function loadKubeConfig(path = KUBECONFIG_PATH): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(path);
  return kc;
}

/** True when the API server behind the kubeconfig answers /readyz. */
export async function apiServerReady(kc: KubeConfig): Promise<boolean> {
  try {
    return await new Health(kc).readyz({ timeout: 2000 });
  } catch {
    return false;
  }
}

/** Creates the nodes of the set that do not exist yet and waits until every one is Ready. */
export async function ensureNodes(kc: KubeConfig, nodeSet: NodeSetConfig): Promise<V1Node[]> {
  const core = kc.makeApiClient(CoreV1Api);
  const wanted = nodeSetToNodes(nodeSet);
  const existing = new Set((await core.listNode()).items.map((n) => n.metadata?.name));
  for (const node of wanted) {
    if (!existing.has(node.metadata!.name)) await core.createNode({ body: node });
  }
  const names = new Set(wanted.map((n) => n.metadata!.name));
  let ready: V1Node[] = [];
  await waitFor(`${names.size} nodes to be Ready`, async () => {
    ready = (await core.listNode()).items.filter((n) => names.has(n.metadata?.name) && isReady(n));
    return ready.length === names.size ? true : undefined;
  });
  return ready;
}

export const METRICS_API_SERVICE = 'v1beta1.metrics.k8s.io';

/**
 * Why the metrics API is not served (the APIService's Available condition), or undefined once it is. The rest of
 * the control plane works without it, so a cluster without metrics still comes up, but says so.
 */
export async function metricsUnavailable(kc: KubeConfig, timeoutMs = 90_000): Promise<string | undefined> {
  const api = kc.makeApiClient(ApiregistrationV1Api);
  // kwokctl registers the APIService while it creates the cluster: without it, waiting would not help.
  const registered = await api.readAPIService({ name: METRICS_API_SERVICE }).then(
    () => true,
    () => false,
  );
  if (!registered) return `no APIService ${METRICS_API_SERVICE}: this control plane was started without metrics-server (npm run cluster:down, then cluster:up)`;
  let reason = 'no Available condition yet';
  try {
    await waitFor(
      `APIService ${METRICS_API_SERVICE} to be Available`,
      async () => {
        const service = await api.readAPIService({ name: METRICS_API_SERVICE }).catch(() => undefined);
        const available = service?.status?.conditions?.find((c) => c.type === 'Available');
        if (available) reason = `${available.reason ?? ''}: ${available.message ?? ''}`;
        return available?.status === 'True' ? true : undefined;
      },
      { timeoutMs },
    );
    return undefined;
  } catch {
    return reason;
  }
}

export interface UpOptions {
  /** A node set file (YAML or JSON); default: ECS_CLUSTER_NODES, else DEFAULT_NODE_SET. */
  nodesFile?: string;
  /** Default: the checkout's `.cluster/`. */
  site?: ClusterSite;
  /** An audit policy file for kube-apiserver; its log is `auditLogOf(site)`. Only when the cluster is created here. */
  auditPolicy?: string;
}

/** kube-apiserver's audit log (when started with an audit policy). */
export const auditLogOf = (site: ClusterSite): string => join(clusterDirOf(site), 'logs', 'audit.log');

/** Starts the control plane, or reuses the one already running from this checkout. Safe to call twice. */
export async function up(options: UpOptions = {}): Promise<{ kubeconfig: string; seconds: number; reused: boolean }> {
  const bin = await buildBinaries();
  const { site = DEFAULT_SITE } = options;
  const kubeconfig = kubeconfigOf(site);
  const clusterDir = clusterDirOf(site);
  const started = Date.now();
  const nodesFile = options.nodesFile ?? process.env.ECS_CLUSTER_NODES;
  const nodeSet = nodesFile ? loadNodeSet(nodesFile) : DEFAULT_NODE_SET;
  const reused = existsSync(kubeconfig) && (await apiServerReady(loadKubeConfig(kubeconfig)));
  if (reused) {
    log('control plane already running; reusing it');
  } else {
    if (existsSync(clusterDir)) {
      log('removing a stopped control plane left from an earlier run');
      await kwokctl(bin, site, ['delete', 'cluster']).catch(() => undefined);
      rmSync(clusterDir, { recursive: true, force: true });
    }
    mkdirSync(site.stateDir, { recursive: true });
    rmSync(kubeconfig, { force: true });
    const configPath = join(site.stateDir, 'kwokctl.yaml');
    writeFileSync(configPath, kwokctlConfig(bin, site, options.auditPolicy));
    log('starting etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kwok and metrics-server');
    await kwokctl(bin, site, ['-c', configPath, 'create', 'cluster', '--kubeconfig', kubeconfig, '--wait', '120s']);
  }
  const kc = loadKubeConfig(kubeconfig);
  await waitFor('the API server to be ready', async () => ((await apiServerReady(kc)) ? true : undefined));
  const nodes = await ensureNodes(kc, nodeSet);
  const noMetrics = await metricsUnavailable(kc);
  if (noMetrics) {
    log(
      `WARNING: metrics-server is NOT available (${noMetrics}); kubectl top and HorizontalPodAutoscalers will not work (npm run cluster:down, then cluster:up, restarts it). Its log: ${join(clusterDir, 'logs', 'metrics-server.log')}`,
    );
  } else {
    log(`metrics-server serves ${METRICS_API_SERVICE} (kubectl top, HorizontalPodAutoscalers)`);
  }
  const seconds = (Date.now() - started) / 1000;
  log(`control plane ${reused ? 'reused' : 'up'} in ${seconds.toFixed(1)}s with ${nodes.length} Ready nodes; KUBECONFIG=${kubeconfig}`);
  return { kubeconfig, seconds, reused };
}

function pidsOfCluster(site: ClusterSite): number[] {
  const dir = join(clusterDirOf(site), 'pids');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .map((f) => Number(readFileSync(join(dir, f), 'utf8').trim()))
    .filter((pid) => Number.isInteger(pid) && pid > 0);
}

/** True while `pid` is still one of our control plane processes (a stale pid file may name another process). */
function aliveComponent(pid: number): boolean {
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return /etcd|kube-apiserver|kube-controller-manager|kube-scheduler|kwok|metrics-server/.test(cmdline);
  } catch {
    return false;
  }
}

/** Stops every process the control plane started and removes its state. Safe when nothing runs. */
export async function down(site: ClusterSite = DEFAULT_SITE): Promise<void> {
  const kubeconfig = kubeconfigOf(site);
  const clusterDir = clusterDirOf(site);
  const pids = pidsOfCluster(site);
  if (existsSync(clusterDir)) {
    const bin = await buildBinaries();
    await kwokctl(bin, site, ['delete', 'cluster', '--kubeconfig', kubeconfig]).catch((e: unknown) =>
      log(`kwokctl delete: ${e instanceof Error ? e.message : 'failed'}`),
    );
  }
  // kwokctl signals the processes; make sure none outlives it.
  await waitFor(
    'control plane processes to exit',
    async () => {
      const left = pids.filter(aliveComponent);
      left.forEach((pid) => process.kill(pid, 'SIGKILL'));
      return left.length === 0 ? true : undefined;
    },
    { timeoutMs: 20_000 },
  );
  rmSync(clusterDir, { recursive: true, force: true });
  rmSync(kubeconfig, { force: true });
  log('control plane stopped; no process of it remains');
}

/** How a control plane component was started: enough to start it again as kwokctl did. */
export interface ComponentCommand {
  name: string;
  argv: string[];
  cwd: string;
}

const pidFileOf = (site: ClusterSite, name: string) => join(clusterDirOf(site), 'pids', `${name}.pid`);
const pidOf = (site: ClusterSite, name: string) => Number(readFileSync(pidFileOf(site, name), 'utf8').trim());

/** Whether component `name` (kube-apiserver, kube-controller-manager ...) of the control plane runs. */
export function componentRunning(site: ClusterSite, name: string): boolean {
  return aliveComponent(pidOf(site, name));
}

/** The command line and folder of running component `name`, read from its process. */
export function componentCommand(site: ClusterSite, name: string): ComponentCommand {
  const pid = pidOf(site, name);
  if (!aliveComponent(pid)) throw new Error(`${name} (pid ${pid}) is not running`);
  return { name, argv: readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean), cwd: readlinkSync(`/proc/${pid}/cwd`) };
}

/**
 * Starts a component again from its command (as the kubelet restarts a static pod), appending to its log and
 * writing its new pid where `down()` finds it.
 */
export function startComponent(site: ClusterSite, { name, argv, cwd }: ComponentCommand): void {
  const out = openSync(join(clusterDirOf(site), 'logs', `${name}.log`), 'a');
  const child = spawn(argv[0]!, argv.slice(1), { cwd, detached: true, stdio: ['ignore', out, out] });
  closeSync(out);
  child.unref();
  writeFileSync(pidFileOf(site, name), String(child.pid));
}

/** A control plane component stopped by `stopComponent`; `start()` runs it again with the same command line. */
export interface StoppedComponent {
  name: string;
  start(): void;
}

/**
 * Kills one component of a running control plane (SIGKILL, as a crash would) and returns how to start it again:
 * kwokctl's `stop cluster` stops every component, and a fault of kube-apiserver alone is what the chaos run
 * needs.
 */
export async function stopComponent(site: ClusterSite, name: string): Promise<StoppedComponent> {
  const command = componentCommand(site, name);
  const pid = pidOf(site, name);
  process.kill(pid, 'SIGKILL');
  await waitFor(`${name} (pid ${pid}) to exit`, async () => (aliveComponent(pid) ? undefined : true), { timeoutMs: 10_000 });
  return { name, start: () => startComponent(site, command) };
}
