// A valid task definition spec → the pod spec of its tasks. Placement (affinity, topology spread,
// scheduler) is compiled by translate/placement; template.ts merges it in.
import type { V1Container, V1LocalObjectReference, V1PodSpec, V1ServiceAccount, V1Volume, V1VolumeMount } from '@kubernetes/client-node';
import type { TaskDefinitionSpec } from '../api/taskdefinition.js';
import { containerDefinitionToContainer } from './container.js';
import { kubernetesContainerNames } from './container-names.js';
import { planContainers, type ContainerPlan } from './dependencies.js';
import { containerPath, SPEC_PATH, volumePath, type IssueLog } from './issues.js';
import { podNetwork } from './network.js';
import { runtimePlatformToNodeSelection } from './platform.js';
import { podProcess } from './process.js';
import { podResources, ephemeralStorageShares } from './resources.js';
import { secretReferenceFromArn } from './secrets.js';
import { taskRoleServiceAccount } from './service-account.js';
import type { LaunchVolumes } from './ebs-volumes.js';
import type { ClusterSettings } from './settings.js';
import { parseTaskCpu, parseTaskMemory } from './units.js';
import { UNSUPPORTED_TASK_FIELDS, warnUnsupported } from './unsupported.js';
import { containerVolumeMounts, scratchMounts, taskVolumesToPodVolumes } from './volumes.js';

/** ECS stopTimeout when a container gives none. */
export const DEFAULT_STOP_TIMEOUT_SECONDS = 30;

export interface PodSpecOptions {
  cluster: ClusterSettings;
  /** `Never` for a task (ECS never restarts one in place); `Always` for a ReplicaSet, which takes nothing else. */
  restartPolicy: 'Never' | 'Always';
  /** What the Task or Service gives the volumes configured at launch. */
  launchVolumes?: LaunchVolumes;
}

export interface PodSpecTranslation {
  podSpec: V1PodSpec;
  containerNames: string[];
  serviceAccount?: V1ServiceAccount;
}

interface PlacedVolume {
  volume: V1Volume;
  path: string;
}

/** Scratch mounts (shm, tmpfs) after the container's own; a path already mounted keeps its volume. */
function withScratchMounts(mounts: V1VolumeMount[], scratch: readonly V1VolumeMount[], path: string, log: IssueLog): V1VolumeMount[] {
  const paths = new Set(mounts.map(({ mountPath }) => mountPath));
  const added = scratch.filter(({ mountPath }) => {
    if (paths.has(mountPath)) log.warn(`${path}.linuxParameters`, `${mountPath} is already mounted from a volume, which wins over the tmpfs or shared memory`);
    return !paths.has(mountPath);
  });
  return [...mounts, ...added];
}

function checkVolumeNames(volumes: readonly PlacedVolume[], log: IssueLog): void {
  const owners = new Map<string, string>();
  for (const { volume, path } of volumes) {
    const owner = owners.get(volume.name);
    if (owner) log.error(path, `becomes pod volume "${volume.name}", as ${owner} does; rename one`);
    else owners.set(volume.name, path);
  }
}

function imagePullSecrets(spec: TaskDefinitionSpec, log: IssueLog): V1LocalObjectReference[] {
  const names = spec.containerDefinitions.flatMap((definition, index) => {
    const parameter = definition.repositoryCredentials?.credentialsParameter;
    if (parameter === undefined) return [];
    const reference = secretReferenceFromArn(parameter);
    if (typeof reference !== 'string') return [reference.name];
    log.error(`${containerPath(index)}.repositoryCredentials.credentialsParameter`, reference);
    return [];
  });
  return [...new Set(names)].map((name) => ({ name }));
}

function terminationGracePeriod(spec: TaskDefinitionSpec): number {
  return Math.max(...spec.containerDefinitions.map(({ stopTimeout }) => stopTimeout ?? DEFAULT_STOP_TIMEOUT_SECONDS));
}

/** Each long-running container's share of the task's ephemeral storage (MiB), by index. */
function ephemeralStorageByContainer(spec: TaskDefinitionSpec, plan: ContainerPlan): Map<number, number> {
  const longRunning = [...plan.initOrder.filter((index) => plan.roles[index] === 'sidecar'), ...plan.mainOrder];
  const sizeInGiB = spec.ephemeralStorage?.sizeInGiB;
  if (!sizeInGiB || longRunning.length === 0) return new Map();
  const shares = ephemeralStorageShares(sizeInGiB, longRunning.length);
  return new Map(longRunning.map((index, position) => [index, shares[position] ?? 0]));
}

