// EventBridge's six-field cron: `minutes hours day-of-month month day-of-week year`. Each field is a list of
// values, ranges (`8-17`) and steps (`0/15`, `*/5`, `10-50/20`); months and days of the week may be named
// (JAN-DEC, SUN-SAT; Sunday is 1). Exactly one of day-of-month and day-of-week is `?`. Day-of-month also
// takes `L` (the last day), `LW` (the last weekday) and `15W` (the weekday nearest the 15th, within the
// month); day-of-week takes `5L` (the last Thursday), `L` (Saturday, the last day of the week) and `6#3`
// (the third Friday). Years run from 1970 to 2199.
import { dayOfWeek, daysInMonth } from './time-zone.js';

export const CRON_FIELDS = ['minutes', 'hours', 'day-of-month', 'month', 'day-of-week', 'year'] as const;
export type CronFieldName = (typeof CRON_FIELDS)[number];

export const FIRST_YEAR = 1970;
export const LAST_YEAR = 2199;

/** A day of the month chosen by a rule that depends on the month. */
type DayRule =
  | { type: 'day'; day: number }
  | { type: 'lastDay' }
  | { type: 'lastWeekday' }
  | { type: 'nearestWeekday'; day: number }
  | { type: 'weekday'; weekday: number }
  | { type: 'lastOfWeekday'; weekday: number }
  | { type: 'nthWeekday'; weekday: number; nth: number };

export interface CronSchedule {
  type: 'cron';
  minutes: number[];
  hours: number[];
  months: number[];
  years: number[];
  /** Which field chooses the days (the other one is `?`), and its rules. */
  days: DayRule[];
}

/** A field's token that is not valid, and why. */
export class CronFieldError extends Error {
  constructor(
    readonly field: CronFieldName,
    readonly token: string,
    reason: string,
  ) {
    super(reason);
  }
}

const MONTH_NAMES = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAY_NAMES = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

interface FieldRange {
  min: number;
  max: number;
  names?: string[];
}

const RANGES: Record<CronFieldName, FieldRange> = {
  minutes: { min: 0, max: 59 },
  hours: { min: 0, max: 23 },
  'day-of-month': { min: 1, max: 31 },
  month: { min: 1, max: 12, names: MONTH_NAMES },
  'day-of-week': { min: 1, max: 7, names: DAY_NAMES },
  year: { min: FIRST_YEAR, max: LAST_YEAR },
};

function describeRange(field: CronFieldName): string {
  const { min, max, names } = RANGES[field];
  return names ? `${min}-${max} or ${names[0]}-${names[names.length - 1]}` : `${min}-${max}`;
}

/** One value of a field: a number in range, or a name where the field has names. */
function value(field: CronFieldName, text: string, token: string): number {
  const { min, max, names } = RANGES[field];
  const named = names?.indexOf(text.toUpperCase()) ?? -1;
  const number = named >= 0 ? named + 1 : /^\d{1,4}$/.test(text) ? Number(text) : NaN;
  if (Number.isNaN(number)) throw new CronFieldError(field, token, `'${text}' is not a value of ${field} (${describeRange(field)})`);
  if (number < min || number > max) throw new CronFieldError(field, token, `${number} is out of range for ${field} (${describeRange(field)})`);
  return number;
}

/** The values of one list item: `*`, `n`, `n-m`, each optionally with `/step`. */
function itemValues(field: CronFieldName, item: string): number[] {
  const { min, max } = RANGES[field];
  const [base = '', step, extra] = item.split('/');
  if (extra !== undefined || base === '') throw new CronFieldError(field, item, `'${item}' is not a value, range or step`);
  let from: number;
  let to: number;
  if (base === '*') {
    [from, to] = [min, max];
  } else if (base.includes('-')) {
    const [start = '', end = '', more] = base.split('-');
    if (more !== undefined) throw new CronFieldError(field, item, `'${item}' is not a range (expected FROM-TO)`);
    [from, to] = [value(field, start, item), value(field, end, item)];
    if (from > to) throw new CronFieldError(field, item, `the range '${base}' runs backwards`);
  } else {
    from = value(field, base, item);
    to = step === undefined ? from : max;
  }
  let increment = 1;
  if (step !== undefined) {
    if (!/^\d{1,4}$/.test(step) || Number(step) < 1) throw new CronFieldError(field, item, `the step '${step}' must be a positive number`);
    increment = Number(step);
  }
  const values: number[] = [];
  for (let v = from; v <= to; v += increment) values.push(v);
  return values;
}

function sortedValues(field: CronFieldName, text: string): number[] {
  const values = new Set(text.split(',').flatMap((item) => itemValues(field, item)));
  return [...values].sort((a, b) => a - b);
}

