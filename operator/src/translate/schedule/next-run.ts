// When a schedule runs: cron() and at() in the schedule's time zone, following EventBridge Scheduler across
// daylight saving changes (a local time the change skips does not run; one it repeats runs once, the first
// time); rate() every interval from its start, EventBridge's creation time or StartDate.
import { cronDays, type CronSchedule } from './cron.js';
import { parseScheduleExpression, type Schedule } from './expression.js';
import { instantOf, localTimeOf } from './time-zone.js';

export interface ScheduleClock {
  /** IANA time zone of cron() and at(); default UTC. */
  timeZone?: string;
  /** When a rate() schedule starts: it runs at `start`, then every interval. */
  start: Date;
}

/** A parsed schedule, or the expression to parse (an invalid one throws, naming spec.scheduleExpression). */
export type ScheduleInput = Schedule | string;

function scheduleOf(input: ScheduleInput): Schedule {
  if (typeof input !== 'string') return input;
  const parsed = parseScheduleExpression(input);
  if (!parsed.ok) throw new Error(`${parsed.issue.path}: ${parsed.issue.message}`);
  return parsed.schedule;
}

function nextCronRun(schedule: CronSchedule, after: Date, timeZone: string): Date | undefined {
  // Local times in order from the minute `after` falls in; the first whose instant is later than `after`.
  const from = localTimeOf(after, timeZone);
  for (const year of schedule.years) {
    if (year < from.year) continue;
    const sameYear = year === from.year;
    for (const month of schedule.months) {
      if (sameYear && month < from.month) continue;
      const sameMonth = sameYear && month === from.month;
      for (const day of cronDays(schedule, year, month)) {
        if (sameMonth && day < from.day) continue;
        const sameDay = sameMonth && day === from.day;
        for (const hour of schedule.hours) {
          if (sameDay && hour < from.hour) continue;
          const sameHour = sameDay && hour === from.hour;
          for (const minute of schedule.minutes) {
            if (sameHour && minute < from.minute) continue;
            const instant = instantOf({ year, month, day, hour, minute, second: 0 }, timeZone);
            if (instant && instant.getTime() > after.getTime()) return instant;
          }
        }
      }
    }
  }
  return undefined;
}

/** The first run strictly after `after`, or undefined when the schedule has no more. */
export function nextRun(input: ScheduleInput, after: Date, clock: ScheduleClock): Date | undefined {
  const schedule = scheduleOf(input);
  const timeZone = clock.timeZone ?? 'UTC';
  switch (schedule.type) {
    case 'cron':
      return nextCronRun(schedule, after, timeZone);
    case 'rate': {
      const start = clock.start.getTime();
      const elapsed = after.getTime() - start;
      const intervals = elapsed < 0 ? 0 : Math.floor(elapsed / schedule.intervalMillis) + 1;
      return new Date(start + intervals * schedule.intervalMillis);
    }
    case 'at': {
      const instant = instantOf(schedule.local, timeZone);
      return instant && instant.getTime() > after.getTime() ? instant : undefined;
    }
  }
}

export interface RunsBetween {
  /** The runs in (from, to], oldest first, at most `limit`. */
  times: Date[];
  /** Whether more runs fall in (from, to] than `limit`. */
  truncated: boolean;
}

/** The runs after `from` up to and including `to`, at most `limit` of them (default 1000). */
export function runsBetween(input: ScheduleInput, from: Date, to: Date, clock: ScheduleClock, limit = 1000): RunsBetween {
  const schedule = scheduleOf(input);
  const times: Date[] = [];
  for (let next = nextRun(schedule, from, clock); next && next.getTime() <= to.getTime(); next = nextRun(schedule, next, clock)) {
    if (times.length === limit) return { times, truncated: true };
    times.push(next);
  }
  return { times, truncated: false };
}
