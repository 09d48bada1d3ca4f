// ECS volumes, mountPoints, volumesFrom and the scratch mounts of linuxParameters → pod volumes and
// container volume mounts. Volume names become DNS labels (`toDnsLabel`).
//
// | ECS volume                                      | pod volume                                          |
// | host.sourcePath                                 | hostPath (no type check: files and sockets work too) |
// | no configuration, host without sourcePath,      | emptyDir                                            |
// |   dockerVolumeConfiguration scope task          |                                                     |
// | dockerVolumeConfiguration scope shared,         | PersistentVolumeClaim named toDnsLabel(volume name)  |
// |                                                 |   (warning: the claim must exist, autoprovision too) |
// | configuredAtLaunch with a volumeConfigurations  | a generic ephemeral volume: one claim per task       |
// |   entry of the Task or Service                  |   (ebs-volumes.ts)                                   |
// | configuredAtLaunch without one                  | PersistentVolumeClaim named toDnsLabel(volume name)  |
// |                                                 |   (warning: the claim must exist)                    |
// | efsVolumeConfiguration                          | PVC `efs-FSID` or `efs-FSID-ACCESSPOINT`; rootDirectory → subPath |
// | fsxWindowsFileServerVolumeConfiguration         | PVC `fsx-FSID`; rootDirectory → subPath (warning)   |
import type { V1Volume, V1VolumeMount } from '@kubernetes/client-node';
import type { ContainerDefinition, Volume } from '../api/taskdefinition.js';
import { containerIndexByName } from './container-names.js';
import { findCycle } from './graph.js';
import { ebsEphemeralVolume, type LaunchVolumes } from './ebs-volumes.js';
import { containerPath, volumePath, type IssueLog } from './issues.js';
import { toDnsLabel } from './names.js';
import { mibToQuantity } from './units.js';

/** Where an ECS volume is in the pod: the pod volume's name and the sub-path a mount starts at. */
export interface VolumeSource {
  name: string;
  subPath?: string;
}

export interface PodVolumes {
  volumes: V1Volume[];
  /** By ECS volume name. */
  sources: Map<string, VolumeSource>;
}

function claim(name: string, claimName: string): V1Volume {
  return { name, persistentVolumeClaim: { claimName } };
}

/** A sub-path from an absolute ECS directory (`/data/app`, `\share\app`); undefined for the root. */
function subPathOf(directory: string | undefined): string | undefined {
  const relative = directory?.replaceAll('\\', '/').replace(/^\/+|\/+$/g, '');
  return relative ? relative : undefined;
}

function efsVolume(volume: Volume, name: string, path: string, log: IssueLog): { volume: V1Volume; subPath?: string } {
  const efs = volume.efsVolumeConfiguration!;
  const accessPoint = efs.authorizationConfig?.accessPointId;
  const claimName = toDnsLabel(['efs', efs.fileSystemId, accessPoint].filter(Boolean).join('-'));
  log.warn(
    `${path}.efsVolumeConfiguration`,
    `mounts PersistentVolumeClaim "${claimName}", which must exist, bound to EFS ${efs.fileSystemId} (for example through the EFS CSI driver); transit encryption and IAM authorization are settings of that volume`,
  );
  return { volume: claim(name, claimName), subPath: accessPoint ? undefined : subPathOf(efs.rootDirectory) };
}

function fsxVolume(volume: Volume, name: string, path: string, log: IssueLog): { volume: V1Volume; subPath?: string } {
  const fsx = volume.fsxWindowsFileServerVolumeConfiguration!;
  const claimName = toDnsLabel(`fsx-${fsx.fileSystemId}`);
  log.warn(
    `${path}.fsxWindowsFileServerVolumeConfiguration`,
    `mounts PersistentVolumeClaim "${claimName}", which must exist, bound to FSx ${fsx.fileSystemId} (for example through the SMB CSI driver); its authorization is a setting of that volume`,
  );
  return { volume: claim(name, claimName), subPath: subPathOf(fsx.rootDirectory) };
}

