// Per-task EBS volumes: a task definition volume `configuredAtLaunch` with a Service's or Task's
// `volumeConfigurations[].managedEBSVolume` → one generic ephemeral volume in the pod (a volumeClaimTemplate), so
// that each task gets its own PersistentVolumeClaim (kube-controller-manager's ephemeral volume controller makes it,
// owned by the pod and deleted with it), as ECS gives each task its own volume.
//
// | ECS                          | Kubernetes                                                                            |
// | sizeInGiB                    | the claim's storage request (`10Gi`); required                                        |
// | volumeType (default gp3)     | storageClassName: the Cluster's managedEBSVolumes.storageClasses[type], else its      |
// |                              |   defaultStorageClass, else none (the Kubernetes cluster's default StorageClass)      |
// | filesystemType               | warning: the StorageClass decides the filesystem (csi.storage.k8s.io/fstype)          |
// | iops, throughput, encrypted, | warning each: parameters of the StorageClass, not of a claim                          |
// |   kmsKeyId                   |                                                                                       |
// | snapshotId, volumeInit...,   | warning each: not restored / not applied                                              |
// |   tagSpecifications, roleArn |                                                                                       |
// | terminationPolicy            | deleteOnTermination true: as a claim of the pod is; false: warning                    |
import type { V1Volume } from '@kubernetes/client-node';
import type { ManagedEBSVolumes } from '../api/cluster.js';
import type { TaskManagedEBSVolumeConfiguration, TaskVolumeConfiguration } from '../api/task.js';
import type { IssueLog } from './issues.js';
import { LABELS, MANAGED_BY_VALUE } from './labels.js';

/** ECS's volume type when none is given. */
export const DEFAULT_EBS_VOLUME_TYPE = 'gp3';

/** What a task's launch gives its `configuredAtLaunch` volumes: the Task's or Service's configurations, the Cluster's classes. */
export interface LaunchVolumes {
  configurations: readonly TaskVolumeConfiguration[];
  storage?: ManagedEBSVolumes;
}

/** The StorageClass of a volume type: the Cluster's class for it, its default, or none (the cluster's default class). */
export function storageClassFor(volumeType: string | undefined, storage: ManagedEBSVolumes | undefined): string | undefined {
  return storage?.storageClasses?.[volumeType ?? DEFAULT_EBS_VOLUME_TYPE] ?? storage?.defaultStorageClass;
}

/** Settings of an EBS volume that a StorageClass holds, not a claim: each a warning naming the class. */
const CLASS_PARAMETERS: ReadonlyArray<keyof TaskManagedEBSVolumeConfiguration> = ['iops', 'throughput', 'encrypted', 'kmsKeyId'];

function warnUnapplied(ebs: TaskManagedEBSVolumeConfiguration, path: string, className: string, log: IssueLog): void {
  for (const key of CLASS_PARAMETERS) {
    if (ebs[key] !== undefined) log.warn(`${path}.${key}`, `is a parameter of the StorageClass, not of a claim: ${className} decides it`);
  }
  if (ebs.filesystemType !== undefined)
    log.warn(
      `${path}.filesystemType`,
      `${ebs.filesystemType} is not set by the claim: ${className} decides the filesystem (its parameter csi.storage.k8s.io/fstype; the EBS CSI driver's default is ext4)`,
    );
  if (ebs.snapshotId !== undefined)
    log.warn(
      `${path}.snapshotId`,
      `EBS snapshot ${ebs.snapshotId} is not restored: the volume starts empty (a VolumeSnapshot as the claim's dataSource would restore one)`,
    );
  if (ebs.volumeInitializationRate !== undefined)
    log.warn(`${path}.volumeInitializationRate`, 'applies to volumes restored from a snapshot, which is not done here');
  if (ebs.tagSpecifications?.length)
    log.warn(`${path}.tagSpecifications`, `volume tags are parameters of ${className} (tagSpecification_N of the EBS CSI driver)`);
  if (ebs.roleArn !== undefined) log.warn(`${path}.roleArn`, "the ECS infrastructure role is not used: the CSI driver's own credentials provision the volumes");
  if (ebs.terminationPolicy?.deleteOnTermination === false)
    log.warn(
      `${path}.terminationPolicy.deleteOnTermination`,
      `the claim is deleted with its task; the volume outlives it only where ${className} has reclaimPolicy Retain`,
    );
}

/**
 * The generic ephemeral volume `name` of a task for `configuration` (at `path`, `spec.volumeConfigurations[i]`), or
 * undefined after an error when it cannot be made.
 */
export function ebsEphemeralVolume(
  name: string,
  configuration: TaskVolumeConfiguration,
  path: string,
  storage: ManagedEBSVolumes | undefined,
  log: IssueLog,
): V1Volume | undefined {
  const ebs = configuration.managedEBSVolume;
  if (!ebs) {
    log.error(`${path}.managedEBSVolume`, 'is required: a volume configured at launch is an EBS volume each task gets');
    return undefined;
  }
  const ebsPath = `${path}.managedEBSVolume`;
  if (ebs.sizeInGiB === undefined) {
    log.error(`${ebsPath}.sizeInGiB`, 'is required here: a claim needs a size (ECS would take the snapshot’s, which is not restored here)');
    return undefined;
  }
  const storageClassName = storageClassFor(ebs.volumeType, storage);
  const className = storageClassName === undefined ? "the cluster's default StorageClass" : `StorageClass '${storageClassName}'`;
  if (ebs.volumeType !== undefined && storageClassName === undefined)
    log.warn(
      `${ebsPath}.volumeType`,
      `the Cluster maps volume type ${ebs.volumeType} to no StorageClass (spec.managedEBSVolumes): the cluster's default StorageClass provisions it`,
    );
  warnUnapplied(ebs, ebsPath, className, log);
  return {
    name,
    ephemeral: {
      volumeClaimTemplate: {
        metadata: { labels: { [LABELS.managedBy]: MANAGED_BY_VALUE } },
        spec: {
          accessModes: ['ReadWriteOnce'],
          ...(storageClassName ? { storageClassName } : {}),
          resources: { requests: { storage: `${ebs.sizeInGiB}Gi` } },
        },
      },
    },
  };
}
