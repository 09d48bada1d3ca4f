// The chaos run's invariant sampler: every 500 ms it lists the namespace's pods, ReplicaSets and ECS objects
// (a list, not a watch, so a restarted API server costs only the samples it was down for, counted as gaps) and
// checks the invariants that must hold in every state:
//  - bounds: a Service's tasks not being deleted ≤ floor(max% × desired), ready ones ≥ ceil(min% × desired),
//    while the scenario says they apply (from the first steady state on; during a scale change with the wider
//    of the old and new counts; not while a user or a node fault removes or adds tasks by hand);
//  - never two pods for one Task: every pod uid ever seen for a Task name is kept, a second one is a duplicate;
//  - never two ReplicaSets (not being deleted) for one revision of a Service.
import { AppsV1Api, CoreV1Api, type KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { LABELS } from '../../operator/src/translate/labels.js';
import { isReady } from '../../operator/src/translate/readiness.js';
import { taskBounds, type DeploymentPercents } from '../../operator/src/translate/rollout.js';
import { checkBounds } from '../e2e/bounds.js';

export const SAMPLE_INTERVAL_MS = 500;

export type ViolationKind = 'bounds' | 'duplicate-task-pod' | 'duplicate-replicaset' | 'orphan' | 'convergence' | 'operator-exit' | 'write-without-lease';

export interface Violation {
  scenario: string;
  kind: ViolationKind;
  at: string;
  detail: string;
}

export interface ScenarioSamples {
  samples: number;
  /** Samples that could not be taken (the API server was down). */
  gaps: number;
  /** Samples in which at least one Service's bounds were checked. */
  boundsChecked: number;
}

interface Bounds {
  percents: DeploymentPercents;
  /** Desired counts in force: minHealthy from the lower, maxTasks from the higher. */
  low: number;
  high: number;
}

export class Sampler {
  private readonly core: CoreV1Api;
  private readonly apps: AppsV1Api;
  private readonly bounds = new Map<string, Bounds>();
  private readonly taskPods = new Map<string, Set<string>>();
  private readonly reported = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private busy = false;
  scenario = 'setup';
  readonly perScenario = new Map<string, ScenarioSamples>();
  readonly violations: Violation[] = [];

  constructor(
    kc: KubeConfig,
    private readonly namespace: string,
  ) {
    this.core = kc.makeApiClient(CoreV1Api);
    this.apps = kc.makeApiClient(AppsV1Api);
  }

  violation(kind: ViolationKind, detail: string): void {
    this.violations.push({ scenario: this.scenario, kind, at: new Date().toISOString(), detail });
    process.stderr.write(`[chaos] VIOLATION ${kind}: ${detail}\n`);
  }

  /** Bounds of `service` apply from now on, for its desired count `low` (and `high` while a scale change runs). */
  checkBoundsOf(service: string, percents: DeploymentPercents, low: number, high = low): void {
    this.bounds.set(service, { percents, low: Math.min(low, high), high: Math.max(low, high) });
  }

  /** A fault that adds or removes tasks by hand is under way: no bounds for `service` until set again. */
  pauseBoundsOf(service: string): void {
    this.bounds.delete(service);
  }

  private stats(): ScenarioSamples {
    let stats = this.perScenario.get(this.scenario);
    if (!stats) this.perScenario.set(this.scenario, (stats = { samples: 0, gaps: 0, boundsChecked: 0 }));
    return stats;
  }

  start(): void {
    this.timer = setInterval(() => {
      if (this.busy) return;
      this.busy = true;
      void this.sample().finally(() => (this.busy = false));
    }, SAMPLE_INTERVAL_MS);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Reports a violation once per distinct detail (a state that lasts several samples is one violation). */
  private once(kind: ViolationKind, key: string, detail: string): void {
    if (this.reported.has(key)) return;
    this.reported.add(key);
    this.violation(kind, detail);
  }

  private async sample(): Promise<void> {
    const stats = this.stats();
    const bounds = [...this.bounds.entries()];
    let pods: V1Pod[];
    let replicaSets;
    try {
      [pods, replicaSets] = await Promise.all([
        this.core.listNamespacedPod({ namespace: this.namespace }).then((l) => l.items),
        this.apps.listNamespacedReplicaSet({ namespace: this.namespace }).then((l) => l.items),
      ]);
    } catch {
      stats.gaps += 1;
      return;
    }
    stats.samples += 1;
    for (const pod of pods) {
      const task = pod.metadata?.labels?.[LABELS.task];
      if (!task) continue;
      const uids = this.taskPods.get(task) ?? new Set<string>();
      uids.add(pod.metadata!.uid!);
      this.taskPods.set(task, uids);
      if (uids.size > 1) this.once('duplicate-task-pod', `task ${task} ${uids.size}`, `Task ${task} has had ${uids.size} pods: ${[...uids].join(', ')}`);
    }
    const perRevision = new Map<string, string[]>();
    for (const rs of replicaSets) {
      const service = rs.metadata?.labels?.[LABELS.service];
      if (!service || rs.metadata?.deletionTimestamp) continue;
      const key = `${service} revision ${rs.metadata?.labels?.[LABELS.revision] ?? '?'}`;
      perRevision.set(key, [...(perRevision.get(key) ?? []), rs.metadata!.name!]);
    }
    for (const [key, names] of perRevision) {
      if (names.length > 1) this.once('duplicate-replicaset', `rs ${key} ${names.join(',')}`, `${key} has ${names.length} ReplicaSets: ${names.join(', ')}`);
    }
    if (bounds.length > 0) stats.boundsChecked += 1;
    for (const [service, { percents, low, high }] of bounds) {
      // Only if the scenario has not paused them while this sample was in flight.
      if (this.bounds.get(service)?.low !== low) continue;
      const limits = { minHealthy: taskBounds(low, percents).minHealthy, maxTasks: taskBounds(high, percents).maxTasks };
      const own = pods.filter((p) => p.metadata?.labels?.[LABELS.service] === service);
      const state = checkBounds(own, limits);
      if (state.violations.length === 0) continue;
      // Which revisions the tasks belong to, live/ready, for the report.
      const byRevision = new Map<string, [number, number]>();
      for (const pod of own.filter((p) => !p.metadata?.deletionTimestamp)) {
        const key = pod.metadata?.labels?.[LABELS.revision] ?? '?';
        const [live, ready] = byRevision.get(key) ?? [0, 0];
        byRevision.set(key, [live + 1, ready + (isReady(pod) ? 1 : 0)]);
      }
      const asked = (r: string) =>
        replicaSets.find((rs) => rs.metadata?.labels?.[LABELS.service] === service && rs.metadata.labels[LABELS.revision] === r)?.spec?.replicas ?? '-';
      const revisions = [...byRevision].map(([r, [live, ready]]) => `r${r} ${live} live/${ready} ready/${asked(r)} asked`).join(', ');
      for (const detail of state.violations)
        this.once('bounds', `bounds ${service} ${detail}`, `Service ${service}: ${detail} (desired ${low}..${high}; ${revisions})`);
    }
  }
}
