// Keeps crds/ and operator/src/api/ in step. The "manifests" below list every field of the TypeScript types,
// marked required or optional: `satisfies Manifest<T>` makes them exhaustive at compile time (npm run typecheck),
// and the test compares them with the property names and `required` lists of the CRD schemas at run time. A
// field added on one side only fails one of the two.
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { parse } from 'yaml';
import {
  ECS_CATEGORY,
  ECS_GROUP,
  ECS_KINDS,
  ECS_VERSION,
  type CapacityProviderStrategyItem,
  type ClusterSpec,
  type ContainerInstanceResource,
  type ClusterStatus,
  type Condition,
  type ContainerDefinition,
  type EphemeralStorage,
  type EcsKind,
  type KeyValuePair,
  type LogConfiguration,
  type ManagedEBSVolumeConfiguration,
  type NetworkConfiguration,
  type PlacementConstraint,
  type PlacementStrategy,
  type ResourceRequirement,
  type Secret,
  type ServiceSpec,
  type ServiceStatus,
  type Tag,
  type TaskDefinitionSpec,
  type TaskDefinitionStatus,
  type TaskSpec,
  type TaskStatus,
  type EnvironmentFile,
  type ScheduledTaskSpec,
  type ScheduledTaskStatus,
  type TaskOverride,
} from '../../operator/src/api/index.js';
import { parseScheduleExpression } from '../../operator/src/translate/schedule/index.js';

// ---- manifests of the TypeScript types ----------------------------------------------------------------------

type Element<V> = V extends readonly (infer E)[] ? E : V;
/** Objects with named fields are described field by field; scalars and string maps are leaves. */
type Shape<V> = V extends object ? (string extends keyof V ? 'leaf' : Manifest<V>) : 'leaf';
type Tagged<S, Optional extends boolean> = S extends 'leaf'
  ? Optional extends true
    ? 'optional'
    : 'required'
  : Optional extends true
    ? { optional: S }
    : { required: S };
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- `{} extends Pick<T, K>` is the type-level test for an optional key
type Entry<T, K extends keyof T> = Tagged<Shape<Element<NonNullable<T[K]>>>, {} extends Pick<T, K> ? true : false>;
/** Every field of T, required or optional as in T, with the fields of nested objects. */
type Manifest<T> = { [K in keyof T]-?: Entry<T, K> };

type ManifestEntry = 'required' | 'optional' | { required: ManifestNode } | { optional: ManifestNode };
interface ManifestNode {
  [field: string]: ManifestEntry;
}

const tag = { key: 'required', value: 'optional' } satisfies Manifest<Tag>;
const keyValuePair = { name: 'required', value: 'required' } satisfies Manifest<KeyValuePair>;
const secret = { name: 'required', valueFrom: 'required' } satisfies Manifest<Secret>;
const environmentFile = { value: 'required', type: 'required' } satisfies Manifest<EnvironmentFile>;
const resourceRequirement = { type: 'required', value: 'required' } satisfies Manifest<ResourceRequirement>;
const ephemeralStorage = { sizeInGiB: 'required' } satisfies Manifest<EphemeralStorage>;
const placementConstraint = { type: 'required', expression: 'optional' } satisfies Manifest<PlacementConstraint>;
const placementStrategy = { type: 'required', field: 'optional' } satisfies Manifest<PlacementStrategy>;
const logConfiguration = {
  logDriver: 'required',
  options: 'optional',
  secretOptions: { optional: secret },
} satisfies Manifest<LogConfiguration>;
const capacityProviderStrategyItem = {
  capacityProvider: 'required',
  weight: 'optional',
  base: 'optional',
} satisfies Manifest<CapacityProviderStrategyItem>;
const networkConfiguration = {
  awsvpcConfiguration: { optional: { subnets: 'required', securityGroups: 'optional', assignPublicIp: 'optional' } },
} satisfies Manifest<NetworkConfiguration>;
const condition = {
  type: 'required',
  status: 'required',
  reason: 'required',
  message: 'required',
  lastTransitionTime: 'required',
  observedGeneration: 'optional',
} satisfies Manifest<Condition>;

