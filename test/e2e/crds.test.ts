// The CRDs on a real API server: it accepts them, fills in the ECS defaults, and refuses bad manifests with a
// message that names the field. Every create here is a server-side dry run, except the objects that updates need.
import { expect } from 'chai';
import { ApiException } from '@kubernetes/client-node';
import {
  ECS_API_VERSION,
  ECS_GROUP,
  ECS_KINDS,
  ECS_VERSION,
  type ClusterStatus,
  type Condition,
  type EcsKind,
  type ScheduledTaskStatus,
  type ServiceStatus,
  type TaskDefinitionStatus,
  type TaskStatus,
} from '../../operator/src/api/index.js';
import { clients, installCrds, throwawayNamespace } from './helpers.js';

const { kc, custom, core } = clients();

interface Manifest {
  kind: EcsKind;
  metadata: { name: string };
  /** Absent only in the case that checks it is required. */
  spec?: Record<string, unknown>;
}

function manifest(kind: EcsKind, name: string, spec: Record<string, unknown>): Manifest {
  return { kind, metadata: { name }, spec };
}

/** A deep copy of `base` changed by `edit`, so that each case states only its mistake. */
function variant(base: Manifest, edit: (spec: any) => void): Manifest {
  const copy = structuredClone(base);
  edit(copy.spec);
  return copy;
}

const web = { name: 'web', image: 'nginx:1.27', memory: 256, portMappings: [{ containerPort: 80 }] };
const goodTaskDefinition = manifest('TaskDefinition', 'web', {
  family: 'web',
  containerDefinitions: [
    { ...web, healthCheck: { command: ['CMD-SHELL', 'curl -f http://localhost/ || exit 1'] }, mountPoints: [{ sourceVolume: 'data', containerPath: '/data' }] },
    {
      name: 'sidecar',
      image: 'busybox@sha256:' + 'a'.repeat(64),
      memoryReservation: 64,
      essential: false,
      dependsOn: [{ containerName: 'web', condition: 'HEALTHY' }],
    },
  ],
  volumes: [{ name: 'data' }],
  placementConstraints: [{ type: 'memberOf', expression: 'attribute:ecs.availability-zone in [us-east-1a, us-east-1b]' }],
});
const fargateTaskDefinition = manifest('TaskDefinition', 'fargate', {
  requiresCompatibilities: ['FARGATE'],
  networkMode: 'awsvpc',
  cpu: '1 vCPU',
  memory: '2 GB',
  containerDefinitions: [{ ...web, portMappings: [{ containerPort: 80, hostPort: 80 }] }],
});
const goodTask = manifest('Task', 'batch', {
  taskDefinition: 'web:3',
  overrides: { containerOverrides: [{ name: 'web', command: ['run', '--once'], memory: 512, memoryReservation: 256 }] },
  placementConstraints: [{ type: 'distinctInstance' }],
  placementStrategy: [
    { type: 'spread', field: 'attribute:ecs.availability-zone' },
    { type: 'binpack', field: 'memory' },
  ],
});
const goodService = manifest('Service', 'web', {
  taskDefinition: 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:7',
  desiredCount: 3,
  deploymentConfiguration: { minimumHealthyPercent: 50, maximumPercent: 200, deploymentCircuitBreaker: { enable: true, rollback: true } },
  loadBalancers: [{ containerName: 'web', containerPort: 80 }],
  forceNewDeployment: 1,
});
const goodCluster = manifest('Cluster', 'default', {
  nodeSelector: { matchExpressions: [{ key: 'type', operator: 'In', values: ['kwok'] }] },
  attributeLabels: { 'team/rack': 'example.com/rack' },
  settings: [{ name: 'containerInsights', value: 'enabled' }],
});
const goodScheduledTask = manifest('ScheduledTask', 'nightly-report', {
  scheduleExpression: 'cron(0 2 * * ? *)',
  scheduleExpressionTimezone: 'Europe/Berlin',
  flexibleTimeWindow: { mode: 'FLEXIBLE', maximumWindowInMinutes: 15 },
  target: {
    taskDefinition: 'web:3',
    count: 2,
    overrides: { containerOverrides: [{ name: 'web', command: ['report', '--yesterday'] }] },
    placementStrategy: [{ type: 'spread', field: 'instanceId' }],
  },
  retryPolicy: { maximumEventAgeInSeconds: 3600 },
});

