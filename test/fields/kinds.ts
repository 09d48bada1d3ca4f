// What each ECS field of the five CRDs does, found by walking the schemas (walk.ts): for each leaf, a spec that
// sets it is translated beside the same spec without it. A field is
//  - refused when an error names it (the resource is not run: the controller's Valid=False, translate's error),
//  - warned when a warning names it (translate and the controllers say it; translate/not-applied.ts and the rest),
//  - mapped when what is produced changes (pods, ReplicaSets, Services, TargetGroupBindings, ...),
//  - or listed below with what it does where a translation cannot show it (the controllers' rollout, status).
// A field that is none of these is dropped in silence: the coverage tests fail on it. The field table of
// docs/translation.md is written from the same rows (scripts/docs-fields.ts).
import { stringify } from 'yaml';
import type { Cluster } from '../../operator/src/api/cluster.js';
import type { ServiceSpec } from '../../operator/src/api/service.js';
import type { TaskSpec } from '../../operator/src/api/task.js';
import type { TaskDefinitionSpec } from '../../operator/src/api/taskdefinition.js';
import { main as translateMain } from '../../operator/src/cli/translate.js';
import { LABELS } from '../../operator/src/translate/labels.js';
import { SERVICE_NOT_APPLIED, TASK_NOT_APPLIED } from '../../operator/src/translate/not-applied.js';
import { workloadTemplate } from '../../operator/src/translate/workload.js';
import { run } from '../unit/cli/helpers.js';
import { fieldName, specSchemaOf, Walk, within, type Leaf, type Schema, type WalkSetup } from './walk.js';

export type Outcome = 'mapped' | 'warned' | 'refused';

/** What one translation of a sample gave: what was produced, and the paths (from the resource) the issues name. */
export interface Translation {
  result: string;
  warnings: Array<{ path: string; message: string }>;
  errors: Array<{ path: string; message: string }>;
}

export interface KindFields<Spec> {
  kind: 'TaskDefinition' | 'Service' | 'Task' | 'Cluster';
  walk: Walk<Spec>;
  translate: (spec: Spec) => Promise<Translation>;
  /** Fields a translation cannot show, with what they do and where a test shows it. Each is a decision. */
  listed: Record<string, string>;
  /** What is said about a warned field in general (the rule's summary), instead of the sample's message. */
  summaries?: Record<string, string>;
}

export interface FieldRow {
  kind: string;
  /** `loadBalancers[].targetGroupArn`. */
  field: string;
  outcome: Outcome;
  how: string;
  /** Neither changed anything nor was named, nor listed: dropped in silence. */
  silent: boolean;
  /** For enum fields, the outcome of each value. */
  values?: Array<{ value: string; outcome: Outcome | 'as unset'; how: string }>;
}

/** Issues at these name a whole container or volume, not the field in it. */
const TOO_WIDE = /^spec(\.containerDefinitions\[\d+\]|\.volumes\[\d+\])?$/;

const named = (issues: Translation['warnings'], field: string) =>
  issues.find(({ path }) => within(path, field) || (within(field, path) && !TOO_WIDE.test(path)));

/** The first sentence of a schema's description: how a mapped field is mapped, as the CRD says it. */
const describe = (schema: Schema) =>
  (schema.description ?? '')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^(.*?(?<!\be\.g|\bi\.e)\.)\s.*$/, '$1');

/** The summary of the rule that covers `field` (the rule's field, or an object or list around it). */
const summaryOf = (summaries: Record<string, string> | undefined, field: string) => Object.entries(summaries ?? {}).find(([rule]) => within(field, rule))?.[1];

async function classify<Spec>(fields: KindFields<Spec>, leaf: Leaf, value?: unknown): Promise<{ outcome: Outcome | undefined; how: string }> {
  const { without, with: withLeaf } = fields.walk.specsFor(leaf, value);
  const before = await fields.translate(without);
  const after = await fields.translate(withLeaf);
  const field = `spec.${leaf.path}`;
  const error = named(after.errors, field);
  if (error) return { outcome: 'refused', how: error.message };
  const warning = named(after.warnings, field);
  if (warning) return { outcome: 'warned', how: summaryOf(fields.summaries, fieldName(leaf)) ?? warning.message };
  if (after.result !== before.result) return { outcome: 'mapped', how: describe(leaf.schema) };
  return { outcome: undefined, how: '' };
}

