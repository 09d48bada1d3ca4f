import { expect } from 'chai';
import fc from 'fast-check';
import type { ScheduledTaskSpec } from '../../../operator/src/api/index.js';
import { runsBetween } from '../../../operator/src/translate/schedule/next-run.js';
import {
  flexibleDelayMillis,
  planRuns,
  MAX_RUNS_PER_PLAN,
  type RunPlan,
  type RunTaskOutcome,
  type ScheduleRunTask,
} from '../../../operator/src/translate/schedule/plan.js';
import { runTaskNames } from '../../../operator/src/translate/schedule/run-names.js';
import { scheduleSettings, type ScheduleSettings } from '../../../operator/src/translate/schedule/spec.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const t = (text: string) => new Date(text);

function settingsOf(spec: Partial<ScheduledTaskSpec>): ScheduleSettings {
  const result = scheduleSettings({ scheduleExpression: 'cron(0 2 * * ? *)', target: { taskDefinition: 'report' }, ...spec });
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.settings;
}

/** The schedule's Tasks and its status, as the controller would leave them after each plan. */
class World {
  tasks: ScheduleRunTask[] = [];
  lastScheduleTime: Date | undefined;
  /** Tasks told to stop: they stop by the next step. */
  stopping = new Set<string>();
  /** Every Task name ever created, in order. */
  readonly created: Array<{ name: string; scheduledTime: Date; at: Date }> = [];

  constructor(
    readonly name: string,
    readonly settings: ScheduleSettings,
    readonly createdAt: Date,
  ) {}

  plan(now: Date): RunPlan {
    return planRuns({
      scheduleName: this.name,
      settings: this.settings,
      createdAt: this.createdAt,
      now,
      tasks: this.tasks,
      ...(this.lastScheduleTime ? { lastScheduleTime: this.lastScheduleTime } : {}),
    });
  }

  /** Carries out a plan; `stopAfter` creates only that many Tasks, as if the operator stopped halfway. */
  apply(plan: RunPlan, now: Date, stopAfter = Infinity): void {
    for (const [index, task] of plan.create.entries()) {
      if (index >= stopAfter) return;
      expect(
        this.tasks.map((existing) => existing.name),
        `${task.name} is created once`,
      ).not.to.include(task.name);
      this.tasks.push({ ...task, outcome: 'running' });
      this.created.push({ ...task, at: now });
    }
    for (const name of plan.stop) this.stopping.add(name);
    // Status first: the deleted Tasks' times must be recorded before they go.
    if (plan.lastScheduleTime) this.lastScheduleTime = plan.lastScheduleTime;
    this.tasks = this.tasks.filter((task) => !plan.delete.includes(task.name));
  }

  step(now: Date): RunPlan {
    for (const name of this.stopping) this.finish(name, 'failed');
    this.stopping.clear();
    const plan = this.plan(now);
    this.apply(plan, now);
    return plan;
  }

  finish(name: string, outcome: Exclude<RunTaskOutcome, 'running'>): void {
    this.tasks = this.tasks.map((task) => (task.name === name ? { ...task, outcome } : task));
  }
}

const names = (plan: RunPlan) => plan.create.map((task) => task.name);