interface BadCase {
  mistake: string;
  body: Manifest;
  /** The field path the API server's message must name. */
  field: string;
  /** What the message must also say. */
  says: string;
}

const badCases: BadCase[] = [
  {
    mistake: 'a schedule expression that is no expression',
    body: variant(goodScheduledTask, (s) => (s.scheduleExpression = '0 2 * * ? *')),
    field: 'spec.scheduleExpression',
    says: 'must be cron(...), rate(value unit) or at(',
  },
  {
    mistake: 'rate with a plural unit for 1',
    body: variant(goodScheduledTask, (s) => (s.scheduleExpression = 'rate(1 hours)')),
    field: 'spec.scheduleExpression',
    says: 'rate(value unit)',
  },
  {
    mistake: 'cron with both day fields set',
    body: variant(goodScheduledTask, (s) => (s.scheduleExpression = 'cron(0 2 * * MON *)')),
    field: 'spec.scheduleExpression',
    says: 'exactly one of day-of-month and day-of-week must be ?',
  },
  {
    mistake: 'cron with five fields',
    body: variant(goodScheduledTask, (s) => (s.scheduleExpression = 'cron(0 2 * * ?)')),
    field: 'spec.scheduleExpression',
    says: 'cron() takes six fields',
  },
  {
    mistake: 'eleven tasks per run',
    body: variant(goodScheduledTask, (s) => (s.target.count = 11)),
    field: 'spec.target.count',
    says: 'less than or equal to 10',
  },
  {
    mistake: 'a flexible window without its length',
    body: variant(goodScheduledTask, (s) => delete s.flexibleTimeWindow.maximumWindowInMinutes),
    field: 'spec.flexibleTimeWindow.maximumWindowInMinutes',
    says: 'required with mode FLEXIBLE',
  },
  {
    mistake: 'an event age beyond a day',
    body: variant(goodScheduledTask, (s) => (s.retryPolicy.maximumEventAgeInSeconds = 86_401)),
    field: 'spec.retryPolicy.maximumEventAgeInSeconds',
    says: 'less than or equal to 86400',
  },
  {
    mistake: 'a schedule without spec',
    body: { kind: 'ScheduledTask', metadata: { name: 'empty' } },
    field: 'spec',
    says: 'Required value',
  },
  {
    mistake: 'duplicate container names',
    body: variant(goodTaskDefinition, (s) => (s.containerDefinitions[1].name = 'web')),
    field: 'spec.containerDefinitions',
    says: 'name must be unique within the task definition',
  },
  {
    mistake: 'memory not greater than memoryReservation',
    body: variant(goodTaskDefinition, (s) => (s.containerDefinitions[0].memoryReservation = 256)),
    field: 'spec.containerDefinitions[0].memory',
    says: 'memory must be greater than memoryReservation',
  },
  {
    mistake: 'a family with a dot',
    body: variant(goodTaskDefinition, (s) => (s.family = 'web.v2')),
    field: 'spec.family',
    says: 'should match',
  },
  {
    mistake: 'no family and a resource name that is not a valid family',
    body: { ...variant(goodTaskDefinition, (s) => delete s.family), metadata: { name: 'web.v2' } },
    field: 'spec.family',
    says: 'is required when metadata.name is not a valid family',
  },
  {
    mistake: '11 containers',
    body: variant(goodTaskDefinition, (s) => {
      s.containerDefinitions = Array.from({ length: 11 }, (_, i) => ({ ...web, name: `c${i}`, portMappings: [] }));
    }),
    field: 'spec.containerDefinitions',
    says: 'must have at most 10 items',
  },
  {
    mistake: 'healthCheck interval 1',
    body: variant(goodTaskDefinition, (s) => (s.containerDefinitions[0].healthCheck.interval = 1)),
    field: 'spec.containerDefinitions[0].healthCheck.interval',
    says: 'should be greater than or equal to 5',
  },
  {
    mistake: 'a healthCheck command without CMD or CMD-SHELL',
    body: variant(goodTaskDefinition, (s) => (s.containerDefinitions[0].healthCheck.command = ['curl', 'localhost'])),
    field: 'spec.containerDefinitions[0].healthCheck.command',
    says: 'must start with CMD or CMD-SHELL',
  },
  {
    mistake: 'networkMode nat',
    body: variant(goodTaskDefinition, (s) => (s.networkMode = 'nat')),
    field: 'spec.networkMode',
    says: 'Unsupported value: "nat"',
  },
  {
    mistake: 'portMappings with networkMode none',
    body: variant(goodTaskDefinition, (s) => (s.networkMode = 'none')),
    field: 'spec.networkMode',
    says: 'portMappings must be empty when networkMode is none',
  },
  {
    mistake: 'a hostPort other than the containerPort under awsvpc',
    body: variant(goodTaskDefinition, (s) => {
      s.networkMode = 'awsvpc';
      s.containerDefinitions[0].portMappings = [{ containerPort: 80, hostPort: 8080 }];
    }),
    field: 'spec.networkMode',
    says: 'hostPort must be omitted or equal containerPort',
  },
  {
    mistake: 'no essential container',
    body: variant(goodTaskDefinition, (s) => (s.containerDefinitions[0].essential = false)),
    field: 'spec.containerDefinitions',
    says: 'at least one essential container',
  },
  {
    mistake: 'dependsOn a container that does not exist',
    body: variant(goodTaskDefinition, (s) => (s.containerDefinitions[1].dependsOn[0].containerName = 'db')),
    field: 'spec.containerDefinitions',
    says: 'dependsOn[].containerName must name a container',
  },
  {
    mistake: 'dependsOn COMPLETE on an essential container',
    body: variant(goodTaskDefinition, (s) => (s.containerDefinitions[1].dependsOn[0].condition = 'COMPLETE')),
    field: 'spec.containerDefinitions',
    says: 'may not target an essential container',
  },
  {
    mistake: 'a mount point of a volume that does not exist',
    body: variant(goodTaskDefinition, (s) => (s.volumes[0].name = 'cache')),
    field: 'spec.containerDefinitions',
    says: 'sourceVolume must name a volume',
  },
  {
    mistake: 'distinctInstance in a task definition',
    body: variant(goodTaskDefinition, (s) => (s.placementConstraints = [{ type: 'distinctInstance' }])),
    field: 'spec.placementConstraints',
    says: 'only memberOf is allowed in a task definition',
  },
  {
    mistake: 'a Fargate cpu and memory pair the table does not allow',
    body: variant(fargateTaskDefinition, (s) => Object.assign(s, { cpu: '256', memory: '4096' })),
    field: 'spec.memory',
    says: 'cpu 256 with memory 4096 is not a Fargate combination',
  },
  {
    mistake: 'a Fargate pair in vCPU and GB the table does not allow',
    body: variant(fargateTaskDefinition, (s) => Object.assign(s, { cpu: '4 vCPU', memory: '4 GB' })),
    field: 'spec.memory',
    says: 'is not a Fargate combination',
  },
  {
    mistake: 'FARGATE without task-level cpu',
    body: variant(fargateTaskDefinition, (s) => delete s.cpu),
    field: 'spec.requiresCompatibilities',
    says: 'cpu and memory are required when requiresCompatibilities contains FARGATE',
  },
  {
    mistake: 'cpu written as cores',
    body: variant(goodTaskDefinition, (s) => (s.cpu = '2 cores')),
    field: 'spec.cpu',
    says: 'should match',
  },
  {
    mistake: 'a field ECS does not have',
    body: variant(goodTaskDefinition, (s) => (s.containerDefinitions[0].imagePullPolicy = 'Always')),
    field: 'spec.containerDefinitions[0].imagePullPolicy',
    says: 'unknown field',
  },
  {
    mistake: 'a taskDefinition reference with revision 0',
    body: variant(goodTask, (s) => (s.taskDefinition = 'web:0')),
    field: 'spec.taskDefinition',
    says: 'taskDefinition must be family, family:revision or arn:aws:ecs:',
  },
  {
    mistake: 'a task definition ARN without a revision',
    body: variant(goodService, (s) => (s.taskDefinition = 'arn:aws:ecs:us-east-1:123456789012:task-definition/web')),
    field: 'spec.taskDefinition',
    says: 'taskDefinition must be family, family:revision or arn:aws:ecs:',
  },
  {
    mistake: 'Task desiredStatus PENDING',
    body: variant(goodTask, (s) => (s.desiredStatus = 'PENDING')),
    field: 'spec.desiredStatus',
    says: 'Unsupported value: "PENDING"',
  },
  {
    mistake: 'memberOf without an expression',
    body: variant(goodTask, (s) => (s.placementConstraints = [{ type: 'memberOf' }])),
    field: 'spec.placementConstraints[0].expression',
    says: 'memberOf needs an expression',
  },
  {
    mistake: 'distinctInstance with an expression',
    body: variant(goodTask, (s) => (s.placementConstraints = [{ type: 'distinctInstance', expression: 'task:group == web' }])),
    field: 'spec.placementConstraints[0].expression',
    says: 'distinctInstance takes none',
  },
  {
    mistake: 'an expression longer than 2000 characters',
    body: variant(goodTask, (s) => (s.placementConstraints = [{ type: 'memberOf', expression: `attribute:a == ${'x'.repeat(2000)}` }])),
    field: 'spec.placementConstraints[0].expression',
    says: 'may not be more than 2000',
  },
  {
    mistake: 'binpack on a field other than cpu or memory',
    body: variant(goodTask, (s) => (s.placementStrategy = [{ type: 'binpack', field: 'host' }])),
    field: 'spec.placementStrategy[0].field',
    says: 'binpack needs field cpu or memory',
  },
  {
    mistake: 'containerInstance together with placement',
    body: variant(goodTask, (s) => (s.containerInstance = 'kwok-node-0')),
    field: 'spec.containerInstance',
    says: 'not allowed with containerInstance',
  },
  {
    mistake: 'desiredCount -1',
    body: variant(goodService, (s) => (s.desiredCount = -1)),
    field: 'spec.desiredCount',
    says: 'should be greater than or equal to 0',
  },
  {
    mistake: 'schedulingStrategy FOO',
    body: variant(goodService, (s) => (s.schedulingStrategy = 'FOO')),
    field: 'spec.schedulingStrategy',
    says: 'Unsupported value: "FOO"',
  },
  {
    mistake: 'a REPLICA service without desiredCount',
    body: variant(goodService, (s) => delete s.desiredCount),
    field: 'spec.desiredCount',
    says: 'desiredCount is required when schedulingStrategy is REPLICA',
  },
  {
    mistake: '11 placement constraints',
    body: variant(goodService, (s) => {
      s.placementConstraints = Array.from({ length: 11 }, (_, i) => ({ type: 'memberOf', expression: `attribute:n${i} exists` }));
    }),
    field: 'spec.placementConstraints',
    says: 'must have at most 10 items',
  },
  {
    mistake: 'maximumPercent not above minimumHealthyPercent',
    body: variant(goodService, (s) => Object.assign(s.deploymentConfiguration, { minimumHealthyPercent: 100, maximumPercent: 100 })),
    field: 'spec.deploymentConfiguration.maximumPercent',
    says: 'must be greater than minimumHealthyPercent',
  },
  {
    mistake: 'a placement strategy on a DAEMON service',
    body: variant(goodService, (s) => Object.assign(s, { schedulingStrategy: 'DAEMON', placementStrategy: [{ type: 'random' }] })),
    field: 'spec.placementStrategy',
    says: 'not allowed when schedulingStrategy is DAEMON',
  },
  {
    mistake: 'two service registries',
    body: variant(
      goodService,
      (s) =>
        (s.serviceRegistries = [
          { containerName: 'web', containerPort: 80 },
          { containerName: 'web', containerPort: 81 },
        ]),
    ),
    field: 'spec.serviceRegistries',
    says: 'must have at most 1 item',
  },
  {
    mistake: 'an In node requirement without values',
    body: variant(goodCluster, (s) => (s.nodeSelector.matchExpressions[0].values = [])),
    field: 'spec.nodeSelector.matchExpressions[0].values',
    says: 'must be non-empty for In and NotIn',
  },
  {
    mistake: 'an attribute name with a space',
    body: variant(goodCluster, (s) => (s.attributeLabels = { 'my attribute': 'example.com/rack' })),
    field: 'spec.attributeLabels',
    says: 'attribute names must be 1-128',
  },
  {
    mistake: 'containerInsights set to on',
    body: variant(goodCluster, (s) => (s.settings[0].value = 'on')),
    field: 'spec.settings[0].value',
    says: 'Unsupported value: "on"',
  },
  // `kubectl apply` of a Task without spec once killed the operator: a handler read spec.taskDefinition.
  ...(Object.keys(ECS_KINDS) as EcsKind[]).map((kind): BadCase => ({
    mistake: `a ${kind} without spec`,
    body: { kind, metadata: { name: 'nospec' } },
    field: 'spec',
    says: 'Required value',
  })),
];

