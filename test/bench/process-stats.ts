// Reading what a process costs and what it asked of the API server: /proc/<pid>/status and /proc/<pid>/stat
// (Linux), and the operator's Prometheus counter of API requests. Pure parsers, and one reader of /proc.
import { readdirSync, readFileSync } from 'node:fs';

/** Resident set size (VmRSS) and its peak (VmHWM) in MiB, from the text of /proc/<pid>/status. */
export function parseStatusMemory(text: string): { rssMiB: number; peakRssMiB: number } {
  const kib = (field: string): number => {
    const match = new RegExp(`^${field}:\\s+(\\d+)\\s+kB$`, 'm').exec(text);
    if (!match) throw new Error(`/proc status has no ${field} line`);
    return Number(match[1]);
  };
  return { rssMiB: kib('VmRSS') / 1024, peakRssMiB: kib('VmHWM') / 1024 };
}

/**
 * User plus system CPU time in clock ticks, from the text of /proc/<pid>/stat. The command name (field 2) is
 * in parentheses and may hold spaces, so fields are counted from the last ')'.
 */
export function parseStatCpuTicks(text: string): number {
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // After the name: state is field 3, so utime (14) and stime (15) are at indexes 11 and 12.
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isInteger(utime) || !Number.isInteger(stime)) throw new Error('/proc stat: no utime/stime fields');
  return utime + stime;
}

/** Clock ticks per second of /proc/<pid>/stat: USER_HZ, 100 on every Linux architecture Node runs on. */
export const CLOCK_TICKS_PER_SECOND = 100;

/**
 * The whole machine's CPU time from the text of /proc/stat (its first, `cpu`, line), in clock ticks: busy (user,
 * nice, system, irq, softirq, steal) and all of it (idle and iowait as well), summed over every core.
 */
export function parseMachineCpuTicks(text: string): { busy: number; total: number } {
  const line = text.split('\n').find((l) => l.startsWith('cpu '));
  if (!line) throw new Error('/proc/stat has no cpu line');
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = line.trim().split(/\s+/).slice(1).map(Number);
  const busy = user + nice + system + irq + softirq + steal;
  return { busy, total: busy + idle + iowait };
}

export interface MachineSample {
  busySeconds: number;
  totalSeconds: number;
  /** CPU seconds so far of the processes alive, summed by name (sampleCpuByProcess). */
  byProcess: Record<string, number>;
}

/** The command name (comm, in parentheses) of the text of /proc/<pid>/stat. */
export function parseStatCommand(text: string): string {
  return text.slice(text.indexOf('(') + 1, text.lastIndexOf(')'));
}

/**
 * CPU seconds so far of every live process, summed by name: `named` pids by the name given (the operator, the
 * bench itself: both are `node`), the others by their command name (kube-apiserver, etcd, kwok-controller ...).
 * A process that exited between two samples is missing from the second: short-lived ones go uncounted here.
 */
export function sampleCpuByProcess(named: Readonly<Record<string, number>> = {}): Record<string, number> {
  const names = new Map(Object.entries(named).map(([name, pid]) => [pid, name]));
  const sums: Record<string, number> = {};
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const text = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const name = names.get(Number(entry)) ?? parseStatCommand(text);
      sums[name] = (sums[name] ?? 0) + parseStatCpuTicks(text) / CLOCK_TICKS_PER_SECOND;
    } catch {
      // gone meanwhile
    }
  }
  return sums;
}

/** The machine's CPU seconds so far: busy, and all (cores × time), and by process. */
export function sampleMachine(named: Readonly<Record<string, number>> = {}): MachineSample {
  const { busy, total } = parseMachineCpuTicks(readFileSync('/proc/stat', 'utf8'));
  return { busySeconds: busy / CLOCK_TICKS_PER_SECOND, totalSeconds: total / CLOCK_TICKS_PER_SECOND, byProcess: sampleCpuByProcess(named) };
}

/** What the whole machine (control plane, kwok, operator, bench) spent between two samples: CPU seconds, how busy it was, by process. */
export function machineUsageBetween(before: MachineSample, after: MachineSample): MachineUsage {
  const busy = after.busySeconds - before.busySeconds;
  const total = after.totalSeconds - before.totalSeconds;
  const byProcess = Object.fromEntries(
    Object.entries(after.byProcess)
      .map(([name, seconds]) => [name, seconds - (before.byProcess[name] ?? 0)] as const)
      .filter(([, seconds]) => seconds >= 0.05),
  );
  return { cpuSeconds: busy, busyPercent: total > 0 ? (100 * busy) / total : 0, byProcess };
}

export interface MachineUsage {
  cpuSeconds: number;
  /** Busy share of every core's time, 0-100. */
  busyPercent: number;
  /** CPU seconds by process name (at least 0.05). */
  byProcess: Record<string, number>;
}

export interface ProcessSample {
  /** performance.now() of the sample. */
  at: number;
  rssMiB: number;
  peakRssMiB: number;
  cpuSeconds: number;
}

/** One sample of a live process; undefined once it has exited. */
export function sampleProcess(pid: number): ProcessSample | undefined {
  try {
    const memory = parseStatusMemory(readFileSync(`/proc/${pid}/status`, 'utf8'));
    const ticks = parseStatCpuTicks(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    return { at: performance.now(), ...memory, cpuSeconds: ticks / CLOCK_TICKS_PER_SECOND };
  } catch {
    return undefined;
  }
}

/**
 * The samples of one Prometheus counter in the text exposition format, summed by one label:
 * `requests_total{verb="create",resource="pods"} 3` and `{verb="create",resource="replicasets.apps"} 2` give { create: 5 }.
 */
export function sumCounterByLabel(exposition: string, metric: string, label: string): Record<string, number> {
  return sumCounterByLabels(exposition, metric, [label]);
}

/**
 * The samples of one counter summed by several labels' values, joined with a space:
 * `{verb="patch",resource="services.ecs.operator.dev/status"} 7` by ['verb', 'resource'] gives { 'patch services.ecs.operator.dev/status': 7 }.
 */
export function sumCounterByLabels(exposition: string, metric: string, labels: readonly string[]): Record<string, number> {
  const sums: Record<string, number> = {};
  const line = new RegExp(`^${metric}\\{([^}]*)\\}\\s+(\\S+)`);
  for (const text of exposition.split('\n')) {
    const match = line.exec(text);
    if (!match) continue;
    const values = labels.map((label) => new RegExp(`(?:^|,)${label}="([^"]*)"`).exec(match[1]!)?.[1]);
    if (values.some((value) => value === undefined)) continue;
    const key = values.join(' ');
    sums[key] = (sums[key] ?? 0) + Number(match[2]);
  }
  return sums;
}

/** The value of an unlabelled gauge in the text exposition format; undefined when absent. */
export function gaugeValue(exposition: string, metric: string): number | undefined {
  const match = new RegExp(`^${metric}\\s+(\\S+)`, 'm').exec(exposition);
  return match ? Number(match[1]) : undefined;
}

/** `after - before` for every key of either (a counter that appears later started at 0). */
export function counterDelta(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return Object.fromEntries([...keys].sort().map((key) => [key, (after[key] ?? 0) - (before[key] ?? 0)]));
}
