// Run planning for a ScheduledTask: from the settings, the last scheduled time written to status and the
// schedule's Tasks, which Tasks to create, stop and delete, which times were skipped and why, and when to plan
// again. Pure and level-triggered: the schedule's state lives in its Tasks (whose names carry the scheduled
// time) and status.lastScheduleTime, so planning again after a restart never runs one time twice, and a time
// missed while the operator was away still runs once if it is no older than maximumEventAgeInSeconds.
import { shortHash } from '../hash.js';
import { nextRun, runsBetween, type ScheduleClock } from './next-run.js';
import { runTaskNames } from './run-names.js';
import type { ScheduleSettings } from './spec.js';

/** A Task of the schedule: running until it stops, then succeeded (every essential container exited 0) or failed. */
export type RunTaskOutcome = 'running' | 'succeeded' | 'failed';

export interface ScheduleRunTask {
  name: string;
  /** The time it was started for (the controller records it on the Task). */
  scheduledTime: Date;
  outcome: RunTaskOutcome;
}

export interface RunPlanInput {
  /** The ScheduledTask's name. */
  scheduleName: string;
  settings: ScheduleSettings;
  /** The ScheduledTask's creation time: no earlier time runs, and rate() counts from it. */
  createdAt: Date;
  now: Date;
  /** status.lastScheduleTime as last written. */
  lastScheduleTime?: Date;
  tasks: readonly ScheduleRunTask[];
}

export interface PlannedTask {
  name: string;
  scheduledTime: Date;
}

/**
 * Times that will never run: TooLate (older than maximumEventAgeInSeconds when they could run), Overlap
 * (Forbid or Replace started a newer time instead), Disabled (the schedule was DISABLED).
 */
export interface SkippedTimes {
  reason: 'TooLate' | 'Overlap' | 'Disabled';
  first: Date;
  last: Date;
  count: number;
  /** More times than `count` were skipped (too many to list). */
  more: boolean;
}

export interface RunPlan {
  create: PlannedTask[];
  /** Running Tasks to stop (Replace). */
  stop: string[];
  /**
   * Finished Tasks beyond the history limits, of runs no later than `lastScheduleTime`: delete them only once
   * status records it, so that the newest time run survives in status when its Tasks are gone.
   */
  delete: string[];
  skipped: SkippedTimes[];
  /** For status: the latest time run or skipped. */
  lastScheduleTime?: Date;
  /** For status: the next time to run, if any. */
  nextScheduleTime?: Date;
  /** Plan again at this instant at the latest (a Task that changes plans again sooner). */
  wakeAt?: Date;
}

/** Runs started by one plan under Allow; more due times are started by the next plan, at once. */
export const MAX_RUNS_PER_PLAN = 10;
/** Scheduled times read by one plan. */
const SCAN_LIMIT = 1000;

/**
 * Where in the flexible window a time runs: fixed per schedule and time (a hash of both), so that every plan
 * agrees on it, and spread over the window as EventBridge spreads invocations.
 */
export function flexibleDelayMillis(scheduleName: string, scheduledTime: Date, windowMillis: number): number {
  if (windowMillis < 1000) return 0;
  const seconds = Number.parseInt(shortHash(`${scheduleName}@${scheduledTime.toISOString()}`, 8), 16) % Math.floor(windowMillis / 1000);
  return seconds * 1000;
}

type Decision = 'run' | 'wait' | SkippedTimes['reason'];

const latest = (...dates: Array<Date | undefined>): Date | undefined =>
  dates.reduce<Date | undefined>((a, b) => (b !== undefined && (a === undefined || b.getTime() > a.getTime()) ? b : a), undefined);

