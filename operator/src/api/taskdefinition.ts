// The TaskDefinition kind: its spec is the ECS RegisterTaskDefinition input, field for field,
// so that `containerDefinitions` pasted from `aws ecs describe-task-definition` is valid as it is.
import type { Condition, EcsResource, KeyValuePair, Tag } from './meta.js';
import type { PlacementConstraint } from './placement.js';

export type NetworkMode = 'bridge' | 'host' | 'awsvpc' | 'none';
export type Compatibility = 'EC2' | 'FARGATE' | 'EXTERNAL';
export type TransportProtocol = 'tcp' | 'udp';
export type ApplicationProtocol = 'http' | 'http2' | 'grpc';
export type DependencyCondition = 'START' | 'COMPLETE' | 'SUCCESS' | 'HEALTHY';
export type LogDriver = 'json-file' | 'syslog' | 'journald' | 'gelf' | 'fluentd' | 'awslogs' | 'splunk' | 'awsfirelens';
export type UlimitName =
  'core' | 'cpu' | 'data' | 'fsize' | 'locks' | 'memlock' | 'msgqueue' | 'nice' | 'nofile' | 'nproc' | 'rss' | 'rtprio' | 'rttime' | 'sigpending' | 'stack';

export interface PortMapping {
  containerPort?: number;
  hostPort?: number;
  protocol?: TransportProtocol;
  name?: string;
  appProtocol?: ApplicationProtocol;
  /** `"8000-8010"`; not expressible in Kubernetes container ports (reported as a warning). */
  containerPortRange?: string;
}

export interface Secret {
  name: string;
  /** A Secrets Manager or SSM Parameter Store ARN, or a parameter name. */
  valueFrom: string;
}

export interface EnvironmentFile {
  value: string;
  type: 's3';
}

export interface MountPoint {
  sourceVolume?: string;
  containerPath?: string;
  readOnly?: boolean;
}

export interface VolumeFrom {
  sourceContainer?: string;
  readOnly?: boolean;
}

export interface ContainerDependency {
  containerName: string;
  condition: DependencyCondition;
}

export interface HealthCheck {
  /** `["CMD", exe, args...]` or `["CMD-SHELL", "shell command"]`. */
  command: string[];
  interval?: number;
  timeout?: number;
  retries?: number;
  startPeriod?: number;
}

export interface ContainerRestartPolicy {
  enabled: boolean;
  ignoredExitCodes?: number[];
  restartAttemptPeriod?: number;
}

export interface KernelCapabilities {
  add?: string[];
  drop?: string[];
}

export interface Device {
  hostPath: string;
  containerPath?: string;
  permissions?: Array<'read' | 'write' | 'mknod'>;
}

export interface Tmpfs {
  containerPath: string;
  /** MiB. */
  size: number;
  mountOptions?: string[];
}

export interface LinuxParameters {
  capabilities?: KernelCapabilities;
  devices?: Device[];
  initProcessEnabled?: boolean;
  /** MiB of /dev/shm. */
  sharedMemorySize?: number;
  tmpfs?: Tmpfs[];
  maxSwap?: number;
  swappiness?: number;
}

export interface Ulimit {
  name: UlimitName;
  softLimit: number;
  hardLimit: number;
}

export interface LogConfiguration {
  logDriver: LogDriver;
  options?: Record<string, string>;
  secretOptions?: Secret[];
}

export interface HostEntry {
  hostname: string;
  ipAddress: string;
}

export interface SystemControl {
  namespace?: string;
  value?: string;
}

export interface ResourceRequirement {
  type: 'GPU' | 'InferenceAccelerator';
  value: string;
}

export interface RepositoryCredentials {
  credentialsParameter: string;
}

export interface FirelensConfiguration {
  type: 'fluentd' | 'fluentbit';
  options?: Record<string, string>;
}

export interface ContainerDefinition {
  name: string;
  image: string;
  repositoryCredentials?: RepositoryCredentials;
  /** CPU units, 1024 = 1 vCPU; a relative weight, so a request and never a limit. */
  cpu?: number;
  /** Hard limit in MiB. */
  memory?: number;
  /** Soft limit in MiB. */
  memoryReservation?: number;
  links?: string[];
  portMappings?: PortMapping[];
  /** Default true. */
  essential?: boolean;
  restartPolicy?: ContainerRestartPolicy;
  entryPoint?: string[];
  command?: string[];
  environment?: KeyValuePair[];
  environmentFiles?: EnvironmentFile[];
  mountPoints?: MountPoint[];
  volumesFrom?: VolumeFrom[];
  linuxParameters?: LinuxParameters;
  secrets?: Secret[];
  dependsOn?: ContainerDependency[];
  startTimeout?: number;
  stopTimeout?: number;
  versionConsistency?: 'enabled' | 'disabled';
  hostname?: string;
  user?: string;
  workingDirectory?: string;
  disableNetworking?: boolean;
  privileged?: boolean;
  readonlyRootFilesystem?: boolean;
  dnsServers?: string[];
  dnsSearchDomains?: string[];
  extraHosts?: HostEntry[];
  dockerSecurityOptions?: string[];
  interactive?: boolean;
  pseudoTerminal?: boolean;
  dockerLabels?: Record<string, string>;
  ulimits?: Ulimit[];
  logConfiguration?: LogConfiguration;
  healthCheck?: HealthCheck;
  systemControls?: SystemControl[];
  resourceRequirements?: ResourceRequirement[];
  firelensConfiguration?: FirelensConfiguration;
  credentialSpecs?: string[];
}