const containerDefinition = {
  name: 'required',
  image: 'required',
  repositoryCredentials: { optional: { credentialsParameter: 'required' } },
  cpu: 'optional',
  memory: 'optional',
  memoryReservation: 'optional',
  links: 'optional',
  portMappings: {
    optional: {
      containerPort: 'optional',
      hostPort: 'optional',
      protocol: 'optional',
      name: 'optional',
      appProtocol: 'optional',
      containerPortRange: 'optional',
    },
  },
  essential: 'optional',
  restartPolicy: { optional: { enabled: 'required', ignoredExitCodes: 'optional', restartAttemptPeriod: 'optional' } },
  entryPoint: 'optional',
  command: 'optional',
  environment: { optional: keyValuePair },
  environmentFiles: { optional: environmentFile },
  mountPoints: { optional: { sourceVolume: 'optional', containerPath: 'optional', readOnly: 'optional' } },
  volumesFrom: { optional: { sourceContainer: 'optional', readOnly: 'optional' } },
  linuxParameters: {
    optional: {
      capabilities: { optional: { add: 'optional', drop: 'optional' } },
      devices: { optional: { hostPath: 'required', containerPath: 'optional', permissions: 'optional' } },
      initProcessEnabled: 'optional',
      sharedMemorySize: 'optional',
      tmpfs: { optional: { containerPath: 'required', size: 'required', mountOptions: 'optional' } },
      maxSwap: 'optional',
      swappiness: 'optional',
    },
  },
  secrets: { optional: secret },
  dependsOn: { optional: { containerName: 'required', condition: 'required' } },
  startTimeout: 'optional',
  stopTimeout: 'optional',
  versionConsistency: 'optional',
  hostname: 'optional',
  user: 'optional',
  workingDirectory: 'optional',
  disableNetworking: 'optional',
  privileged: 'optional',
  readonlyRootFilesystem: 'optional',
  dnsServers: 'optional',
  dnsSearchDomains: 'optional',
  extraHosts: { optional: { hostname: 'required', ipAddress: 'required' } },
  dockerSecurityOptions: 'optional',
  interactive: 'optional',
  pseudoTerminal: 'optional',
  dockerLabels: 'optional',
  ulimits: { optional: { name: 'required', softLimit: 'required', hardLimit: 'required' } },
  logConfiguration: { optional: logConfiguration },
  healthCheck: {
    optional: { command: 'required', interval: 'optional', timeout: 'optional', retries: 'optional', startPeriod: 'optional' },
  },
  systemControls: { optional: { namespace: 'optional', value: 'optional' } },
  resourceRequirements: { optional: resourceRequirement },
  firelensConfiguration: { optional: { type: 'required', options: 'optional' } },
  credentialSpecs: 'optional',
} satisfies Manifest<ContainerDefinition>;

const volume = {
  name: 'required',
  host: { optional: { sourcePath: 'optional' } },
  dockerVolumeConfiguration: {
    optional: { scope: 'optional', autoprovision: 'optional', driver: 'optional', driverOpts: 'optional', labels: 'optional' },
  },
  efsVolumeConfiguration: {
    optional: {
      fileSystemId: 'required',
      rootDirectory: 'optional',
      transitEncryption: 'optional',
      transitEncryptionPort: 'optional',
      authorizationConfig: { optional: { accessPointId: 'optional', iam: 'optional' } },
    },
  },
  fsxWindowsFileServerVolumeConfiguration: {
    optional: {
      fileSystemId: 'required',
      rootDirectory: 'required',
      authorizationConfig: { required: { credentialsParameter: 'required', domain: 'required' } },
    },
  },
  configuredAtLaunch: 'optional',
} satisfies Manifest<NonNullable<TaskDefinitionSpec['volumes']>[number]>;

const taskDefinitionSpec = {
  family: 'optional',
  taskRoleArn: 'optional',
  executionRoleArn: 'optional',
  networkMode: 'optional',
  containerDefinitions: { required: containerDefinition },
  volumes: { optional: volume },
  placementConstraints: { optional: placementConstraint },
  requiresCompatibilities: 'optional',
  cpu: 'optional',
  memory: 'optional',
  tags: { optional: tag },
  pidMode: 'optional',
  ipcMode: 'optional',
  proxyConfiguration: { optional: { type: 'optional', containerName: 'required', properties: { optional: keyValuePair } } },
  inferenceAccelerators: { optional: { deviceName: 'required', deviceType: 'required' } },
  ephemeralStorage: { optional: ephemeralStorage },
  runtimePlatform: { optional: { cpuArchitecture: 'optional', operatingSystemFamily: 'optional' } },
  enableFaultInjection: 'optional',
  inactiveRevisions: 'optional',
} satisfies Manifest<TaskDefinitionSpec>;

const taskDefinitionStatus = {
  observedGeneration: 'optional',
  family: 'optional',
  revision: 'optional',
  taskDefinition: 'optional',
  taskDefinitionArn: 'optional',
  status: 'optional',
  revisions: {
    optional: {
      revision: 'required',
      status: 'required',
      controllerRevision: 'required',
      registeredAt: 'optional',
      deregisteredAt: 'optional',
    },
  },
  warnings: 'optional',
  conditions: { optional: condition },
} satisfies Manifest<TaskDefinitionStatus>;