/** The skipped times by reason; `unread` is the reason of the times too many to read, if there were. */
function skippedOf(decided: ReadonlyArray<{ time: Date; decision: Decision }>, unread: SkippedTimes['reason'] | undefined): SkippedTimes[] {
  const byReason = new Map<SkippedTimes['reason'], SkippedTimes>();
  for (const { time, decision } of decided) {
    if (decision === 'run' || decision === 'wait') continue;
    const entry = byReason.get(decision);
    if (entry) {
      entry.last = time;
      entry.count += 1;
    } else {
      byReason.set(decision, { reason: decision, first: time, last: time, count: 1, more: false });
    }
  }
  const truncated = unread && byReason.get(unread);
  if (truncated) truncated.more = true;
  return [...byReason.values()];
}

/** Finished runs beyond the history limits, newest kept. */
function historyToDelete(settings: ScheduleSettings, runs: Map<number, ScheduleRunTask[]>, lastScheduleTime: Date | undefined): string[] {
  const recorded = lastScheduleTime?.getTime();
  if (recorded === undefined) return [];
  const kept = { succeeded: settings.successfulRunsHistoryLimit, failed: settings.failedRunsHistoryLimit };
  const remove: string[] = [];
  for (const time of [...runs.keys()].sort((a, b) => b - a)) {
    const tasks = runs.get(time)!;
    if (time > recorded || tasks.some((task) => task.outcome === 'running')) continue;
    const outcome = tasks.some((task) => task.outcome === 'failed') ? 'failed' : 'succeeded';
    if (kept[outcome] > 0) kept[outcome] -= 1;
    else remove.push(...tasks.map((task) => task.name).sort());
  }
  return remove;
}

