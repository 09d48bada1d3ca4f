// ECS JSON → manifests: what `aws ecs describe-task-definition` and `describe-services` print (with or without
// their wrapper), and RegisterTaskDefinition / CreateService / RunTask input files (`--cli-input-json`), become
// the TaskDefinition, Service and Task resources that mean the same; EventBridge Scheduler schedules with an ECS
// target become ScheduledTasks (eventbridge-json.ts). What ECS reports but nobody registers (ARNs,
// revision, status, counts, deployments, events, timestamps) is dropped, and so are the defaults ECS fills in
// where leaving them out changes nothing (container cpu 0, empty lists, protocol tcp, a host port that can
// only equal the container port).
import { ECS_API_VERSION, type ServiceSpec, type TaskDefinitionSpec, type Tag } from '../api/index.js';
import { joinPath, type SourceDocument } from './documents.js';
import {
  clusterResource,
  isObject,
  resourceName,
  taskDefinitionReference,
  without,
  withoutEmptyLists,
  type ImportedResource,
  type Json,
} from './ecs-json-common.js';
import { scheduleFromScheduler } from './eventbridge-json.js';
import { fail, type Problem } from './io.js';
import { tasksFromRunTask } from './run-task-json.js';

export type { ImportedResource } from './ecs-json-common.js';

/** A field of the document being imported: its file and its path there. */
interface SourcePath {
  file: string;
  at: string;
}

const TASK_DEFINITION_READ_ONLY = [
  'taskDefinitionArn',
  'revision',
  'status',
  'requiresAttributes',
  'compatibilities',
  'registeredAt',
  'registeredBy',
  'deregisteredAt',
  'deleteRequestedAt',
];

const SERVICE_READ_ONLY = [
  'serviceArn',
  'clusterArn',
  'status',
  'runningCount',
  'pendingCount',
  'deployments',
  'events',
  'createdAt',
  'createdBy',
  'roleArn',
  'role',
  'taskSets',
  'platformFamily',
  'currentServiceDeployment',
  'currentServiceRevisions',
  'clientToken',
];

/** Whether a document is a Kubernetes manifest rather than ECS JSON. */
export function isManifest(value: unknown): boolean {
  return isObject(value) && ('apiVersion' in value || 'kind' in value);
}

/** `value` when it is text, else `fallback` (ECS output read from a file may hold anything). */
function textOr(value: unknown, fallback: string): string {
  return typeof value === 'string' ? value : fallback;
}

/** `object` with each entry changed by `change` (which returns undefined to leave it out), in the same order. */
function mapEntries(object: Json, change: (key: string, value: unknown) => unknown): Json {
  return Object.fromEntries(
    Object.entries(object)
      .map(([key, value]): [string, unknown] => [key, change(key, value)])
      .filter(([, value]) => value !== undefined),
  );
}

/** Application protocols that RegisterTaskDefinition takes as `protocol` and stores as tcp. */
const APPLICATION_PROTOCOLS = ['http', 'http2', 'grpc'];

/**
 * A port mapping without what ECS fills in: protocol tcp, host port 0 (dynamic), or one that must equal the
 * container port. An application protocol given as `protocol` becomes tcp (left out) with that appProtocol.
 */
function portMapping(mapping: unknown, networkMode: unknown, path: SourcePath, warnings: Problem[]): unknown {
  if (!isObject(mapping)) return mapping;
  const hostPortFixed = networkMode === 'awsvpc' || networkMode === 'host';
  const { protocol } = mapping;
  const applicationProtocol = typeof protocol === 'string' && APPLICATION_PROTOCOLS.includes(protocol) ? protocol : undefined;
  if (applicationProtocol) {
    const kept =
      mapping.appProtocol === undefined
        ? `, with appProtocol: ${applicationProtocol} (write that instead)`
        : ` (appProtocol stays ${typeof mapping.appProtocol === 'string' ? mapping.appProtocol : JSON.stringify(mapping.appProtocol)})`;
    warnings.push({
      file: path.file,
      path: joinPath(path.at, 'protocol'),
      message: `"${applicationProtocol}" is an application protocol, not a transport one: ECS stores tcp, and so does this import${kept}`,
    });
  }
  const cleaned = mapEntries(mapping, (key, value) => {
    if (key === 'protocol' && (value === 'tcp' || applicationProtocol)) return undefined;
    if (key === 'hostPort' && (value === 0 || (hostPortFixed && value === mapping.containerPort))) return undefined;
    return value;
  });
  return applicationProtocol && mapping.appProtocol === undefined ? { ...cleaned, appProtocol: applicationProtocol } : cleaned;
}