const taskOverride = {
  containerOverrides: {
    optional: {
      name: 'required',
      command: 'optional',
      environment: { optional: keyValuePair },
      environmentFiles: { optional: environmentFile },
      cpu: 'optional',
      memory: 'optional',
      memoryReservation: 'optional',
      resourceRequirements: { optional: resourceRequirement },
    },
  },
  cpu: 'optional',
  memory: 'optional',
  taskRoleArn: 'optional',
  executionRoleArn: 'optional',
  ephemeralStorage: { optional: ephemeralStorage },
} satisfies Manifest<TaskOverride>;

const managedEBSVolume = {
  sizeInGiB: 'optional',
  volumeType: 'optional',
  iops: 'optional',
  throughput: 'optional',
  encrypted: 'optional',
  kmsKeyId: 'optional',
  snapshotId: 'optional',
  volumeInitializationRate: 'optional',
  tagSpecifications: { optional: { resourceType: 'required', tags: { optional: tag }, propagateTags: 'optional' } },
  roleArn: 'optional',
  filesystemType: 'optional',
} satisfies Manifest<ManagedEBSVolumeConfiguration>;

const taskSpec = {
  cluster: 'optional',
  taskDefinition: 'required',
  overrides: { optional: taskOverride },
  startedBy: 'optional',
  group: 'optional',
  placementConstraints: { optional: placementConstraint },
  placementStrategy: { optional: placementStrategy },
  desiredStatus: 'optional',
  containerInstance: 'optional',
  schedulerName: 'optional',
  launchType: 'optional',
  capacityProviderStrategy: { optional: capacityProviderStrategyItem },
  networkConfiguration: { optional: networkConfiguration },
  tags: { optional: tag },
  enableExecuteCommand: 'optional',
  propagateTags: 'optional',
  enableECSManagedTags: 'optional',
  volumeConfigurations: {
    optional: {
      name: 'required',
      managedEBSVolume: { optional: { ...managedEBSVolume, terminationPolicy: { optional: { deleteOnTermination: 'required' } } } },
    },
  },
} satisfies Manifest<TaskSpec>;

const taskStatus = {
  observedGeneration: 'optional',
  taskArn: 'optional',
  cluster: 'optional',
  taskDefinition: 'optional',
  taskDefinitionArn: 'optional',
  lastStatus: 'optional',
  desiredStatus: 'optional',
  healthStatus: 'optional',
  containerInstance: 'optional',
  group: 'optional',
  startedBy: 'optional',
  launchType: 'optional',
  cpu: 'optional',
  memory: 'optional',
  containers: {
    optional: {
      name: 'required',
      image: 'optional',
      imageDigest: 'optional',
      runtimeId: 'optional',
      lastStatus: 'optional',
      exitCode: 'optional',
      reason: 'optional',
      healthStatus: 'optional',
      networkBindings: { optional: { bindIP: 'optional', containerPort: 'optional', hostPort: 'optional', protocol: 'optional' } },
      cpu: 'optional',
      memory: 'optional',
      memoryReservation: 'optional',
      restartCount: 'optional',
    },
  },
  stopCode: 'optional',
  stoppedReason: 'optional',
  createdAt: 'optional',
  pullStartedAt: 'optional',
  pullStoppedAt: 'optional',
  startedAt: 'optional',
  stoppingAt: 'optional',
  executionStoppedAt: 'optional',
  stoppedAt: 'optional',
  version: 'optional',
  warnings: 'optional',
  conditions: { optional: condition },
  capacityProviderName: 'optional',
} satisfies Manifest<TaskStatus>;

const serviceSpec = {
  serviceName: 'optional',
  cluster: 'optional',
  taskDefinition: 'required',
  desiredCount: 'optional',
  schedulingStrategy: 'optional',
  deploymentController: { optional: { type: 'required' } },
  deploymentConfiguration: {
    optional: {
      minimumHealthyPercent: 'optional',
      maximumPercent: 'optional',
      deploymentCircuitBreaker: {
        optional: { enable: 'required', rollback: 'required', thresholdConfiguration: { optional: { type: 'required', value: 'required' } } },
      },
      alarms: { optional: { alarmNames: 'required', enable: 'required', rollback: 'required' } },
    },
  },
  placementConstraints: { optional: placementConstraint },
  placementStrategy: { optional: placementStrategy },
  healthCheckGracePeriodSeconds: 'optional',
  loadBalancers: {
    optional: { targetGroupArn: 'optional', loadBalancerName: 'optional', containerName: 'required', containerPort: 'required' },
  },
  serviceRegistries: {
    optional: { registryArn: 'optional', port: 'optional', containerName: 'optional', containerPort: 'optional' },
  },
  serviceConnectConfiguration: {
    optional: {
      enabled: 'required',
      namespace: 'optional',
      services: {
        optional: {
          portName: 'required',
          discoveryName: 'optional',
          clientAliases: { optional: { port: 'required', dnsName: 'optional' } },
          ingressPortOverride: 'optional',
        },
      },
      logConfiguration: { optional: logConfiguration },
    },
  },
  capacityProviderStrategy: { optional: capacityProviderStrategyItem },
  launchType: 'optional',
  networkConfiguration: { optional: networkConfiguration },
  enableExecuteCommand: 'optional',
  propagateTags: 'optional',
  enableECSManagedTags: 'optional',
  tags: { optional: tag },
  forceNewDeployment: 'optional',
  schedulerName: 'optional',
  volumeConfigurations: { optional: { name: 'required', managedEBSVolume: { optional: managedEBSVolume } } },
} satisfies Manifest<ServiceSpec>;

