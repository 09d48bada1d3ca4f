// `npm run test:chaos`: faults injected into a running operator on its own local control plane (.cluster-chaos/,
// never the shared one: it restarts kube-apiserver), with invariants sampled throughout (sampler.ts), the lease
// checked on kube-apiserver's audit log (audit.ts), and a report in test/chaos/results/. CHAOS_SHORT=1 runs one
// or two repetitions of each scenario (a few minutes); the full run 20+ operator kills and 3+ kube-apiserver
// restarts. CHAOS_SEED repeats a run's random choices; CHAOS_ONLY=a,b runs only those scenarios (report latest-partial); CHAOS_KEEP_CLUSTER=1 leaves the control plane up afterwards
// (the next run starts a fresh one).
// Exits non-zero on any violation. Prints mocha's closing lines (one test per scenario plus the lease audit),
// so scripts/test-all.ts counts them.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api } from '@kubernetes/client-node';
import { auditLogOf, type ClusterSite, down, loadKubeConfig, REPO_ROOT, up } from '../cluster/cluster.js';
import { applyChartRbac } from '../e2e/chart-rbac.js';
import { installCrds, removeNamespace, throwawayNamespace } from '../e2e/helpers.js';
import { checkLeaseWrites } from './audit.js';
import { Fleet } from './fleet.js';
import { type ChaosReport, RESULTS_DIR, readHostileResults, scenarioReport, writeReport } from './report.js';
import { SAMPLE_INTERVAL_MS, Sampler } from './sampler.js';
import { apiServerRestarts, BOUNDS, type ChaosContext, leaderFreeze, nodeFaults, operatorKills, random, type ScenarioRecord, userEdits } from './scenarios.js';
import { Workload } from './workload.js';

const SHORT = process.env.CHAOS_SHORT === '1';
export const CHAOS_SITE: ClusterSite = { stateDir: join(REPO_ROOT, '.cluster-chaos'), name: 'ecs-operator-chaos' };

/** Repetitions of each scenario: the full run kills the operator 3 times per operator-kills repetition. */
const PLAN: [string, (ctx: ChaosContext, repetitions: number) => Promise<ScenarioRecord>, number, number][] = [
  ['operator-kills', operatorKills, 2, 7],
  ['leader-freeze', leaderFreeze, 1, 3],
  ['apiserver-restart', apiServerRestarts, 1, 4],
  ['user-edits', userEdits, 1, 2],
  ['node-faults', nodeFaults, 1, 2],
];

const log = (message: string) => process.stderr.write(`[chaos ${new Date().toISOString().slice(11, 19)}] ${message}\n`);

