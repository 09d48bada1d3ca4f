// The Task kind: one ECS task (RunTask, or StartTask when a container instance is named), run as one Pod.
import type { CapacityProviderStrategyItem } from './cluster.js';
import type { Condition, EcsResource, Tag } from './meta.js';
import type { PlacementConstraint, PlacementStrategy } from './placement.js';
import type { Compatibility, TaskOverride, TransportProtocol } from './taskdefinition.js';

export type LaunchType = Compatibility;
export type TaskDesiredStatus = 'RUNNING' | 'STOPPED';
export type TaskLastStatus = 'PROVISIONING' | 'PENDING' | 'ACTIVATING' | 'RUNNING' | 'DEACTIVATING' | 'STOPPING' | 'DEPROVISIONING' | 'STOPPED';
export type ContainerLastStatus = 'PENDING' | 'RUNNING' | 'STOPPED';
export type HealthStatus = 'HEALTHY' | 'UNHEALTHY' | 'UNKNOWN';
export type TaskStopCode =
  'TaskFailedToStart' | 'EssentialContainerExited' | 'UserInitiated' | 'ServiceSchedulerInitiated' | 'SpotInterruption' | 'TerminationNotice';
export type PropagateTags = 'TASK_DEFINITION' | 'SERVICE' | 'NONE';

/** ECS `awsvpcConfiguration`: accepted as ECS spells it; Kubernetes pod networking replaces it. */
export interface AwsVpcConfiguration {
  subnets: string[];
  securityGroups?: string[];
  assignPublicIp?: 'ENABLED' | 'DISABLED';
}

/** ECS `networkConfiguration`, shared by Task and Service. */
export interface NetworkConfiguration {
  awsvpcConfiguration?: AwsVpcConfiguration;
}

export type EbsFilesystemType = 'ext3' | 'ext4' | 'xfs' | 'ntfs';

export interface EbsTagSpecification {
  resourceType: 'volume';
  tags?: Tag[];
  propagateTags?: PropagateTags;
}

/**
 * ECS `ServiceManagedEBSVolumeConfiguration` / `TaskManagedEBSVolumeConfiguration`: the EBS volume each task gets
 * for a task definition volume `configuredAtLaunch`. Here one generic ephemeral volume (a claim template) per task.
 */
export interface ManagedEBSVolumeConfiguration {
  /** GiB: the claim's storage request. */
  sizeInGiB?: number;
  /** gp3 (ECS default), gp2, io1, io2, st1, sc1, standard: the StorageClass the Cluster maps it to. */
  volumeType?: string;
  iops?: number;
  throughput?: number;
  encrypted?: boolean;
  kmsKeyId?: string;
  snapshotId?: string;
  volumeInitializationRate?: number;
  tagSpecifications?: EbsTagSpecification[];
  /** The ECS infrastructure role; the CSI driver's own credentials provision volumes here. */
  roleArn?: string;
  /** ECS default xfs. */
  filesystemType?: EbsFilesystemType;
}

/** A Task's adds whether the volume outlives it (on a service's task it never does). */
export interface TaskManagedEBSVolumeConfiguration extends ManagedEBSVolumeConfiguration {
  terminationPolicy?: { deleteOnTermination: boolean };
}

/** ECS `ServiceVolumeConfiguration`. */
export interface VolumeConfiguration {
  /** The task definition volume (configuredAtLaunch) it configures. */
  name: string;
  managedEBSVolume?: ManagedEBSVolumeConfiguration;
}

/** ECS `TaskVolumeConfiguration`. */
export interface TaskVolumeConfiguration extends VolumeConfiguration {
  managedEBSVolume?: TaskManagedEBSVolumeConfiguration;
}

export interface TaskSpec {
  /** Cluster resource name in this namespace (or a cluster ARN ending in `/NAME`). Default `default`. */
  cluster?: string;
  /** `family`, `family:revision` or `arn:aws:ecs:REGION:ACCOUNT:task-definition/FAMILY:REVISION`. */
  taskDefinition: string;
  overrides?: TaskOverride;
  startedBy?: string;
  /** Default `family:FAMILY`. */
  group?: string;
  placementConstraints?: PlacementConstraint[];
  placementStrategy?: PlacementStrategy[];
  /** RUNNING (default) or STOPPED: setting STOPPED stops the task (stopCode UserInitiated). */
  desiredStatus?: TaskDesiredStatus;
  /** StartTask: the Node (container instance) to run on, bypassing placement. */
  containerInstance?: string;
  /** kube-scheduler profile; otherwise chosen from the placement strategy or the Cluster. */
  schedulerName?: string;
  launchType?: LaunchType;
  capacityProviderStrategy?: CapacityProviderStrategyItem[];
  networkConfiguration?: NetworkConfiguration;
  tags?: Tag[];
  enableExecuteCommand?: boolean;
  propagateTags?: Exclude<PropagateTags, 'SERVICE'>;
  /** Adds the tag `aws:ecs:clusterName` to the task's pod. */
  enableECSManagedTags?: boolean;
  /** The volumes of the task definition that are `configuredAtLaunch`: a per-task EBS volume each. */
  volumeConfigurations?: TaskVolumeConfiguration[];
}

export interface NetworkBinding {
  bindIP?: string;
  containerPort?: number;
  hostPort?: number;
  protocol?: TransportProtocol;
}

/** ECS `Container` in a task's description. */
export interface TaskContainer {
  name: string;
  image?: string;
  imageDigest?: string;
  /** The container runtime's id of the container. */
  runtimeId?: string;
  lastStatus?: ContainerLastStatus;
  exitCode?: number;
  reason?: string;
  healthStatus?: HealthStatus;
  networkBindings?: NetworkBinding[];
  /** CPU units, as ECS prints them (a string). */
  cpu?: string;
  /** Hard memory limit in MiB, as ECS prints it (a string). */
  memory?: string;
  /** Soft memory limit in MiB, as ECS prints it (a string). */
  memoryReservation?: string;
  /** In-place restarts (container restartPolicy). */
  restartCount?: number;
}

export interface TaskStatus {
  observedGeneration?: number;
  /** `arn:aws:ecs:local:NAMESPACE:task/CLUSTER/NAME`. */
  taskArn?: string;
  /** The Cluster the task runs in. */
  cluster?: string;
  /** The resolved `family:revision`. */
  taskDefinition?: string;
  taskDefinitionArn?: string;
  lastStatus?: TaskLastStatus;
  desiredStatus?: TaskDesiredStatus;
  healthStatus?: HealthStatus;
  /** The Node the task runs on. */
  containerInstance?: string;
  group?: string;
  startedBy?: string;
  launchType?: LaunchType;
  /** The capacity provider the task runs on (its strategy's, or the Cluster's default). */
  capacityProviderName?: string;
  /** Task-level CPU units and memory MiB in effect, as ECS prints them. */
  cpu?: string;
  memory?: string;
  containers?: TaskContainer[];
  stopCode?: TaskStopCode;
  stoppedReason?: string;
  createdAt?: string;
  pullStartedAt?: string;
  pullStoppedAt?: string;
  startedAt?: string;
  stoppingAt?: string;
  executionStoppedAt?: string;
  stoppedAt?: string;
  /** Grows by one with every change of the status. */
  version?: number;
  /** Fields of the spec accepted but not applied, `path: message` (translate/not-applied.ts). */
  warnings?: string[];
  conditions?: Condition[];
}

export type Task = EcsResource<'Task', TaskSpec, TaskStatus>;