describe('schedule: run planning', () => {
  const createdAt = t('2026-03-01T12:00:00Z');

  it('runs a cron time once it has come, and sleeps until the next', () => {
    const world = new World('nightly', settingsOf({}), createdAt);
    const before = world.step(t('2026-03-02T01:59:59Z'));
    expect(before.create).to.deep.equal([]);
    expect(before.nextScheduleTime).to.deep.equal(t('2026-03-02T02:00:00Z'));
    expect(before.wakeAt).to.deep.equal(t('2026-03-02T02:00:00Z'));
    const plan = world.step(t('2026-03-02T02:00:01Z'));
    expect(plan.create).to.deep.equal([{ name: runTaskNames('nightly', t('2026-03-02T02:00:00Z'), 1)[0], scheduledTime: t('2026-03-02T02:00:00Z') }]);
    expect(plan).to.deep.include({
      lastScheduleTime: t('2026-03-02T02:00:00Z'),
      nextScheduleTime: t('2026-03-03T02:00:00Z'),
      wakeAt: t('2026-03-03T02:00:00Z'),
    });
    expect(world.plan(t('2026-03-02T02:30:00Z')).create, 'planning again runs nothing').to.deep.equal([]);
  });

  it('never runs a time before the schedule was created', () => {
    const world = new World('nightly', settingsOf({}), t('2026-03-02T02:00:30Z'));
    expect(world.step(t('2026-03-02T02:01:00Z')).create).to.deep.equal([]);
  });

  it('runs a missed time once when it is no older than maximumEventAgeInSeconds, and skips it otherwise', () => {
    const late = t('2026-03-02T05:00:00Z');
    const world = new World('nightly', settingsOf({}), createdAt);
    expect(names(world.step(late))).to.have.length(1);
    expect(world.step(new Date(late.getTime() + 1000)).create).to.deep.equal([]);

    const strict = new World('nightly', settingsOf({ retryPolicy: { maximumEventAgeInSeconds: 3600 } }), createdAt);
    const plan = strict.step(late);
    expect(plan.create).to.deep.equal([]);
    expect(plan.skipped).to.deep.equal([{ reason: 'TooLate', first: t('2026-03-02T02:00:00Z'), last: t('2026-03-02T02:00:00Z'), count: 1, more: false }]);
    expect(plan.lastScheduleTime).to.deep.equal(t('2026-03-02T02:00:00Z'));
    expect(strict.step(new Date(late.getTime() + 1000)).skipped, 'reported once').to.deep.equal([]);
  });

  it('after a long outage runs the times within the event age and reports the older ones as one range', () => {
    const world = new World(
      'every-hour',
      settingsOf({ scheduleExpression: 'cron(0 * * * ? *)', retryPolicy: { maximumEventAgeInSeconds: 3 * 3600 } }),
      createdAt,
    );
    const plan = world.step(t('2026-03-05T12:30:00Z'));
    expect(plan.create.map((task) => task.scheduledTime.toISOString())).to.deep.equal([
      '2026-03-05T10:00:00.000Z',
      '2026-03-05T11:00:00.000Z',
      '2026-03-05T12:00:00.000Z',
    ]);
    expect(plan.skipped, 'from the creation time on').to.deep.equal([
      { reason: 'TooLate', first: t('2026-03-01T12:00:00Z'), last: t('2026-03-05T09:00:00Z'), count: 94, more: false },
    ]);
  });

  it('counts at most a thousand times too late to run, says there were more, and reports them once', () => {
    const world = new World('often', settingsOf({ scheduleExpression: 'rate(1 minute)', retryPolicy: { maximumEventAgeInSeconds: 60 } }), createdAt);
    const now = new Date(createdAt.getTime() + 3 * DAY);
    const plan = world.step(now);
    expect(plan.skipped).to.have.length(1);
    expect(plan.skipped[0]).to.deep.include({ reason: 'TooLate', count: 1000, more: true, first: createdAt });
    expect(plan.create.map((task) => task.scheduledTime)).to.deep.equal([new Date(now.getTime() - MINUTE), now]);
    expect(world.step(now)).to.deep.include({ create: [], skipped: [] });
  });

  it('starts at most MAX_RUNS_PER_PLAN runs at once and asks to plan again at once for the rest', () => {
    const world = new World('often', settingsOf({ scheduleExpression: 'rate(1 minute)' }), createdAt);
    const now = new Date(createdAt.getTime() + 30 * MINUTE);
    const first = world.step(now);
    expect(first.create).to.have.length(MAX_RUNS_PER_PLAN);
    expect(first.wakeAt).to.deep.equal(now);
    expect(world.step(now).create).to.have.length(MAX_RUNS_PER_PLAN);
    expect(world.step(now).create).to.have.length(MAX_RUNS_PER_PLAN);
    const last = world.step(now);
    expect(last.create.map((task) => task.scheduledTime)).to.deep.equal([now]);
    expect(last.wakeAt).to.deep.equal(new Date(now.getTime() + MINUTE));
  });

  it('runs rate() at once from its creation, or from startDate', () => {
    const world = new World('poll', settingsOf({ scheduleExpression: 'rate(5 minutes)' }), createdAt);
    expect(world.step(createdAt).create.map((task) => task.scheduledTime)).to.deep.equal([createdAt]);
    expect(world.step(new Date(createdAt.getTime() + 5 * MINUTE)).create.map((task) => task.scheduledTime)).to.deep.equal([
      new Date(createdAt.getTime() + 5 * MINUTE),
    ]);
    const later = new World('poll', settingsOf({ scheduleExpression: 'rate(1 hour)', startDate: '2026-03-02T00:00:00Z' }), createdAt);
    const waiting = later.step(createdAt);
    expect(waiting).to.deep.include({ create: [], nextScheduleTime: t('2026-03-02T00:00:00Z') });
  });

  it('runs at() once, and then has no next time', () => {
    const world = new World('once', settingsOf({ scheduleExpression: 'at(2026-03-02T09:00:00)', scheduleExpressionTimezone: 'Europe/Berlin' }), createdAt);
    expect(world.step(t('2026-03-02T08:00:01Z')).create.map((task) => task.scheduledTime)).to.deep.equal([t('2026-03-02T08:00:00Z')]);
    const after = world.step(t('2026-03-03T00:00:00Z'));
    expect(after.create).to.deep.equal([]);
    expect(after).not.to.have.property('nextScheduleTime');
    expect(after).not.to.have.property('wakeAt');
  });

  it('runs no time after endDate', () => {
    const world = new World('nightly', settingsOf({ endDate: '2026-03-03T00:00:00Z' }), createdAt);
    expect(world.step(t('2026-03-02T03:00:00Z')).create).to.have.length(1);
    const plan = world.step(t('2026-03-04T03:00:00Z'));
    expect(plan.create).to.deep.equal([]);
    expect(plan).not.to.have.property('nextScheduleTime');
  });

  it('runs nothing while DISABLED, and does not catch up when enabled again', () => {
    const disabled = new World('nightly', settingsOf({ state: 'DISABLED' }), createdAt);
    const plan = disabled.step(t('2026-03-02T02:00:05Z'));
    expect(plan.create).to.deep.equal([]);
    expect(plan.skipped).to.deep.equal([{ reason: 'Disabled', first: t('2026-03-02T02:00:00Z'), last: t('2026-03-02T02:00:00Z'), count: 1, more: false }]);
    expect(plan.wakeAt, 'wakes at each time to pass it by').to.deep.equal(t('2026-03-03T02:00:00Z'));
    const enabled = Object.assign(new World('nightly', settingsOf({}), createdAt), { lastScheduleTime: disabled.lastScheduleTime });
    expect(enabled.step(t('2026-03-02T02:30:00Z')).create).to.deep.equal([]);
  });

  it('starts count Tasks per run, and finishes a run the operator left halfway', () => {
    const world = new World('fan-out', settingsOf({ target: { taskDefinition: 'report', count: 3 } }), createdAt);
    const now = t('2026-03-02T02:00:10Z');
    const plan = world.plan(now);
    expect(names(plan)).to.deep.equal(runTaskNames('fan-out', t('2026-03-02T02:00:00Z'), 3));
    world.apply(plan, now, 1);
    expect(world.lastScheduleTime, 'status was not written').to.equal(undefined);
    const rest = world.step(now);
    expect(names(rest)).to.deep.equal(names(plan).slice(1));
    expect(world.step(now).create).to.deep.equal([]);
  });

  it('does not bring back a Task of a recorded run that someone deleted', () => {
    const world = new World('fan-out', settingsOf({ target: { taskDefinition: 'report', count: 2 } }), createdAt);
    world.step(t('2026-03-02T02:00:10Z'));
    world.tasks = world.tasks.slice(1);
    expect(world.step(t('2026-03-02T02:10:00Z')).create).to.deep.equal([]);
  });

  describe('concurrencyPolicy', () => {
    const hourly = (concurrencyPolicy: ScheduledTaskSpec['concurrencyPolicy']) =>
      new World('hourly', settingsOf({ scheduleExpression: 'cron(0 * * * ? *)', concurrencyPolicy }), t('2026-03-01T12:30:00Z'));

    it('Allow starts a run while the last one is still running', () => {
      const world = hourly('Allow');
      world.step(t('2026-03-01T13:00:00Z'));
      expect(world.step(t('2026-03-01T14:00:00Z')).create).to.have.length(1);
      expect(world.tasks.filter((task) => task.outcome === 'running')).to.have.length(2);
    });

    it('Forbid holds a time back while a run is going, then runs the newest and skips the rest', () => {
      const world = hourly('Forbid');
      world.step(t('2026-03-01T13:00:00Z'));
      const held = world.step(t('2026-03-01T14:00:00Z'));
      expect(held.create).to.deep.equal([]);
      expect(held.nextScheduleTime).to.deep.equal(t('2026-03-01T14:00:00Z'));
      expect(held.wakeAt, 'until it grows too old').to.deep.equal(new Date(t('2026-03-02T14:00:00Z').getTime() + 1));
      expect(world.step(t('2026-03-01T15:00:00Z')).create).to.deep.equal([]);
      world.finish(world.tasks[0]!.name, 'succeeded');
      const plan = world.step(t('2026-03-01T15:10:00Z'));
      expect(plan.create.map((task) => task.scheduledTime)).to.deep.equal([t('2026-03-01T15:00:00Z')]);
      expect(plan.skipped).to.deep.equal([{ reason: 'Overlap', first: t('2026-03-01T14:00:00Z'), last: t('2026-03-01T14:00:00Z'), count: 1, more: false }]);
    });

    it('Replace stops the running Tasks and starts the new run', () => {
      const world = hourly('Replace');
      world.step(t('2026-03-01T13:00:00Z'));
      const running = world.tasks[0]!.name;
      const plan = world.step(t('2026-03-01T14:00:00Z'));
      expect(plan.stop).to.deep.equal([running]);
      expect(plan.create).to.have.length(1);
    });
  });

  it('runs a FLEXIBLE time at a fixed point within its window', () => {
    const settings = settingsOf({ flexibleTimeWindow: { mode: 'FLEXIBLE', maximumWindowInMinutes: 15 } });
    const time = t('2026-03-02T02:00:00Z');
    const delay = flexibleDelayMillis('nightly', time, settings.flexibleWindowMillis);
    expect(delay).to.be.within(0, 15 * MINUTE - 1000);
    expect(flexibleDelayMillis('nightly', time, settings.flexibleWindowMillis)).to.equal(delay);
    const world = new World('nightly', settings, createdAt);
    const early = world.step(new Date(time.getTime() + delay - 1));
    expect(early.create).to.deep.equal([]);
    expect(early.wakeAt).to.deep.equal(new Date(time.getTime() + delay));
    expect(world.step(new Date(time.getTime() + delay)).create.map((task) => task.scheduledTime)).to.deep.equal([time]);
  });

  it('keeps successfulRunsHistoryLimit and failedRunsHistoryLimit finished runs, newest first, and never a running one', () => {
    const world = new World(
      'hourly',
      settingsOf({ scheduleExpression: 'cron(0 * * * ? *)', successfulRunsHistoryLimit: 2, failedRunsHistoryLimit: 1 }),
      createdAt,
    );
    for (let hour = 13; hour <= 19; hour++) world.step(new Date(Date.UTC(2026, 2, 1, hour)));
    const [a, b, c, d, e, f, g] = world.tasks.map((task) => task.name) as [string, string, string, string, string, string, string];
    for (const name of [a, c, d, f]) world.finish(name, 'succeeded');
    for (const name of [b, e]) world.finish(name, 'failed');
    const plan = world.plan(t('2026-03-01T19:30:00Z'));
    expect(plan.delete).to.deep.equal([c, b, a]);
    expect(plan.delete).not.to.include(g);
  });

  describe('properties', () => {
    const expressions = [
      'cron(0/7 * * * ? *)',
      'cron(0 */3 ? * MON-FRI *)',
      'cron(30 1 * * ? *)',
      'rate(13 minutes)',
      'rate(2 hours)',
      'at(2026-03-01T18:00:00)',
    ];
    const specs = fc
      .record({
        scheduleExpression: fc.constantFrom(...expressions),
        scheduleExpressionTimezone: fc.constantFrom('UTC', 'America/New_York', 'Europe/Berlin'),
        concurrencyPolicy: fc.constantFrom('Allow' as const, 'Forbid' as const, 'Replace' as const),
        count: fc.integer({ min: 1, max: 3 }),
        maximumEventAgeInSeconds: fc.constantFrom(60, 600, 7200, 86_400),
        window: fc.constantFrom(0, 5, 90),
        successfulRunsHistoryLimit: fc.integer({ min: 0, max: 3 }),
        failedRunsHistoryLimit: fc.integer({ min: 0, max: 2 }),
      })
      .map((r) =>
        settingsOf({
          scheduleExpression: r.scheduleExpression,
          scheduleExpressionTimezone: r.scheduleExpressionTimezone,
          concurrencyPolicy: r.concurrencyPolicy,
          target: { taskDefinition: 'report', count: r.count },
          retryPolicy: { maximumEventAgeInSeconds: r.maximumEventAgeInSeconds },
          ...(r.window ? { flexibleTimeWindow: { mode: 'FLEXIBLE' as const, maximumWindowInMinutes: r.window } } : {}),
          successfulRunsHistoryLimit: r.successfulRunsHistoryLimit,
          failedRunsHistoryLimit: r.failedRunsHistoryLimit,
        }),
      );
    // Each step: time passes, some Tasks stop, and the operator may stop halfway through carrying out a plan.
    const steps = fc.array(
      fc.record({
        advance: fc.integer({ min: 0, max: 6 * HOUR }),
        finish: fc.array(fc.tuple(fc.nat(), fc.boolean()), { maxLength: 3 }),
        interrupted: fc.option(fc.nat({ max: 5 }), { nil: undefined }),
      }),
      { minLength: 1, maxLength: 40 },
    );

    it('never runs one time twice, never runs a time too late, and planning again after applying changes nothing', () => {
      fc.assert(
        fc.property(specs, steps, (settings, script) => {
          const world = new World('report', settings, createdAt);
          let now = createdAt;
          for (const { advance, finish, interrupted } of script) {
            now = new Date(now.getTime() + advance);
            const running = world.tasks.filter((task) => task.outcome === 'running');
            for (const [index, ok] of finish) if (running.length > 0) world.finish(running[index % running.length]!.name, ok ? 'succeeded' : 'failed');
            for (const name of world.stopping) world.finish(name, 'failed');
            world.stopping.clear();
            const plan = world.plan(now);
            for (const task of plan.create) {
              const due = task.scheduledTime.getTime() + flexibleDelayMillis('report', task.scheduledTime, settings.flexibleWindowMillis);
              expect(due, `${task.name} is due`).to.be.at.most(now.getTime());
              expect(now.getTime() - due, `${task.name} is not too late`).to.be.at.most(settings.maximumEventAgeMillis);
              expect(task.scheduledTime.getTime()).to.be.at.least(createdAt.getTime());
            }
            if (settings.concurrencyPolicy === 'Forbid' && plan.create.length > 0) {
              const times = new Set(plan.create.map((task) => task.scheduledTime.getTime()));
              const others = world.tasks.filter((task) => task.outcome === 'running' && !times.has(task.scheduledTime.getTime()));
              expect(others, 'Forbid starts nothing beside a running run').to.deep.equal([]);
            }
            world.apply(plan, now, interrupted ?? Infinity);
            if (interrupted === undefined && !(plan.wakeAt && plan.wakeAt.getTime() <= now.getTime())) {
              const again = world.plan(now);
              expect(again.create, 'planning again creates nothing').to.deep.equal([]);
              expect(again.delete, 'planning again deletes nothing').to.deep.equal([]);
            }
          }
          const created = world.created.map((task) => task.name);
          expect(new Set(created).size, 'no Task name is created twice').to.equal(created.length);
          const perTime = new Map<number, number>();
          for (const task of world.created) perTime.set(task.scheduledTime.getTime(), (perTime.get(task.scheduledTime.getTime()) ?? 0) + 1);
          for (const count of perTime.values()) expect(count).to.be.at.most(settings.count);
        }),
        { numRuns: 150 },
      );
    });

    it('with Allow and an operator that never sleeps past the event age, runs every time exactly once', () => {
      fc.assert(
        fc.property(
          fc.constantFrom(...expressions),
          fc.array(fc.integer({ min: 1, max: 50 * MINUTE }), { minLength: 1, maxLength: 60 }),
          (expression, advances) => {
            const settings = settingsOf({ scheduleExpression: expression, retryPolicy: { maximumEventAgeInSeconds: 3600 } });
            const world = new World('report', settings, createdAt);
            let now = createdAt;
            for (const advance of advances) {
              now = new Date(now.getTime() + advance);
              for (let plan = world.step(now); plan.wakeAt && plan.wakeAt.getTime() <= now.getTime(); plan = world.step(now));
            }
            const expected = runsBetween(settings.schedule, new Date(createdAt.getTime() - 1), now, { timeZone: 'UTC', start: createdAt }, 10_000).times;
            expect(world.created.map((task) => task.scheduledTime)).to.deep.equal(expected);
          },
        ),
        { numRuns: 100 },
      );
    });
  });
});
