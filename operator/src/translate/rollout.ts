// ECS rolling deployments as arithmetic: how many tasks each deployment of a Service should ask its
// ReplicaSet for next, so that a rollout moves forward without ever leaving the deployment bounds, and
// when the circuit breaker gives up. Pure: the Service controller counts tasks from pods and passes them in.
//
// The bounds (ECS): healthy tasks ≥ ceil(desiredCount × minimumHealthyPercent / 100) and RUNNING plus
// PENDING tasks ≤ floor(desiredCount × maximumPercent / 100). One step never breaks either bound by its
// own doing, given how a ReplicaSet carries it out: asked for fewer pods it removes pending and unready
// ones before ready ones (Kubernetes' ActivePods ranking), and asked for more it creates pending ones.
//  1. Old deployments give up their tasks that are not healthy: they never count towards the minimum.
//  2. Old deployments give up healthy tasks down to the minimum, oldest deployment first.
//  3. The PRIMARY deployment grows into the room the maximum leaves beside the tasks that still exist,
//     up to desiredCount. Tasks asked to stop in 1 and 2 still take room until they are gone, so with
//     maximumPercent 100 old tasks stop before new ones start. The tasks that exist are counted as the caches
//     may lag: an old deployment takes the most of what its ReplicaSet is asked for, the tasks seen and the
//     tasks its ReplicaSet controller reported; and while that controller has not acted on an old deployment's
//     lowered count, it may still start tasks for the earlier one, so the PRIMARY does not grow at all.
// The PRIMARY never shrinks except to desiredCount; old deployments never grow.
import type { CircuitBreakerThresholdConfiguration } from '../api/service.js';
import type { DeploymentConfiguration, SchedulingStrategy } from '../api/service.js';

export interface DeploymentPercents {
  minimumHealthyPercent: number;
  maximumPercent: number;
}

/** ECS defaults: REPLICA services start new tasks before stopping old ones, DAEMON services stop first. */
export const DEFAULT_PERCENTS: Readonly<Record<SchedulingStrategy, DeploymentPercents>> = {
  REPLICA: { minimumHealthyPercent: 100, maximumPercent: 200 },
  DAEMON: { minimumHealthyPercent: 0, maximumPercent: 100 },
};

/** A Service's percents: what it sets, else the ECS default of its scheduling strategy. */
export function deploymentPercents(strategy: SchedulingStrategy, configuration: DeploymentConfiguration | undefined): DeploymentPercents {
  const defaults = DEFAULT_PERCENTS[strategy];
  return {
    minimumHealthyPercent: configuration?.minimumHealthyPercent ?? defaults.minimumHealthyPercent,
    maximumPercent: configuration?.maximumPercent ?? defaults.maximumPercent,
  };
}

export interface TaskBounds {
  /** Healthy tasks a deployment keeps: ceil(desiredCount × minimumHealthyPercent / 100). */
  minHealthy: number;
  /** RUNNING plus PENDING tasks at most: floor(desiredCount × maximumPercent / 100). */
  maxTasks: number;
}

export function taskBounds(desiredCount: number, percents: DeploymentPercents): TaskBounds {
  // Integer arithmetic: 0.29 × 100 is not 29 in floating point, and the rounding must be ECS's.
  return {
    minHealthy: Math.ceil((desiredCount * percents.minimumHealthyPercent) / 100),
    maxTasks: Math.floor((desiredCount * percents.maximumPercent) / 100),
  };
}

/** One deployment's tasks as the controller counts them from its pods (pods being deleted left out). */
export interface DeploymentTasks {
  /** What its ReplicaSet is asked for now (spec.replicas). */
  replicas: number;
  /** RUNNING and passing health checks. */
  healthy: number;
  /** Every other task not stopping: pending, activating, running but not (yet) healthy. */
  unhealthy: number;
  /**
   * False while its ReplicaSet controller has not acted on `replicas` yet (status.observedGeneration behind
   * metadata.generation): it may still be creating tasks for an earlier, higher count. Default true.
   */
  acted?: boolean;
  /** Tasks its ReplicaSet controller counted when it last acted (status.replicas): some may not be in the pod cache yet. */
  reported?: number;
}

export interface RolloutInput {
  desiredCount: number;
  percents: DeploymentPercents;
  /** The deployment the service converges to. */
  primary: DeploymentTasks;
  /** Whether the PRIMARY deployment was marked FAILED by the circuit breaker: it starts no more tasks. */
  primaryFailed?: boolean;
  /** Every other deployment with replicas or tasks, oldest first (the order they give up healthy tasks). */
  others: readonly DeploymentTasks[];
}

export interface RolloutStep {
  /** The PRIMARY's next replicas. */
  primary: number;
  /** Each other deployment's next replicas, in input order. */
  others: number[];
  /**
   * The bounds leave no room to replace a single task (maxTasks ≤ minHealthy while old healthy tasks
   * remain): ECS waits in this state too; the controller reports it.
   */
  stalled: boolean;
}

const tasksOf = (d: DeploymentTasks) => d.healthy + d.unhealthy;
/** Tasks a deployment has or is about to have: its pods, or its replicas when they are still to be created. */
const occupancy = (replicas: number, d: DeploymentTasks) => Math.max(replicas, tasksOf(d));
/** Healthy tasks a deployment keeps when asked for `replicas`: the ReplicaSet removes unhealthy ones first. */
const healthyKept = (replicas: number, d: DeploymentTasks) => Math.min(d.healthy, replicas);