const serviceStatus = {
  observedGeneration: 'optional',
  serviceName: 'optional',
  serviceArn: 'optional',
  cluster: 'optional',
  status: 'optional',
  desiredCount: 'optional',
  runningCount: 'optional',
  pendingCount: 'optional',
  taskDefinition: 'optional',
  selector: 'optional',
  deployments: {
    optional: {
      id: 'required',
      status: 'required',
      taskDefinition: 'required',
      replicaSet: 'optional',
      desiredCount: 'required',
      pendingCount: 'required',
      runningCount: 'required',
      failedTasks: 'optional',
      countedFailedTasks: 'optional',
      createdAt: 'optional',
      updatedAt: 'optional',
      rolloutState: 'optional',
      rolloutStateReason: 'optional',
      circuitBreaker: { optional: { status: 'required', failureCount: 'required', threshold: 'required' } },
    },
  },
  reportedTasks: { optional: { startedThrough: 'optional', startedAtThrough: 'optional', stopped: 'optional' } },
  events: { optional: { id: 'required', createdAt: 'required', message: 'required' } },
  warnings: 'optional',
  cpuUtilization: 'optional',
  memoryUtilization: 'optional',
  conditions: { optional: condition },
} satisfies Manifest<ServiceStatus>;

const clusterSpec = {
  clusterName: 'optional',
  nodeSelector: {
    optional: { matchLabels: 'optional', matchExpressions: { optional: { key: 'required', operator: 'required', values: 'optional' } } },
  },
  attributeLabels: 'optional',
  settings: { optional: { name: 'required', value: 'required' } },
  allowPrivileged: 'optional',
  schedulerName: 'optional',
  maxInstanceDetails: 'optional',
  tags: { optional: tag },
  capacityProviders: 'optional',
  capacityProviderNodes: {
    optional: {
      capacityProvider: 'required',
      nodeSelector: {
        optional: { matchLabels: 'optional', matchExpressions: { optional: { key: 'required', operator: 'required', values: 'optional' } } },
      },
      tolerations: { optional: { key: 'optional', operator: 'optional', value: 'optional', effect: 'optional', tolerationSeconds: 'optional' } },
    },
  },
  defaultCapacityProviderStrategy: { optional: capacityProviderStrategyItem },
  subnets: { optional: { subnetId: 'required', availabilityZone: 'required' } },
  managedEBSVolumes: { optional: { storageClasses: 'optional', defaultStorageClass: 'optional' } },
} satisfies Manifest<ClusterSpec>;

const containerInstanceResource = {
  name: 'required',
  type: 'required',
  integerValue: 'optional',
  stringSetValue: 'optional',
} satisfies Manifest<ContainerInstanceResource>;
const clusterStatus = {
  observedGeneration: 'optional',
  clusterName: 'optional',
  clusterArn: 'optional',
  status: 'optional',
  registeredContainerInstancesCount: 'optional',
  runningTasksCount: 'optional',
  pendingTasksCount: 'optional',
  activeServicesCount: 'optional',
  cpuReservation: 'optional',
  memoryReservation: 'optional',
  cpuUtilization: 'optional',
  memoryUtilization: 'optional',
  containerInstances: {
    optional: {
      nodeName: 'required',
      containerInstanceArn: 'optional',
      status: 'required',
      agentConnected: 'required',
      runningTasksCount: 'required',
      pendingTasksCount: 'required',
      registeredResources: { optional: containerInstanceResource },
      remainingResources: { optional: containerInstanceResource },
      attributes: { optional: { name: 'required', value: 'optional' } },
      registeredAt: 'optional',
      cpuUtilization: 'optional',
      memoryUtilization: 'optional',
    },
  },
  containerInstancesOmitted: 'optional',
  conditions: { optional: condition },
} satisfies Manifest<ClusterStatus>;

