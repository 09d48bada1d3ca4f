// A task's ECS status read off its Pod: lastStatus through the ECS lifecycle, containers with exit
// codes and health, and the decision to stop the task (stopCode, stoppedReason). Pure: the Task
// controller feeds it the cached Pod and the status it last wrote, and carries out `stop`.
import type { V1Container, V1ContainerStatus, V1Pod } from '@kubernetes/client-node';
import type {
  ContainerLastStatus,
  HealthStatus,
  NetworkBinding,
  TaskContainer,
  TaskDesiredStatus,
  TaskLastStatus,
  TaskStatus,
  TaskStopCode,
} from '../api/task.js';
import { ANNOTATIONS } from './labels.js';

export interface TaskStatusInput {
  /** The task's Pod as the cache has it, if it exists. */
  pod?: V1Pod;
  /** The status as last written. */
  previous?: TaskStatus;
  desiredStatus: TaskDesiredStatus;
  /** ISO time of this observation. */
  now: string;
}

export interface TaskStop {
  stopCode: TaskStopCode;
  stoppedReason: string;
}

/** The observed part of a task's status, and whether the Pod must be stopped now. */
export interface TaskObservation {
  status: TaskStatus;
  /** Set while the task must be stopped and its Pod still runs: the controller deletes the Pod. */
  stopPod?: TaskStop;
}

/** Waiting reasons after which a container never starts without a change of spec. */
const FAILED_TO_START = new Set([
  'ErrImagePull',
  'ImagePullBackOff',
  'InvalidImageName',
  'ErrImageNeverPull',
  'CreateContainerConfigError',
  'CreateContainerError',
  'RunContainerError',
]);

const AFTER_LAUNCH: ReadonlySet<TaskLastStatus> = new Set(['PENDING', 'ACTIVATING', 'RUNNING', 'DEACTIVATING', 'STOPPING', 'DEPROVISIONING']);

export const STOPPED_REASONS = {
  user: 'Task stopped by user',
  essentialExited: 'Essential container in task exited',
  podGone: 'Task stopped because its pod is gone (deleted outside ecs-operator, node removed or pod evicted); a task is never launched twice',
} as const;

function annotationJson<T>(pod: V1Pod, key: string, fallback: T): T {
  const text = pod.metadata?.annotations?.[key];
  if (!text) return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

/** ECS wording of why a container stopped or cannot start. */
function containerReason(status: V1ContainerStatus): string | undefined {
  const { waiting, terminated } = status.state ?? {};
  if (waiting?.reason && FAILED_TO_START.has(waiting.reason)) {
    const kind = waiting.reason.includes('Image') ? 'CannotPullContainerError' : 'CannotStartContainerError';
    return `${kind}: ${waiting.message ?? waiting.reason}`;
  }
  if (terminated?.reason === 'OOMKilled') return 'OutOfMemoryError: Container killed due to memory usage';
  if (terminated && terminated.reason && terminated.reason !== 'Completed' && terminated.reason !== 'Error') {
    return terminated.message ? `${terminated.reason}: ${terminated.message}` : terminated.reason;
  }
  return terminated?.message;
}

function containerLastStatus(status: V1ContainerStatus | undefined): ContainerLastStatus {
  if (status?.state?.running) return 'RUNNING';
  if (status?.state?.terminated) return 'STOPPED';
  return 'PENDING';
}

/** Health of a container with a health check: its readiness, UNKNOWN while its start period (startup probe) runs. */
function containerHealth(spec: V1Container, status: V1ContainerStatus | undefined): HealthStatus {
  if (!spec.readinessProbe && !spec.livenessProbe) return 'UNKNOWN';
  if (!status?.state?.running) return 'UNKNOWN';
  if (status.ready) return 'HEALTHY';
  return spec.startupProbe && status.started !== true ? 'UNKNOWN' : 'UNHEALTHY';
}

function networkBindings(spec: V1Container, hostIP: string | undefined): NetworkBinding[] | undefined {
  const bindings = (spec.ports ?? [])
    .filter((port) => port.hostPort)
    .map((port) => ({
      bindIP: hostIP ?? '0.0.0.0',
      containerPort: port.containerPort,
      hostPort: port.hostPort,
      protocol: (port.protocol ?? 'TCP').toLowerCase() as NetworkBinding['protocol'],
    }));
  return bindings.length > 0 ? bindings : undefined;
}

interface PodContainer {
  spec: V1Container;
  status?: V1ContainerStatus;
}

/** The pod's ECS containers: native sidecars and one-shot init containers first, then the main ones. */
function podContainers(pod: V1Pod): PodContainer[] {
  const byName = new Map<string, V1ContainerStatus>();
  for (const status of [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])]) byName.set(status.name, status);
  return [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].map((spec) => ({ spec, status: byName.get(spec.name) }));
}