export async function fieldRows<Spec>(fields: KindFields<Spec>): Promise<FieldRow[]> {
  const rows: FieldRow[] = [];
  for (const leaf of fields.walk.leaves) {
    const field = fieldName(leaf);
    const listed = fields.listed[field];
    const found = await classify(fields, leaf);
    const values = leaf.schema.enum
      ? await Promise.all(
          leaf.schema.enum.map(async (value) => {
            const { outcome, how } = await classify(fields, leaf, value);
            return { value: String(value), outcome: outcome ?? ('as unset' as const), how };
          }),
        )
      : undefined;
    rows.push({
      kind: fields.kind,
      field,
      outcome: found.outcome ?? 'mapped',
      how: found.outcome ? found.how : (listed ?? ''),
      silent: found.outcome === undefined && listed === undefined,
      ...(values ? { values } : {}),
    });
  }
  return rows;
}

// ---------------------------------------------------------------------------------------------------------------
// TaskDefinition: translated as a task of a Cluster (the pod template and its ServiceAccount).

const TD_BASE: TaskDefinitionSpec = {
  family: 'web',
  containerDefinitions: [
    { name: 'app', image: 'nginx:1.27', memory: 512 },
    { name: 'side', image: 'busybox:1.36', memory: 128, essential: false, mountPoints: [{ sourceVolume: 'data', containerPath: '/data' }] },
  ],
  volumes: [{ name: 'data' }],
};

const TD_CLUSTER: Cluster = { apiVersion: 'ecs.operator.dev/v1alpha1', kind: 'Cluster', metadata: { name: 'default' }, spec: { allowPrivileged: true } };

const taskDefinitionSetup: WalkSetup<TaskDefinitionSpec> = {
  specSchema: specSchemaOf('taskdefinitions'),
  samples: {
    cpu: '256',
    memory: '1024',
    'runtimePlatform.operatingSystemFamily': 'WINDOWS_SERVER_2022_CORE',
    'containerDefinitions[0].portMappings[0].containerPortRange': '9000-9010',
    'containerDefinitions[0].linuxParameters.capabilities.add': ['NET_ADMIN'],
    'containerDefinitions[0].linuxParameters.capabilities.drop': ['CHOWN'],
    'containerDefinitions[0].healthCheck.command': ['CMD', 'true'],
    'volumes[0].dockerVolumeConfiguration.scope': 'shared',
    'volumes[0].name': 'data',
  },
  context: {
    'containerDefinitions[0].portMappings[0]': { containerPort: 8080 },
    'containerDefinitions[0].mountPoints[0]': { sourceVolume: 'data', containerPath: '/data' },
    'containerDefinitions[0].volumesFrom[0]': { sourceContainer: 'side' },
    'containerDefinitions[0].healthCheck': { command: ['CMD', 'true'] },
    'containerDefinitions[0].linuxParameters.devices[0]': { hostPath: '/dev/fuse' },
    'containerDefinitions[0].ulimits[0]': { name: 'nofile', softLimit: 1024, hardLimit: 2048 },
    'containerDefinitions[0].systemControls[0]': { namespace: 'net.ipv4.tcp_keepalive_time', value: '60' },
    'containerDefinitions[0].firelensConfiguration': { type: 'fluentbit' },
    'containerDefinitions[0].restartPolicy': { enabled: true },
    'volumes[0].efsVolumeConfiguration': { fileSystemId: 'fs-0123456789abcdef0' },
    'volumes[0].dockerVolumeConfiguration': { scope: 'shared' },
    proxyConfiguration: { type: 'APPMESH', containerName: 'app' },
  },
  exclusive: { 'containerDefinitions[0].portMappings[0].containerPortRange': 'containerPort' },
  base: TD_BASE,
};

export const TASK_DEFINITION_FIELDS: KindFields<TaskDefinitionSpec> = {
  kind: 'TaskDefinition',
  walk: new Walk(taskDefinitionSetup),
  translate: (spec) => {
    const workload = workloadTemplate({
      cluster: TD_CLUSTER,
      spec,
      family: spec.family ?? 'web',
      revision: 1,
      group: 'family:web',
      labels: {},
      selectorLabels: {},
      placementConstraints: [],
      placementStrategy: [],
      restartPolicy: 'Never',
      propagateTags: true,
      nodes: [],
      pods: [],
    });
    const template = structuredClone(workload.template);
    delete template?.metadata?.labels?.[LABELS.templateHash];
    const unprefixed = ({ path, message }: { path: string; message: string }) => ({ path: path.replace(/^web:1 /, ''), message });
    return Promise.resolve({
      result: JSON.stringify({ template, serviceAccounts: workload.serviceAccounts }),
      warnings: workload.warnings.map(unprefixed),
      errors: workload.error ? [unprefixed(workload.error)] : [],
    });
  },
  listed: {
    requiresCompatibilities: 'selects checks only (FARGATE: sizes, awsvpc, no host paths, ...); EC2 and EXTERNAL tasks run as any pod',
    'containerDefinitions[].portMappings[].appProtocol':
      'a container port has no such field: the core Services of service discovery carry it as their port appProtocol (http, or kubernetes.io/h2c for http2 and grpc)',
  },
};