const scheduledTaskSpec = {
  scheduleExpression: 'required',
  scheduleExpressionTimezone: 'optional',
  state: 'optional',
  startDate: 'optional',
  endDate: 'optional',
  flexibleTimeWindow: { optional: { mode: 'required', maximumWindowInMinutes: 'optional' } },
  target: {
    required: {
      cluster: 'optional',
      taskDefinition: 'required',
      count: 'optional',
      overrides: { optional: taskOverride },
      group: 'optional',
      placementConstraints: { optional: placementConstraint },
      placementStrategy: { optional: placementStrategy },
      launchType: 'optional',
      capacityProviderStrategy: { optional: capacityProviderStrategyItem },
      networkConfiguration: { optional: networkConfiguration },
      schedulerName: 'optional',
      enableExecuteCommand: 'optional',
      propagateTags: 'optional',
      enableECSManagedTags: 'optional',
      tags: { optional: tag },
    },
  },
  retryPolicy: { optional: { maximumRetryAttempts: 'optional', maximumEventAgeInSeconds: 'optional' } },
  concurrencyPolicy: 'optional',
  successfulRunsHistoryLimit: 'optional',
  failedRunsHistoryLimit: 'optional',
} satisfies Manifest<ScheduledTaskSpec>;

const scheduledTaskStatus = {
  observedGeneration: 'optional',
  scheduleArn: 'optional',
  lastScheduleTime: 'optional',
  nextScheduleTime: 'optional',
  runs: {
    optional: {
      scheduledTime: 'required',
      outcome: 'optional',
      retryAttempts: 'optional',
      tasks: { required: { name: 'required', lastStatus: 'optional', stopCode: 'optional', stoppedReason: 'optional' } },
    },
  },
  events: { optional: { id: 'required', createdAt: 'required', message: 'required' } },
  conditions: { optional: condition },
} satisfies Manifest<ScheduledTaskStatus>;

const manifests: Record<EcsKind, { spec: ManifestNode; status: ManifestNode }> = {
  Cluster: { spec: clusterSpec, status: clusterStatus },
  TaskDefinition: { spec: taskDefinitionSpec, status: taskDefinitionStatus },
  Task: { spec: taskSpec, status: taskStatus },
  Service: { spec: serviceSpec, status: serviceStatus },
  ScheduledTask: { spec: scheduledTaskSpec, status: scheduledTaskStatus },
};

// ---- the CRDs -----------------------------------------------------------------------------------------------

interface Schema {
  type?: string;
  description?: string;
  properties?: Record<string, Schema>;
  additionalProperties?: Schema | boolean;
  items?: Schema;
  required?: string[];
  enum?: unknown[];
  default?: unknown;
  minimum?: number;
  maximum?: number;
  maxItems?: number;
  maxLength?: number;
  maxProperties?: number;
  pattern?: string;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-validations'?: Array<{ rule?: string; message?: string; messageExpression?: string; fieldPath?: string }>;
}

interface Crd {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  spec: {
    group: string;
    scope: string;
    names: { kind: string; listKind: string; plural: string; singular: string; shortNames: string[]; categories: string[] };
    versions: Array<{
      name: string;
      served: boolean;
      storage: boolean;
      subresources?: { status?: object; scale?: { specReplicasPath: string; statusReplicasPath: string; labelSelectorPath?: string } };
      additionalPrinterColumns?: Array<{ name: string; type: string; jsonPath: string; description?: string }>;
      schema: { openAPIV3Schema: Schema };
    }>;
  };
}

const kinds = Object.keys(ECS_KINDS) as EcsKind[];

function loadCrd(kind: EcsKind): Crd {
  const url = new URL(`../../crds/${ECS_GROUP}_${ECS_KINDS[kind].plural}.yaml`, import.meta.url);
  return parse(readFileSync(url, 'utf8')) as Crd;
}

const crds = Object.fromEntries(kinds.map((kind) => [kind, loadCrd(kind)])) as Record<EcsKind, Crd>;
const rootSchema = (kind: EcsKind): Schema => crds[kind].spec.versions[0]!.schema.openAPIV3Schema;
const specSchema = (kind: EcsKind): Schema => rootSchema(kind).properties!.spec!;
const statusSchema = (kind: EcsKind): Schema => rootSchema(kind).properties!.status!;

/** Visits every schema node below `schema` with its path, e.g. `spec.containerDefinitions[].name`. */
function walk(schema: Schema, path: string, visit: (node: Schema, path: string) => void): void {
  visit(schema, path);
  for (const [name, child] of Object.entries(schema.properties ?? {})) walk(child, `${path}.${name}`, visit);
  if (schema.items) walk(schema.items, `${path}[]`, visit);
  if (typeof schema.additionalProperties === 'object') walk(schema.additionalProperties, `${path}{}`, visit);
}

/** The schema whose properties a field's manifest describes: the field's own, or its items'. */
function objectSchema(schema: Schema): Schema {
  return schema.type === 'array' ? (schema.items ?? {}) : schema;
}

