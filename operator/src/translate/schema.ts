// JSON Schemas of the ECS shapes translation reads: types, enums and the ECS bounds of
// ecs-reference.md. They duplicate on purpose what the CRD states, because the CLI translates files
// without an API server and translation must never meet a shape it does not expect.
import type { SchemaObject } from 'ajv';

const string: SchemaObject = { type: 'string' };
const boolean: SchemaObject = { type: 'boolean' };
const strings: SchemaObject = { type: 'array', items: string };
const stringMap: SchemaObject = { type: 'object', additionalProperties: string };

function integer(minimum?: number, maximum?: number): SchemaObject {
  return { type: 'integer', ...(minimum === undefined ? {} : { minimum }), ...(maximum === undefined ? {} : { maximum }) };
}

/** An object of these properties only; `validate.ts` reports any other property as a warning. */
function object(properties: Record<string, SchemaObject>, required: string[] = []): SchemaObject {
  return { type: 'object', properties, additionalProperties: false, ...(required.length > 0 ? { required } : {}) };
}

function list(items: SchemaObject, maxItems?: number): SchemaObject {
  return { type: 'array', items, ...(maxItems === undefined ? {} : { maxItems }) };
}

function oneOf(...values: string[]): SchemaObject {
  return { type: 'string', enum: values };
}

const ecsName: SchemaObject = { type: 'string', pattern: '^[A-Za-z0-9_-]{1,255}$' };
const keyValuePairs = list(object({ name: string, value: string }, ['name', 'value']));
const environmentFiles = list(object({ value: string, type: oneOf('s3') }, ['value', 'type']), 10);
const secrets = list(object({ name: string, valueFrom: string }, ['name', 'valueFrom']));
const resourceRequirements = list(object({ type: oneOf('GPU', 'InferenceAccelerator'), value: string }, ['type', 'value']));
/** Task cpu and memory are strings in ECS; YAML authors often write numbers, which mean the same. */
const sizeText: SchemaObject = { type: ['string', 'integer'] };
const ephemeralStorage = object({ sizeInGiB: integer(21, 200) }, ['sizeInGiB']);

const portMapping = object({
  containerPort: integer(1, 65535),
  hostPort: integer(0, 65535),
  protocol: oneOf('tcp', 'udp'),
  name: string,
  appProtocol: oneOf('http', 'http2', 'grpc'),
  containerPortRange: { type: 'string', pattern: '^[0-9]+-[0-9]+$' },
});

const linuxParameters = object({
  capabilities: object({ add: strings, drop: strings }),
  devices: list(
    object(
      {
        hostPath: string,
        containerPath: string,
        permissions: list(oneOf('read', 'write', 'mknod')),
      },
      ['hostPath'],
    ),
  ),
  initProcessEnabled: boolean,
  sharedMemorySize: integer(1),
  tmpfs: list(object({ containerPath: string, size: integer(1), mountOptions: strings }, ['containerPath', 'size'])),
  maxSwap: integer(0),
  swappiness: integer(0, 100),
});

const ulimitNames = [
  'core',
  'cpu',
  'data',
  'fsize',
  'locks',
  'memlock',
  'msgqueue',
  'nice',
  'nofile',
  'nproc',
  'rss',
  'rtprio',
  'rttime',
  'sigpending',
  'stack',
];