function containerDefinition(definition: unknown, networkMode: unknown, path: SourcePath, warnings: Problem[]): unknown {
  if (!isObject(definition)) return definition;
  return mapEntries(definition, (key, value) => {
    if (key === 'cpu' && value === 0) return undefined;
    if (key === 'portMappings' && Array.isArray(value)) {
      return value.map((mapping, index) =>
        portMapping(mapping, networkMode, { file: path.file, at: joinPath(joinPath(path.at, 'portMappings'), index) }, warnings),
      );
    }
    return value;
  });
}

/** Tags of the definition and those describe-task-definition prints beside it, each key once. */
function mergeTags(...lists: unknown[]): Tag[] | undefined {
  const byKey = new Map<string, Tag>();
  // A malformed tag is kept (under its JSON) for the CRD validation to name.
  for (const list of lists) if (Array.isArray(list)) for (const tag of list as unknown[]) byKey.set(JSON.stringify(isObject(tag) ? tag.key : tag), tag as Tag);
  return byKey.size > 0 ? [...byKey.values()] : undefined;
}

/** ECS prints task cpu and memory as strings, but input files may hold numbers; the CRD takes strings. */
function sizeText(value: unknown): unknown {
  return typeof value === 'number' ? String(value) : value;
}

/** Names a `--cli-input-json` file may leave to the command line, given to import and translate as flags. */
export interface CommandLineNames {
  /** `--service-name`: for CreateService input without serviceName. */
  serviceName?: string;
  /** `--family`: for RegisterTaskDefinition input without family. */
  family?: string;
}

/** What a name left out of the file is, for the error that says how to give it. */
interface NameSource {
  what: 'TaskDefinition' | 'Service';
  /** The API input that may leave the name out, the AWS CLI command that takes it, and the flag that gives it there and here. */
  input: string;
  command: string;
  flag: string;
}

const FAMILY: NameSource = { what: 'TaskDefinition', input: 'RegisterTaskDefinition', command: 'register-task-definition', flag: '--family' };
const SERVICE_NAME: NameSource = { what: 'Service', input: 'CreateService', command: 'create-service', flag: '--service-name' };

/** The error's advice for a name the file leaves to the command line. */
function nameHint(source: NameSource): string {
  return `for ${source.input} input that leaves it to the command line (aws ecs ${source.command} ${source.flag} NAME --cli-input-json), give ${source.flag} NAME`;
}

function taskDefinition(body: Json, document: SourceDocument, sourcePath: string, outerTags: unknown, names: CommandLineNames): ImportedResource {
  const { family: written, cpu, memory, containerDefinitions, tags, ...rest } = without(withoutEmptyLists(body) as Json, TASK_DEFINITION_READ_ONLY);
  const family = written ?? names.family;
  const name = resourceName(family, document, joinPath(sourcePath, 'family'), FAMILY.what, nameHint(FAMILY));
  const mergedTags = mergeTags(tags, withoutEmptyLists(outerTags));
  const warnings: Problem[] = [];
  const definitionAt = (index: number): SourcePath => ({ file: document.file, at: joinPath(joinPath(sourcePath, 'containerDefinitions'), index) });
  const spec = {
    family,
    ...(Array.isArray(containerDefinitions)
      ? { containerDefinitions: containerDefinitions.map((d, index) => containerDefinition(d, rest.networkMode, definitionAt(index), warnings)) }
      : { containerDefinitions }),
    ...rest,
    ...(cpu === undefined ? {} : { cpu: sizeText(cpu) }),
    ...(memory === undefined ? {} : { memory: sizeText(memory) }),
    ...(mergedTags ? { tags: mergedTags } : {}),
  } as TaskDefinitionSpec;
  const revision = typeof body.revision === 'number' ? body.revision : undefined;
  return {
    manifest: { apiVersion: ECS_API_VERSION, kind: 'TaskDefinition', metadata: { name }, spec: JSON.parse(JSON.stringify(spec)) as TaskDefinitionSpec },
    sourcePath,
    ...(revision === undefined ? {} : { revision }),
    warnings,
  };
}

