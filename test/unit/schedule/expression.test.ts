import { expect } from 'chai';
import { parseScheduleExpression } from '../../../operator/src/translate/schedule/expression.js';
import { scheduleSettings } from '../../../operator/src/translate/schedule/spec.js';
import { runTaskNames } from '../../../operator/src/translate/schedule/run-names.js';

function error(expression: string): string {
  const parsed = parseScheduleExpression(expression);
  if (parsed.ok) throw new Error(`${expression} was accepted`);
  expect(parsed.issue.path).to.equal('spec.scheduleExpression');
  return parsed.issue.message;
}

describe('schedule: expressions', () => {
  it('parses cron() fields into values, names and rules', () => {
    const parsed = parseScheduleExpression('cron(0/20 8-10,17 ? jan-MAR,DEC mon-fri,7 2026)');
    expect(parsed.ok && parsed.schedule).to.deep.include({
      type: 'cron',
      minutes: [0, 20, 40],
      hours: [8, 9, 10, 17],
      months: [1, 2, 3, 12],
      years: [2026],
    });
    const weekly = parseScheduleExpression('cron(0 0 ? * 6#3,5L *)');
    expect(weekly.ok && weekly.schedule.type === 'cron' && weekly.schedule.days).to.deep.equal([
      { type: 'nthWeekday', weekday: 6, nth: 3 },
      { type: 'lastOfWeekday', weekday: 5 },
    ]);
  });

  it('parses rate() with EventBridge units and at() as a local time', () => {
    expect(parseScheduleExpression('rate(1 minute)')).to.deep.equal({
      ok: true,
      schedule: { type: 'rate', value: 1, unit: 'minutes', intervalMillis: 60_000 },
    });
    expect(parseScheduleExpression('rate(12 hours)')).to.deep.include({ ok: true });
    expect(parseScheduleExpression('at(2026-01-01T00:00:00)')).to.deep.equal({
      ok: true,
      schedule: { type: 'at', local: { year: 2026, month: 1, day: 1, hour: 0, minute: 0, second: 0 } },
    });
  });

  describe('refuses invalid expressions, naming the field and the token', () => {
    const cases: Array<[string, string]> = [
      ['0 10 * * ? *', 'must be cron(...), rate(value unit) or at(yyyy-mm-ddThh:mm:ss)'],
      ['cron(0 10 * * ?)', 'cron() takes six fields (minutes hours day-of-month month day-of-week year), found 5'],
      ['cron(0 10 * * * *)', "day-of-month (field 3) '*': exactly one of day-of-month and day-of-week must be ?"],
      ['cron(0 10 ? * ? *)', "day-of-week (field 5) '?': exactly one of day-of-month and day-of-week must be ?"],
      ['cron(60 10 * * ? *)', "minutes (field 1) '60': 60 is out of range for minutes (0-59)"],
      ['cron(0 24 * * ? *)', "hours (field 2) '24': 24 is out of range for hours (0-23)"],
      ['cron(0 10 32 * ? *)', "day-of-month (field 3) '32': 32 is out of range for day-of-month (1-31)"],
      ['cron(0 10 * FOO ? *)', "month (field 4) 'FOO': 'FOO' is not a value of month (1-12 or JAN-DEC)"],
      ['cron(0 10 ? * FRX *)', "day-of-week (field 5) 'FRX': 'FRX' is not a value of day-of-week (1-7 or SUN-SAT)"],
      ['cron(0 10 * * ? 1969)', "year (field 6) '1969': 1969 is out of range for year (1970-2199)"],
      ['cron(0 10 * * ? 2200)', "year (field 6) '2200': 2200 is out of range for year (1970-2199)"],
      ['cron(0 17-8 * * ? *)', "hours (field 2) '17-8': the range '17-8' runs backwards"],
      ['cron(0/0 10 * * ? *)', "minutes (field 1) '0/0': the step '0' must be a positive number"],
      ['cron(0 10 ? * 6#6 *)', "day-of-week (field 5) '6#6': '6#6': the week after # must be 1-5"],
      ['cron(0 10 ? * 8L *)', "day-of-week (field 5) '8L': 8 is out of range for day-of-week (1-7 or SUN-SAT)"],
      ['cron(0 10 L-2 * ? *)', "day-of-month (field 3) 'L-2'"],
      ['cron(0 10 * * 1,? *)', "day-of-month (field 3) '*'"],
      ['cron(0 ? * * ? *)', "hours (field 2) '?': ? is allowed only in day-of-month and day-of-week"],
      ['cron(0 10 1,,2 * ? *)', "day-of-month (field 3) '': '' is not a value, range or step"],
      ['rate(0 minutes)', "the rate value '0' must be a positive whole number"],
      ['rate(5 seconds)', "the rate unit 'seconds' must be minute(s), hour(s) or day(s)"],
      ['rate(1 minutes)', "a rate of 1 takes the singular unit 'minute'"],
      ['rate(5 hour)', "a rate of 5 takes the plural unit 'hours'"],
      ['rate(5)', 'rate() takes a value and a unit'],
      ['at(2026-01-01 00:00:00)', 'at() takes a local date and time, yyyy-mm-ddThh:mm:ss'],
      ['at(2026-02-29T00:00:00)', '2026-02 has no day 29'],
      ['at(2026-13-01T00:00:00)', 'month 13 is not 01-12'],
      ['at(2026-01-01T24:00:00)', "'24:00:00' is not a time of day"],
    ];
    for (const [expression, says] of cases) {
      it(expression, () => expect(error(expression)).to.include(says));
    }
  });

  describe('settings', () => {
    const target = { taskDefinition: 'report' };

    it("fills in EventBridge's defaults", () => {
      const result = scheduleSettings({ scheduleExpression: 'rate(5 minutes)', target });
      expect(result.ok && { ...result.settings, schedule: undefined }).to.deep.equal({
        schedule: undefined,
        timeZone: 'UTC',
        enabled: true,
        flexibleWindowMillis: 0,
        count: 1,
        maximumRetryAttempts: 185,
        maximumEventAgeMillis: 86_400_000,
        concurrencyPolicy: 'Allow',
        successfulRunsHistoryLimit: 3,
        failedRunsHistoryLimit: 1,
      });
    });

    it('names every field it refuses', () => {
      const result = scheduleSettings({
        scheduleExpression: 'cron(0 10 * * * *)',
        scheduleExpressionTimezone: 'Mars/Olympus_Mons',
        startDate: '2026-02-01T00:00:00Z',
        endDate: '2026-01-01',
        flexibleTimeWindow: { mode: 'FLEXIBLE' },
        target,
      });
      expect(!result.ok && result.issues.map((issue) => issue.path)).to.deep.equal([
        'spec.scheduleExpression',
        'spec.scheduleExpressionTimezone',
        'spec.endDate',
        'spec.flexibleTimeWindow.maximumWindowInMinutes',
      ]);
      const dates = scheduleSettings({ scheduleExpression: 'rate(1 day)', startDate: '2026-02-01T00:00:00Z', endDate: '2026-01-01T00:00:00+01:00', target });
      expect(!dates.ok && dates.issues).to.deep.equal([{ path: 'spec.endDate', message: 'must be later than startDate' }]);
    });
  });

  describe('Task names', () => {
    it('carry the scheduled time in unix minutes, and a number for each Task of a run', () => {
      const time = new Date('2026-01-01T02:00:00Z');
      expect(runTaskNames('nightly-report', time, 1)).to.deep.equal(['nightly-report-29453880']);
      expect(runTaskNames('nightly-report', time, 3)).to.deep.equal(['nightly-report-29453880-1', 'nightly-report-29453880-2', 'nightly-report-29453880-3']);
    });

    it('are DNS labels of at most 63 characters, distinct for long names that share a prefix', () => {
      const late = new Date('2199-12-31T23:59:00Z');
      const [a] = runTaskNames(`${'a'.repeat(60)}.one`, late, 10).slice(-1);
      const [b] = runTaskNames(`${'a'.repeat(60)}.two`, late, 10).slice(-1);
      for (const name of [a!, b!]) expect(name).to.match(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/);
      expect(a).not.to.equal(b);
    });
  });
});
