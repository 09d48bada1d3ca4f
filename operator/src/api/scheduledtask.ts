// The ScheduledTask kind: an EventBridge schedule whose target is ECS RunTask, run as Task resources.
import type { CapacityProviderStrategyItem } from './cluster.js';
import type { Condition, EcsResource, Tag } from './meta.js';
import type { PlacementConstraint, PlacementStrategy } from './placement.js';
import type { ServiceEvent } from './service.js';
import type { LaunchType, NetworkConfiguration, PropagateTags, TaskLastStatus, TaskStopCode } from './task.js';
import type { TaskOverride } from './taskdefinition.js';

export type ScheduleState = 'ENABLED' | 'DISABLED';
export type FlexibleTimeWindowMode = 'OFF' | 'FLEXIBLE';
/** Allow (the default, as ECS lets runs overlap), Forbid (skip while a run is going) or Replace (stop it first). */
export type ConcurrencyPolicy = 'Allow' | 'Forbid' | 'Replace';

/** EventBridge `FlexibleTimeWindow`: FLEXIBLE runs each time at a point within the window after it. */
export interface FlexibleTimeWindow {
  mode: FlexibleTimeWindowMode;
  /** 1-1440; required with FLEXIBLE, not allowed with OFF. */
  maximumWindowInMinutes?: number;
}

/** EventBridge `RetryPolicy`. */
export interface RetryPolicy {
  /** How often a Task of a run that failed to start (TaskFailedToStart) is created again, 0-185 (default 185). */
  maximumRetryAttempts?: number;
  /** How late a time may still run, 60-86400 seconds (default 86400); older missed times are skipped. */
  maximumEventAgeInSeconds?: number;
}

/** What each run starts: RunTask input (EventBridge `EcsParameters`, with the overrides of `Input`). */
export interface ScheduledTaskTarget {
  /** Cluster resource name in this namespace (or a cluster ARN ending in `/NAME`). Default `default`. */
  cluster?: string;
  /** `family`, `family:revision` or a task definition ARN. */
  taskDefinition: string;
  /** Tasks per run, 1-10 (default 1). */
  count?: number;
  overrides?: TaskOverride;
  /** Default `family:FAMILY`. */
  group?: string;
  placementConstraints?: PlacementConstraint[];
  placementStrategy?: PlacementStrategy[];
  launchType?: LaunchType;
  capacityProviderStrategy?: CapacityProviderStrategyItem[];
  networkConfiguration?: NetworkConfiguration;
  /** kube-scheduler profile; otherwise chosen from the placement strategy or the Cluster. */
  schedulerName?: string;
  enableExecuteCommand?: boolean;
  propagateTags?: Exclude<PropagateTags, 'SERVICE'>;
  /** Adds the tag `aws:ecs:clusterName` to each Task's pod. */
  enableECSManagedTags?: boolean;
  /** Tags of each Task. */
  tags?: Tag[];
}

export interface ScheduledTaskSpec {
  /** `cron(minutes hours day-of-month month day-of-week year)`, `rate(value unit)` or `at(yyyy-mm-ddThh:mm:ss)`. */
  scheduleExpression: string;
  /** IANA time zone in which cron() and at() are read (default UTC). */
  scheduleExpressionTimezone?: string;
  /** ENABLED (default) or DISABLED. */
  state?: ScheduleState;
  /** RFC 3339: no run before it; a rate() schedule counts from it. */
  startDate?: string;
  /** RFC 3339: no run after it. */
  endDate?: string;
  flexibleTimeWindow?: FlexibleTimeWindow;
  target: ScheduledTaskTarget;
  retryPolicy?: RetryPolicy;
  concurrencyPolicy?: ConcurrencyPolicy;
  /** Finished runs whose Tasks all stopped successfully that are kept (default 3). */
  successfulRunsHistoryLimit?: number;
  /** Finished runs with a failed Task that are kept (default 1). */
  failedRunsHistoryLimit?: number;
}

/** One Task of a run, as its status last said. */
export interface ScheduledTaskRunTask {
  /** The Task resource's name. */
  name: string;
  lastStatus?: TaskLastStatus;
  stopCode?: TaskStopCode;
  stoppedReason?: string;
}

/** The Tasks started for one scheduled time. */
export interface ScheduledTaskRun {
  /** The scheduled time (RFC 3339, UTC). */
  scheduledTime: string;
  /** running while a Task of the run runs; then succeeded (every Task exited cleanly) or failed. */
  outcome?: 'running' | 'succeeded' | 'failed';
  /** Tasks of the run created again because a Task failed to start (retryPolicy.maximumRetryAttempts). */
  retryAttempts?: number;
  tasks: ScheduledTaskRunTask[];
}

export interface ScheduledTaskStatus {
  observedGeneration?: number;
  /** `arn:aws:scheduler:local:NAMESPACE:schedule/default/NAME`. */
  scheduleArn?: string;
  /** The latest scheduled time that was run or skipped: no time at or before it runs again. */
  lastScheduleTime?: string;
  /** When the next run is due, if the schedule has one. */
  nextScheduleTime?: string;
  /** The runs whose Tasks still exist, newest first. */
  runs?: ScheduledTaskRun[];
  /** The latest 100 events, newest first. */
  events?: ServiceEvent[];
  conditions?: Condition[];
}

export type ScheduledTask = EcsResource<'ScheduledTask', ScheduledTaskSpec, ScheduledTaskStatus>;