function service(body: Json, document: SourceDocument, sourcePath: string, names: CommandLineNames): ImportedResource {
  const cleaned = withoutEmptyLists(body) as Json;
  const {
    serviceName: written,
    cluster,
    clusterArn,
    taskDefinition: reference,
    desiredCount,
    deploymentConfiguration,
    ...rest
  } = without(
    cleaned,
    SERVICE_READ_ONLY.filter((key) => key !== 'clusterArn'),
  );
  const serviceName = written ?? names.serviceName;
  const name = resourceName(serviceName, document, joinPath(sourcePath, 'serviceName'), SERVICE_NAME.what, nameHint(SERVICE_NAME));
  const warnings: Problem[] = [];
  const clusterPath = joinPath(sourcePath, cluster === undefined ? 'clusterArn' : 'cluster');
  const serviceCluster = clusterResource(cluster ?? clusterArn, document, clusterPath, warnings);
  const daemon = rest.schedulingStrategy === 'DAEMON';
  const spec = {
    serviceName,
    ...(serviceCluster === undefined ? {} : { cluster: serviceCluster }),
    taskDefinition: taskDefinitionReference(reference),
    // A DAEMON service's desiredCount is what ECS counted, not an input.
    ...(desiredCount === undefined || daemon ? {} : { desiredCount }),
    ...(deploymentConfiguration === undefined ? {} : { deploymentConfiguration: withoutDisabledAlarms(deploymentConfiguration) }),
    ...rest,
  } as ServiceSpec;
  return {
    manifest: { apiVersion: ECS_API_VERSION, kind: 'Service', metadata: { name }, spec: JSON.parse(JSON.stringify(spec)) as ServiceSpec },
    sourcePath,
    warnings,
  };
}

/** describe-services prints `alarms: {alarmNames: [], enable: false, rollback: false}` for services that use none. */
function withoutDisabledAlarms(configuration: unknown): unknown {
  if (!isObject(configuration) || !isObject(configuration.alarms)) return configuration;
  const { alarms, ...rest } = configuration;
  return alarms.enable === false && alarms.alarmNames === undefined ? rest : configuration;
}

/** Fields of CreateService input that RunTask input does not have: they tell the two apart without serviceName. */
const CREATE_SERVICE_ONLY = [
  'serviceName',
  'desiredCount',
  'loadBalancers',
  'serviceRegistries',
  'deploymentConfiguration',
  'deploymentController',
  'schedulingStrategy',
  'healthCheckGracePeriodSeconds',
  'serviceConnectConfiguration',
  'availabilityZoneRebalancing',
  'role',
];

/**
 * The resources of an ECS JSON document, in the order they appear. A document ECS would not print nor take as
 * input is an error that says what was expected. `names` fills in the family or service name of input files that
 * leave it to the command line. (EventBridge rules, which come in two parts, are joined by the caller:
 * eventbridge-json.ts.)
 */
export function importEcsJson(document: SourceDocument, names: CommandLineNames = {}): ImportedResource[] {
  const { value, path } = document;
  const at = (key: string) => joinPath(path, key);
  if (!isObject(value)) return fail({ file: document.file, path }, 'expected a JSON object of ECS (a task definition or a service)');
  if (isObject(value.taskDefinition)) return [taskDefinition(value.taskDefinition, document, at('taskDefinition'), value.tags, names)];
  if (Array.isArray(value.services)) {
    const failures = Array.isArray(value.failures) ? value.failures : [];
    const warnings: Problem[] = failures.map((failure, index) => {
      const { arn, reason } = isObject(failure) ? failure : {};
      return {
        file: document.file,
        path: joinPath(at('failures'), index),
        message: `ECS could not describe ${textOr(arn, 'a service')} (${textOr(reason, 'no reason given')}); nothing imported for it`,
      };
    });
    if (value.services.length === 0)
      fail({ file: document.file, path: at('services') }, `is empty: nothing to import${warnings[0] ? ` (${warnings[0].message})` : ''}`);
    return value.services.map((item, index) => {
      const itemPath = joinPath(at('services'), index);
      if (!isObject(item)) return fail({ file: document.file, path: itemPath }, 'expected a service object');
      const imported = service(item, document, itemPath, names);
      return index === 0 ? { ...imported, warnings: [...warnings, ...imported.warnings] } : imported;
    });
  }
  if (isObject(value.service)) return [service(value.service, document, at('service'), names)];
  if ('containerDefinitions' in value) return [taskDefinition(value, document, path, undefined, names)];
  if (CREATE_SERVICE_ONLY.some((key) => key in value)) return [service(value, document, path, names)];
  if (typeof value.name === 'string' && typeof value.image === 'string') {
    return fail(
      { file: document.file, path },
      'this looks like a container definition of a list, as Terraform\'s container_definitions holds them; ecs-operator reads whole task definitions: write {"family": "NAME", "containerDefinitions": [the list]}',
    );
  }
  if (typeof value.taskDefinition === 'string') return tasksFromRunTask(value, document, path);
  if (typeof value.ScheduleExpression === 'string' && isObject(value.Target)) return [scheduleFromScheduler(value, document, path)];
  return fail(
    { file: document.file, path },
    'not ECS JSON that ecs-operator reads: expected the output of describe-task-definition or describe-services, RegisterTaskDefinition, CreateService or RunTask input (taskDefinition, containerDefinitions, services, serviceName or desiredCount), or an EventBridge schedule or rule with an ECS target (ScheduleExpression with Target or Targets)',
  );
}