// A status of each kind with every field set, as the controllers write them: the API server must keep them all.
const at = '2026-01-02T03:04:05Z';
const valid: Condition = { type: 'Valid', status: 'True', reason: 'Translated', message: 'ok', lastTransitionTime: at, observedGeneration: 1 };
const fullStatuses: Record<EcsKind, object> = {
  TaskDefinition: {
    observedGeneration: 1,
    family: 'web',
    revision: 2,
    taskDefinition: 'web:2',
    status: 'ACTIVE',
    taskDefinitionArn: 'arn:aws:ecs:local:ns:task-definition/web:2',
    revisions: [
      { revision: 1, status: 'INACTIVE', controllerRevision: 'web-1', registeredAt: at, deregisteredAt: at },
      { revision: 2, status: 'ACTIVE', controllerRevision: 'web-2', registeredAt: at },
    ],
    warnings: ['spec.containerDefinitions[0].links: not supported'],
    conditions: [valid],
  } satisfies TaskDefinitionStatus,
  Task: {
    observedGeneration: 1,
    taskArn: 'arn:aws:ecs:local:ns:task/default/batch',
    cluster: 'default',
    taskDefinition: 'web:3',
    taskDefinitionArn: 'arn:aws:ecs:local:ns:task-definition/web:3',
    lastStatus: 'STOPPED',
    desiredStatus: 'STOPPED',
    healthStatus: 'UNKNOWN',
    containerInstance: 'kwok-node-0',
    group: 'family:web',
    startedBy: 'ecs-svc/1',
    launchType: 'EC2',
    cpu: '256',
    memory: '512',
    containers: [
      {
        name: 'web',
        image: 'nginx:1.27',
        imageDigest: 'sha256:' + 'b'.repeat(64),
        runtimeId: 'containerd://1',
        lastStatus: 'STOPPED',
        exitCode: 137,
        reason: 'OutOfMemoryError: Container killed due to memory usage',
        healthStatus: 'UNHEALTHY',
        networkBindings: [{ bindIP: '0.0.0.0', containerPort: 80, hostPort: 32768, protocol: 'tcp' }],
        cpu: '0',
        memory: '512',
        memoryReservation: '256',
        restartCount: 1,
      },
    ],
    stopCode: 'EssentialContainerExited',
    stoppedReason: 'Essential container in task exited',
    createdAt: at,
    pullStartedAt: at,
    pullStoppedAt: at,
    startedAt: at,
    stoppingAt: at,
    executionStoppedAt: at,
    stoppedAt: at,
    version: 7,
    conditions: [valid],
  } satisfies TaskStatus,
  Service: {
    observedGeneration: 1,
    serviceName: 'web',
    serviceArn: 'arn:aws:ecs:local:ns:service/default/web',
    cluster: 'default',
    status: 'ACTIVE',
    desiredCount: 3,
    runningCount: 2,
    pendingCount: 1,
    taskDefinition: 'web:7',
    selector: 'ecs.operator.dev/service=web',
    deployments: [
      {
        id: 'ecs-svc/7',
        status: 'PRIMARY',
        taskDefinition: 'web:7',
        replicaSet: 'web-7',
        desiredCount: 3,
        pendingCount: 1,
        runningCount: 2,
        failedTasks: 0,
        createdAt: at,
        updatedAt: at,
        rolloutState: 'IN_PROGRESS',
        rolloutStateReason: 'ECS deployment ecs-svc/7 in progress.',
        circuitBreaker: { status: 'MONITORING', failureCount: 0, threshold: 3 },
      },
    ],
    events: [{ id: 'e1', createdAt: at, message: '(service web) has started 2 tasks: (task web-7-a) (task web-7-b).' }],
    conditions: [valid],
  } satisfies ServiceStatus,
  Cluster: {
    observedGeneration: 1,
    clusterName: 'default',
    clusterArn: 'arn:aws:ecs:local:ns:cluster/default',
    status: 'ACTIVE',
    registeredContainerInstancesCount: 6,
    runningTasksCount: 4,
    pendingTasksCount: 1,
    activeServicesCount: 2,
    cpuReservation: 12.5,
    memoryReservation: 30.25,
    cpuUtilization: 3.5,
    memoryUtilization: 20,
    containerInstances: [
      {
        nodeName: 'kwok-node-0',
        containerInstanceArn: 'arn:aws:ecs:local:ns:container-instance/default/kwok-node-0',
        status: 'DRAINING',
        agentConnected: true,
        runningTasksCount: 1,
        pendingTasksCount: 0,
        registeredResources: [
          { name: 'CPU', type: 'INTEGER', integerValue: 2048 },
          { name: 'PORTS', type: 'STRINGSET', stringSetValue: ['22'] },
        ],
        remainingResources: [
          { name: 'MEMORY', type: 'INTEGER', integerValue: 3668 },
          { name: 'PORTS', type: 'STRINGSET', stringSetValue: ['22', '80'] },
        ],
        attributes: [
          { name: 'ecs.availability-zone', value: 'us-east-1a' },
          { name: 'ecs.os-type', value: 'linux' },
        ],
        registeredAt: at,
      },
    ],
    containerInstancesOmitted: 5,
    conditions: [valid],
  } satisfies ClusterStatus,
  ScheduledTask: {
    observedGeneration: 1,
    scheduleArn: 'arn:aws:scheduler:local:ns:schedule/default/nightly-report',
    lastScheduleTime: at,
    nextScheduleTime: at,
    runs: [
      {
        scheduledTime: at,
        tasks: [
          {
            name: 'nightly-report-29453880-1',
            lastStatus: 'STOPPED',
            stopCode: 'EssentialContainerExited',
            stoppedReason: 'Essential container in task exited',
          },
        ],
      },
    ],
    events: [
      { id: 'e1', createdAt: at, message: '(schedule nightly-report) started 2 tasks, (task nightly-report-29453880-1) (task nightly-report-29453880-2).' },
    ],
    conditions: [valid],
  } satisfies ScheduledTaskStatus,
};

