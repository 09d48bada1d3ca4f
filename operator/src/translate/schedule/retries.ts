// Retries of a scheduled run, as EventBridge retries an invocation that failed: a Task of a run that failed to
// start (stopCode TaskFailedToStart: its image could not be pulled, its container could not be created) is
// created again under a new name, up to retryPolicy.maximumRetryAttempts times, while the scheduled time is
// no older than maximumEventAgeInSeconds. A container that ran and exited non-zero is the job's own failure and
// is not retried (EventBridge does not retry a task that started either).
//
// Each Task of a run is a slot, named by its first Task; a retry Task names the attempt it replaces in its
// `retry-of` annotation, so the chain of attempts, and how many there were, lives on the Tasks themselves.
import type { TaskStopCode } from '../../api/index.js';
import { toShortDnsLabel } from '../names.js';
import type { PlannedTask, ScheduleRunTask } from './plan.js';
import type { ScheduleSettings } from './spec.js';

/** A Task of the schedule as retries read it. */
export interface ScheduleTaskAttempt extends ScheduleRunTask {
  stopCode?: TaskStopCode;
  stoppedReason?: string;
  /** The attempt this Task replaces, if it is a retry. */
  retryOf?: string;
}

/** The attempts of one Task of a run: the first Task's name, and the attempt that counts now (the latest). */
export interface RunSlot {
  name: string;
  scheduledTime: Date;
  /** Retries made so far. */
  retries: number;
  latest: ScheduleTaskAttempt;
  /** Every attempt's Task name, the first one first. */
  taskNames: string[];
}

export interface PlannedRetry extends PlannedTask {
  /** The failed attempt it replaces. */
  retryOf: string;
  /** 1 for the first retry. */
  attempt: number;
  /** The slot (the run's first Task of this slot). */
  slot: string;
  /** Why the replaced attempt stopped. */
  reason: string;
}

/** A retry's name: the slot's name (shortened if need be) and `-r<attempt>`, a DNS label of at most 63. */
export function retryTaskName(slot: string, attempt: number): string {
  const suffix = `-r${attempt}`;
  return `${toShortDnsLabel(slot, 63 - suffix.length)}${suffix}`;
}

/** The schedule's Tasks grouped into slots. A retry whose chain does not lead to a Task of the schedule counts as a slot of its own. */
export function runSlots(attempts: readonly ScheduleTaskAttempt[]): RunSlot[] {
  const byName = new Map(attempts.map((attempt) => [attempt.name, attempt]));
  const replaced = new Set(attempts.map((attempt) => attempt.retryOf).filter((name) => name !== undefined && byName.has(name)));
  const slots: RunSlot[] = [];
  for (const latest of attempts) {
    if (replaced.has(latest.name)) continue;
    const chain = [latest.name];
    let current = latest;
    // The chain is at most maximumRetryAttempts long; the bound guards against an annotation loop.
    while (current.retryOf !== undefined && byName.has(current.retryOf) && chain.length <= attempts.length) {
      current = byName.get(current.retryOf)!;
      chain.unshift(current.name);
    }
    slots.push({ name: current.name, scheduledTime: current.scheduledTime, retries: chain.length - 1, latest, taskNames: chain });
  }
  return slots.sort((a, b) => a.name.localeCompare(b.name));
}

/** Slots whose latest attempt failed to start and may be tried again now. */
export function planRetries(slots: readonly RunSlot[], settings: ScheduleSettings, now: Date): PlannedRetry[] {
  if (!settings.enabled) return [];
  return slots
    .filter((slot) => slot.latest.stopCode === 'TaskFailedToStart' && slot.latest.outcome === 'failed')
    .filter((slot) => slot.retries < settings.maximumRetryAttempts && now.getTime() - slot.scheduledTime.getTime() <= settings.maximumEventAgeMillis)
    .map((slot) => ({
      name: retryTaskName(slot.name, slot.retries + 1),
      scheduledTime: slot.scheduledTime,
      retryOf: slot.latest.name,
      attempt: slot.retries + 1,
      slot: slot.name,
      reason: slot.latest.stoppedReason ?? 'Task failed to start',
    }));
}
