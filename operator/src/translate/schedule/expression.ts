// EventBridge schedule expressions: `cron(...)`, `rate(value unit)` and `at(yyyy-mm-ddThh:mm:ss)`, parsed
// once into what the next-run calculator reads. Every error names spec.scheduleExpression, the field and the
// token, as the API server's CEL rules cannot say more than "must start with cron(, rate( or at(".
import type { Issue } from '../issues.js';
import { CRON_FIELDS, CronFieldError, parseCronFields, type CronSchedule } from './cron.js';
import { daysInMonth, type LocalTime } from './time-zone.js';

export const SCHEDULE_EXPRESSION_PATH = 'spec.scheduleExpression';

export interface RateSchedule {
  type: 'rate';
  value: number;
  unit: 'minutes' | 'hours' | 'days';
  /** The interval: a day is 24 hours, as EventBridge counts it, whatever daylight saving does. */
  intervalMillis: number;
}

export interface AtSchedule {
  type: 'at';
  /** The wall-clock time of the one run, in the schedule's time zone. */
  local: LocalTime;
}

export type Schedule = CronSchedule | RateSchedule | AtSchedule;

export type ScheduleParseResult = { ok: true; schedule: Schedule } | { ok: false; issue: Issue };

const UNIT_MILLIS = { minutes: 60_000, hours: 3_600_000, days: 86_400_000 } as const;

function invalid(message: string): ScheduleParseResult {
  return { ok: false, issue: { path: SCHEDULE_EXPRESSION_PATH, message } };
}

function parseRate(body: string, expression: string): ScheduleParseResult {
  const parts = body.trim().split(/\s+/);
  if (parts.length !== 2) return invalid(`${expression}: rate() takes a value and a unit, e.g. rate(5 minutes)`);
  const [valueText = '', unitText = ''] = parts;
  if (!/^[1-9]\d{0,8}$/.test(valueText)) return invalid(`${expression}: the rate value '${valueText}' must be a positive whole number`);
  const value = Number(valueText);
  const singular = /^(minute|hour|day)$/.exec(unitText);
  const plural = /^(minutes|hours|days)$/.exec(unitText);
  if (!singular && !plural) return invalid(`${expression}: the rate unit '${unitText}' must be minute(s), hour(s) or day(s)`);
  if (value === 1 && plural) return invalid(`${expression}: a rate of 1 takes the singular unit '${unitText.slice(0, -1)}'`);
  if (value !== 1 && singular) return invalid(`${expression}: a rate of ${value} takes the plural unit '${unitText}s'`);
  const unit = (plural ? unitText : `${unitText}s`) as RateSchedule['unit'];
  return { ok: true, schedule: { type: 'rate', value, unit, intervalMillis: value * UNIT_MILLIS[unit] } };
}

function parseAt(body: string, expression: string): ScheduleParseResult {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$/.exec(body);
  if (!match) return invalid(`${expression}: at() takes a local date and time, yyyy-mm-ddThh:mm:ss (no zone; scheduleExpressionTimezone gives it)`);
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number) as [number, number, number, number, number, number];
  if (month < 1 || month > 12) return invalid(`${expression}: month ${month} is not 01-12`);
  if (day < 1 || day > daysInMonth(year, month)) return invalid(`${expression}: ${year}-${match[2]} has no day ${match[3]}`);
  if (hour > 23 || minute > 59 || second > 59) return invalid(`${expression}: '${match[4]}:${match[5]}:${match[6]}' is not a time of day`);
  return { ok: true, schedule: { type: 'at', local: { year, month, day, hour, minute, second } } };
}

function parseCron(body: string, expression: string): ScheduleParseResult {
  const fields = body
    .trim()
    .split(/\s+/)
    .filter((field) => field !== '');
  if (fields.length !== CRON_FIELDS.length) {
    return invalid(`${expression}: cron() takes six fields (${CRON_FIELDS.join(' ')}), found ${fields.length}`);
  }
  try {
    return { ok: true, schedule: parseCronFields(fields) };
  } catch (error) {
    if (!(error instanceof CronFieldError)) throw error;
    const position = CRON_FIELDS.indexOf(error.field) + 1;
    return invalid(`${expression}: ${error.field} (field ${position}) '${error.token}': ${error.message}`);
  }
}

/** Parses an EventBridge schedule expression. */
export function parseScheduleExpression(expression: string): ScheduleParseResult {
  const match = /^(cron|rate|at)\((.*)\)$/s.exec(expression.trim());
  if (!match) return invalid(`'${expression}' must be cron(...), rate(value unit) or at(yyyy-mm-ddThh:mm:ss)`);
  const [, kind, body = ''] = match;
  if (kind === 'rate') return parseRate(body, expression);
  if (kind === 'at') return parseAt(body, expression);
  return parseCron(body, expression);
}
