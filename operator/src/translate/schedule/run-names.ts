// The names of a schedule's Tasks: `<schedule>-<unix minutes of the scheduled time>`, and `-<n>` for each of
// several Tasks per run. The name alone says which time a Task ran, so creating it twice fails with
// AlreadyExists instead of running the time twice; and Task names are Pod names, DNS labels of at most 63.
import { toShortDnsLabel } from '../names.js';

export const MAX_TASKS_PER_RUN = 10;
/** Unix minutes up to the year 2199 have 9 digits; `-` and the count suffix `-10` leave 63 - 13 = 50. */
const PREFIX_MAX = 63 - '-'.length - 9 - `-${MAX_TASKS_PER_RUN}`.length;

/** The Task names of the run of `scheduledTime`: one, or `count` numbered from 1. */
export function runTaskNames(scheduleName: string, scheduledTime: Date, count: number): string[] {
  const base = `${toShortDnsLabel(scheduleName, PREFIX_MAX)}-${Math.floor(scheduledTime.getTime() / 60_000)}`;
  if (count === 1) return [base];
  return Array.from({ length: count }, (_, index) => `${base}-${index + 1}`);
}