async function main(): Promise<number> {
  const started = Date.now();
  const seed = Number(process.env.CHAOS_SEED ?? Math.floor(Math.random() * 2 ** 31));
  const only = process.env.CHAOS_ONLY?.split(',');
  log(`${SHORT ? 'short' : 'full'} run, seed ${seed}`);
  // A fresh control plane each run: one left by an earlier run may have lost components to its faults.
  await down(CHAOS_SITE);
  const { kubeconfig } = await up({ site: CHAOS_SITE, auditPolicy: join(REPO_ROOT, 'test/chaos/audit-policy.yaml') });
  // The e2e helpers (CRDs, namespaces, the chart's RBAC) act on KUBECONFIG.
  process.env.KUBECONFIG = kubeconfig;
  const kc = loadKubeConfig(kubeconfig);
  const logDir = mkdtempSync(join(tmpdir(), 'ecs-operator-chaos-'));
  log(`operator logs in ${logDir}`);
  await installCrds(kc);
  const { name: namespace } = await throwawayNamespace(kc.makeApiClient(CoreV1Api), 'chaos');
  const rbac = await applyChartRbac({ namespace, watchNamespace: namespace });
  const fleet = new Fleet(kc, rbac, namespace, logDir);
  const sampler = new Sampler(kc, namespace);
  const ctx: ChaosContext = { kc, site: CHAOS_SITE, work: new Workload(kc, namespace), fleet, sampler, rng: random(seed), log };
  const records: ScenarioRecord[] = [];
  let exitsSeen = 0;
  try {
    await fleet.start('a');
    await fleet.start('b');
    log(`leader: ${await fleet.leader()}`);
    sampler.start();
    for (const [name, scenario, short, full] of PLAN) {
      if (only && !only.includes(name)) continue;
      sampler.scenario = name;
      const scenarioStarted = Date.now();
      log(`scenario ${name}: ${SHORT ? short : full} repetitions`);
      records.push(await scenario(ctx, SHORT ? short : full));
      for (const exit of fleet.unexpectedExits.slice(exitsSeen)) {
        sampler.violation('operator-exit', `${exit.identity} exited on its own (code ${exit.code}, signal ${exit.signal})`);
      }
      exitsSeen = fleet.unexpectedExits.length;
      log(`scenario ${name} done in ${Math.round((Date.now() - scenarioStarted) / 1000)}s`);
    }
  } finally {
    sampler.stop();
    await fleet.stop();
  }
  sampler.scenario = 'lease-audit';
  const audit = checkLeaseWrites(auditLogOf(CHAOS_SITE), rbac.user, rbac.lease, fleet.identities);
  for (const detail of audit.violations) sampler.violation('write-without-lease', detail);
  if (audit.unattributed > 0) sampler.violation('write-without-lease', `${audit.unattributed} writes by the operator's ServiceAccount from no known replica`);
  if (audit.checked === 0) sampler.violation('write-without-lease', 'the audit log has no operator write to check: the check proves nothing');

  const violations = sampler.violations;
  const count = (kind: string) => violations.filter((v) => v.kind === kind).length;
  const scenarios = records.map((r) => scenarioReport(r, sampler.perScenario.get(r.name), violations));
  const sum = (key: keyof ScenarioRecord['faults']) => records.reduce((n, r) => n + r.faults[key], 0);
  const report: ChaosReport = {
    mode: SHORT ? 'short' : 'full',
    seed,
    startedAt: new Date(started).toISOString(),
    seconds: (Date.now() - started) / 1000,
    sampleIntervalMs: SAMPLE_INTERVAL_MS,
    boundsSeconds: Object.fromEntries(Object.entries(BOUNDS).map(([k, v]) => [k, v / 1000])),
    scenarios,
    totals: {
      operatorKills: sum('operatorKills'),
      leaderFreezes: sum('leaderFreezes'),
      apiServerRestarts: sum('apiServerRestarts'),
      userEdits: sum('userEdits'),
      nodeFaults: sum('nodeFaults'),
      samples: scenarios.reduce((n, s) => n + s.samples, 0),
      gaps: scenarios.reduce((n, s) => n + s.gaps, 0),
      violations: violations.length,
      duplicates: count('duplicate-task-pod') + count('duplicate-replicaset'),
      orphans: count('orphan'),
      operatorExits: count('operator-exit'),
      writesWithoutLease: count('write-without-lease'),
    },
    hostileInput: readHostileResults() ?? null,
    leaseAudit: {
      ...audit,
      signal: "kube-apiserver's audit log: each write's token id (one token per replica incarnation) against the Lease writes' holder and renewTime",
    },
    violations,
  };
  // Only a whole full run is the committed report.
  const base = SHORT ? 'latest-short' : only ? 'latest-partial' : 'latest';
  writeReport(RESULTS_DIR, report, base);
  log(`report: test/chaos/results/${base}.{json,md}`);

  await removeNamespace(namespace).catch((e: unknown) => log(`namespace cleanup: ${String(e)}`));
  await rbac.remove().catch(() => undefined);
  if (!process.env.CHAOS_KEEP_CLUSTER) await down(CHAOS_SITE);

  // One "test" per scenario and one for the lease audit, in mocha's words, for scripts/test-all.ts.
  const failedScenarios = [...scenarios.map((s) => s.violations), count('write-without-lease')].filter((n) => n > 0).length;
  const total = scenarios.length + 1;
  process.stdout.write(`\n  ${total - failedScenarios} passing\n${failedScenarios > 0 ? `  ${failedScenarios} failing\n` : ''}`);
  process.stdout.write(
    `chaos: ${violations.length} violations over ${report.totals.operatorKills} operator kills, ${report.totals.apiServerRestarts} kube-apiserver restarts, ${report.totals.samples} samples\n`,
  );
  return violations.length === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`[chaos] error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.stdout.write('\n  0 passing\n  1 failing\n');
    process.exit(1);
  },
);