/** What to do now for one ScheduledTask. */
export function planRuns(input: RunPlanInput): RunPlan {
  const { settings, now, scheduleName } = input;
  const clock: ScheduleClock = { timeZone: settings.timeZone, start: settings.startDate ?? input.createdAt };
  const delay = (time: Date) => flexibleDelayMillis(scheduleName, time, settings.flexibleWindowMillis);
  const dueAt = (time: Date) => time.getTime() + delay(time);

  const runs = new Map<number, ScheduleRunTask[]>();
  for (const task of input.tasks) runs.set(task.scheduledTime.getTime(), [...(runs.get(task.scheduledTime.getTime()) ?? []), task]);
  const newestRun = runs.size > 0 ? new Date(Math.max(...runs.keys())) : undefined;

  // Runs begun but not recorded in status (the operator stopped while creating their Tasks) get the rest.
  const create: PlannedTask[] = [];
  const recorded = input.lastScheduleTime?.getTime() ?? -Infinity;
  for (const [time, tasks] of runs) {
    const scheduledTime = new Date(time);
    if (time <= recorded || !settings.enabled || now.getTime() - dueAt(scheduledTime) > settings.maximumEventAgeMillis) continue;
    const names = runTaskNames(scheduleName, scheduledTime, settings.count);
    const existing = new Set(tasks.map((task) => task.name));
    // A run started with another count is complete as it is.
    if (![...existing].every((name) => names.includes(name))) continue;
    for (const name of names) if (!existing.has(name)) create.push({ name, scheduledTime });
  }

  const completing = create.length > 0;

  // Times after everything run or skipped so far, up to now (and endDate), in order.
  const earliest = latest(input.createdAt, settings.startDate)!;
  const after = latest(new Date(earliest.getTime() - 1), input.lastScheduleTime, newestRun)!;
  const until = new Date(Math.min(now.getTime(), settings.endDate?.getTime() ?? Infinity));
  // Times that could not run even at the end of the flexible window are too late without looking at each.
  const surelyLate = new Date(now.getTime() - settings.maximumEventAgeMillis - settings.flexibleWindowMillis - 1);
  const late =
    surelyLate.getTime() > after.getTime()
      ? runsBetween(settings.schedule, after, new Date(Math.min(surelyLate.getTime(), until.getTime())), clock, SCAN_LIMIT)
      : { times: [], truncated: false };
  const scanFrom = late.truncated ? surelyLate : (late.times.at(-1) ?? after);
  const scan = runsBetween(settings.schedule, scanFrom, until, clock, SCAN_LIMIT);

  const lateReason = settings.enabled ? 'TooLate' : 'Disabled';
  const decided: Array<{ time: Date; decision: Decision }> = late.times.map((time) => ({ time, decision: lateReason }));
  let notYetDue: Date | undefined;
  const due: Date[] = [];
  for (const time of scan.times) {
    if (dueAt(time) > now.getTime()) {
      notYetDue = time;
      break;
    }
    const decision = !settings.enabled ? 'Disabled' : now.getTime() - dueAt(time) > settings.maximumEventAgeMillis ? 'TooLate' : 'wait';
    decided.push({ time, decision });
    if (decision === 'wait') due.push(time);
  }

  // Which due times run: all of them under Allow (a few per plan); under Forbid and Replace only the newest,
  // once nothing else of the schedule runs (Forbid) or after stopping what runs (Replace).
  const running = input.tasks
    .filter((task) => task.outcome === 'running')
    .map((task) => task.name)
    .sort();
  const stop: string[] = [];
  if (settings.concurrencyPolicy === 'Allow') {
    for (const entry of decided) if (entry.decision === 'wait' && due.indexOf(entry.time) < MAX_RUNS_PER_PLAN) entry.decision = 'run';
  } else if (due.length > 0 && !completing && (settings.concurrencyPolicy === 'Replace' || running.length === 0)) {
    const newest = due.at(-1)!;
    for (const entry of decided) if (entry.decision === 'wait') entry.decision = entry.time === newest ? 'run' : 'Overlap';
    if (settings.concurrencyPolicy === 'Replace') stop.push(...running);
  }

  // Everything up to the first time still waiting is decided for good; later times are decided again next time.
  const firstWaiting = decided.findIndex((entry) => entry.decision === 'wait');
  const final = firstWaiting < 0 ? decided : decided.slice(0, firstWaiting);
  for (const { time, decision } of final) {
    if (decision === 'run') for (const name of runTaskNames(scheduleName, time, settings.count)) create.push({ name, scheduledTime: time });
  }
  // When too many times were too late to read them all, the last of them is somewhere before `surelyLate`.
  const lastDecided = latest(final.at(-1)?.time, late.truncated ? surelyLate : undefined);
  const lastScheduleTime = latest(input.lastScheduleTime, newestRun, lastDecided);

  // The next time: the first still waiting, the first not yet due, or the first after what was read.
  const waiting = firstWaiting < 0 ? undefined : decided[firstWaiting]!.time;
  const readUpTo = scan.truncated ? scan.times.at(-1)! : until;
  const candidate = waiting ?? notYetDue ?? nextRun(settings.schedule, latest(readUpTo, after)!, clock);
  const nextScheduleTime = candidate && candidate.getTime() <= (settings.endDate?.getTime() ?? Infinity) ? candidate : undefined;

  // More to do at once (times left unread, beyond the runs of one plan, or after a run is complete); a time
  // Forbid holds back is skipped when it grows too old, unless the running Task stops first; otherwise the next time.
  const moreNow = scan.truncated || (settings.concurrencyPolicy === 'Allow' ? due.length > MAX_RUNS_PER_PLAN : completing && due.length > 0);
  let wakeAt: Date | undefined;
  if (moreNow) wakeAt = now;
  else if (waiting) wakeAt = new Date(dueAt(waiting) + settings.maximumEventAgeMillis + 1);
  else if (nextScheduleTime) wakeAt = new Date(dueAt(nextScheduleTime));

  return {
    create,
    stop,
    delete: historyToDelete(settings, runs, lastScheduleTime),
    skipped: skippedOf(final, late.truncated ? lateReason : undefined),
    ...(lastScheduleTime ? { lastScheduleTime } : {}),
    ...(nextScheduleTime ? { nextScheduleTime } : {}),
    ...(wakeAt ? { wakeAt } : {}),
  };
}