// ---------------------------------------------------------------------------------------------------------------
// Service, Task and Cluster: translated by `ecs-operator translate`, as a user previews them, with a task
// definition and a Cluster named `main` beside them.

const WALK_TASK_DEFINITION: TaskDefinitionSpec = {
  containerDefinitions: [
    {
      name: 'app',
      image: 'nginx:1.27',
      memory: 256,
      portMappings: [
        { containerPort: 80, name: 'http' },
        { containerPort: 8080, name: 'admin' },
      ],
      mountPoints: [{ sourceVolume: 'data', containerPath: '/data' }],
    },
  ],
  volumes: [{ name: 'data', configuredAtLaunch: true }],
  tags: [{ key: 'team', value: 'payments' }],
};

/** A per-task volume for the task definition's volume configured at launch. */
const LAUNCH_VOLUME = { name: 'data', managedEBSVolume: { sizeInGiB: 10 } };
const LAUNCH_VOLUME_CONTEXT = {
  'volumeConfigurations[0]': LAUNCH_VOLUME,
  'volumeConfigurations[0].managedEBSVolume': { sizeInGiB: 10 },
  'volumeConfigurations[0].managedEBSVolume.tagSpecifications[0]': { resourceType: 'volume' },
};

const SUBNET = 'subnet-0aaa';

/**
 * A capacity provider strategy as the walks set it: the provider under test (FARGATE_SPOT, weight 1) before
 * FARGATE (weight 1), so that the split of one task shows each field: with both, the tie goes to the first; without
 * its weight, or without it, FARGATE takes the task; its base is tried without its weight, and takes the task.
 */
const strategyWalk = (path: string) => ({
  samples: { [`${path}[0].capacityProvider`]: 'FARGATE_SPOT' },
  context: { [`${path}[0]`]: { weight: 1 } },
  exclusive: { [`${path}[0].base`]: 'weight' },
  following: { [path]: [{ capacityProvider: 'FARGATE', weight: 1 }] },
});
const STRATEGY_WALK = strategyWalk('capacityProviderStrategy');

const manifest = (kind: string, name: string, spec: unknown) => ({ apiVersion: 'ecs.operator.dev/v1alpha1', kind, metadata: { name }, spec });

