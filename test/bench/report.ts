// The bench's report: latest.json (the shape the performance issue asks for, plus the rounds behind each
// median), latest.md (a Markdown table) and one SVG chart per scenario. Pure: results in, text out.
import { WRITE_VERBS, type OperatorUsage } from './operator-process.js';

const WRITE_VERB_SET: ReadonlySet<string> = new Set(WRITE_VERBS);
import type { MachineUsage } from './process-stats.js';
import { median, medianIndex, medianPerTask, round } from './stats.js';
import { lineChart } from './svg.js';

export interface RoundResult {
  round: number;
  /** Which side ran first this round (the order alternates). */
  first: 'native' | 'ecs';
  nativeMs: number;
  ecsMs: number;
  /** The operator's cost during the ECS run. */
  operator: OperatorUsage;
  nativeSeries: Array<[number, number]>;
  ecsSeries: Array<[number, number]>;
  /** The whole machine's CPU during each side's timed run: on a saturated machine, what bounds the ratio. */
  nativeMachine: MachineUsage;
  ecsMachine: MachineUsage;
}

export interface ScenarioRuns {
  name: string;
  tasks: number;
  runningLabel: string;
  rounds: RoundResult[];
  operatorPeakRssMiB: number;
  /** The scenario's whole time, with operator start, preparation and cleanup (for planning a run). */
  wallSeconds: number;
}

export interface SteadyStateRun {
  tasks: number;
  services: number;
  convergeMs: number;
  /** Until every Service showed its utilization too (metrics arrive after the tasks run). */
  figuresMs: number;
  windowSeconds: number;
  resyncPeriodSeconds: number;
  usage: OperatorUsage;
  writes: number;
  operatorRssMiB: number;
  operatorPeakRssMiB: number;
  /** V8's used heap at the window's end (RSS minus this is the process, code and heap not returned yet). */
  operatorHeapUsedMiB?: number;
  /** Every task still RUNNING (pod Ready) at the window's end. */
  stayedConverged: boolean;
  wallSeconds: number;
}

export interface ScenarioSummary {
  name: string;
  tasks: number;
  nativeMedianMs: number;
  ecsMedianMs: number;
  ratio: number;
  operatorPeakRssMiB: number;
  operatorCpuSeconds: number;
  requestsPerTask: Record<string, number>;
  /** Medians of the whole machine's CPU seconds and busy percent during the timed runs, per side. */
  machine: {
    nativeCpuSeconds: number;
    ecsCpuSeconds: number;
    cpuRatio: number;
    nativeBusyPercent: number;
    ecsBusyPercent: number;
    /** Median CPU seconds per process name and side, the processes that differ most first. */
    byProcess: Array<{ process: string; native: number; ecs: number }>;
  };
  wallSeconds: number;
  perRound: Array<{ round: number; first: 'native' | 'ecs'; nativeMs: number; ecsMs: number; operatorCpuSeconds: number; requests: Record<string, number> }>;
}

export interface SteadyStateSummary {
  tasks: number;
  writesPerMinute: number;
  cpuSecondsPerMinute: number;
  operatorRssMiB: number;
  operatorPeakRssMiB: number;
  requestsPerMinute: Record<string, number>;
  /** The writes of the window by verb and resource, per minute: what a non-zero writesPerMinute was. */
  writesPerMinuteByResource: Record<string, number>;
  operatorHeapUsedMiB?: number;
  services: number;
  windowSeconds: number;
  resyncPeriodSeconds: number;
  convergeSeconds: number;
  figuresSeconds: number;
  stayedConverged: boolean;
  wallSeconds: number;
}

/** A scenario that did not finish, and why. */
export interface ScenarioFailure {
  name: string;
  error: string;
}

export interface Report {
  commit: string;
  /** Fraction of the full sizes; anything below 1 is a small-scale run, not the benchmark itself. */
  scale: number;
  nodes: number;
  rounds: number;
  startedAt: string;
  durationSeconds: number;
  scenarios: ScenarioSummary[];
  steadyState?: SteadyStateSummary;
  failures?: ScenarioFailure[];
}

function machineSummary(rounds: readonly RoundResult[]): ScenarioSummary['machine'] {
  const nativeCpuSeconds = median(rounds.map((r) => r.nativeMachine.cpuSeconds));
  const ecsCpuSeconds = median(rounds.map((r) => r.ecsMachine.cpuSeconds));
  return {
    nativeCpuSeconds: round(nativeCpuSeconds, 1),
    ecsCpuSeconds: round(ecsCpuSeconds, 1),
    cpuRatio: nativeCpuSeconds > 0 ? round(ecsCpuSeconds / nativeCpuSeconds, 2) : 0,
    nativeBusyPercent: round(median(rounds.map((r) => r.nativeMachine.busyPercent)), 0),
    ecsBusyPercent: round(median(rounds.map((r) => r.ecsMachine.busyPercent)), 0),
    byProcess: processBreakdown(rounds),
  };
}