function dayOfMonthRules(text: string): DayRule[] {
  const field = 'day-of-month';
  return text.split(',').flatMap((item): DayRule[] => {
    const upper = item.toUpperCase();
    if (upper === 'L') return [{ type: 'lastDay' }];
    if (upper === 'LW') return [{ type: 'lastWeekday' }];
    const weekday = /^(\d{1,2})W$/.exec(upper);
    if (weekday) return [{ type: 'nearestWeekday', day: value(field, weekday[1]!, item) }];
    if (/[LW]/.test(upper)) throw new CronFieldError(field, item, `'${item}': day-of-month takes L, LW and DAYW (e.g. 15W), alone in a list item`);
    return itemValues(field, item).map((day) => ({ type: 'day', day }));
  });
}

function dayOfWeekRules(text: string): DayRule[] {
  const field = 'day-of-week';
  return text.split(',').flatMap((item): DayRule[] => {
    const upper = item.toUpperCase();
    if (upper === 'L') return [{ type: 'weekday', weekday: 7 }];
    const last = /^([A-Z]{3}|\d)L$/.exec(upper);
    if (last) return [{ type: 'lastOfWeekday', weekday: value(field, last[1]!, item) }];
    const nth = /^([A-Z]{3}|\d)#(\d+)$/.exec(upper);
    if (nth) {
      const n = Number(nth[2]);
      if (n < 1 || n > 5) throw new CronFieldError(field, item, `'${item}': the week after # must be 1-5`);
      return [{ type: 'nthWeekday', weekday: value(field, nth[1]!, item), nth: n }];
    }
    if (upper.includes('#') || /\dL|L\d/.test(upper))
      throw new CronFieldError(field, item, `'${item}': day-of-week takes DAY#N (e.g. 6#3) and DAYL (e.g. 5L), alone in a list item`);
    return itemValues(field, item).map((weekday) => ({ type: 'weekday', weekday }));
  });
}

/** The six fields of a cron() expression, parsed; throws CronFieldError naming the field and token. */
export function parseCronFields(fields: readonly string[]): CronSchedule {
  const [minutes, hours, dayOfMonth, month, dayOfWeekText, year] = fields as [string, string, string, string, string, string];
  const monthAny = dayOfMonth === '?';
  const weekAny = dayOfWeekText === '?';
  if (monthAny === weekAny) {
    throw new CronFieldError(
      monthAny ? 'day-of-week' : 'day-of-month',
      monthAny ? dayOfWeekText : dayOfMonth,
      'exactly one of day-of-month and day-of-week must be ? (a value or * in one needs ? in the other)',
    );
  }
  for (const [index, text] of fields.entries()) {
    const field = CRON_FIELDS[index]!;
    if (text.includes('?') && text !== '?') throw new CronFieldError(field, text, '? stands alone');
    if (text === '?' && field !== 'day-of-month' && field !== 'day-of-week')
      throw new CronFieldError(field, text, '? is allowed only in day-of-month and day-of-week');
  }
  return {
    type: 'cron',
    minutes: sortedValues('minutes', minutes),
    hours: sortedValues('hours', hours),
    months: sortedValues('month', month),
    years: sortedValues('year', year),
    days: weekAny ? dayOfMonthRules(dayOfMonth) : dayOfWeekRules(dayOfWeekText),
  };
}

/** The weekday (Monday-Friday) nearest `day` without leaving the month, as Quartz's `W` chooses it. */
function nearestWeekday(year: number, month: number, day: number): number {
  const last = daysInMonth(year, month);
  const target = Math.min(day, last);
  const weekday = dayOfWeek(year, month, target);
  if (weekday === 7) return target === 1 ? target + 2 : target - 1;
  if (weekday === 1) return target === last ? target - 2 : target + 1;
  return target;
}

function ruleDay(rule: DayRule, year: number, month: number): number[] {
  const last = daysInMonth(year, month);
  switch (rule.type) {
    case 'day':
      return rule.day <= last ? [rule.day] : [];
    case 'lastDay':
      return [last];
    case 'lastWeekday':
      return [nearestWeekday(year, month, last)];
    case 'nearestWeekday':
      // Quartz reads `31W` in a 30-day month as no day at all.
      return rule.day <= last ? [nearestWeekday(year, month, rule.day)] : [];
    case 'weekday': {
      const first = ((rule.weekday - dayOfWeek(year, month, 1) + 7) % 7) + 1;
      const days: number[] = [];
      for (let day = first; day <= last; day += 7) days.push(day);
      return days;
    }
    case 'lastOfWeekday':
      return [last - ((dayOfWeek(year, month, last) - rule.weekday + 7) % 7)];
    case 'nthWeekday': {
      const day = ((rule.weekday - dayOfWeek(year, month, 1) + 7) % 7) + 1 + 7 * (rule.nth - 1);
      return day <= last ? [day] : [];
    }
  }
}

/** The days of `month` in `year` that the schedule runs on, in order. */
export function cronDays(schedule: CronSchedule, year: number, month: number): number[] {
  return [...new Set(schedule.days.flatMap((rule) => ruleDay(rule, year, month)))].sort((a, b) => a - b);
}
