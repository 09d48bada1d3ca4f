// ScheduledTask controller: at each time of an EventBridge schedule expression, the target's RunTask input
// becomes `count` Task resources named after the time, owned by the schedule. Observe (observe.ts), plan
// (plan.ts, pure) and execute (execute.ts, through the child writer); the reconcile comes back at the next
// scheduled time, and whenever one of the schedule's Tasks changes (a Forbid hold ends, a Task failed to start).
import type { ScheduledTask } from '../../api/index.js';
import { Controller, controllerOwnerKey, type ReconcileContext } from '../../runtime/controller.js';
import { RESOURCES } from '../../runtime/informer.js';
import type { OperatorContext } from '../context.js';
import { executeSchedulePlan } from './execute.js';
import { observeSchedule } from './observe.js';
import { planSchedule } from './plan.js';
import { planBlocked } from '../common.js';

/** How soon to look again while the cache has not yet shown this controller's own writes. */
const CATCH_UP_MS = 1000;

export function createScheduledTaskController(context: OperatorContext): Controller {
  const schedules = context.informers.for(RESOURCES.scheduledTasks);
  const tasks = context.informers.for(RESOURCES.tasks);
  context.writer.track(tasks);

  /**
   * Whether the cached schedule is the one the API server holds. Asked only before starting a run: the
   * Task cache and the schedule cache are separate watches, so a run's Tasks deleted as history may vanish from
   * the cache before the status that records their time arrives, and planning on that older status would run
   * the time again.
   */
  async function cachedIsCurrent(schedule: ScheduledTask): Promise<boolean> {
    const { name = '', namespace = '' } = schedule.metadata;
    const [group = '', version = ''] = RESOURCES.scheduledTasks.apiVersion.split('/');
    const live = (await context.clients.custom.getNamespacedCustomObject({
      group,
      version,
      namespace,
      plural: RESOURCES.scheduledTasks.plural,
      name,
    })) as ScheduledTask;
    return live.metadata.resourceVersion === schedule.metadata.resourceVersion;
  }

  async function reconcile({ namespace = '', name, key, log }: ReconcileContext) {
    const owner = { kind: 'ScheduledTask', key };
    const schedule = schedules.get(name, namespace);
    const blocked = planBlocked(context, owner, schedule !== undefined && !schedule.metadata.deletionTimestamp, log, schedule);
    if (blocked === 'behind') return { requeueAfterMs: CATCH_UP_MS };
    if (blocked || !schedule) return undefined;
    const plan = planSchedule(observeSchedule(schedule, tasks, new Date(context.clock.now())));
    if (plan.create.length > 0 && !(await cachedIsCurrent(schedule))) return { requeueAfterMs: CATCH_UP_MS };
    const { created } = await executeSchedulePlan(context, owner, schedule, plan);
    if (created.length > 0) log.info('scheduled run started', { tasks: created });
    return plan.requeueAfterMs !== undefined ? { requeueAfterMs: plan.requeueAfterMs } : undefined;
  }

  const controller = new Controller(
    { name: 'scheduledtask', primary: schedules, reconcile, concurrency: context.settings.concurrency, resyncPeriodMs: context.settings.resyncPeriodMs },
    { log: context.log, metrics: context.metrics, clock: context.clock },
  );
  controller.watch(tasks, controllerOwnerKey('ScheduledTask'));
  return controller;
}
