// The ScheduledTask controller on the real API server, with kwok nodes running the pods. The schedules are
// created together and run side by side, so the file takes the few minutes that a rate(1 minute) schedule
// needs to show one Task per minute, across an operator restart at a scheduled moment.
import { expect } from 'chai';
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { ECS_API_VERSION } from '../../operator/src/api/meta.js';
import type { ScheduledTask, ScheduledTaskSpec } from '../../operator/src/api/scheduledtask.js';
import type { Task } from '../../operator/src/api/task.js';
import type { TaskDefinition, TaskDefinitionSpec } from '../../operator/src/api/taskdefinition.js';
import { main as importMain } from '../../operator/src/cli/import.js';
import { statusCodeOf } from '../../operator/src/runtime/clients.js';
import { fixture, run } from '../unit/cli/helpers.js';
import { startOperator, type RunningOperator } from './harness.js';
import { clients, installCrds, throwawayNamespace, waitFor } from './helpers.js';

const { core, custom } = clients();
const group = 'ecs.operator.dev';
const version = 'v1alpha1';
const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const MINUTE = 60_000;
const SCHEDULED_TIME = 'ecs.operator.dev/scheduled-time';

/**
 * waitFor, reading again when the API server asks to (429: other suites on the shared control plane apply
 * their CRDs, and a CRD's storage answers 429 while it reinitializes).
 */
function poll<T>(what: string, probe: () => Promise<T | undefined>, options?: Parameters<typeof waitFor>[2]): Promise<T> {
  return waitFor(
    what,
    () =>
      probe().catch((error: unknown) => {
        if (statusCodeOf(error) === 429) return undefined;
        throw error;
      }),
    options,
  );
}

/** A container that exits 0 a second after it is ready (the kwok test hook), or one that runs until stopped. */
const job = (name: string, exits: boolean): TaskDefinitionSpec => ({
  containerDefinitions: [{ name, image: 'busybox', memory: 64, ...(exits ? { dockerLabels: { 'test.ecs.operator.dev/exit-code': '0' } } : {}) }],
});

