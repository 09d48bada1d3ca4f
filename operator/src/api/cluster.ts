// The Cluster kind: which Nodes are an ECS cluster's container instances, and the ECS view of them.
import type { Condition, EcsResource, Tag } from './meta.js';

/** A Kubernetes label selector requirement, as in `metav1.LabelSelectorRequirement`. */
export interface LabelSelectorRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  values?: string[];
}

/** A Kubernetes label selector over Nodes; an empty selector selects every node. */
export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

export interface ClusterSetting {
  name: 'containerInsights';
  value: 'enabled' | 'disabled' | 'enhanced';
}

/** ECS `capacityProviderStrategy[]` item, shared by Cluster, Task and Service. */
export interface CapacityProviderStrategyItem {
  capacityProvider: string;
  weight?: number;
  base?: number;
}

/** The nodes of one capacity provider: a selection among the Cluster's nodes, and the taints its tasks tolerate. */
export interface CapacityProviderNodes {
  /** The ECS capacity provider name a strategy uses, e.g. FARGATE_SPOT or an Auto Scaling group provider's name. */
  capacityProvider: string;
  /** Nodes of this provider (required node affinity, ANDed with the Cluster's nodeSelector); absent: every node of the Cluster. */
  nodeSelector?: LabelSelector;
  /** Tolerations its tasks carry, e.g. for a spot node group's taint. */
  tolerations?: Toleration[];
}

/** A Kubernetes toleration, as in `core/v1.Toleration`. */
export interface Toleration {
  key?: string;
  operator?: 'Exists' | 'Equal';
  value?: string;
  effect?: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
  tolerationSeconds?: number;
}

/** An awsvpc subnet and the zone it is in (the `topology.kubernetes.io/zone` of the nodes there). */
export interface ClusterSubnet {
  subnetId: string;
  availabilityZone: string;
}

/** Where the per-task EBS volumes of Services and Tasks (`volumeConfigurations[].managedEBSVolume`) come from. */
export interface ManagedEBSVolumes {
  /** EBS volume type (gp3, gp2, io1, io2, st1, sc1, standard) → the StorageClass that provisions it. */
  storageClasses?: Record<string, string>;
  /** The StorageClass of a volume type not listed; absent: the Kubernetes cluster's default StorageClass. */
  defaultStorageClass?: string;
}

export interface ClusterSpec {
  /** The ECS cluster name shown in status and ARNs; defaults to the resource's name. */
  clusterName?: string;
  /** Nodes that are container instances of this cluster; absent: all nodes. */
  nodeSelector?: LabelSelector;
  /** ECS custom attribute name → node label key whose value is the attribute's value. */
  attributeLabels?: Record<string, string>;
  settings?: ClusterSetting[];
  /** Whether task definitions may run `privileged` containers in this cluster. Default false. */
  allowPrivileged?: boolean;
  /** kube-scheduler profile for this cluster's tasks when their placement strategy names none. */
  schedulerName?: string;
  /** How many container instances the status lists one by one. Default 100. */
  maxInstanceDetails?: number;
  tags?: Tag[];
  /** ECS: the capacity providers Tasks and Services of this cluster may name (besides those of capacityProviderNodes). */
  capacityProviders?: string[];
  /** Which nodes each capacity provider stands for; a provider named only in capacityProviders runs on any of the Cluster's nodes. */
  capacityProviderNodes?: CapacityProviderNodes[];
  defaultCapacityProviderStrategy?: CapacityProviderStrategyItem[];
  /** The zone of each subnet a task's awsvpcConfiguration may name: its tasks are kept to those zones. */
  subnets?: ClusterSubnet[];
  managedEBSVolumes?: ManagedEBSVolumes;
}

export type ClusterStatusValue = 'ACTIVE' | 'PROVISIONING' | 'DEPROVISIONING' | 'FAILED' | 'INACTIVE';
export type ContainerInstanceStatus = 'ACTIVE' | 'DRAINING';
export type ContainerInstanceResourceName = 'CPU' | 'MEMORY' | 'PORTS' | 'PORTS_UDP';

/** ECS `Resource`: CPU units and memory MiB are INTEGER, ports are STRINGSET. */
export interface ContainerInstanceResource {
  name: ContainerInstanceResourceName;
  type: 'INTEGER' | 'STRINGSET';
  integerValue?: number;
  stringSetValue?: string[];
}

/** ECS attribute of a container instance (built-in `ecs.*` or custom). */
export interface ContainerInstanceAttribute {
  name: string;
  value?: string;
}

/** One Node seen as an ECS container instance. */
export interface ContainerInstance {
  /** The Node's name: the container instance's identity in Task status and placement. */
  nodeName: string;
  containerInstanceArn?: string;
  /** DRAINING when the node is cordoned or tainted NoExecute. */
  status: ContainerInstanceStatus;
  /** The node is Ready. */
  agentConnected: boolean;
  runningTasksCount: number;
  pendingTasksCount: number;
  registeredResources?: ContainerInstanceResource[];
  remainingResources?: ContainerInstanceResource[];
  attributes?: ContainerInstanceAttribute[];
  registeredAt?: string;
  /** Percent of the registered CPU the node uses (metrics.k8s.io NodeMetrics); absent when not measured. */
  cpuUtilization?: number;
  /** Percent of the registered memory the node uses; absent when not measured. */
  memoryUtilization?: number;
}

export interface ClusterStatus {
  observedGeneration?: number;
  clusterName?: string;
  /** `arn:aws:ecs:local:NAMESPACE:cluster/NAME`. */
  clusterArn?: string;
  status?: ClusterStatusValue;
  /** ACTIVE plus DRAINING container instances. */
  registeredContainerInstancesCount?: number;
  runningTasksCount?: number;
  pendingTasksCount?: number;
  activeServicesCount?: number;
  /** Percent of registered CPU units reserved by tasks. */
  cpuReservation?: number;
  /** Percent of registered memory reserved by tasks. */
  memoryReservation?: number;
  /** Percent of the registered CPU units the cluster's RUNNING tasks use (metrics.k8s.io); absent when it is not served. */
  cpuUtilization?: number;
  /** Percent of the registered memory the cluster's RUNNING tasks use; absent when the metrics API is not served. */
  memoryUtilization?: number;
  /** Up to `spec.maxInstanceDetails` container instances. */
  containerInstances?: ContainerInstance[];
  /** Container instances counted but not listed because of `spec.maxInstanceDetails`. */
  containerInstancesOmitted?: number;
  conditions?: Condition[];
}

export type Cluster = EcsResource<'Cluster', ClusterSpec, ClusterStatus>;