export function computeRolloutStep(input: RolloutInput): RolloutStep {
  const { desiredCount, primary } = input;
  const { minHealthy, maxTasks } = taskBounds(desiredCount, input.percents);

  if (input.primaryFailed) {
    // ECS stops launching tasks for a FAILED deployment: keep what runs, replace nothing, hold the rest.
    return { primary: Math.min(primary.replicas, tasksOf(primary), desiredCount), others: input.others.map((d) => d.replicas), stalled: false };
  }

  // A desiredCount lower than the PRIMARY's replicas takes effect at once (ECS scale-in is not a deployment).
  const primaryKept = Math.min(primary.replicas, desiredCount);
  // 1. Old deployments keep only their healthy tasks.
  const others = input.others.map((d) => Math.min(d.replicas, d.healthy));
  // 2. ... and give up healthy ones while the healthy total stays at the minimum (or where it is, if below).
  const healthyTotal = healthyKept(primaryKept, primary) + others.reduce((sum, replicas, i) => sum + healthyKept(replicas, input.others[i]!), 0);
  let budget = Math.max(0, healthyTotal - minHealthy);
  for (let i = 0; i < others.length && budget > 0; i++) {
    const stop = Math.min(others[i]!, budget);
    others[i]! -= stop;
    budget -= stop;
  }
  // 3. The PRIMARY grows into the room left by the tasks the others still have. An old deployment lowered in
  //    this step still occupies what its ReplicaSet asks for now: the ReplicaSet controller may create those
  //    pods (or not have deleted them yet) before the lowered count reaches it, and the primary's new pods would
  //    then exceed the maximum. The room they free counts from the next step, once the lowered count is seen.
  //    Its ReplicaSet controller may also hold tasks the pod cache does not show yet, and while it has not acted on
  //    a lowered count it may still be starting tasks for the count before: then no room is known at all.
  const othersOccupy = others.reduce((sum, replicas, i) => {
    const d = input.others[i]!;
    return sum + Math.max(occupancy(Math.max(replicas, d.replicas), d), d.reported ?? 0);
  }, 0);
  const othersSettled = input.others.every((d) => d.acted !== false);
  const room = othersSettled ? maxTasks - othersOccupy : 0;
  const next = Math.min(desiredCount, Math.max(primaryKept, room));

  const oldHealthyLeft = others.some((replicas, i) => healthyKept(replicas, input.others[i]!) > 0);
  const stalled = oldHealthyLeft && next < desiredCount && maxTasks <= minHealthy;
  return { primary: next, others, stalled };
}

/** Whether a deployment is where the rollout leaves it: the PRIMARY at desiredCount healthy, no other task. */
export function rolloutDone(input: Pick<RolloutInput, 'desiredCount' | 'primary' | 'others'>): boolean {
  const { primary, desiredCount } = input;
  return (
    primary.replicas === desiredCount &&
    primary.healthy === desiredCount &&
    primary.unhealthy === 0 &&
    input.others.every((d) => d.replicas === 0 && tasksOf(d) === 0)
  );
}

/**
 * ECS circuit breaker failure threshold. By default (BOUNDED_PERCENT 50) half of desiredCount, at least 3 and at
 * most 200 failed tasks; COUNT is a number of tasks; UNBOUNDED_PERCENT a percent of desiredCount, at least 1.
 */
export function circuitBreakerThreshold(desiredCount: number, configuration?: CircuitBreakerThresholdConfiguration): number {
  const { type, value } = configuration ?? { type: 'BOUNDED_PERCENT', value: 50 };
  const percent = Math.ceil((desiredCount * value) / 100);
  switch (type) {
    case 'COUNT':
      return value;
    case 'UNBOUNDED_PERCENT':
      return Math.max(1, percent);
    default:
      return Math.min(200, Math.max(3, percent));
  }
}

const RETRY_BASE_MS = 10_000;
const RETRY_MAX_MS = 15 * 60_000;

/**
 * How long a failed task of a deployment stays before it is stopped and replaced, after `failures` failed
 * tasks. Without a circuit breaker ECS retries with growing delays, up to 15 minutes: the first `threshold`
 * failures are replaced at once, every later one waits twice as long as the one before. A watched
 * deployment replaces at once: the breaker ends the attempts.
 */
export function replacementDelayMs(failures: number, threshold: number, circuitBreaker: boolean): number {
  if (circuitBreaker || failures < threshold) return 0;
  return Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** Math.min(20, failures - threshold));
}

/**
 * A DaemonSet's rolling update from DAEMON percents (per node, as ECS applies them to one task per
 * instance): maxUnavailable 100 − minimumHealthyPercent %, maxSurge maximumPercent − 100 % (capped at
 * 100 %). Kubernetes refuses both at zero; ECS would then never replace a task, so one node at a time
 * may go without its task instead.
 */
export function daemonRollingUpdate(percents: DeploymentPercents): { maxUnavailable: string | number; maxSurge: string | number } {
  const unavailable = Math.max(0, 100 - percents.minimumHealthyPercent);
  const surge = Math.min(100, Math.max(0, percents.maximumPercent - 100));
  if (unavailable === 0 && surge === 0) return { maxUnavailable: 1, maxSurge: 0 };
  return { maxUnavailable: `${unavailable}%`, maxSurge: `${surge}%` };
}