function dockerVolume(volume: Volume, name: string, path: string, log: IssueLog): V1Volume {
  const docker = volume.dockerVolumeConfiguration!;
  const configPath = `${path}.dockerVolumeConfiguration`;
  if (docker.driver && docker.driver !== 'local') log.warn(`${configPath}.driver`, `Docker volume driver "${docker.driver}" is not used by Kubernetes`);
  if (docker.driverOpts || docker.labels) log.warn(configPath, 'driverOpts and labels of a Docker volume are not used by Kubernetes');
  if (docker.scope !== 'shared') return { name, emptyDir: {} };
  log.warn(
    `${configPath}.scope`,
    `a shared Docker volume outlives the task: mounts PersistentVolumeClaim "${name}", which must exist (ReadWriteMany when tasks on several nodes share it)`,
  );
  if (docker.autoprovision)
    log.warn(
      `${configPath}.autoprovision`,
      `the claim is not created when missing, as Docker would create the volume: PersistentVolumeClaim "${name}" must exist (a StorageClass can provision its volume)`,
    );
  return claim(name, name);
}

/** Where the configuration of a volume configured at launch is in the Task's or Service's spec. */
export const volumeConfigurationPath = (index: number) => `volumeConfigurations[${index}]`;

function launchVolume(volume: Volume, name: string, path: string, launch: LaunchVolumes | undefined, log: IssueLog): V1Volume {
  const index = launch?.configurations.findIndex((c) => c.name === volume.name) ?? -1;
  const configuration = launch?.configurations[index];
  const ephemeral = configuration && ebsEphemeralVolume(name, configuration, volumeConfigurationPath(index), launch.storage, log);
  if (ephemeral) return ephemeral;
  if (!configuration)
    log.warn(
      `${path}.configuredAtLaunch`,
      `without a volumeConfigurations entry of the Task or Service for it (a volume of its own for each task), it mounts PersistentVolumeClaim "${name}", which must exist when the task starts`,
    );
  return claim(name, name);
}

function taskVolumeToPodVolume(volume: Volume, path: string, launch: LaunchVolumes | undefined, log: IssueLog): { volume: V1Volume; subPath?: string } {
  const name = toDnsLabel(volume.name);
  if (volume.configuredAtLaunch) return { volume: launchVolume(volume, name, path, launch, log) };
  if (volume.efsVolumeConfiguration) return efsVolume(volume, name, path, log);
  if (volume.fsxWindowsFileServerVolumeConfiguration) return fsxVolume(volume, name, path, log);
  if (volume.dockerVolumeConfiguration) return { volume: dockerVolume(volume, name, path, log) };
  if (volume.host?.sourcePath) return { volume: { name, hostPath: { path: volume.host.sourcePath } } };
  return { volume: { name, emptyDir: {} } };
}

/**
 * The pod volumes of the task's volumes, in order. `launch`: what the Task or Service gives the volumes configured
 * at launch; each of its entries must name one.
 */
export function taskVolumesToPodVolumes(volumes: readonly Volume[], log: IssueLog, launch?: LaunchVolumes): PodVolumes {
  const result: PodVolumes = { volumes: [], sources: new Map() };
  volumes.forEach((volume, index) => {
    if (result.sources.has(volume.name)) return;
    const { volume: podVolume, subPath } = taskVolumeToPodVolume(volume, volumePath(index), launch, log);
    result.volumes.push(podVolume);
    result.sources.set(volume.name, { name: podVolume.name, ...(subPath ? { subPath } : {}) });
  });
  launch?.configurations.forEach(({ name }, index) => {
    if (!volumes.some((v) => v.name === name && v.configuredAtLaunch))
      log.error(`${volumeConfigurationPath(index)}.name`, `the task definition has no volume ${JSON.stringify(name)} with configuredAtLaunch true`);
  });
  return result;
}

function volumesFromNeeds(definitions: readonly ContainerDefinition[]): number[][] {
  const byName = containerIndexByName(definitions);
  return definitions.map((definition) =>
    (definition.volumesFrom ?? []).flatMap(({ sourceContainer }) => {
      const source = sourceContainer === undefined ? undefined : byName.get(sourceContainer);
      return source === undefined ? [] : [source];
    }),
  );
}