describe('ScheduledTask controller', function () {
  this.timeout(6 * MINUTE);
  let namespace: string;
  let removeNamespace: () => Promise<void>;
  let operator: RunningOperator;

  const get = async <T>(plural: string, name: string) => (await custom.getNamespacedCustomObject({ group, version, namespace, plural, name })) as T;
  const create = (plural: string, kind: string, name: string, spec: object) =>
    custom.createNamespacedCustomObject({ group, version, namespace, plural, body: { apiVersion: ECS_API_VERSION, kind, metadata: { name }, spec } });
  const schedule = (name: string, spec: Partial<ScheduledTaskSpec>) =>
    create('scheduledtasks', 'ScheduledTask', name, { scheduleExpression: 'rate(1 minute)', ...spec });
  /** The Tasks a schedule owns, by name. */
  const tasksOf = async (scheduleName: string): Promise<Task[]> => {
    const { items } = (await custom.listNamespacedCustomObject({ group, version, namespace, plural: 'tasks' })) as { items: Task[] };
    return items
      .filter((t) => t.metadata.ownerReferences?.some((r) => r.kind === 'ScheduledTask' && r.name === scheduleName && r.controller))
      .sort((a, b) => (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''));
  };
  const names = (tasks: readonly Task[]) => tasks.map((t) => t.metadata.name);
  const untilTime = (what: string, at: number) => poll(what, async () => (Date.now() >= at ? true : undefined), { timeoutMs: at - Date.now() + 10_000 });
  async function scheduleUntil(name: string, what: string, done: (s: ScheduledTask) => boolean, timeoutMs = 60_000): Promise<ScheduledTask> {
    return poll(
      `schedule ${name} ${what}`,
      async () => {
        const current = await get<ScheduledTask>('scheduledtasks', name);
        return done(current) ? current : undefined;
      },
      { timeoutMs, describe: async () => JSON.stringify((await get<ScheduledTask>('scheduledtasks', name)).status ?? {}) },
    );
  }
  async function tasksUntil(name: string, what: string, done: (tasks: Task[]) => boolean, timeoutMs = 60_000): Promise<Task[]> {
    return poll(
      `schedule ${name}: ${what}`,
      async () => {
        const tasks = await tasksOf(name);
        return done(tasks) ? tasks : undefined;
      },
      { timeoutMs, describe: async () => names(await tasksOf(name)).join(', ') },
    );
  }
  /** The unix minute of a schedule's n-th time (rate() runs at its creation, then every interval). */
  let minutely: { created: number; base: number };

  before(async () => {
    await installCrds();
    ({ name: namespace, remove: removeNamespace } = await throwawayNamespace(core, 'sched'));
    operator = await startOperator(namespace);
    await create('taskdefinitions', 'TaskDefinition', 'quick', job('quick', true));
    await create('taskdefinitions', 'TaskDefinition', 'sleeper', job('sleeper', false));
    await create('taskdefinitions', 'TaskDefinition', 'unpullable', {
      containerDefinitions: [{ name: 'app', image: 'example.invalid/none:1', memory: 64, dockerLabels: { 'test.ecs.operator.dev/pull-error': 'not-found' } }],
    });
    for (const family of ['quick', 'sleeper', 'unpullable']) {
      await poll(`revision 1 of ${family}`, async () => ((await get<TaskDefinition>('taskdefinitions', family)).status?.revision === 1 ? true : undefined));
    }
    await schedule('minutely', { target: { taskDefinition: 'quick' }, successfulRunsHistoryLimit: 10 });
    await schedule('triple', { target: { taskDefinition: 'sleeper', count: 3 } });
    await schedule('forbid', { target: { taskDefinition: 'sleeper' }, concurrencyPolicy: 'Forbid' });
    await schedule('replace', { target: { taskDefinition: 'sleeper' }, concurrencyPolicy: 'Replace' });
    await schedule('disabled', { target: { taskDefinition: 'sleeper' }, state: 'DISABLED' });
    await schedule('retrying', { scheduleExpression: 'rate(1 hour)', target: { taskDefinition: 'unpullable' }, retryPolicy: { maximumRetryAttempts: 2 } });
    const created = new Date((await get<ScheduledTask>('scheduledtasks', 'minutely')).metadata.creationTimestamp!).getTime();
    minutely = { created, base: Math.floor(created / MINUTE) };
  });
  after(async () => {
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- unset when before() failed
    await operator?.finish();
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- as above
    await removeNamespace?.();
  });

  it('count: 3 runs three Tasks at each time, started by the schedule and owned by it', async () => {
    const tasks = await tasksUntil('triple', 'three Tasks', (t) => t.length === 3);
    const base = names(tasks)[0]!.replace(/-1$/, '');
    expect(names(tasks)).to.deep.equal([`${base}-1`, `${base}-2`, `${base}-3`]);
    for (const task of tasks) {
      expect(task.spec).to.deep.include({ taskDefinition: 'sleeper', startedBy: 'scheduled-task/triple' });
      expect(task.metadata.annotations?.[SCHEDULED_TIME]).to.equal(tasks[0]!.metadata.annotations?.[SCHEDULED_TIME]);
    }
    await poll('the three Tasks RUNNING', async () => ((await tasksOf('triple')).every((t) => t.status?.lastStatus === 'RUNNING') ? true : undefined));
    const status = (await scheduleUntil('triple', 'lists the run', (s) => s.status?.runs?.[0]?.tasks.length === 3)).status!;
    expect(status.runs?.[0]).to.deep.include({ scheduledTime: tasks[0]!.metadata.annotations?.[SCHEDULED_TIME], outcome: 'running' });
    expect(status.events?.map((e) => e.message)).to.include(
      `(schedule triple) has started 3 tasks for the scheduled time ${status.lastScheduleTime}: ${names(tasks)
        .map((n) => `(task ${n})`)
        .join(' ')}.`,
    );
  });

  it('a Task that fails to start is created again up to maximumRetryAttempts times, counted in status', async () => {
    const failed = (t: Task) => t.status?.stopCode === 'TaskFailedToStart';
    const tasks = await tasksUntil('retrying', 'the first Task and two retries failed to start', (t) => t.length === 3 && t.every(failed));
    const first = names(tasks)[0]!;
    expect(names(tasks)).to.deep.equal([first, `${first}-r1`, `${first}-r2`]);
    expect(tasks.map((t) => t.metadata.annotations?.['ecs.operator.dev/retry-of'])).to.deep.equal([undefined, first, `${first}-r1`]);
    const status = (await scheduleUntil('retrying', 'reports the failed run', (s) => s.status?.runs?.[0]?.outcome === 'failed')).status!;
    expect(status.runs?.[0]).to.deep.include({ retryAttempts: 2, outcome: 'failed' });
    expect(
      status.events?.filter((e) => e.message.includes(' failed to start: ')).map((e) => e.message.replace(/.*, (attempt \d of \d).*/, '$1')),
    ).to.have.members(['attempt 1 of 2', 'attempt 2 of 2']);
    expect(await tasksOf('retrying'), 'no third retry').to.have.length(3);
  });

  it('imported EventBridge JSON runs as written: a scheduled rule with an ECS target, and a Scheduler schedule in its time zone', async () => {
    // The rule's target names revision 3 of family cleanup, container cleaner.
    await create('taskdefinitions', 'TaskDefinition', 'cleanup', job('cleaner', true));
    for (const image of ['busybox:1', 'busybox:2']) {
      await custom.patchNamespacedCustomObject(
        {
          group,
          version,
          namespace,
          plural: 'taskdefinitions',
          name: 'cleanup',
          body: { spec: { containerDefinitions: [{ name: 'cleaner', image, memory: 64, dockerLabels: { 'test.ecs.operator.dev/exit-code': '0' } }] } },
        },
        mergePatch,
      );
      await poll(`cleanup registers ${image}`, async () =>
        (await get<TaskDefinition>('taskdefinitions', 'cleanup')).status?.taskDefinition === `cleanup:${image === 'busybox:1' ? 2 : 3}` ? true : undefined,
      );
    }
    const imported = await run(importMain, [
      '-f',
      fixture('cleanup-tmp.describe-rule.json'),
      '-f',
      fixture('cleanup-tmp.list-targets-by-rule.json'),
      '-f',
      fixture('nightly-report.get-schedule.json'),
    ]);
    expect(imported.status).to.equal(0);
    for (const object of imported.objects as ScheduledTask[]) {
      expect(object.kind).to.equal('ScheduledTask');
      await custom.createNamespacedCustomObject({ group, version, namespace, plural: 'scheduledtasks', body: object });
    }
    // rate(6 hours) runs at once (a rate schedule starts when it is created), with TaskCount 2.
    const tasks = await tasksUntil('cleanup-tmp', 'two Tasks', (t) => t.length === 2);
    expect(tasks.map((t) => t.spec.taskDefinition)).to.deep.equal(['cleanup:3', 'cleanup:3']);
    expect(tasks[0]!.spec.overrides?.containerOverrides?.[0]?.environment).to.deep.equal([{ name: 'MAX_AGE_HOURS', value: '24' }]);
    await poll('both cleanup Tasks done', async () =>
      (await tasksOf('cleanup-tmp')).every((t) => t.status?.stopCode === 'EssentialContainerExited') ? true : undefined,
    );
    const cleanup = await scheduleUntil('cleanup-tmp', 'reports the run succeeded', (s) => s.status?.runs?.[0]?.outcome === 'succeeded');
    expect(new Date(cleanup.status!.nextScheduleTime!).getTime() - new Date(cleanup.status!.lastScheduleTime!).getTime()).to.equal(6 * 60 * MINUTE);

    // cron(0 2 * * ? *) in Europe/Berlin: the next time is 02:00 Berlin time, 01:00 or 00:00 UTC.
    const nightly = await scheduleUntil('nightly-report', 'has a next run', (s) => s.status?.nextScheduleTime !== undefined);
    expect(nightly.status?.conditions?.find((c) => c.type === 'Valid')?.status).to.equal('True');
    const next = new Date(nightly.status!.nextScheduleTime!);
    const berlin = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Berlin', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false }).format(
      next,
    );
    expect(berlin).to.equal('02:00:00');
    expect(next.getTime() - Date.now()).to.be.within(0, 24 * 60 * MINUTE);
    expect(await tasksOf('nightly-report')).to.deep.equal([]);
  });

  it('rate(1 minute) across an operator restart at the scheduled moment: the missed minute runs once when it is back', async () => {
    const moment = minutely.created + MINUTE;
    await tasksUntil('minutely', 'the first run', (t) => t.length === 1);
    await untilTime('8s before the second scheduled time', moment - 8_000);
    await operator.stop();
    await untilTime('3s after it', moment + 3_000);
    expect(names(await tasksOf('minutely')), 'no run while the operator is away').to.deep.equal([`minutely-${minutely.base}`]);
    operator = await startOperator(namespace);
    const tasks = await tasksUntil('minutely', 'the missed run', (t) => t.length === 2, 30_000);
    expect(names(tasks)).to.deep.equal([`minutely-${minutely.base}`, `minutely-${minutely.base + 1}`]);
    expect(tasks[1]!.metadata.annotations?.[SCHEDULED_TIME]).to.equal(new Date(moment).toISOString().replace('.000Z', 'Z'));
  });

  it('Forbid holds the next time while the last run still runs, and runs it once that run stops', async () => {
    const tasks = await tasksOf('forbid');
    expect(tasks, 'only the first run: the second time came while it ran').to.have.length(1);
    expect(tasks[0]!.status?.lastStatus).to.equal('RUNNING');
    const held = await get<ScheduledTask>('scheduledtasks', 'forbid');
    const created = new Date(held.metadata.creationTimestamp!).getTime();
    expect(Date.now()).to.be.greaterThan(created + MINUTE);
    expect(held.status?.nextScheduleTime, 'the held time is still next').to.equal(new Date(created + MINUTE).toISOString().replace('.000Z', 'Z'));

    await custom.patchNamespacedCustomObject(
      { group, version, namespace, plural: 'tasks', name: tasks[0]!.metadata.name!, body: { spec: { desiredStatus: 'STOPPED' } } },
      mergePatch,
    );
    const after = await tasksUntil('forbid', 'the held run once the first stopped', (t) => t.length === 2);
    expect(after[1]!.metadata.annotations?.[SCHEDULED_TIME]).to.equal(held.status?.nextScheduleTime);
  });

  it('Replace stops the running Task (UserInitiated) and starts the next run', async () => {
    const tasks = await tasksUntil('replace', 'the second run', (t) => t.length === 2);
    const first = await poll('the first run stopped', async () => {
      const task = (await tasksOf('replace'))[0]!;
      return task.status?.lastStatus === 'STOPPED' ? task : undefined;
    });
    expect(first.spec.desiredStatus).to.equal('STOPPED');
    expect(first.status?.stopCode).to.equal('UserInitiated');
    expect(names(tasks)[0]).to.equal(first.metadata.name);
    const status = (await get<ScheduledTask>('scheduledtasks', 'replace')).status!;
    expect(status.events?.map((e) => e.message)).to.include(
      `(schedule replace) is stopping 1 running tasks to start a newer run (concurrencyPolicy Replace): (task ${first.metadata.name}).`,
    );
  });

  it('a DISABLED schedule runs nothing, and says which times it skipped', async () => {
    const disabled = await scheduleUntil('disabled', 'reports skipped times', (s) =>
      (s.status?.events ?? []).some((e) => e.message.includes('the schedule is DISABLED')),
    );
    expect(Date.now()).to.be.greaterThan(new Date(disabled.metadata.creationTimestamp!).getTime() + MINUTE);
    expect(await tasksOf('disabled')).to.deep.equal([]);
    expect(disabled.status?.runs ?? []).to.deep.equal([]);
  });

  it('rate(1 minute) creates one Task per minute, each minute once, none missed', async () => {
    const runs = 4;
    const tasks = await tasksUntil('minutely', `${runs} runs`, (t) => t.length >= runs, minutely.created + runs * MINUTE - Date.now() + 30_000);
    const expected = Array.from({ length: runs }, (_, i) => `minutely-${minutely.base + i}`);
    expect(names(tasks)).to.deep.equal(expected);
    const times = tasks.map((t) => new Date(t.metadata.annotations![SCHEDULED_TIME]!).getTime());
    expect(times).to.deep.equal(Array.from({ length: runs }, (_, i) => Math.floor(minutely.created / 1000) * 1000 + i * MINUTE));
    const status = (await scheduleUntil('minutely', `lists ${runs} runs`, (s) => (s.status?.runs?.length ?? 0) >= runs)).status!;
    const started = (status.events ?? []).filter((e) => e.message.includes(' has started '));
    expect(started, 'one "has started" event per scheduled time').to.have.length(runs);
    expect(status.nextScheduleTime).to.equal(new Date(times.at(-1)! + MINUTE).toISOString().replace('.000Z', 'Z'));
  });
});