let namespace = '';

function body(m: Manifest): object {
  return { apiVersion: ECS_API_VERSION, ...m };
}

/** Creates `m` in the test namespace; a server-side dry run unless `persist`. Returns what the server stored. */
async function create(m: Manifest, persist = false): Promise<any> {
  return custom.createNamespacedCustomObject({
    group: ECS_GROUP,
    version: ECS_VERSION,
    namespace,
    plural: ECS_KINDS[m.kind].plural,
    body: body(m),
    fieldValidation: 'Strict',
    ...(persist ? {} : { dryRun: 'All' }),
  });
}

async function replace(m: Manifest, resourceVersion: string): Promise<any> {
  return custom.replaceNamespacedCustomObject({
    group: ECS_GROUP,
    version: ECS_VERSION,
    namespace,
    plural: ECS_KINDS[m.kind].plural,
    name: m.metadata.name,
    body: { ...body(m), metadata: { ...m.metadata, resourceVersion } },
    dryRun: 'All',
  });
}

/** The API server's message when `request` is refused as invalid; fails the test when it is accepted. */
async function refusal(request: Promise<unknown>): Promise<string> {
  try {
    await request;
  } catch (error) {
    if (!(error instanceof ApiException)) throw error;
    const status = typeof error.body === 'string' ? JSON.parse(error.body) : error.body;
    expect(error.code, status.message).to.be.oneOf([400, 422]);
    return status.message as string;
  }
  throw new Error('the API server accepted it');
}