const PATH = /(?:^|: )(spec(?:[.[][^:\s]*)?)(?=: )/;

/** `ecs-operator translate` of `documents` (with `--no-target-group-binding` when asked): its objects and issues. */
export async function translateManifests(documents: readonly unknown[], flags: readonly string[] = []): Promise<Translation> {
  const text = documents.map((d) => stringify(d)).join('---\n');
  const { objects, errors } = await run(translateMain, ['-f', 'input.yaml', ...flags], { 'input.yaml': text });
  const issues = (prefix: string) =>
    errors
      .filter((line) => line.startsWith(prefix))
      .map((line) => {
        const match = PATH.exec(line);
        const path = match?.[1] ?? '';
        return { path, message: match ? line.slice(line.indexOf(path) + path.length + 2) : line };
      });
  return { result: JSON.stringify(objects), warnings: issues('warning: '), errors: issues('error: ') };
}

/**
 * The `default` Cluster of the Service and Task walks: gp3 volumes have a StorageClass, other types none; FARGATE
 * runs on any of its nodes and FARGATE_SPOT on the spot pool; subnet-0aaa is in us-east-1a.
 */
const WALK_CLUSTER: Cluster['spec'] = {
  managedEBSVolumes: { storageClasses: { gp3: 'gp3' } },
  capacityProviders: ['FARGATE'],
  capacityProviderNodes: [{ capacityProvider: 'FARGATE_SPOT', nodeSelector: { matchLabels: { pool: 'spot' } } }],
  subnets: [{ subnetId: SUBNET, availabilityZone: 'us-east-1a' }],
};

/** A task definition, the `default` Cluster, the Cluster `main` (the Cluster walk's), and the resource. */
const inputWith = (kind: string, spec: unknown, main: Cluster['spec'] = {}) => [
  manifest('TaskDefinition', 'web', WALK_TASK_DEFINITION),
  manifest('Cluster', 'default', WALK_CLUSTER),
  manifest('Cluster', 'main', main),
  manifest(kind, 'web', spec),
];

const summariesOf = (rules: ReadonlyArray<{ field: string; summary: string }>) => Object.fromEntries(rules.map((r) => [r.field, r.summary]));

const ROLE = 'arn:aws:iam::123456789012:role/web';
const TARGET_GROUP = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/web/0123456789abcdef';

export const SERVICE_FIELDS: KindFields<ServiceSpec> = {
  kind: 'Service',
  walk: new Walk<ServiceSpec>({
    specSchema: specSchemaOf('services'),
    samples: {
      cluster: 'main',
      taskDefinition: 'web:1',
      'placementConstraints[0].expression': 'attribute:ecs.instance-type == t3.micro',
      'placementStrategy[0].field': 'attribute:ecs.availability-zone',
      'loadBalancers[0].targetGroupArn': TARGET_GROUP,
      launchType: 'FARGATE',
      'serviceConnectConfiguration.services[0].portName': 'admin',
      'serviceRegistries[0].port': 8080,
      'serviceRegistries[0].containerPort': 80,
      'volumeConfigurations[0].name': 'data',
      'loadBalancers[0].containerName': 'app',
      'loadBalancers[0].containerPort': 8080,
      'networkConfiguration.awsvpcConfiguration.subnets': [SUBNET],
      ...STRATEGY_WALK.samples,
    },
    context: {
      'placementConstraints[0]': { type: 'memberOf', expression: 'attribute:ecs.instance-type == t3.micro' },
      'placementStrategy[0]': { type: 'spread' },
      'loadBalancers[0]': { containerName: 'app', containerPort: 80 },
      'serviceRegistries[0]': { containerName: 'app', port: 8080 },
      serviceConnectConfiguration: { enabled: true, services: [{ portName: 'http' }] },
      'serviceConnectConfiguration.services[0].clientAliases[0]': { port: 9090 },
      'deploymentConfiguration.alarms': { alarmNames: ['cpu-high'], enable: true, rollback: true },
      ...LAUNCH_VOLUME_CONTEXT,
      ...STRATEGY_WALK.context,
    },
    exclusive: STRATEGY_WALK.exclusive,
    following: STRATEGY_WALK.following,
    // A Service's tags reach its tasks with propagateTags SERVICE, which copies them.
    alongside: { tags: { propagateTags: 'SERVICE' }, propagateTags: { tags: [{ key: 'tier', value: 'web' }] } },
    base: { taskDefinition: 'web', desiredCount: 2 },
  }),
  translate: (spec) => translateManifests(inputWith('Service', spec)),
  summaries: summariesOf(SERVICE_NOT_APPLIED),
  listed: {
    'deploymentConfiguration.minimumHealthyPercent':
      'the lower bound of healthy tasks the Service controller keeps during a deployment (translate/rollout.ts); a DAEMON service’s DaemonSet maxUnavailable',
    'deploymentConfiguration.maximumPercent': 'the upper bound of tasks during a deployment (translate/rollout.ts); a DAEMON service’s DaemonSet maxSurge',
    'deploymentConfiguration.deploymentCircuitBreaker.enable':
      'the Service controller marks a deployment FAILED past the failure threshold (controllers/service/plan-replica.ts)',
    'deploymentConfiguration.deploymentCircuitBreaker.rollback': 'a FAILED deployment returns to the last COMPLETED one (controllers/service/plan-replica.ts)',
    'deploymentConfiguration.deploymentCircuitBreaker.thresholdConfiguration.type': 'how the failure threshold is computed (translate/rollout.ts)',
    'deploymentConfiguration.deploymentCircuitBreaker.thresholdConfiguration.value': 'the failure threshold (translate/rollout.ts)',
    healthCheckGracePeriodSeconds: 'how long the Service controller ignores a new task’s failing health checks (translate/service-tasks.ts)',
  },
};

export const TASK_FIELDS: KindFields<TaskSpec> = {
  kind: 'Task',
  walk: new Walk<TaskSpec>({
    specSchema: specSchemaOf('tasks'),
    samples: {
      cluster: 'main',
      taskDefinition: 'web:1',
      'placementConstraints[0].expression': 'attribute:ecs.instance-type == t3.micro',
      'placementStrategy[0].field': 'attribute:ecs.availability-zone',
      'overrides.containerOverrides[0].name': 'app',
      'overrides.containerOverrides[0].environmentFiles[0].value': 'arn:aws:s3:::bucket/app.env',
      'overrides.cpu': '512',
      'overrides.memory': '1024',
      'overrides.taskRoleArn': ROLE,
      'overrides.executionRoleArn': ROLE,
      'overrides.containerOverrides[0].resourceRequirements[0].value': '1',
      launchType: 'FARGATE',
      'volumeConfigurations[0].name': 'data',
      // true is what the claim of a task's pod does anyway; false is the one to say.
      'volumeConfigurations[0].managedEBSVolume.terminationPolicy.deleteOnTermination': false,
      'networkConfiguration.awsvpcConfiguration.subnets': [SUBNET],
      ...STRATEGY_WALK.samples,
    },
    context: {
      'placementConstraints[0]': { type: 'memberOf', expression: 'attribute:ecs.instance-type == t3.micro' },
      'placementStrategy[0]': { type: 'spread' },
      'overrides.containerOverrides[0]': { name: 'app', command: ['sh'] },
      'overrides.containerOverrides[0].resourceRequirements[0]': { type: 'GPU', value: '1' },
      ...LAUNCH_VOLUME_CONTEXT,
      ...STRATEGY_WALK.context,
    },
    exclusive: STRATEGY_WALK.exclusive,
    following: STRATEGY_WALK.following,
    base: { taskDefinition: 'web' },
  }),
  translate: (spec) => translateManifests(inputWith('Task', spec)),
  summaries: summariesOf(TASK_NOT_APPLIED),
  listed: {
    startedBy: 'reported in status.startedBy, as ECS lists it (controllers/task/plan.ts)',
    desiredStatus: 'STOPPED: the Task controller stops the task (stopCode UserInitiated) and deletes its pod (controllers/task/plan.ts)',
  },
};

const DEFAULT_STRATEGY_WALK = strategyWalk('defaultCapacityProviderStrategy');
/** A default strategy of the provider under test, so that the Task without a strategy of its own runs by it. */
const ON_SPOT = { defaultCapacityProviderStrategy: [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }] };