export interface HostVolumeProperties {
  sourcePath?: string;
}

export interface DockerVolumeConfiguration {
  scope?: 'task' | 'shared';
  autoprovision?: boolean;
  driver?: string;
  driverOpts?: Record<string, string>;
  labels?: Record<string, string>;
}

export interface EFSAuthorizationConfig {
  accessPointId?: string;
  iam?: 'ENABLED' | 'DISABLED';
}

export interface EFSVolumeConfiguration {
  fileSystemId: string;
  rootDirectory?: string;
  transitEncryption?: 'ENABLED' | 'DISABLED';
  transitEncryptionPort?: number;
  authorizationConfig?: EFSAuthorizationConfig;
}

export interface FSxWindowsFileServerVolumeConfiguration {
  fileSystemId: string;
  rootDirectory: string;
  authorizationConfig: { credentialsParameter: string; domain: string };
}

export interface Volume {
  name: string;
  host?: HostVolumeProperties;
  dockerVolumeConfiguration?: DockerVolumeConfiguration;
  efsVolumeConfiguration?: EFSVolumeConfiguration;
  fsxWindowsFileServerVolumeConfiguration?: FSxWindowsFileServerVolumeConfiguration;
  configuredAtLaunch?: boolean;
}

export interface ProxyConfiguration {
  type?: 'APPMESH';
  containerName: string;
  properties?: KeyValuePair[];
}

export interface EphemeralStorage {
  /** 21–200 GiB. */
  sizeInGiB: number;
}

export interface RuntimePlatform {
  cpuArchitecture?: 'X86_64' | 'ARM64';
  operatingSystemFamily?: string;
}

export interface InferenceAccelerator {
  deviceName: string;
  deviceType: string;
}

/** The ECS RegisterTaskDefinition input. */
export interface TaskDefinitionSpec {
  /** Defaults to the resource's name. */
  family?: string;
  taskRoleArn?: string;
  executionRoleArn?: string;
  networkMode?: NetworkMode;
  containerDefinitions: ContainerDefinition[];
  volumes?: Volume[];
  placementConstraints?: PlacementConstraint[];
  requiresCompatibilities?: Compatibility[];
  /** CPU units (`"1024"`) or vCPU (`"1 vCPU"`). */
  cpu?: string;
  /** MiB (`"2048"`) or GB (`"2 GB"`). */
  memory?: string;
  tags?: Tag[];
  pidMode?: 'host' | 'task';
  ipcMode?: 'host' | 'task' | 'none';
  proxyConfiguration?: ProxyConfiguration;
  inferenceAccelerators?: InferenceAccelerator[];
  ephemeralStorage?: EphemeralStorage;
  runtimePlatform?: RuntimePlatform;
  enableFaultInjection?: boolean;
  /**
   * Not part of the ECS registration: revisions deregistered (ECS DeregisterTaskDefinition). They turn
   * INACTIVE: running tasks and services keep them, no new task or service may name them.
   */
  inactiveRevisions?: number[];
}

export type TaskDefinitionRevisionStatus = 'ACTIVE' | 'INACTIVE' | 'DELETE_IN_PROGRESS';

export interface TaskDefinitionRevision {
  revision: number;
  status: TaskDefinitionRevisionStatus;
  /** Name of the ControllerRevision that holds this revision's spec. */
  controllerRevision: string;
  registeredAt?: string;
  deregisteredAt?: string;
}

export interface TaskDefinitionStatus {
  observedGeneration?: number;
  family?: string;
  /** Latest revision number. */
  revision?: number;
  /** `family:revision` of the latest revision. */
  taskDefinition?: string;
  /** An ARN-like identifier, `arn:aws:ecs:local:NAMESPACE:task-definition/family:revision`. */
  taskDefinitionArn?: string;
  status?: TaskDefinitionRevisionStatus;
  revisions?: TaskDefinitionRevision[];
  warnings?: string[];
  conditions?: Condition[];
}

export type TaskDefinition = EcsResource<'TaskDefinition', TaskDefinitionSpec, TaskDefinitionStatus>;

/** RunTask `overrides.containerOverrides[]`. */
export interface ContainerOverride {
  name: string;
  command?: string[];
  environment?: KeyValuePair[];
  environmentFiles?: EnvironmentFile[];
  cpu?: number;
  memory?: number;
  memoryReservation?: number;
  resourceRequirements?: ResourceRequirement[];
}

/** RunTask `overrides`. */
export interface TaskOverride {
  containerOverrides?: ContainerOverride[];
  cpu?: string;
  memory?: string;
  taskRoleArn?: string;
  executionRoleArn?: string;
  ephemeralStorage?: EphemeralStorage;
}