function processBreakdown(rounds: readonly RoundResult[]): ScenarioSummary['machine']['byProcess'] {
  const names = [...new Set(rounds.flatMap((r) => [...Object.keys(r.nativeMachine.byProcess), ...Object.keys(r.ecsMachine.byProcess)]))];
  return names
    .map((name) => ({
      process: name,
      native: round(median(rounds.map((r) => r.nativeMachine.byProcess[name] ?? 0)), 1),
      ecs: round(median(rounds.map((r) => r.ecsMachine.byProcess[name] ?? 0)), 1),
    }))
    .filter((p) => p.native >= 0.1 || p.ecs >= 0.1)
    .sort((a, b) => Math.abs(b.ecs - b.native) - Math.abs(a.ecs - a.native) || a.process.localeCompare(b.process));
}

export function summarizeScenario(runs: ScenarioRuns): ScenarioSummary {
  const nativeMedianMs = median(runs.rounds.map((r) => r.nativeMs));
  const ecsMedianMs = median(runs.rounds.map((r) => r.ecsMs));
  return {
    name: runs.name,
    tasks: runs.tasks,
    nativeMedianMs: Math.round(nativeMedianMs),
    ecsMedianMs: Math.round(ecsMedianMs),
    ratio: round(ecsMedianMs / nativeMedianMs, 2),
    operatorPeakRssMiB: round(runs.operatorPeakRssMiB, 1),
    operatorCpuSeconds: round(median(runs.rounds.map((r) => r.operator.cpuSeconds)), 2),
    requestsPerTask: medianPerTask(
      runs.rounds.map((r) => r.operator.requestsByVerb),
      runs.tasks,
    ),
    machine: machineSummary(runs.rounds),
    wallSeconds: Math.round(runs.wallSeconds),
    perRound: runs.rounds.map((r) => ({
      round: r.round,
      first: r.first,
      nativeMs: Math.round(r.nativeMs),
      ecsMs: Math.round(r.ecsMs),
      operatorCpuSeconds: round(r.operator.cpuSeconds, 2),
      requests: r.operator.requestsByVerb,
    })),
  };
}

export function summarizeSteadyState(run: SteadyStateRun): SteadyStateSummary {
  const minutes = run.usage.seconds / 60;
  return {
    tasks: run.tasks,
    writesPerMinute: round(run.writes / minutes, 2),
    cpuSecondsPerMinute: round(run.usage.cpuSeconds / minutes, 2),
    operatorRssMiB: round(run.operatorRssMiB, 1),
    operatorPeakRssMiB: round(run.operatorPeakRssMiB, 1),
    requestsPerMinute: Object.fromEntries(
      Object.entries(run.usage.requestsByVerb)
        .filter(([, n]) => n !== 0)
        .map(([verb, n]) => [verb, round(n / minutes, 2)]),
    ),
    writesPerMinuteByResource: Object.fromEntries(
      Object.entries(run.usage.requestsByResource)
        .filter(([key, n]) => n !== 0 && WRITE_VERB_SET.has(key.split(' ')[0]!))
        .map(([key, n]) => [key, round(n / minutes, 2)]),
    ),
    ...(run.operatorHeapUsedMiB === undefined ? {} : { operatorHeapUsedMiB: round(run.operatorHeapUsedMiB, 1) }),
    services: run.services,
    windowSeconds: round(run.usage.seconds, 1),
    resyncPeriodSeconds: run.resyncPeriodSeconds,
    convergeSeconds: round(run.convergeMs / 1000, 1),
    figuresSeconds: round(run.figuresMs / 1000, 1),
    stayedConverged: run.stayedConverged,
    wallSeconds: Math.round(run.wallSeconds),
  };
}

const seconds = (ms: number): string => (ms / 1000).toFixed(2);
const verbs = (requests: Record<string, number>): string =>
  Object.entries(requests)
    .map(([verb, n]) => `${verb} ${n}`)
    .join(', ') || 'none';