const containerDefinition = object(
  {
    name: ecsName,
    image: { type: 'string', minLength: 1 },
    repositoryCredentials: object({ credentialsParameter: string }, ['credentialsParameter']),
    cpu: integer(0),
    memory: integer(1),
    memoryReservation: integer(1),
    links: strings,
    portMappings: list(portMapping),
    essential: boolean,
    restartPolicy: object(
      {
        enabled: boolean,
        ignoredExitCodes: list(integer(0, 255), 50),
        restartAttemptPeriod: integer(60, 1800),
      },
      ['enabled'],
    ),
    entryPoint: strings,
    command: strings,
    environment: keyValuePairs,
    environmentFiles,
    mountPoints: list(object({ sourceVolume: string, containerPath: string, readOnly: boolean }, ['sourceVolume', 'containerPath'])),
    volumesFrom: list(object({ sourceContainer: string, readOnly: boolean }, ['sourceContainer'])),
    linuxParameters,
    secrets,
    dependsOn: list(object({ containerName: string, condition: oneOf('START', 'COMPLETE', 'SUCCESS', 'HEALTHY') }, ['containerName', 'condition'])),
    startTimeout: integer(0),
    stopTimeout: integer(0),
    versionConsistency: oneOf('enabled', 'disabled'),
    hostname: string,
    user: string,
    workingDirectory: string,
    disableNetworking: boolean,
    privileged: boolean,
    readonlyRootFilesystem: boolean,
    dnsServers: strings,
    dnsSearchDomains: strings,
    extraHosts: list(object({ hostname: string, ipAddress: string }, ['hostname', 'ipAddress'])),
    dockerSecurityOptions: strings,
    interactive: boolean,
    pseudoTerminal: boolean,
    dockerLabels: stringMap,
    ulimits: list(object({ name: oneOf(...ulimitNames), softLimit: integer(), hardLimit: integer() }, ['name', 'softLimit', 'hardLimit'])),
    logConfiguration: object(
      {
        logDriver: oneOf('json-file', 'syslog', 'journald', 'gelf', 'fluentd', 'awslogs', 'splunk', 'awsfirelens'),
        options: stringMap,
        secretOptions: secrets,
      },
      ['logDriver'],
    ),
    healthCheck: object(
      {
        command: { type: 'array', items: string, minItems: 1 },
        interval: integer(5, 300),
        timeout: integer(2, 60),
        retries: integer(1, 10),
        startPeriod: integer(0, 300),
      },
      ['command'],
    ),
    systemControls: list(object({ namespace: string, value: string })),
    resourceRequirements,
    firelensConfiguration: object({ type: oneOf('fluentd', 'fluentbit'), options: stringMap }, ['type']),
    credentialSpecs: strings,
  },
  ['name', 'image'],
);

const volume = object(
  {
    name: ecsName,
    host: object({ sourcePath: string }),
    dockerVolumeConfiguration: object({
      scope: oneOf('task', 'shared'),
      autoprovision: boolean,
      driver: string,
      driverOpts: stringMap,
      labels: stringMap,
    }),
    efsVolumeConfiguration: object(
      {
        fileSystemId: string,
        rootDirectory: string,
        transitEncryption: oneOf('ENABLED', 'DISABLED'),
        transitEncryptionPort: integer(0, 65535),
        authorizationConfig: object({ accessPointId: string, iam: oneOf('ENABLED', 'DISABLED') }),
      },
      ['fileSystemId'],
    ),
    fsxWindowsFileServerVolumeConfiguration: object(
      {
        fileSystemId: string,
        rootDirectory: string,
        authorizationConfig: object({ credentialsParameter: string, domain: string }, ['credentialsParameter', 'domain']),
      },
      ['fileSystemId', 'rootDirectory', 'authorizationConfig'],
    ),
    configuredAtLaunch: boolean,
  },
  ['name'],
);

export const taskDefinitionSpecSchema = object(
  {
    family: ecsName,
    taskRoleArn: string,
    executionRoleArn: string,
    networkMode: oneOf('bridge', 'host', 'awsvpc', 'none'),
    containerDefinitions: { ...list(containerDefinition, 10), minItems: 1 },
    volumes: list(volume),
    placementConstraints: list(object({ type: oneOf('memberOf', 'distinctInstance'), expression: string }, ['type']), 10),
    requiresCompatibilities: list(oneOf('EC2', 'FARGATE', 'EXTERNAL')),
    cpu: sizeText,
    memory: sizeText,
    tags: list(object({ key: { type: 'string', minLength: 1, maxLength: 128 }, value: { type: 'string', maxLength: 256 } }, ['key']), 50),
    pidMode: oneOf('host', 'task'),
    ipcMode: oneOf('host', 'task', 'none'),
    proxyConfiguration: object({ type: oneOf('APPMESH'), containerName: string, properties: keyValuePairs }, ['containerName']),
    inferenceAccelerators: list(object({ deviceName: string, deviceType: string }, ['deviceName', 'deviceType'])),
    ephemeralStorage,
    runtimePlatform: object({
      cpuArchitecture: oneOf('X86_64', 'ARM64'),
      operatingSystemFamily: { type: 'string', pattern: '^(LINUX|WINDOWS_SERVER_[A-Z0-9_]+)$' },
    }),
    enableFaultInjection: boolean,
  },
  ['containerDefinitions'],
);

export const taskOverrideSchema = object({
  containerOverrides: list(
    object(
      {
        name: string,
        command: strings,
        environment: keyValuePairs,
        environmentFiles,
        cpu: integer(0),
        memory: integer(1),
        memoryReservation: integer(1),
        resourceRequirements,
      },
      ['name'],
    ),
  ),
  cpu: sizeText,
  memory: sizeText,
  taskRoleArn: string,
  executionRoleArn: string,
  ephemeralStorage,
});