/** Differences between a manifest and a schema, each naming the field's path. */
function compare(manifest: ManifestNode, schema: Schema, path: string): string[] {
  const problems: string[] = [];
  const properties = schema.properties ?? {};
  for (const field of Object.keys(manifest)) {
    if (!(field in properties)) problems.push(`${path}.${field} is in the TypeScript type but not in the CRD`);
  }
  for (const field of Object.keys(properties)) {
    if (!(field in manifest)) problems.push(`${path}.${field} is in the CRD but not in the TypeScript type`);
  }
  const required = new Set(schema.required ?? []);
  for (const [field, entry] of Object.entries(manifest)) {
    const child = properties[field];
    if (!child) continue;
    const isRequired = entry === 'required' || (typeof entry === 'object' && 'required' in entry);
    if (isRequired !== required.has(field)) {
      problems.push(`${path}.${field} is ${isRequired ? 'required' : 'optional'} in TypeScript but not in the CRD`);
    }
    const nested = typeof entry === 'object' ? ('required' in entry ? entry.required : entry.optional) : undefined;
    const target = objectSchema(child);
    if (nested) problems.push(...compare(nested, target, `${path}.${field}`));
    else if (target.properties) problems.push(`${path}.${field} has fields in the CRD that the manifest does not list`);
  }
  return problems;
}

/** The schema with descriptions removed, to compare the validation of fragments repeated across CRDs. */
function withoutDescriptions(schema: Schema): unknown {
  return JSON.parse(JSON.stringify(schema, (key, value: unknown) => (key === 'description' ? undefined : value)));
}

function at(schema: Schema, path: string): Schema {
  let node: Schema | undefined = schema;
  for (const step of path.split('.')) {
    node = step === '[]' ? node.items : node.properties?.[step];
    if (!node) throw new Error(`no schema at ${path}`);
  }
  return node;
}