export function markdown(report: Report): string {
  const lines: string[] = [];
  const small = report.scale < 1;
  lines.push(
    `Commit \`${report.commit.slice(0, 12)}\`, ${report.nodes} simulated nodes, median of ${report.rounds} round${report.rounds === 1 ? '' : 's'} (the side that goes first alternates), run ${report.startedAt} in ${Math.round(report.durationSeconds / 60)} min.`,
  );
  if (small) lines.push('', `**Small-scale run: sizes are ${report.scale} × the benchmark's (BENCH_SCALE=${report.scale}); not the benchmark's numbers.**`);
  lines.push('');
  lines.push(
    '| Scenario | Tasks | Native median (s) | ECS median (s) | ECS / native | Operator peak RSS (MiB) | Operator CPU (s) | Operator requests per task |',
  );
  lines.push('|---|---:|---:|---:|---:|---:|---:|---|');
  for (const s of report.scenarios) {
    lines.push(
      `| ${s.name} | ${s.tasks} | ${seconds(s.nativeMedianMs)} | ${seconds(s.ecsMedianMs)} | ${s.ratio.toFixed(2)} | ${s.operatorPeakRssMiB.toFixed(0)} | ${s.operatorCpuSeconds.toFixed(2)} | ${verbs(s.requestsPerTask)} |`,
    );
  }
  if (report.scenarios.length > 0) {
    lines.push('');
    lines.push(
      'The whole machine during the timed runs (control plane, kwok, the operator and the bench, every core): where it is busy most of the time, the side that asks more of the API server takes longer by about its extra CPU.',
    );
    lines.push('');
    lines.push('| Scenario | Machine CPU native (s) | Machine CPU ECS (s) | ECS / native CPU | Busy native (%) | Busy ECS (%) |');
    lines.push('|---|---:|---:|---:|---:|---:|');
    for (const s of report.scenarios) {
      const m = s.machine;
      lines.push(
        `| ${s.name} | ${m.nativeCpuSeconds.toFixed(1)} | ${m.ecsCpuSeconds.toFixed(1)} | ${m.cpuRatio.toFixed(2)} | ${m.nativeBusyPercent} | ${m.ecsBusyPercent} |`,
      );
    }
    lines.push('');
    lines.push('CPU seconds by process during the timed runs (medians, native → ECS; kernel threads left out), the largest differences first:');
    lines.push('');
    for (const s of report.scenarios) {
      const top = s.machine.byProcess
        .filter((p) => !/^(kworker|kdamond|ksoftirqd|rcu_)/.test(p.process))
        .slice(0, 5)
        .map((p) => `${p.process} ${p.native} → ${p.ecs}`);
      lines.push(`- ${s.name}: ${top.join(', ') || 'not measured'}`);
    }
  }
  const steady = report.steadyState;
  if (steady) {
    lines.push('');
    lines.push(
      `Steady state: ${steady.tasks} tasks in ${steady.services} Services converged in ${steady.convergeSeconds} s (their utilization shown after ${steady.figuresSeconds} s), then watched for ${steady.windowSeconds} s with a resync every ${steady.resyncPeriodSeconds} s${steady.stayedConverged ? '' : ' (**some tasks were no longer RUNNING at its end**)'}.`,
    );
    lines.push('');
    lines.push('| Tasks | API writes per minute | Operator CPU (s per minute) | Operator RSS (MiB) | V8 heap used (MiB) | Operator requests per minute |');
    lines.push('|---:|---:|---:|---:|---:|---|');
    lines.push(
      `| ${steady.tasks} | ${steady.writesPerMinute} | ${steady.cpuSecondsPerMinute.toFixed(2)} | ${steady.operatorRssMiB.toFixed(0)} | ${steady.operatorHeapUsedMiB?.toFixed(0) ?? '-'} | ${verbs(steady.requestsPerMinute)} |`,
    );
    if (Object.keys(steady.writesPerMinuteByResource).length > 0) lines.push('', `Writes per minute by resource: ${verbs(steady.writesPerMinuteByResource)}.`);
  }
  for (const failure of report.failures ?? []) {
    lines.push('', `**${failure.name} failed:** ${failure.error.replace(/\s+/g, ' ')}`);
  }
  lines.push('');
  lines.push(
    "Times run from the action (apply, or the new revision) until every task is RUNNING and the status says so. CPU and requests are the operator's own (a separate process running the compiled CLI, `node dist/operator/src/cli/main.js run`, with the client-side rate limits kube-controller-manager has in this control plane: `--kube-api-qps 5000 --kube-api-burst 10000`) during the ECS runs; requests per task are the median over rounds of the requests by verb divided by the tasks converged.",
  );
  if (report.scenarios.length > 0) {
    lines.push('');
    lines.push(report.scenarios.map((s) => `![${s.name}](${s.name}.svg)`).join(' '));
  }
  return `${lines.join('\n')}\n`;
}

/** The scenario's chart: the run of each side nearest its median. */
export function chart(runs: ScenarioRuns): string {
  const native = runs.rounds[medianIndex(runs.rounds.map((r) => r.nativeMs))]!;
  const ecs = runs.rounds[medianIndex(runs.rounds.map((r) => r.ecsMs))]!;
  return lineChart({
    title: `${runs.name}: ${runs.tasks} tasks, ECS vs native (median rounds)`,
    yLabel: runs.runningLabel,
    lines: [
      { label: `ECS (round ${ecs.round}, ${seconds(ecs.ecsMs)} s)`, color: '#d62728', points: ecs.ecsSeries },
      { label: `native (round ${native.round}, ${seconds(native.nativeMs)} s)`, color: '#1f77b4', points: native.nativeSeries },
    ],
  });
}