export const CLUSTER_FIELDS: KindFields<Cluster['spec']> = {
  kind: 'Cluster',
  walk: new Walk<Cluster['spec']>({
    specSchema: specSchemaOf('clusters'),
    samples: {
      attributeLabels: { team: 'example.com/team' },
      'nodeSelector.matchExpressions[0].values': ['a'],
      'managedEBSVolumes.storageClasses': { gp3: 'fast' },
      capacityProviders: ['FARGATE_SPOT'],
      'capacityProviderNodes[0].capacityProvider': 'FARGATE_SPOT',
      'subnets[0].subnetId': SUBNET,
      ...DEFAULT_STRATEGY_WALK.samples,
    },
    context: {
      'nodeSelector.matchExpressions[0]': { key: 'pool', operator: 'In', values: ['a'] },
      'capacityProviderNodes[0]': { nodeSelector: { matchLabels: { pool: 'spot' } } },
      'capacityProviderNodes[0].nodeSelector.matchExpressions[0]': { key: 'pool', operator: 'In', values: ['spot'] },
      'capacityProviderNodes[0].tolerations[0]': { key: 'spot', operator: 'Exists', effect: 'NoSchedule' },
      ...DEFAULT_STRATEGY_WALK.context,
    },
    exclusive: DEFAULT_STRATEGY_WALK.exclusive,
    following: DEFAULT_STRATEGY_WALK.following,
    alongside: {
      capacityProviders: ON_SPOT,
      capacityProviderNodes: ON_SPOT,
      defaultCapacityProviderStrategy: { capacityProviders: ['FARGATE', 'FARGATE_SPOT'] },
    },
    base: {},
  }),
  // A Task of the Cluster that names a custom attribute (so that the attribute's label shows), has a per-task
  // volume, a subnet, and the ECS managed tags (so that the Cluster's ECS name shows); it names no capacity
  // provider strategy, so that the Cluster's default is its.
  translate: (spec) =>
    translateManifests(
      inputWith(
        'Task',
        {
          taskDefinition: 'web',
          cluster: 'main',
          placementConstraints: [{ type: 'memberOf', expression: 'attribute:team == payments' }],
          volumeConfigurations: [LAUNCH_VOLUME],
          networkConfiguration: { awsvpcConfiguration: { subnets: [SUBNET] } },
          enableECSManagedTags: true,
        },
        spec,
      ),
    ),
  listed: {
    'settings[].name': 'containerInsights: the Cluster’s status reports utilization from metrics-server whatever it says',
    'settings[].value': 'as settings[].name',
    allowPrivileged: 'lets task definitions run privileged containers (otherwise refused: test/unit/translate/security tests)',
    maxInstanceDetails: 'how many container instances status lists one by one (translate/cluster-status.ts)',
    'tags[].key': 'metadata of the ECS cluster: ECS gives them to no task either',
    'tags[].value': 'metadata of the ECS cluster: ECS gives them to no task either',
  },
};
