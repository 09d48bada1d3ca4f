// The Service kind: ECS CreateService input, run as one ReplicaSet per deployment.
import type { CapacityProviderStrategyItem } from './cluster.js';
import type { Condition, EcsResource, Tag } from './meta.js';
import type { PlacementConstraint, PlacementStrategy } from './placement.js';
import type { LaunchType, NetworkConfiguration, PropagateTags, VolumeConfiguration } from './task.js';
import type { LogConfiguration } from './taskdefinition.js';

export type SchedulingStrategy = 'REPLICA' | 'DAEMON';
export type DeploymentControllerType = 'ECS' | 'CODE_DEPLOY' | 'EXTERNAL';

export interface DeploymentController {
  type: DeploymentControllerType;
}

export interface CircuitBreakerThresholdConfiguration {
  type: 'COUNT' | 'BOUNDED_PERCENT' | 'UNBOUNDED_PERCENT';
  value: number;
}

export interface DeploymentCircuitBreaker {
  enable: boolean;
  rollback: boolean;
  /** Default BOUNDED_PERCENT 50: half of desiredCount, at least 3 and at most 200 failed tasks. */
  thresholdConfiguration?: CircuitBreakerThresholdConfiguration;
}

export interface DeploymentAlarms {
  alarmNames: string[];
  enable: boolean;
  rollback: boolean;
}

/** No schema defaults: REPLICA defaults to 100/200, DAEMON to 0/100; the operator applies them. */
export interface DeploymentConfiguration {
  minimumHealthyPercent?: number;
  maximumPercent?: number;
  deploymentCircuitBreaker?: DeploymentCircuitBreaker;
  alarms?: DeploymentAlarms;
}

export interface LoadBalancer {
  targetGroupArn?: string;
  loadBalancerName?: string;
  containerName: string;
  containerPort: number;
}

export interface ServiceRegistry {
  registryArn?: string;
  port?: number;
  containerName?: string;
  containerPort?: number;
}

export interface ServiceConnectClientAlias {
  port: number;
  dnsName?: string;
}

export interface ServiceConnectService {
  /** A `portMappings[].name` of the task definition. */
  portName: string;
  discoveryName?: string;
  clientAliases?: ServiceConnectClientAlias[];
  ingressPortOverride?: number;
}

export interface ServiceConnectConfiguration {
  enabled: boolean;
  namespace?: string;
  services?: ServiceConnectService[];
  logConfiguration?: LogConfiguration;
}

export interface ServiceSpec {
  /** Defaults to the resource's name. */
  serviceName?: string;
  /** Cluster resource name in this namespace (or a cluster ARN ending in `/NAME`). Default `default`. */
  cluster?: string;
  /** `family` (follows the latest ACTIVE revision), `family:revision` or a task definition ARN. */
  taskDefinition: string;
  /** Required for REPLICA. The scale subresource's replicas. */
  desiredCount?: number;
  schedulingStrategy?: SchedulingStrategy;
  deploymentController?: DeploymentController;
  deploymentConfiguration?: DeploymentConfiguration;
  placementConstraints?: PlacementConstraint[];
  placementStrategy?: PlacementStrategy[];
  healthCheckGracePeriodSeconds?: number;
  loadBalancers?: LoadBalancer[];
  serviceRegistries?: ServiceRegistry[];
  serviceConnectConfiguration?: ServiceConnectConfiguration;
  capacityProviderStrategy?: CapacityProviderStrategyItem[];
  launchType?: LaunchType;
  networkConfiguration?: NetworkConfiguration;
  enableExecuteCommand?: boolean;
  propagateTags?: PropagateTags;
  /** Adds the tags `aws:ecs:clusterName` and `aws:ecs:serviceName` to the tasks' pods. */
  enableECSManagedTags?: boolean;
  tags?: Tag[];
  /** Any change of this token starts a new deployment (ECS UpdateService `forceNewDeployment`). */
  forceNewDeployment?: string | number;
  /** kube-scheduler profile; otherwise chosen from the placement strategy or the Cluster. */
  schedulerName?: string;
  /** The volumes of the task definition that are `configuredAtLaunch`: a per-task EBS volume each (at most 1 in ECS). */
  volumeConfigurations?: VolumeConfiguration[];
}

export type ServiceStatusValue = 'ACTIVE' | 'DRAINING' | 'INACTIVE';
export type ServiceDeploymentStatus = 'PRIMARY' | 'ACTIVE' | 'INACTIVE';
export type RolloutState = 'IN_PROGRESS' | 'COMPLETED' | 'FAILED';
export type CircuitBreakerStatus = 'MONITORING' | 'TRIGGERED' | 'MONITORING_COMPLETE' | 'DISABLED';

export interface DeploymentCircuitBreakerStatus {
  status: CircuitBreakerStatus;
  failureCount: number;
  threshold: number;
}

/** ECS `Deployment`: one ReplicaSet running one task definition revision. */
export interface ServiceDeployment {
  /** `ecs-svc/...`; also the tasks' `startedBy`. */
  id: string;
  status: ServiceDeploymentStatus;
  /** `family:revision`. */
  taskDefinition: string;
  /** The ReplicaSet that runs this deployment's tasks; with a capacity provider strategy, the prefix of its ReplicaSets, one per provider. */
  replicaSet?: string;
  desiredCount: number;
  pendingCount: number;
  runningCount: number;
  failedTasks?: number;
  /** Pod uids of failed tasks counted in failedTasks whose pods still exist: a failure is counted once, before its task is stopped. */
  countedFailedTasks?: string[];
  createdAt?: string;
  updatedAt?: string;
  rolloutState?: RolloutState;
  rolloutStateReason?: string;
  circuitBreaker?: DeploymentCircuitBreakerStatus;
}

/** Which tasks the service events named already: state on the object, so a restarted operator repeats and loses none. */
export interface ReportedTasks {
  /** creationTimestamp of the newest task reported as started. */
  startedThrough?: string;
  /** Names of the tasks created at exactly `startedThrough` that were reported (timestamps have second resolution). */
  startedAtThrough?: string[];
  /** Names of the tasks reported as stopped whose pods still exist. */
  stopped?: string[];
}

/** ECS service event, e.g. `(service web) has reached a steady state.` */
export interface ServiceEvent {
  id: string;
  createdAt: string;
  message: string;
}

export interface ServiceStatus {
  observedGeneration?: number;
  serviceName?: string;
  /** `arn:aws:ecs:local:NAMESPACE:service/CLUSTER/NAME`. */
  serviceArn?: string;
  /** The Cluster the service runs in. */
  cluster?: string;
  status?: ServiceStatusValue;
  desiredCount?: number;
  runningCount?: number;
  pendingCount?: number;
  /** The PRIMARY deployment's `family:revision`. */
  taskDefinition?: string;
  /** Label selector of the service's tasks in string form, for the scale subresource and HPAs. */
  selector?: string;
  deployments?: ServiceDeployment[];
  reportedTasks?: ReportedTasks;
  /** The latest 100 events, newest first. */
  events?: ServiceEvent[];
  /** Fields of the spec accepted but not applied, `path: message` (translate/not-applied.ts). */
  warnings?: string[];
  /** Percent of the CPU its RUNNING tasks reserve that they use (ECS CPUUtilization); absent without metrics. */
  cpuUtilization?: number;
  /** Percent of the memory its RUNNING tasks reserve that they use (ECS MemoryUtilization); absent without metrics. */
  memoryUtilization?: number;
  conditions?: Condition[];
}

export type Service = EcsResource<'Service', ServiceSpec, ServiceStatus>;