function describeContainers(pod: V1Pod): TaskContainer[] {
  const ecsNames = annotationJson<Record<string, string>>(pod, ANNOTATIONS.containerNames, {});
  return podContainers(pod).map(({ spec, status }) => {
    const terminated = status?.state?.terminated;
    const container: TaskContainer = {
      name: ecsNames[spec.name] ?? spec.name,
      image: spec.image,
      lastStatus: containerLastStatus(status),
      healthStatus: containerHealth(spec, status),
    };
    if (status?.imageID) container.imageDigest = status.imageID.replace(/^.*@/, '');
    if (status?.containerID) container.runtimeId = status.containerID.replace(/^[a-z]+:\/\//, '');
    if (terminated) container.exitCode = terminated.exitCode;
    const reason = status && containerReason(status);
    if (reason) container.reason = reason;
    const bindings = networkBindings(spec, pod.status?.hostIP);
    if (bindings) container.networkBindings = bindings;
    if (status?.restartCount) container.restartCount = status.restartCount;
    return container;
  });
}

/** ECS task health: from essential containers with health checks, UNHEALTHY over UNKNOWN over HEALTHY. */
function taskHealth(pod: V1Pod, containers: readonly TaskContainer[]): HealthStatus {
  const essential = new Set(annotationJson<string[]>(pod, ANNOTATIONS.essentialContainers, []));
  const checked = podContainers(pod)
    .map(({ spec }, index) => ({ spec, health: containers[index]?.healthStatus ?? 'UNKNOWN' }))
    .filter(({ spec }) => essential.has(spec.name) && (spec.readinessProbe || spec.livenessProbe))
    .map(({ health }) => health);
  if (checked.length === 0) return 'UNKNOWN';
  if (checked.includes('UNHEALTHY')) return 'UNHEALTHY';
  return checked.includes('UNKNOWN') ? 'UNKNOWN' : 'HEALTHY';
}

/** Why the pod means the task must stop, if it does. */
function stopFromPod(pod: V1Pod): TaskStop | undefined {
  const essential = new Set(annotationJson<string[]>(pod, ANNOTATIONS.essentialContainers, []));
  const containers = podContainers(pod);
  const failedToStart = containers.find(({ status }) => status?.state?.waiting?.reason && FAILED_TO_START.has(status.state.waiting.reason));
  if (failedToStart?.status) return { stopCode: 'TaskFailedToStart', stoppedReason: containerReason(failedToStart.status) ?? 'Task failed to start' };
  const phase = pod.status?.phase;
  if ((phase === 'Failed' || phase === 'Succeeded') && pod.status?.reason) {
    return { stopCode: 'TerminationNotice', stoppedReason: `${pod.status.reason}: ${pod.status.message ?? ''}`.trim() };
  }
  const exited = containers.some(
    ({ spec, status }) => essential.has(spec.name) && status?.state?.terminated && spec.restartPolicy !== 'Always' && !isOneShotInit(pod, spec),
  );
  if (exited || phase === 'Failed' || phase === 'Succeeded') return { stopCode: 'EssentialContainerExited', stoppedReason: STOPPED_REASONS.essentialExited };
  return undefined;
}

/** One-shot init containers (dependsOn COMPLETE/SUCCESS targets) are meant to exit. */
function isOneShotInit(pod: V1Pod, spec: V1Container): boolean {
  return (pod.spec?.initContainers ?? []).some((init) => init.name === spec.name && init.restartPolicy !== 'Always');
}

function isScheduled(pod: V1Pod): boolean | undefined {
  const condition = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
  if (pod.spec?.nodeName) return true;
  return condition ? condition.status === 'True' : undefined;
}

function launchStatus(pod: V1Pod, containers: readonly TaskContainer[]): TaskLastStatus {
  const scheduled = isScheduled(pod);
  if (scheduled === undefined) return 'PROVISIONING';
  if (!scheduled || pod.status?.phase === 'Pending') return 'PENDING';
  const main = new Set((pod.spec?.containers ?? []).map((c) => c.name));
  // Every main container has started (a non-essential one may already have exited).
  const mainStarted = podContainers(pod).every(({ spec }, index) => !main.has(spec.name) || containers[index]?.lastStatus !== 'PENDING');
  return mainStarted ? 'RUNNING' : 'ACTIVATING';
}

function earliestStart(pod: V1Pod): string | undefined {
  const starts = podContainers(pod)
    .map(({ status }) => status?.state?.running?.startedAt ?? status?.state?.terminated?.startedAt)
    .filter((t): t is Date => t !== undefined)
    .map((t) => new Date(t).toISOString())
    .sort();
  return starts[0];
}

/** Containers of a task whose pod is gone: whatever still ran has stopped. */
function stoppedContainers(containers: readonly TaskContainer[] | undefined): TaskContainer[] | undefined {
  return containers?.map((c) => (c.lastStatus === 'STOPPED' ? c : { ...c, lastStatus: 'STOPPED' }));
}

/**
 * The ECS status of a task from its Pod. A STOPPED task is final: its status never changes again.
 * Scheduling failures keep a task PENDING (it waits for capacity); image and container-creation
 * failures stop it (TaskFailedToStart); an exited essential container stops it (EssentialContainerExited).
 */
export function observeTask(input: TaskStatusInput): TaskObservation {
  const previous = input.previous ?? {};
  if (previous.lastStatus === 'STOPPED') return { status: previous };
  const { pod, now } = input;
  let stop: TaskStop | undefined = previous.stopCode ? { stopCode: previous.stopCode, stoppedReason: previous.stoppedReason ?? '' } : undefined;
  if (!stop && input.desiredStatus === 'STOPPED') stop = { stopCode: 'UserInitiated', stoppedReason: STOPPED_REASONS.user };

  if (!pod) {
    const hadPod = previous.lastStatus !== undefined && AFTER_LAUNCH.has(previous.lastStatus);
    if (!stop && !hadPod) return { status: { ...previous, lastStatus: 'PROVISIONING', desiredStatus: 'RUNNING' } };
    stop ??= { stopCode: 'TerminationNotice', stoppedReason: STOPPED_REASONS.podGone };
    const containers = stoppedContainers(previous.containers);
    return {
      status: {
        ...previous,
        ...stop,
        lastStatus: 'STOPPED',
        desiredStatus: 'STOPPED',
        ...(containers ? { containers } : {}),
        stoppingAt: previous.stoppingAt ?? now,
        executionStoppedAt: previous.executionStoppedAt ?? now,
        stoppedAt: now,
      },
    };
  }

  const containers = describeContainers(pod);
  stop ??= stopFromPod(pod);
  const status: TaskStatus = {
    ...previous,
    containers,
    healthStatus: taskHealth(pod, containers),
    desiredStatus: stop ? 'STOPPED' : 'RUNNING',
  };
  if (pod.spec?.nodeName) status.containerInstance = pod.spec.nodeName;
  const started = earliestStart(pod);
  if (started && !status.startedAt) status.startedAt = started;
  if (started && !status.pullStoppedAt) {
    status.pullStartedAt ??= started;
    status.pullStoppedAt = started;
  }
  if (!stop) return { status: { ...status, lastStatus: launchStatus(pod, containers) } };

  Object.assign(status, stop);
  status.stoppingAt ??= now;
  const allStopped = containers.every((c) => c.lastStatus !== 'RUNNING');
  if (allStopped) status.executionStoppedAt ??= now;
  const terminal = pod.status?.phase === 'Failed' || pod.status?.phase === 'Succeeded';
  // A pod whose containers have all finished is kept (its logs stay readable) and the task is STOPPED.
  if (terminal) return { status: { ...status, lastStatus: 'STOPPED', executionStoppedAt: status.executionStoppedAt ?? now, stoppedAt: now } };
  if (pod.metadata?.deletionTimestamp) return { status: { ...status, lastStatus: 'STOPPING' } };
  return { status: { ...status, lastStatus: 'DEACTIVATING' }, stopPod: stop };
}
