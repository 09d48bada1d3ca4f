// A ScheduledTask's spec read once for the controller: the parsed expression, its time zone, the window
// in which it may run, and EventBridge's defaults filled in; or the problems, each naming its field, for a
// Valid=False condition. The CRD checks shapes and bounds; this checks what CEL cannot (the cron fields,
// the time zone, the dates).
import type { ConcurrencyPolicy, ScheduledTaskSpec } from '../../api/index.js';
import type { Issue } from '../issues.js';
import { parseScheduleExpression, type Schedule } from './expression.js';
import { isTimeZone } from './time-zone.js';

/** EventBridge's RetryPolicy defaults. */
export const DEFAULT_MAXIMUM_RETRY_ATTEMPTS = 185;
export const DEFAULT_MAXIMUM_EVENT_AGE_SECONDS = 86_400;
export const DEFAULT_SUCCESSFUL_RUNS_HISTORY_LIMIT = 3;
export const DEFAULT_FAILED_RUNS_HISTORY_LIMIT = 1;

export interface ScheduleSettings {
  schedule: Schedule;
  timeZone: string;
  enabled: boolean;
  startDate?: Date;
  endDate?: Date;
  /** FLEXIBLE: each time runs within this many milliseconds after it; 0 when OFF. */
  flexibleWindowMillis: number;
  count: number;
  maximumRetryAttempts: number;
  maximumEventAgeMillis: number;
  concurrencyPolicy: ConcurrencyPolicy;
  successfulRunsHistoryLimit: number;
  failedRunsHistoryLimit: number;
}

export type ScheduleSettingsResult = { ok: true; settings: ScheduleSettings } | { ok: false; issues: Issue[] };

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

function date(value: string | undefined, path: string, issues: Issue[]): Date | undefined {
  if (value === undefined) return undefined;
  const parsed = new Date(value);
  if (!RFC3339.test(value) || Number.isNaN(parsed.getTime())) {
    issues.push({ path, message: `'${value}' is not an RFC 3339 date and time (e.g. 2026-01-01T00:00:00Z)` });
    return undefined;
  }
  return parsed;
}

/** The spec's settings, or every problem found. */
export function scheduleSettings(spec: ScheduledTaskSpec): ScheduleSettingsResult {
  const issues: Issue[] = [];
  const parsed = parseScheduleExpression(spec.scheduleExpression);
  if (!parsed.ok) issues.push(parsed.issue);
  const timeZone = spec.scheduleExpressionTimezone ?? 'UTC';
  if (!isTimeZone(timeZone)) {
    issues.push({ path: 'spec.scheduleExpressionTimezone', message: `'${timeZone}' is not an IANA time zone (e.g. Europe/Berlin, America/New_York, UTC)` });
  }
  const startDate = date(spec.startDate, 'spec.startDate', issues);
  const endDate = date(spec.endDate, 'spec.endDate', issues);
  if (startDate && endDate && endDate.getTime() <= startDate.getTime()) {
    issues.push({ path: 'spec.endDate', message: 'must be later than startDate' });
  }
  const window = spec.flexibleTimeWindow;
  if (window?.mode === 'FLEXIBLE' && window.maximumWindowInMinutes === undefined) {
    issues.push({ path: 'spec.flexibleTimeWindow.maximumWindowInMinutes', message: 'is required when mode is FLEXIBLE' });
  }
  if (!parsed.ok || issues.length > 0) return { ok: false, issues };
  return {
    ok: true,
    settings: {
      schedule: parsed.schedule,
      timeZone,
      enabled: (spec.state ?? 'ENABLED') === 'ENABLED',
      ...(startDate ? { startDate } : {}),
      ...(endDate ? { endDate } : {}),
      flexibleWindowMillis: window?.mode === 'FLEXIBLE' ? (window.maximumWindowInMinutes ?? 0) * 60_000 : 0,
      count: spec.target.count ?? 1,
      maximumRetryAttempts: spec.retryPolicy?.maximumRetryAttempts ?? DEFAULT_MAXIMUM_RETRY_ATTEMPTS,
      maximumEventAgeMillis: (spec.retryPolicy?.maximumEventAgeInSeconds ?? DEFAULT_MAXIMUM_EVENT_AGE_SECONDS) * 1000,
      concurrencyPolicy: spec.concurrencyPolicy ?? 'Allow',
      successfulRunsHistoryLimit: spec.successfulRunsHistoryLimit ?? DEFAULT_SUCCESSFUL_RUNS_HISTORY_LIMIT,
      failedRunsHistoryLimit: spec.failedRunsHistoryLimit ?? DEFAULT_FAILED_RUNS_HISTORY_LIMIT,
    },
  };
}
