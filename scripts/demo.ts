// `npm run demo`: the local control plane with the operator and the examples running, then an ECS-style
// summary. Everything keeps running afterwards; `npm run demo:down` stops the operator and the control plane.
import { execFile, spawn } from 'node:child_process';
import { existsSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CoreV1Api } from '@kubernetes/client-node';
import { fetchSummary, renderSummary, type SummaryInput } from '../operator/src/cli/summary.js';
import { HOST_ACCESS_FLAG } from '../operator/src/translate/host-access.js';
import { buildBinaries, down, loadKubeConfig, REPO_ROOT, STATE_DIR, up } from '../test/cluster/cluster.js';
import { installCrds } from '../test/cluster/crds.js';

const run = promisify(execFile);
const NAMESPACE = process.env.DEMO_NAMESPACE ?? 'ecs-demo';
const PID_FILE = join(STATE_DIR, 'operator.pid');
const LOG_FILE = join(STATE_DIR, 'operator.log');

function say(message: string): void {
  process.stderr.write(`[demo] ${message}\n`);
}

function runningOperatorPid(): number | undefined {
  if (!existsSync(PID_FILE)) return undefined;
  const pid = Number(readFileSync(PID_FILE, 'utf8').trim());
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('ecs-operator') ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Starts `ecs-operator run` in the background (logs in .cluster/operator.log), unless it already runs. */
function startOperator(kubeconfig: string): number {
  const existing = runningOperatorPid();
  if (existing) {
    say(`operator already running (pid ${existing})`);
    return existing;
  }
  const log = openSync(LOG_FILE, 'a');
  // The node-exporter example (a DAEMON service) uses the host's network, PID namespace and files: the operator's
  // policy allows that in the demo's namespace only, as a cluster admin would grant it.
  const args = ['run', '--kubeconfig', kubeconfig, '--leader-elect=false', '--metrics-addr', '127.0.0.1:0', HOST_ACCESS_FLAG, NAMESPACE];
  const child = spawn(join(REPO_ROOT, 'bin/ecs-operator'), args, {
    detached: true,
    stdio: ['ignore', log, log],
  });
  child.unref();
  writeFileSync(PID_FILE, String(child.pid));
  say(`operator started (pid ${child.pid}); logs in ${LOG_FILE}`);
  return child.pid!;
}

function exampleFiles(): string[] {
  const dir = join(REPO_ROOT, 'examples');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => join(dir, f));
}

/** The examples are up: every service at its desired count with a completed rollout, every task past launch. */
function settled({ services, tasks }: SummaryInput): boolean {
  const servicesDone = services.every((s) => {
    const primary = s.status?.deployments?.find((d) => d.status === 'PRIMARY');
    return s.status?.runningCount !== undefined && s.status.runningCount === s.status.desiredCount && primary?.rolloutState === 'COMPLETED';
  });
  const tasksDone = tasks.every((t) => t.status?.lastStatus === 'RUNNING' || t.status?.lastStatus === 'STOPPED');
  return servicesDone && tasksDone;
}

async function demo(): Promise<number> {
  const { kubeconfig } = await up();
  const kc = loadKubeConfig();
  const bin = await buildBinaries();
  const kubectl = join(bin.kubernetes, 'kubectl');
  say('installing the CRDs');
  await installCrds(kc);
  startOperator(kubeconfig);
  const core = kc.makeApiClient(CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: NAMESPACE } } }).catch(() => undefined);
  say(`applying examples/ to namespace ${NAMESPACE}`);
  const files = exampleFiles().flatMap((f) => ['-f', f]);
  const applied = await run(kubectl, ['--kubeconfig', kubeconfig, 'apply', '-n', NAMESPACE, ...files]);
  process.stderr.write(applied.stdout);

  const deadline = Date.now() + 180_000;
  // Right after the CRDs are installed the API server may answer 429 "storage is (re)initializing" for a moment.
  const poll = () => fetchSummary(kc, NAMESPACE).catch(() => undefined);
  let summary = await poll();
  while ((!summary || !settled(summary)) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 1000));
    summary = (await poll()) ?? summary;
  }
  summary ??= await fetchSummary(kc, NAMESPACE);
  process.stdout.write(`\n${renderSummary(summary)}\n`);
  const ok = settled(summary);
  if (!ok) say(`the examples did not all settle within 3 minutes; see ${LOG_FILE}`);
  process.stdout.write(
    [
      'The control plane and the operator keep running. Look around:',
      `  export KUBECONFIG=${kubeconfig}`,
      `  ${kubectl} get ecs -n ${NAMESPACE}`,
      `  ${kubectl} describe ecssvc web -n ${NAMESPACE}`,
      `  bin/ecs-operator summary -n ${NAMESPACE}`,
      `  tail -f ${LOG_FILE}`,
      'Stop everything:',
      '  npm run demo:down',
      '',
    ].join('\n'),
  );
  return ok ? 0 : 1;
}

async function demoDown(): Promise<number> {
  const pid = runningOperatorPid();
  if (pid) {
    process.kill(pid, 'SIGTERM');
    say(`operator (pid ${pid}) stopped`);
  }
  rmSync(PID_FILE, { force: true });
  await down();
  return 0;
}

const command = process.argv[2] === 'down' ? demoDown : demo;
command().then(
  (code) => process.exit(code),
  (error: unknown) => {
    say(`error: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
