// A Service's tasks read off its pods, in the terms the rollout and the circuit breaker need: pending,
// running but not yet healthy, healthy, failed (and at which circuit breaker stage), or stopping. Pure:
// the controller passes the time; the task's ECS lifecycle comes from the same observeTask the Task
// controller uses, so a service task and a standalone task fail for the same reasons.
import type { V1Pod, V1Probe } from '@kubernetes/client-node';
import type { TaskLastStatus } from '../api/task.js';
import { ANNOTATIONS } from './labels.js';
import { observeTask, STOPPED_REASONS } from './task-status.js';
import { isReady } from './readiness.js';

export type ServiceTaskState = 'PENDING' | 'STARTING' | 'HEALTHY' | 'FAILED' | 'STOPPING';

export interface TaskFailure {
  /**
   * Circuit breaker stage: 1 the task never reached RUNNING (image pull, container creation), 2 it ran
   * and failed its health checks or an essential container exited. Undefined: the task was stopped by
   * its node (eviction, node loss), which the breaker does not count.
   */
  stage?: 1 | 2;
  /** ECS stoppedReason. */
  reason: string;
}

export interface ServiceTask {
  state: ServiceTaskState;
  /** The ECS lifecycle state: RUNNING tasks count in runningCount, PROVISIONING to ACTIVATING in pendingCount. */
  lastStatus: TaskLastStatus;
  failure?: TaskFailure;
  /** Milliseconds until a STARTING task's health checks count against it (it turns FAILED then unless healthy). */
  healthCheckDueInMs?: number;
}

export const HEALTH_CHECK_FAILED_REASON = 'Task failed container health checks';

// Kubernetes probe defaults, for probes that leave them out.
const PROBE_DEFAULTS = { initialDelaySeconds: 0, periodSeconds: 10, failureThreshold: 3 };

function probeSeconds(probe: V1Probe | undefined): number {
  if (!probe) return 0;
  const { initialDelaySeconds, periodSeconds, failureThreshold } = { ...PROBE_DEFAULTS, ...probe };
  return initialDelaySeconds + periodSeconds * failureThreshold;
}

/**
 * How long a healthy task may take to pass its health checks after it starts: its start period (the
 * startup probe) and then as many failed checks as the readiness probe tolerates. Zero without checks.
 */
export function healthCheckAllowanceSeconds(pod: V1Pod): number {
  const containers = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
  return Math.max(0, ...containers.map((c) => probeSeconds(c.startupProbe) + probeSeconds(c.readinessProbe)));
}

/** An essential container that keeps crashing: the kubelet restarts it in place, ECS would stop the task. */
function crashingEssential(pod: V1Pod): boolean {
  let essential: string[] = [];
  try {
    essential = JSON.parse(pod.metadata?.annotations?.[ANNOTATIONS.essentialContainers] ?? '[]') as string[];
  } catch {
    essential = [];
  }
  return (pod.status?.containerStatuses ?? []).some((s) => essential.includes(s.name) && s.state?.waiting?.reason === 'CrashLoopBackOff');
}

export interface ClassifyOptions {
  /** Milliseconds since the epoch. */
  now: number;
  /** The service's healthCheckGracePeriodSeconds: failing health checks do not count for that long after a task starts. */
  gracePeriodSeconds: number;
}

/**
 * A task is HEALTHY when RUNNING and its pod is Ready (its essential containers pass their health checks;
 * without checks, its containers run). A RUNNING task that is not Ready is STARTING until the grace
 * period and the time its checks need have passed since it started, FAILED after.
 */
export function classifyServiceTask(pod: V1Pod, { now, gracePeriodSeconds }: ClassifyOptions): ServiceTask {
  const { status, stopPod } = observeTask({ pod, desiredStatus: 'RUNNING', now: new Date(now).toISOString() });
  const lastStatus = status.lastStatus ?? 'PROVISIONING';
  if (pod.metadata?.deletionTimestamp) return { state: 'STOPPING', lastStatus: 'STOPPING' };
  // A pod whose containers have all finished is STOPPED at once: its stop is in the status, not in stopPod.
  const stop = stopPod ?? (status.stopCode ? { stopCode: status.stopCode, stoppedReason: status.stoppedReason ?? '' } : undefined);
  if (stop) {
    const stage = stop.stopCode === 'TaskFailedToStart' ? 1 : stop.stopCode === 'EssentialContainerExited' ? 2 : undefined;
    return { state: 'FAILED', lastStatus, failure: { ...(stage ? { stage } : {}), reason: stop.stoppedReason } };
  }
  if (crashingEssential(pod)) return { state: 'FAILED', lastStatus, failure: { stage: 2, reason: STOPPED_REASONS.essentialExited } };
  if (lastStatus !== 'RUNNING') return { state: 'PENDING', lastStatus };
  if (isReady(pod)) return { state: 'HEALTHY', lastStatus };
  const startedAt = status.startedAt ? new Date(status.startedAt).getTime() : now;
  const due = startedAt + (gracePeriodSeconds + healthCheckAllowanceSeconds(pod)) * 1000;
  if (now >= due) return { state: 'FAILED', lastStatus, failure: { stage: 2, reason: HEALTH_CHECK_FAILED_REASON } };
  return { state: 'STARTING', lastStatus, healthCheckDueInMs: due - now };
}
