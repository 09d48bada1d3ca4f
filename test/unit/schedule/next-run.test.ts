import { expect } from 'chai';
import fc from 'fast-check';
import { parseScheduleExpression } from '../../../operator/src/translate/schedule/expression.js';
import { nextRun, runsBetween } from '../../../operator/src/translate/schedule/next-run.js';
import { localTimeOf } from '../../../operator/src/translate/schedule/time-zone.js';

const start = new Date('2026-01-01T00:00:00Z');
const iso = (dates: Date[]) => dates.map((d) => d.toISOString().replace('.000Z', 'Z'));

/** The first `n` runs after `from`. */
function runs(expression: string, from: string, n: number, timeZone = 'UTC'): string[] {
  const times: Date[] = [];
  let after = new Date(from);
  for (let i = 0; i < n; i++) {
    const next = nextRun(expression, after, { timeZone, start });
    if (!next) break;
    times.push(next);
    after = next;
  }
  return iso(times);
}

describe('schedule: next runs', () => {
  describe("EventBridge's documented cron examples, in UTC", () => {
    // 2026-03-02 is a Monday.
    const cases: Array<[string, string, string[]]> = [
      ['cron(0 10 * * ? *)', '2026-03-02T10:00:00Z', ['2026-03-03T10:00:00Z', '2026-03-04T10:00:00Z']],
      ['cron(15 12 * * ? *)', '2026-03-02T00:00:00Z', ['2026-03-02T12:15:00Z', '2026-03-03T12:15:00Z']],
      ['cron(0 18 ? * MON-FRI *)', '2026-03-05T19:00:00Z', ['2026-03-06T18:00:00Z', '2026-03-09T18:00:00Z']],
      ['cron(0 8 1 * ? *)', '2026-03-02T00:00:00Z', ['2026-04-01T08:00:00Z', '2026-05-01T08:00:00Z']],
      ['cron(0/15 * * * ? *)', '2026-03-02T23:40:00Z', ['2026-03-02T23:45:00Z', '2026-03-03T00:00:00Z', '2026-03-03T00:15:00Z']],
      ['cron(0/10 * ? * MON-FRI *)', '2026-03-06T23:45:00Z', ['2026-03-06T23:50:00Z', '2026-03-09T00:00:00Z']],
      ['cron(0/5 8-17 ? * MON-FRI *)', '2026-03-02T17:50:00Z', ['2026-03-02T17:55:00Z', '2026-03-03T08:00:00Z']],
      ['cron(0 9 ? * 2#1 *)', '2026-03-02T10:00:00Z', ['2026-04-06T09:00:00Z', '2026-05-04T09:00:00Z']],
      ['cron(0 0 L * ? *)', '2026-01-31T00:00:00Z', ['2026-02-28T00:00:00Z', '2026-03-31T00:00:00Z', '2026-04-30T00:00:00Z']],
      ['cron(0 0 ? * 6L *)', '2026-01-01T00:00:00Z', ['2026-01-30T00:00:00Z', '2026-02-27T00:00:00Z']],
      // The last weekday: 2026-05-31 is a Sunday, so Friday the 29th.
      ['cron(0 0 LW * ? *)', '2026-05-01T00:00:00Z', ['2026-05-29T00:00:00Z', '2026-06-30T00:00:00Z']],
      // The weekday nearest the 15th: 2026-03-15 is a Sunday (Monday 16th), 2026-08-15 a Saturday (Friday 14th).
      ['cron(0 0 15W * ? *)', '2026-03-01T00:00:00Z', ['2026-03-16T00:00:00Z', '2026-04-15T00:00:00Z']],
      ['cron(0 0 15W 8 ? *)', '2026-03-01T00:00:00Z', ['2026-08-14T00:00:00Z', '2027-08-16T00:00:00Z']],
      // 1W never leaves the month: 2026-08-01 is a Saturday, so Monday the 3rd.
      ['cron(0 0 1W 8 ? 2026)', '2026-01-01T00:00:00Z', ['2026-08-03T00:00:00Z']],
      ['cron(15 12 ? * MON-FRI *)', '2026-03-06T13:00:00Z', ['2026-03-09T12:15:00Z']],
      ['cron(0 12 ? JAN,JUL SUN 2027-2028)', '2026-03-01T00:00:00Z', ['2027-01-03T12:00:00Z', '2027-01-10T12:00:00Z']],
      ['cron(30 6 29 2 ? *)', '2026-01-01T00:00:00Z', ['2028-02-29T06:30:00Z', '2032-02-29T06:30:00Z']],
      ['cron(0 0 ? * 6#5 *)', '2026-01-01T00:00:00Z', ['2026-01-30T00:00:00Z', '2026-05-29T00:00:00Z']],
      ['cron(0 0 31 * ? *)', '2026-01-31T00:00:00Z', ['2026-03-31T00:00:00Z', '2026-05-31T00:00:00Z']],
      ['cron(0 0 ? * L *)', '2026-03-02T00:00:00Z', ['2026-03-07T00:00:00Z']],
      ['cron(*/20 1 * * ? *)', '2026-03-02T00:00:00Z', ['2026-03-02T01:00:00Z', '2026-03-02T01:20:00Z', '2026-03-02T01:40:00Z', '2026-03-03T01:00:00Z']],
      ['cron(10-50/20 1 * * ? *)', '2026-03-02T00:00:00Z', ['2026-03-02T01:10:00Z', '2026-03-02T01:30:00Z', '2026-03-02T01:50:00Z']],
    ];
    for (const [expression, from, expected] of cases) {
      it(`${expression} after ${from}`, () => expect(runs(expression, from, expected.length)).to.deep.equal(expected));
    }

    it('ends with the year field: nothing after 2199, nor after the last year listed', () => {
      expect(runs('cron(0 0 1 1 ? 2027)', '2026-06-01T00:00:00Z', 2)).to.deep.equal(['2027-01-01T00:00:00Z']);
      expect(nextRun('cron(0 0 31 12 ? *)', new Date('2199-12-31T00:00:00Z'), { start })).to.equal(undefined);
      expect(nextRun('cron(0 0 30 2 ? *)', start, { start }), 'February 30th never comes').to.equal(undefined);
    });
  });

  describe('in a time zone', () => {
    it('reads cron() in the zone: 09:00 in Berlin is 08:00 UTC in winter and 07:00 in summer', () => {
      expect(runs('cron(0 9 * * ? *)', '2026-01-10T00:00:00Z', 1, 'Europe/Berlin')).to.deep.equal(['2026-01-10T08:00:00Z']);
      expect(runs('cron(0 9 * * ? *)', '2026-07-10T00:00:00Z', 1, 'Europe/Berlin')).to.deep.equal(['2026-07-10T07:00:00Z']);
      expect(runs('cron(0 9 ? * 2#1 *)', '2026-03-02T10:00:00Z', 1, 'Asia/Kolkata')).to.deep.equal(['2026-04-06T03:30:00Z']);
    });

    it('picks the day in the zone: the last day of the month in Tokyo starts the day before in UTC', () => {
      expect(runs('cron(0 0 L * ? *)', '2026-02-01T00:00:00Z', 1, 'Asia/Tokyo')).to.deep.equal(['2026-02-27T15:00:00Z']);
    });

    it('skips a time that spring forward removes (America/New_York, 2026-03-08 02:30 does not exist)', () => {
      expect(
        iso(
          runsBetween('cron(30 2 * * ? *)', new Date('2026-03-06T00:00:00Z'), new Date('2026-03-10T00:00:00Z'), { timeZone: 'America/New_York', start }).times,
        ),
      ).to.deep.equal(['2026-03-06T07:30:00Z', '2026-03-07T07:30:00Z', '2026-03-09T06:30:00Z']);
    });

    it('runs a time that fall back repeats once, the first time (America/New_York, 2026-11-01 01:30)', () => {
      expect(
        iso(
          runsBetween('cron(30 1 * * ? *)', new Date('2026-10-31T00:00:00Z'), new Date('2026-11-03T00:00:00Z'), { timeZone: 'America/New_York', start }).times,
        ),
      ).to.deep.equal(['2026-10-31T05:30:00Z', '2026-11-01T05:30:00Z', '2026-11-02T06:30:00Z']);
      expect(
        iso(
          runsBetween('cron(0/30 * * * ? *)', new Date('2026-11-01T04:00:00Z'), new Date('2026-11-01T07:00:00Z'), { timeZone: 'America/New_York', start })
            .times,
        ),
        'the repeated hour 01:00-01:59 EST runs nothing',
      ).to.deep.equal(['2026-11-01T04:30:00Z', '2026-11-01T05:00:00Z', '2026-11-01T05:30:00Z', '2026-11-01T07:00:00Z']);
    });

    it('goes on after the repeated hour when asked from inside it', () => {
      // 06:15Z is 01:15 EST, the second time 01:15 comes that night.
      expect(runs('cron(0/30 * * * ? *)', '2026-11-01T06:15:00Z', 1, 'America/New_York')).to.deep.equal(['2026-11-01T07:00:00Z']);
    });

    it('keeps weekday schedules on local days across the Berlin changes (2026-03-29, 2026-10-25)', () => {
      expect(
        iso(
          runsBetween('cron(0 18 ? * MON-FRI *)', new Date('2026-03-26T00:00:00Z'), new Date('2026-04-01T00:00:00Z'), { timeZone: 'Europe/Berlin', start })
            .times,
        ),
      ).to.deep.equal(['2026-03-26T17:00:00Z', '2026-03-27T17:00:00Z', '2026-03-30T16:00:00Z', '2026-03-31T16:00:00Z']);
      expect(
        iso(runsBetween('cron(30 2 * * ? *)', new Date('2026-10-24T00:00:00Z'), new Date('2026-10-27T00:00:00Z'), { timeZone: 'Europe/Berlin', start }).times),
      ).to.deep.equal(['2026-10-24T00:30:00Z', '2026-10-25T00:30:00Z', '2026-10-26T01:30:00Z']);
      expect(
        iso(runsBetween('cron(30 2 * * ? *)', new Date('2026-03-28T00:00:00Z'), new Date('2026-03-31T00:00:00Z'), { timeZone: 'Europe/Berlin', start }).times),
      ).to.deep.equal(['2026-03-28T01:30:00Z', '2026-03-30T00:30:00Z']);
    });

    it('every run is a local time the expression names, and runs come in order', () => {
      const zones = ['UTC', 'America/New_York', 'Europe/Berlin', 'Australia/Lord_Howe', 'Asia/Kathmandu'];
      const expressions = ['cron(0/7 */5 * * ? *)', 'cron(30 1-3 ? * SUN *)', 'cron(0 2 L * ? *)', 'cron(45 23 ? * 1#2,6L *)'];
      fc.assert(
        fc.property(
          fc.constantFrom(...zones),
          fc.constantFrom(...expressions),
          fc.date({ min: new Date('2026-01-01T00:00:00Z'), max: new Date('2030-01-01T00:00:00Z'), noInvalidDate: true }),
          (timeZone, expression, from) => {
            const parsed = parseScheduleExpression(expression);
            if (!parsed.ok || parsed.schedule.type !== 'cron') throw new Error('bad test expression');
            const { times } = runsBetween(expression, from, new Date(from.getTime() + 20 * 86_400_000), { timeZone, start }, 50);
            let previous = from.getTime();
            for (const time of times) {
              expect(time.getTime()).to.be.greaterThan(previous);
              previous = time.getTime();
              const local = localTimeOf(time, timeZone);
              expect(parsed.schedule.minutes).to.include(local.minute);
              expect(parsed.schedule.hours).to.include(local.hour);
              expect(local.second).to.equal(0);
            }
          },
        ),
        { numRuns: 60 },
      );
    });
  });

  describe('rate()', () => {
    it('runs at its start, then every interval; a day is 24 hours whatever daylight saving does', () => {
      const created = new Date('2026-03-07T12:34:56Z');
      const clock = { start: created, timeZone: 'America/New_York' };
      expect(iso(runsBetween('rate(5 minutes)', new Date(created.getTime() - 1), new Date('2026-03-07T12:45:00Z'), clock).times)).to.deep.equal([
        '2026-03-07T12:34:56Z',
        '2026-03-07T12:39:56Z',
        '2026-03-07T12:44:56Z',
      ]);
      expect(iso(runsBetween('rate(1 day)', created, new Date('2026-03-10T00:00:00Z'), clock).times)).to.deep.equal([
        '2026-03-08T12:34:56Z',
        '2026-03-09T12:34:56Z',
      ]);
      expect(nextRun('rate(2 hours)', new Date('2026-03-07T14:34:56Z'), clock)?.toISOString()).to.equal('2026-03-07T16:34:56.000Z');
      expect(nextRun('rate(1 hour)', new Date('2020-01-01T00:00:00Z'), clock)?.toISOString(), 'nothing before its start').to.equal(created.toISOString());
    });
  });

  describe('at()', () => {
    it('runs once, at the local time in the zone', () => {
      const clock = { start, timeZone: 'Europe/Berlin' };
      expect(nextRun('at(2026-07-01T09:30:00)', start, clock)?.toISOString()).to.equal('2026-07-01T07:30:00.000Z');
      expect(nextRun('at(2026-07-01T09:30:00)', new Date('2026-07-01T07:30:00Z'), clock)).to.equal(undefined);
      expect(nextRun('at(2026-01-01T00:00:00)', start, { start })?.toISOString()).to.equal(undefined);
      expect(nextRun('at(2026-03-29T02:30:00)', start, clock), 'a local time Berlin skips').to.equal(undefined);
    });
  });

  it('bounds runsBetween and says when it stopped early', () => {
    const result = runsBetween('cron(* * * * ? *)', start, new Date('2026-01-02T00:00:00Z'), { start }, 10);
    expect(result.times).to.have.length(10);
    expect(result.truncated).to.equal(true);
    expect(runsBetween('cron(0 * * * ? *)', start, new Date('2026-01-01T03:00:00Z'), { start }, 3)).to.deep.include({ truncated: false });
  });
});