describe('CRDs on the API server', function () {
  let removeNamespace: () => Promise<void> = async () => undefined;

  before(async () => {
    expect(await installCrds(kc)).to.have.length(Object.keys(ECS_KINDS).length);
    const ns = await throwawayNamespace(core, 'crds');
    namespace = ns.name;
    removeNamespace = ns.remove;
  });
  after(async () => removeNamespace());

  describe('accepts good manifests and fills in the ECS defaults', () => {
    it('a TaskDefinition with two containers, a health check, a volume and a memberOf constraint', async () => {
      const stored = await create(goodTaskDefinition);
      expect(stored.spec.networkMode).to.equal('bridge');
      const [webContainer, sidecar] = stored.spec.containerDefinitions;
      expect(webContainer.essential).to.equal(true);
      expect(sidecar.essential).to.equal(false);
      expect(webContainer.portMappings[0].protocol).to.equal('tcp');
      expect(webContainer.healthCheck).to.include({ interval: 30, timeout: 5, retries: 3 });
      expect(webContainer.healthCheck).not.to.have.property('startPeriod');
      expect(webContainer.mountPoints[0].readOnly).to.equal(false);
      expect(webContainer.stopTimeout).to.equal(30);
    });

    it('a Fargate TaskDefinition whose cpu and memory are written in vCPU and GB', async () => {
      await create(fargateTaskDefinition);
      await create(variant(fargateTaskDefinition, (s) => Object.assign(s, { cpu: '0.25 vCPU', memory: '512' })));
      await create(variant(fargateTaskDefinition, (s) => Object.assign(s, { cpu: '16384', memory: '120 GB' })));
    });

    it('a TaskDefinition named after its family, with the ECS JSON shapes of every section', async () => {
      const full = variant(goodTaskDefinition, (s) => {
        delete s.family;
        Object.assign(s.containerDefinitions[0], {
          cpu: 256,
          essential: true,
          entryPoint: ['sh', '-c'],
          command: ['nginx -g "daemon off;"'],
          environment: [{ name: 'MODE', value: 'prod' }],
          secrets: [{ name: 'TOKEN', valueFrom: 'arn:aws:secretsmanager:us-east-1:1:secret:t' }],
          linuxParameters: {
            capabilities: { add: ['NET_ADMIN'], drop: ['ALL'] },
            initProcessEnabled: true,
            sharedMemorySize: 64,
            tmpfs: [{ containerPath: '/tmp', size: 32 }],
          },
          ulimits: [{ name: 'nofile', softLimit: 1024, hardLimit: 4096 }],
          logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': '/ecs/web' } },
          dockerLabels: { team: 'web' },
          extraHosts: [{ hostname: 'db', ipAddress: '10.0.0.5' }],
          user: '1000:1000',
          resourceRequirements: [{ type: 'GPU', value: '1' }],
          restartPolicy: { enabled: true, ignoredExitCodes: [0] },
        });
        Object.assign(s, {
          cpu: '1024',
          memory: '2048',
          pidMode: 'task',
          ipcMode: 'none',
          ephemeralStorage: { sizeInGiB: 30 },
          runtimePlatform: { cpuArchitecture: 'ARM64', operatingSystemFamily: 'LINUX' },
          tags: [{ key: 'team', value: 'web' }],
        });
      });
      const stored = await create(full);
      expect(stored.spec.containerDefinitions[0].restartPolicy.restartAttemptPeriod).to.equal(300);
    });

    it('a Task with overrides, distinctInstance and spread then binpack, defaulted to the default cluster and RUNNING', async () => {
      const stored = await create(goodTask);
      expect(stored.spec).to.include({ cluster: 'default', desiredStatus: 'RUNNING' });
    });

    it('a Service naming its task definition by ARN, defaulted to REPLICA with no grace period', async () => {
      const stored = await create(goodService);
      expect(stored.spec).to.include({ cluster: 'default', schedulingStrategy: 'REPLICA', healthCheckGracePeriodSeconds: 0 });
      expect(stored.spec.deploymentConfiguration).to.include({ minimumHealthyPercent: 50, maximumPercent: 200 });
    });

    it('a DAEMON Service without desiredCount and without deployment bounds, which the operator defaults', async () => {
      const daemon = variant(goodService, (s) => {
        Object.assign(s, { schedulingStrategy: 'DAEMON', taskDefinition: 'agent' });
        delete s.desiredCount;
        delete s.deploymentConfiguration;
      });
      const stored = await create(daemon);
      expect(stored.spec).not.to.have.property('deploymentConfiguration');
      expect(stored.spec.deploymentController).to.deep.equal({ type: 'ECS' });
    });

    it('a ScheduledTask in a time zone with a flexible window, defaulted to ENABLED, Allow and the EventBridge retry policy', async () => {
      const stored = await create(goodScheduledTask);
      expect(stored.spec).to.include({ state: 'ENABLED', concurrencyPolicy: 'Allow', successfulRunsHistoryLimit: 3, failedRunsHistoryLimit: 1 });
      expect(stored.spec.retryPolicy).to.deep.equal({ maximumRetryAttempts: 185, maximumEventAgeInSeconds: 3600 });
      expect(stored.spec.target).to.include({ cluster: 'default', count: 2 });
      for (const expression of ['rate(1 minute)', 'rate(15 minutes)', 'at(2026-01-01T00:00:00)', 'cron(0 9 ? * 2#1 *)', 'cron(0 0 LW * ? *)']) {
        await create(variant(goodScheduledTask, (s) => (s.scheduleExpression = expression)));
      }
    });

    it('a Cluster with a node selector, attribute labels and containerInsights', async () => {
      const stored = await create(goodCluster);
      expect(stored.spec).to.include({ allowPrivileged: false, maxInstanceDetails: 100 });
    });
  });

  describe('refuses bad manifests with a message that names the field', () => {
    it(`has at least 15 distinct mistakes (${badCases.length})`, () => {
      expect(new Set(badCases.map((c) => c.mistake)).size)
        .to.equal(badCases.length)
        .and.be.at.least(15);
    });

    for (const { mistake, body: bad, field, says } of badCases) {
      it(`${bad.kind}: ${mistake}`, async () => {
        const message = await refusal(create(bad));
        expect(message, message).to.include(field).and.include(says);
      });
    }
  });

  describe('keeps every status field the controllers write, through the status subresource', () => {
    const resources: Record<EcsKind, Manifest> = {
      TaskDefinition: goodTaskDefinition,
      Task: goodTask,
      Service: goodService,
      Cluster: goodCluster,
      ScheduledTask: goodScheduledTask,
    };
    for (const kind of Object.keys(fullStatuses) as EcsKind[]) {
      it(kind, async () => {
        const status = fullStatuses[kind];
        const created = await create({ ...resources[kind], metadata: { name: 'with-status' } }, true);
        const stored = await custom.replaceNamespacedCustomObjectStatus({
          group: ECS_GROUP,
          version: ECS_VERSION,
          namespace,
          plural: ECS_KINDS[kind].plural,
          name: 'with-status',
          body: { ...created, status },
          fieldValidation: 'Strict',
        });
        expect(stored.status).to.deep.equal(status);
      });
    }
  });

  describe('refuses changes ECS does not allow', () => {
    it('keeps a TaskDefinition on its family, but lets its containers change (a new revision)', async () => {
      const unnamed = variant(goodTaskDefinition, (s) => delete s.family);
      const { metadata } = await create(unnamed, true);
      const renamed = variant(unnamed, (s) => (s.family = 'api'));
      expect(await refusal(replace(renamed, metadata.resourceVersion)))
        .to.include('spec.family')
        .and.include('immutable');
      await replace(
        variant(unnamed, (s) => (s.family = 'web')),
        metadata.resourceVersion,
      );
      await replace(
        variant(unnamed, (s) => (s.containerDefinitions[0].image = 'nginx:1.28')),
        metadata.resourceVersion,
      );
    });

    it('keeps a Task on its task definition and a stopped Task stopped', async () => {
      const stopped = variant(goodTask, (s) => (s.desiredStatus = 'STOPPED'));
      const { metadata } = await create(stopped, true);
      const rerun = variant(stopped, (s) => (s.desiredStatus = 'RUNNING'));
      expect(await refusal(replace(rerun, metadata.resourceVersion)))
        .to.include('spec.desiredStatus')
        .and.include('cannot be started again');
      const other = variant(stopped, (s) => (s.taskDefinition = 'web:4'));
      expect(await refusal(replace(other, metadata.resourceVersion)))
        .to.include('spec.taskDefinition')
        .and.include('immutable');
      const tagged = variant(stopped, (s) => (s.tags = [{ key: 'owner', value: 'me' }]));
      await replace(tagged, metadata.resourceVersion);
    });

    it('keeps a Service on its scheduling strategy, but lets it change task definition and count', async () => {
      const { metadata } = await create(goodService, true);
      const daemon = variant(goodService, (s) => (s.schedulingStrategy = 'DAEMON'));
      expect(await refusal(replace(daemon, metadata.resourceVersion)))
        .to.include('spec.schedulingStrategy')
        .and.include('immutable');
      await replace(
        variant(goodService, (s) => Object.assign(s, { taskDefinition: 'web:8', desiredCount: 10 })),
        metadata.resourceVersion,
      );
    });
  });
});
