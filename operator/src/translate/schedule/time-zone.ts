// Wall-clock time in an IANA time zone, on top of Intl (the tz database Node ships): cron() and at()
// schedules are written in local time, and EventBridge Scheduler reads them in the schedule's time zone.
// A local time skipped by a daylight saving change has no instant; one repeated by it has two, the first
// of which is the one that runs (EventBridge runs such a time once).

/** A wall-clock time: month 1-12, day 1-31, hour 0-23. */
export interface LocalTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterOf(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** Whether `timeZone` is a time zone Intl knows (an IANA name such as `Europe/Berlin`, or `UTC`). */
export function isTimeZone(timeZone: string): boolean {
  if (timeZone === '') return false;
  try {
    formatterOf(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** The wall-clock time of `instant` in `timeZone`. */
export function localTimeOf(instant: Date, timeZone: string): LocalTime {
  const fields: Record<string, number> = {};
  for (const part of formatterOf(timeZone).formatToParts(instant)) {
    if (part.type !== 'literal') fields[part.type] = Number(part.value);
  }
  return { year: fields.year!, month: fields.month!, day: fields.day!, hour: fields.hour!, minute: fields.minute!, second: fields.second! };
}

/** The wall-clock time as if it were UTC, in milliseconds: local times compare and subtract as numbers. */
export function localMillis(local: LocalTime): number {
  return Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute, local.second);
}

/** How far `timeZone` is ahead of UTC at `millis`, in milliseconds (whole seconds). */
function offsetAt(millis: number, timeZone: string): number {
  const whole = Math.floor(millis / 1000) * 1000;
  return localMillis(localTimeOf(new Date(whole), timeZone)) - whole;
}

const HALF_DAY = 12 * 3600 * 1000;

/**
 * The first instant whose wall-clock time in `timeZone` is `local`, or undefined when a daylight saving
 * change skips it. Time zones change their offset at most once in any 24 hours, so the offsets twelve hours
 * either side are the only candidates.
 */
export function instantOf(local: LocalTime, timeZone: string): Date | undefined {
  const wall = localMillis(local);
  const candidates = [offsetAt(wall - HALF_DAY, timeZone), offsetAt(wall + HALF_DAY, timeZone)]
    .map((offset) => wall - offset)
    .filter((instant) => offsetAt(instant, timeZone) === wall - instant)
    .sort((a, b) => a - b);
  return candidates[0] === undefined ? undefined : new Date(candidates[0]);
}

/** Days in `month` (1-12) of `year`. */
export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Day of the week of a date, 1 (Sunday) to 7 (Saturday), as cron numbers them. */
export function dayOfWeek(year: number, month: number, day: number): number {
  return new Date(Date.UTC(year, month - 1, day)).getUTCDay() + 1;
}