function taskSize(spec: TaskDefinitionSpec): { cpu?: number; memory?: number } {
  const cpu = spec.cpu === undefined ? undefined : parseTaskCpu(spec.cpu, `${SPEC_PATH}.cpu`);
  const memory = spec.memory === undefined ? undefined : parseTaskMemory(spec.memory, `${SPEC_PATH}.memory`);
  return { ...(cpu?.ok ? { cpu: cpu.value } : {}), ...(memory?.ok ? { memory: memory.value } : {}) };
}

function translateContainers(spec: TaskDefinitionSpec, names: readonly string[], plan: ContainerPlan, options: PodSpecOptions, log: IssueLog) {
  const definitions = spec.containerDefinitions;
  const taskVolumes = taskVolumesToPodVolumes(spec.volumes ?? [], log, options.launchVolumes);
  const volumes: PlacedVolume[] = taskVolumes.volumes.map((volume, index) => ({ volume, path: `${volumePath(index)}.name` }));
  const ephemeralStorage = ephemeralStorageByContainer(spec, plan);
  const containers = definitions.map((definition, index): V1Container => {
    const path = containerPath(index);
    const name = names[index] ?? '';
    const scratch = scratchMounts(definition, name, path, log);
    volumes.push(...scratch.volumes.map((volume) => ({ volume, path: `${path}.linuxParameters` })));
    return containerDefinitionToContainer(definition, {
      name,
      path,
      role: plan.roles[index] ?? 'main',
      awaitedHealthy: plan.awaitedHealthy.has(index),
      networkMode: spec.networkMode ?? 'bridge',
      cluster: options.cluster,
      volumeMounts: withScratchMounts(containerVolumeMounts(definitions, index, taskVolumes.sources), scratch.mounts, path, log),
      ephemeralStorageMiB: ephemeralStorage.get(index),
      log,
    });
  });
  checkVolumeNames(volumes, log);
  return { containers, volumes: volumes.map(({ volume }) => volume) };
}

export function taskDefinitionToPodSpec(spec: TaskDefinitionSpec, options: PodSpecOptions, log: IssueLog): PodSpecTranslation {
  warnUnsupported(spec, UNSUPPORTED_TASK_FIELDS, SPEC_PATH, log);
  const containerNames = kubernetesContainerNames(spec.containerDefinitions, log);
  const plan = planContainers(spec.containerDefinitions, log);
  const { containers, volumes } = translateContainers(spec, containerNames, plan, options, log);
  const pick = (indices: readonly number[]) => indices.flatMap((index) => containers[index] ?? []);
  const { sysctls, ...process } = podProcess(spec, options.cluster, log);
  const pullSecrets = imagePullSecrets(spec, log);
  const serviceAccount = spec.taskRoleArn ? taskRoleServiceAccount(spec.taskRoleArn, `${SPEC_PATH}.taskRoleArn`, log) : undefined;
  const { cpu, memory } = taskSize(spec);
  const resources = podResources(cpu, memory);
  const podSpec: V1PodSpec = {
    ...(plan.initOrder.length > 0 ? { initContainers: pick(plan.initOrder) } : {}),
    containers: pick(plan.mainOrder),
    restartPolicy: options.restartPolicy,
    // ECS containers see only their own environment, not a variable per Kubernetes Service.
    enableServiceLinks: false,
    terminationGracePeriodSeconds: terminationGracePeriod(spec),
    ...podNetwork(spec, log),
    ...process,
    ...(sysctls ? { securityContext: { sysctls } } : {}),
    ...runtimePlatformToNodeSelection(spec),
    ...(pullSecrets.length > 0 ? { imagePullSecrets: pullSecrets } : {}),
    ...(serviceAccount?.metadata?.name ? { serviceAccountName: serviceAccount.metadata.name } : {}),
    ...(resources ? { resources } : {}),
    ...(volumes.length > 0 ? { volumes } : {}),
  };
  return { podSpec, containerNames, ...(serviceAccount ? { serviceAccount } : {}) };
}
