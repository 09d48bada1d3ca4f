// CPU, memory, GPUs and ephemeral storage.
// Container: cpu → CPU request only (a weight, never a cap); memory (hard) → memory limit;
// memoryReservation (soft) → memory request; memory alone → request = limit; neither → nothing at the
// container: the container shares the task's memory, which the pod-level resources cap, as ECS caps it.
// Task: cpu and memory → pod-level requests and limits (PodLevelResources, Kubernetes 1.34+): ECS
// reserves them for placement and enforces them as the task's hard cap.
// GPU → a limit of the cluster's GPU resource (Kubernetes sets the request to match).
// ephemeralStorage → ephemeral-storage request and limit split evenly over the long-running containers
// (Kubernetes has no pod-level ephemeral storage); the first ones take the remainder.
import type { V1ResourceRequirements } from '@kubernetes/client-node';
import type { ContainerDefinition } from '../api/taskdefinition.js';
import type { IssueLog } from './issues.js';
import { containerCpuMillicores, millicoresToQuantity, mibToQuantity, taskCpuMillicores } from './units.js';

export const DEFAULT_GPU_RESOURCE = 'nvidia.com/gpu';

type Quantities = Record<string, string>;

function requirements(requests: Quantities, limits: Quantities): V1ResourceRequirements | undefined {
  const hasRequests = Object.keys(requests).length > 0;
  const hasLimits = Object.keys(limits).length > 0;
  if (!hasRequests && !hasLimits) return undefined;
  return { ...(hasLimits ? { limits } : {}), ...(hasRequests ? { requests } : {}) };
}

function gpuLimits(definition: ContainerDefinition, gpuResource: string, path: string, log: IssueLog): Quantities {
  const limits: Quantities = {};
  (definition.resourceRequirements ?? []).forEach(({ type, value }, index) => {
    const entryPath = `${path}.resourceRequirements[${index}]`;
    if (type === 'InferenceAccelerator') log.warn(entryPath, 'Elastic Inference accelerators do not exist in Kubernetes; not requested');
    else if (/^[1-9][0-9]*$/.test(value)) limits[gpuResource] = value;
    else log.error(`${entryPath}.value`, `${JSON.stringify(value)} is not a whole number of GPUs`);
  });
  return limits;
}

export interface ContainerResourceOptions {
  gpuResource: string;
  /** This container's share of the task's ephemeral storage, MiB. */
  ephemeralStorageMiB?: number;
}

export function containerResources(
  definition: ContainerDefinition,
  options: ContainerResourceOptions,
  path: string,
  log: IssueLog,
): V1ResourceRequirements | undefined {
  const { cpu, memory, memoryReservation } = definition;
  const requests: Quantities = {};
  const limits: Quantities = gpuLimits(definition, options.gpuResource, path, log);
  if (cpu) requests.cpu = millicoresToQuantity(containerCpuMillicores(cpu));
  const requestMiB = memoryReservation ?? memory;
  if (requestMiB) requests.memory = mibToQuantity(requestMiB);
  if (memory) limits.memory = mibToQuantity(memory);
  if (options.ephemeralStorageMiB) {
    requests['ephemeral-storage'] = mibToQuantity(options.ephemeralStorageMiB);
    limits['ephemeral-storage'] = mibToQuantity(options.ephemeralStorageMiB);
  }
  return requirements(requests, limits);
}

/** Pod-level requests and limits from task cpu (units) and memory (MiB). */
export function podResources(cpuUnits: number | undefined, memoryMiB: number | undefined): V1ResourceRequirements | undefined {
  const task: Quantities = {};
  if (cpuUnits) task.cpu = millicoresToQuantity(taskCpuMillicores(cpuUnits));
  if (memoryMiB) task.memory = mibToQuantity(memoryMiB);
  return requirements({ ...task }, { ...task });
}

/** `totalGiB` split into `count` whole-MiB shares, the remainder going one MiB each to the first. */
export function ephemeralStorageShares(totalGiB: number, count: number): number[] {
  const total = totalGiB * 1024;
  const share = Math.floor(total / count);
  return Array.from({ length: count }, (_unused, index) => share + (index < total % count ? 1 : 0));
}