/** ECS rules: volume names unique, mountPoints name a volume, volumesFrom names another container without cycles. */
export function validateVolumes(volumes: readonly Volume[], definitions: readonly ContainerDefinition[], log: IssueLog): void {
  const names = new Set<string>();
  volumes.forEach((volume, index) => {
    if (names.has(volume.name)) log.error(`${volumePath(index)}.name`, `volume ${JSON.stringify(volume.name)} is defined twice`);
    names.add(volume.name);
  });
  const byName = containerIndexByName(definitions);
  definitions.forEach((definition, index) => {
    (definition.mountPoints ?? []).forEach(({ sourceVolume }, mount) => {
      if (sourceVolume !== undefined && !names.has(sourceVolume)) {
        log.error(`${containerPath(index)}.mountPoints[${mount}].sourceVolume`, `no volume named ${JSON.stringify(sourceVolume)} in volumes`);
      }
    });
    (definition.volumesFrom ?? []).forEach(({ sourceContainer }, entry) => {
      if (sourceContainer !== undefined && !byName.has(sourceContainer)) {
        log.error(
          `${containerPath(index)}.volumesFrom[${entry}].sourceContainer`,
          `no container named ${JSON.stringify(sourceContainer)} in this task definition`,
        );
      }
    });
  });
  const cycle = findCycle(volumesFromNeeds(definitions));
  if (cycle) {
    log.error(`${containerPath(cycle[0]!)}.volumesFrom`, `volumesFrom cycle: ${cycle.map((index) => definitions[index]?.name).join(' → ')}`);
  }
}

function ownMounts(definition: ContainerDefinition, sources: ReadonlyMap<string, VolumeSource>): V1VolumeMount[] {
  return (definition.mountPoints ?? []).flatMap(({ sourceVolume, containerPath: mountPath, readOnly }) => {
    const source = sourceVolume === undefined ? undefined : sources.get(sourceVolume);
    if (!source || !mountPath) return [];
    return [{ name: source.name, mountPath, ...(source.subPath ? { subPath: source.subPath } : {}), ...(readOnly ? { readOnly } : {}) }];
  });
}

/**
 * A container's mounts: its mountPoints, then those of its volumesFrom containers (theirs in turn,
 * as Docker does), read-only where either says so. A path the container mounts itself wins, as in Docker.
 */
export function containerVolumeMounts(definitions: readonly ContainerDefinition[], index: number, sources: ReadonlyMap<string, VolumeSource>): V1VolumeMount[] {
  const byName = containerIndexByName(definitions);
  const collect = (current: number, visited: ReadonlySet<number>): V1VolumeMount[] => {
    const definition = definitions[current];
    if (!definition || visited.has(current)) return [];
    const inherited = (definition.volumesFrom ?? []).flatMap(({ sourceContainer, readOnly }) => {
      const source = sourceContainer === undefined ? undefined : byName.get(sourceContainer);
      if (source === undefined) return [];
      return collect(source, new Set([...visited, current])).map((mount) => (readOnly ? { ...mount, readOnly: true } : mount));
    });
    return [...ownMounts(definition, sources), ...inherited];
  };
  const seen = new Set<string>();
  return collect(index, new Set()).filter(({ mountPath }) => !seen.has(mountPath) && Boolean(seen.add(mountPath)));
}

export interface ScratchMounts {
  volumes: V1Volume[];
  mounts: V1VolumeMount[];
}

function memoryVolume(name: string, sizeMiB: number): V1Volume {
  return { name, emptyDir: { medium: 'Memory', sizeLimit: mibToQuantity(sizeMiB) } };
}

/**
 * linuxParameters.sharedMemorySize → a memory-backed emptyDir of that size at /dev/shm; tmpfs → one
 * memory-backed emptyDir per entry (its mountOptions cannot be set: a warning). Both count against the
 * container's memory, as tmpfs does under Docker.
 */
export function scratchMounts(definition: ContainerDefinition, containerName: string, path: string, log: IssueLog): ScratchMounts {
  const parameters = definition.linuxParameters;
  const result: ScratchMounts = { volumes: [], mounts: [] };
  if (parameters?.sharedMemorySize) {
    const name = toDnsLabel(`${containerName}-shm`);
    result.volumes.push(memoryVolume(name, parameters.sharedMemorySize));
    result.mounts.push({ name, mountPath: '/dev/shm' });
  }
  (parameters?.tmpfs ?? []).forEach((tmpfs, index) => {
    const name = toDnsLabel(`${containerName}-tmpfs-${index}`);
    result.volumes.push(memoryVolume(name, tmpfs.size));
    result.mounts.push({ name, mountPath: tmpfs.containerPath });
    if (tmpfs.mountOptions?.length) {
      log.warn(`${path}.linuxParameters.tmpfs[${index}].mountOptions`, `mount options ${tmpfs.mountOptions.join(',')} cannot be set on a Kubernetes emptyDir`);
    }
  });
  return result;
}
