// ScheduledTask: EventBridge schedule expressions, when they run, and what a reconcile of a schedule does.
export { parseScheduleExpression, SCHEDULE_EXPRESSION_PATH, type Schedule, type ScheduleParseResult } from './expression.js';
export { nextRun, runsBetween, type RunsBetween, type ScheduleClock, type ScheduleInput } from './next-run.js';
export {
  flexibleDelayMillis,
  MAX_RUNS_PER_PLAN,
  planRuns,
  type PlannedTask,
  type RunPlan,
  type RunPlanInput,
  type RunTaskOutcome,
  type ScheduleRunTask,
  type SkippedTimes,
} from './plan.js';
export { MAX_TASKS_PER_RUN, runTaskNames } from './run-names.js';
export { scheduleSettings, type ScheduleSettings, type ScheduleSettingsResult } from './spec.js';
export { isTimeZone } from './time-zone.js';
export { planRetries, retryTaskName, runSlots, type PlannedRetry, type RunSlot, type ScheduleTaskAttempt } from './retries.js';
export { retryOf, rfc3339, scheduledRunTask, scheduledTaskRuns, scheduleRunTaskOf, scheduleStartedBy } from './run-task.js';