describe('CRDs (crds/)', () => {
  for (const kind of kinds) {
    describe(kind, () => {
      const crd = crds[kind];
      const names = ECS_KINDS[kind];

      it('names the kind as operator/src/api/index.ts does, in group ecs.operator.dev, version v1alpha1', () => {
        expect(crd.apiVersion).to.equal('apiextensions.k8s.io/v1');
        expect(crd.kind).to.equal('CustomResourceDefinition');
        expect(crd.metadata.name).to.equal(`${names.plural}.${ECS_GROUP}`);
        expect(crd.spec.group).to.equal(ECS_GROUP);
        expect(crd.spec.scope).to.equal('Namespaced');
        expect(crd.spec.names).to.deep.equal({
          kind: names.kind,
          listKind: `${names.kind}List`,
          plural: names.plural,
          singular: names.singular,
          shortNames: [names.shortName],
          categories: [ECS_CATEGORY],
        });
        expect(crd.spec.versions.map((v) => [v.name, v.served, v.storage])).to.deep.equal([[ECS_VERSION, true, true]]);
        expect(crd.spec.versions[0]!.subresources?.status).to.deep.equal({});
      });

      it('requires spec, so that the API server refuses an object the controllers would have nothing to act on in', () => {
        expect(rootSchema(kind).required).to.deep.equal(['spec']);
      });

      it('has a structural schema: a type on every node, a description on every field', () => {
        expect(rootSchema(kind).properties?.metadata, 'metadata may state nothing but its type').to.deep.equal({ type: 'object' });
        const problems: string[] = [];
        walk(rootSchema(kind), kind, (node, path) => {
          if (!node.type && !node['x-kubernetes-int-or-string']) problems.push(`${path} has no type`);
          if (node.type === 'array' && !node.items) problems.push(`${path} has no items`);
          if (node['x-kubernetes-preserve-unknown-fields']) problems.push(`${path} preserves unknown fields`);
          if (node.type === 'object' && !node.properties && !node.additionalProperties && path !== `${kind}.metadata`) {
            problems.push(`${path} is an object without properties`);
          }
          for (const [name, child] of Object.entries(node.properties ?? {})) {
            // The API server allows nothing but `type` on metadata; kubectl explain describes it anyway.
            if (path === kind && name === 'metadata') continue;
            if (!child.description?.trim()) problems.push(`${path}.${name} has no description`);
          }
        });
        expect(problems).to.deep.equal([]);
      });

      it('bounds every list, string and map of the spec, so that CEL rules stay within the cost budget', () => {
        const problems: string[] = [];
        walk(specSchema(kind), `${kind}.spec`, (node, path) => {
          if (node.type === 'array' && node.maxItems === undefined) problems.push(`${path} has no maxItems`);
          if (node.type === 'string' && node.maxLength === undefined && !node.enum) problems.push(`${path} has no maxLength`);
          if (node.additionalProperties && node.maxProperties === undefined) problems.push(`${path} has no maxProperties`);
        });
        expect(problems).to.deep.equal([]);
      });

      it('gives every CEL rule a message', () => {
        const problems: string[] = [];
        walk(rootSchema(kind), kind, (node, path) => {
          for (const validation of node['x-kubernetes-validations'] ?? []) {
            if (!validation.rule) problems.push(`${path} has a validation without a rule`);
            if (!validation.message && !validation.messageExpression) problems.push(`${path}: "${validation.rule}" has no message`);
          }
        });
        expect(problems).to.deep.equal([]);
      });

      it('has defaults that its own enums and bounds allow', () => {
        const problems: string[] = [];
        walk(rootSchema(kind), kind, (node, path) => {
          if (node.default === undefined) return;
          if (node.enum && !node.enum.includes(node.default)) problems.push(`${path} default is not in its enum`);
          if (typeof node.default === 'number') {
            if (node.minimum !== undefined && node.default < node.minimum) problems.push(`${path} default is below minimum`);
            if (node.maximum !== undefined && node.default > node.maximum) problems.push(`${path} default is above maximum`);
          }
        });
        expect(problems).to.deep.equal([]);
      });

      it('prints columns whose paths exist in the schema', () => {
        for (const column of crd.spec.versions[0]!.additionalPrinterColumns ?? []) {
          expect(Boolean(column.description) || column.name === 'Age', `${column.name} has a description`).to.equal(true);
          if (column.jsonPath.startsWith('.metadata.')) continue;
          // `.status.deployments[?(@.status=="PRIMARY")].rolloutState` → status.deployments.[].rolloutState
          const path = column.jsonPath.slice(1).replace(/\[\?\(@\.\w+=="[^"]*"\)\]/g, '.[]');
          expect(() => at(rootSchema(kind), path), column.jsonPath).not.to.throw();
        }
      });

      it('has the fields of the TypeScript spec type, required where it requires them', () => {
        expect(compare(manifests[kind].spec, specSchema(kind), `${kind}.spec`)).to.deep.equal([]);
      });

      it('has the fields of the TypeScript status type, required where it requires them', () => {
        expect(compare(manifests[kind].status, statusSchema(kind), `${kind}.status`)).to.deep.equal([]);
      });
    });
  }

  it('lets kubectl scale and HorizontalPodAutoscalers drive a Service', () => {
    expect(crds.Service.spec.versions[0]!.subresources?.scale).to.deep.equal({
      specReplicasPath: '.spec.desiredCount',
      statusReplicasPath: '.status.runningCount',
      labelSelectorPath: '.status.selector',
    });
  });

  it('validates fragments that several CRDs repeat in the same way', () => {
    const same = (paths: Array<[EcsKind, string]>): void => {
      const [first, ...rest] = paths.map(([kind, path]) => withoutDescriptions(at(rootSchema(kind), path)));
      for (const [index, other] of rest.entries()) {
        expect(other, `${paths[index + 1]!.join(' ')} validates as ${paths[0]!.join(' ')}`).to.deep.equal(first);
      }
    };
    same(kinds.map((kind) => [kind, kind === 'ScheduledTask' ? 'spec.target.tags' : 'spec.tags']));
    same(kinds.map((kind) => [kind, 'status.conditions']));
    same([
      ['TaskDefinition', 'spec.placementConstraints.[]'],
      ['Task', 'spec.placementConstraints.[]'],
      ['Service', 'spec.placementConstraints.[]'],
    ]);
    for (const field of ['placementConstraints', 'placementStrategy', 'networkConfiguration', 'launchType', 'schedulerName', 'enableExecuteCommand']) {
      same([
        ['Task', `spec.${field}`],
        ['Service', `spec.${field}`],
        ['ScheduledTask', `spec.target.${field}`],
      ]);
    }
    same([
      ['Task', 'spec.cluster'],
      ['Service', 'spec.cluster'],
    ]);
    same([
      ['Task', 'spec.overrides'],
      ['ScheduledTask', 'spec.target.overrides'],
    ]);
    same([
      ['Task', 'spec.propagateTags'],
      ['ScheduledTask', 'spec.target.propagateTags'],
    ]);
    same([
      ['Cluster', 'spec.defaultCapacityProviderStrategy'],
      ['Task', 'spec.capacityProviderStrategy'],
      ['Service', 'spec.capacityProviderStrategy'],
      ['ScheduledTask', 'spec.target.capacityProviderStrategy'],
    ]);
    same([
      ['TaskDefinition', 'spec.containerDefinitions.[].logConfiguration'],
      ['Service', 'spec.serviceConnectConfiguration.logConfiguration'],
    ]);
    same([
      ['TaskDefinition', 'spec.ephemeralStorage'],
      ['Task', 'spec.overrides.ephemeralStorage'],
    ]);
    for (const field of ['environment', 'environmentFiles', 'resourceRequirements', 'command', 'cpu', 'memory', 'memoryReservation']) {
      same([
        ['TaskDefinition', `spec.containerDefinitions.[].${field}`],
        ['Task', `spec.overrides.containerOverrides.[].${field}`],
      ]);
    }
    expect(at(rootSchema('Task'), 'spec.overrides.cpu').pattern).to.equal(at(rootSchema('TaskDefinition'), 'spec.cpu').pattern);
    expect(at(rootSchema('Task'), 'spec.overrides.memory').pattern).to.equal(at(rootSchema('TaskDefinition'), 'spec.memory').pattern);
    expect(at(rootSchema('Task'), 'spec.taskDefinition')['x-kubernetes-validations']![0])
      .to.deep.equal(at(rootSchema('Service'), 'spec.taskDefinition')['x-kubernetes-validations']![0])
      .and.to.deep.equal(at(rootSchema('ScheduledTask'), 'spec.target.taskDefinition')['x-kubernetes-validations']![0]);
    const { 'x-kubernetes-validations': _immutable, ...cluster } = at(rootSchema('Task'), 'spec.cluster');
    expect(withoutDescriptions(at(rootSchema('ScheduledTask'), 'spec.target.cluster')), 'a schedule may move to another cluster').to.deep.equal(
      withoutDescriptions(cluster),
    );
  });

  describe('ScheduledTask', () => {
    it('requires spec', () => {
      expect(rootSchema('ScheduledTask').required).to.deep.equal(['spec']);
    });

    // The CEL rules on scheduleExpression are regular expressions (RE2, read the same way by JavaScript here).
    const rules = at(rootSchema('ScheduledTask'), 'spec.scheduleExpression')['x-kubernetes-validations']!;
    function refusedBy(expression: string): string[] {
      return rules
        .filter(({ rule }) => {
          const prefix = /^!self\.startsWith\('(\w+\()'\)/.exec(rule!)?.[1];
          const pattern = /self\.matches\('(.*)'\)/.exec(rule!)![1]!.replaceAll('\\\\', '\\');
          return !(prefix && !expression.startsWith(prefix)) && !new RegExp(pattern).test(expression);
        })
        .map(({ message }) => message!);
    }

    it('lets every expression the operator parses through its CEL rules', () => {
      const good = [
        'cron(0 10 * * ? *)',
        'cron(15 12 * * ? *)',
        'cron(0 18 ? * MON-FRI *)',
        'cron(0 8 1 * ? *)',
        'cron(0/15 * * * ? *)',
        'cron(0/10 * ? * MON-FRI *)',
        'cron(0/5 8-17 ? * MON-FRI *)',
        'cron(0 9 ? * 2#1 *)',
        'cron(0 0 L * ? *)',
        'cron(0 0 ? * 6L *)',
        'cron(0 0 LW * ? *)',
        'cron(0 0 15W * ? *)',
        'rate(1 minute)',
        'rate(5 minutes)',
        'rate(1 hour)',
        'rate(12 hours)',
        'rate(1 day)',
        'rate(100 days)',
        'at(2026-01-01T00:00:00)',
      ];
      for (const expression of good) {
        expect(parseScheduleExpression(expression).ok, expression).to.equal(true);
        expect(refusedBy(expression), expression).to.deep.equal([]);
      }
    });

    it('refuses the commonest mistakes with a message that names scheduleExpression', () => {
      const bad: Array<[string, string]> = [
        ['0 10 * * ? *', 'must be cron(...), rate(value unit) or at('],
        ['hourly', 'must be cron(...), rate(value unit) or at('],
        ['cron(0 10 * * ?)', 'cron() takes six fields'],
        ['cron(0 10 * * * *)', 'exactly one of day-of-month and day-of-week must be ?'],
        ['cron(0 10 ? * ? *)', 'exactly one of day-of-month and day-of-week must be ?'],
        ['rate(1 minutes)', 'rate(value unit)'],
        ['rate(5 minute)', 'rate(value unit)'],
        ['rate(0 minutes)', 'rate(value unit)'],
        ['rate(5 seconds)', 'rate(value unit)'],
        ['at(2026-01-01)', 'at(yyyy-mm-ddThh:mm:ss)'],
      ];
      for (const [expression, says] of bad) {
        expect(parseScheduleExpression(expression).ok, expression).to.equal(false);
        const messages = refusedBy(expression);
        expect(messages, expression).to.have.length.greaterThan(0);
        expect(messages[0], expression).to.include('scheduleExpression').and.include(says);
      }
    });
  });
});
