// EventBridge JSON with an ECS target → ScheduledTask manifests. Two sources:
// - EventBridge Scheduler: what `aws scheduler get-schedule` prints, or CreateSchedule input, whose Target is an
//   ECS cluster with EcsParameters (the RunTask input) and Input (the RunTask overrides, as a JSON string);
// - EventBridge rules: `aws events describe-rule` output with `list-targets-by-rule` output (or PutTargets
//   input, which names its Rule), in one file or two, or one object holding both; one ScheduledTask per ECS target.
// What a ScheduledTask has no equivalent for (RoleArn, DeadLetterConfig, KmsKeyArn, ...) is named in a warning;
// defaults EventBridge prints (State ENABLED, FlexibleTimeWindow OFF, TaskCount 1, the default RetryPolicy) are
// left out, as they are the ScheduledTask's defaults.
import {
  ECS_API_VERSION,
  type CapacityProviderStrategyItem,
  type PlacementConstraint,
  type PlacementStrategy,
  type ScheduledTask,
  type ScheduledTaskSpec,
  type ScheduledTaskTarget,
  type Tag,
} from '../api/index.js';
import { toDnsLabel } from '../translate/names.js';
import { DEFAULT_MAXIMUM_EVENT_AGE_SECONDS, DEFAULT_MAXIMUM_RETRY_ATTEMPTS } from '../translate/schedule/spec.js';
import { joinPath, type SourceDocument } from './documents.js';
import { clusterResource, isObject, resourceName, taskDefinitionReference, type ImportedResource, type Json } from './ecs-json-common.js';
import { fail, type Problem } from './io.js';

const ECS_CLUSTER_ARN = /^arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:cluster\/.+$/;

/** Fields a ScheduledTask has no equivalent for, and why. */
const NO_EQUIVALENT: Record<string, string> = {
  RoleArn: 'the operator starts Tasks with its own permissions; no role is assumed',
  DeadLetterConfig: 'a run that cannot start is reported in events and status; there is no dead-letter queue',
  KmsKeyArn: 'nothing of the schedule is encrypted with a customer key',
  Description: 'a ScheduledTask has no description; put it in an annotation if you need it',
  PlatformVersion: "every launch type runs on the cluster's nodes, so there is no platform version",
  ReferenceId: 'the Tasks carry no reference id',
  InputPath: 'no event is passed to the task; only a constant Input (the overrides) is',
  InputTransformer: 'no event is passed to the task; only a constant Input (the overrides) is',
  SqsParameters: 'the target is an ECS cluster, so SQS parameters do not apply',
  EventBridgeParameters: 'the target is an ECS cluster, so EventBridge parameters do not apply',
  KinesisParameters: 'the target is an ECS cluster, so Kinesis parameters do not apply',
  SageMakerPipelineParameters: 'the target is an ECS cluster, so SageMaker parameters do not apply',
  HttpParameters: 'the target is an ECS cluster, so HTTP parameters do not apply',
  RunCommandParameters: 'the target is an ECS cluster, so Run Command parameters do not apply',
  BatchParameters: 'the target is an ECS cluster, so Batch parameters do not apply',
  RedshiftDataParameters: 'the target is an ECS cluster, so Redshift parameters do not apply',
  AppSyncParameters: 'the target is an ECS cluster, so AppSync parameters do not apply',
};

/** Printed by EventBridge, or idempotency tokens: nothing anyone configures. */
const READ_ONLY = ['Arn', 'CreationDate', 'LastModificationDate', 'ClientToken', 'CreatedBy', 'ManagedBy', 'EventBusName', 'Id', 'Rule'];

class Reader {
  readonly warnings: Problem[] = [];

  constructor(readonly document: SourceDocument) {}

  /** Warns about each field of `object` at `path` that `known` does not list. */
  rest(object: Json, path: string, known: readonly string[]): void {
    for (const [key, value] of Object.entries(object)) {
      if (known.includes(key) || READ_ONLY.includes(key) || value === undefined || value === null) continue;
      if (key === 'GroupName' && value === 'default') continue;
      if (key === 'ActionAfterCompletion' && value === 'NONE') continue;
      const reason =
        NO_EQUIVALENT[key] ??
        (key === 'GroupName'
          ? 'schedule groups have no equivalent; the namespace groups ScheduledTasks'
          : key === 'ActionAfterCompletion'
            ? 'a finished schedule is kept, not deleted'
            : 'not a field EventBridge has for an ECS target');
      this.warnings.push({ file: this.document.file, path: joinPath(path, key), message: `has no equivalent in a ScheduledTask (${reason}); left out` });
    }
  }

  fail(path: string, message: string): never {
    return fail({ file: this.document.file, path }, message);
  }
}

/** `{Key, Value}` (rules) or one-entry `{key: value}` maps (Scheduler) → ECS tags. */
function tags(list: unknown): Tag[] | undefined {
  if (!Array.isArray(list) || list.length === 0) return undefined;
  return list.flatMap((item): Tag[] => {
    if (!isObject(item)) return [];
    if ('Key' in item || 'key' in item)
      return [{ key: String(item.Key ?? item.key), ...((item.Value ?? item.value) !== undefined ? { value: String(item.Value ?? item.value) } : {}) }];
    return Object.entries(item).map(([key, value]) => ({ key, value: String(value) }));
  });
}

/** A list of objects whose keys EventBridge spells in either case (`type` or `Type`) → ECS camelCase keys. */
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the caller names the item type its field holds
function camelCaseItems<T>(list: unknown): T[] | undefined {
  if (!Array.isArray(list) || list.length === 0) return undefined;
  return list.map(
    (item) => (isObject(item) ? Object.fromEntries(Object.entries(item).map(([key, value]) => [key[0]!.toLowerCase() + key.slice(1), value])) : item) as T,
  );
}

function networkConfiguration(value: unknown): ScheduledTaskTarget['networkConfiguration'] {
  if (!isObject(value)) return undefined;
  const vpc = value.awsvpcConfiguration ?? value.AwsvpcConfiguration;
  if (!isObject(vpc)) return {};
  const subnets = vpc.Subnets ?? vpc.subnets;
  const securityGroups = vpc.SecurityGroups ?? vpc.securityGroups;
  const assignPublicIp = vpc.AssignPublicIp ?? vpc.assignPublicIp;
  return {
    awsvpcConfiguration: {
      subnets: (Array.isArray(subnets) ? subnets : []) as string[],
      ...(Array.isArray(securityGroups) && securityGroups.length > 0 ? { securityGroups: securityGroups as string[] } : {}),
      ...(assignPublicIp === undefined ? {} : { assignPublicIp: assignPublicIp as 'ENABLED' | 'DISABLED' }),
    },
  };
}

const ECS_PARAMETERS = [
  'TaskDefinitionArn',
  'TaskCount',
  'LaunchType',
  'NetworkConfiguration',
  'Group',
  'CapacityProviderStrategy',
  'EnableExecuteCommand',
  'PlacementConstraints',
  'PlacementStrategy',
  'PropagateTags',
  'EnableECSManagedTags',
  'Tags',
];
const TARGET_FIELDS = ['Arn', 'EcsParameters', 'Input', 'RetryPolicy'];

interface TargetFields {
  target: ScheduledTaskTarget;
  retryPolicy?: ScheduledTaskSpec['retryPolicy'];
}

/** An ECS target (Scheduler's Target, or one of a rule's Targets) at `path` → the ScheduledTask's target and retry policy. */
function ecsTarget(reader: Reader, target: Json, path: string): TargetFields {
  const arnPath = joinPath(path, 'Arn');
  if (typeof target.Arn !== 'string' || !ECS_CLUSTER_ARN.test(target.Arn)) {
    reader.fail(arnPath, `'${String(target.Arn)}' is not an ECS cluster ARN: only targets that run ECS tasks (RunTask) become ScheduledTasks`);
  }
  const ecsPath = joinPath(path, 'EcsParameters');
  const ecs = target.EcsParameters;
  if (!isObject(ecs)) return reader.fail(ecsPath, 'is required: it holds the RunTask input (TaskDefinitionArn, TaskCount, ...)');
  reader.rest(target, path, TARGET_FIELDS);
  reader.rest(ecs, ecsPath, ECS_PARAMETERS);

  let overrides: unknown;
  if (target.Input !== undefined) {
    try {
      overrides = typeof target.Input === 'string' ? JSON.parse(target.Input) : target.Input;
    } catch (error) {
      reader.fail(joinPath(path, 'Input'), `is not JSON: ${(error as Error).message}`);
    }
    if (!isObject(overrides))
      reader.fail(joinPath(path, 'Input'), 'must be a JSON object: the RunTask overrides (containerOverrides, cpu, memory, taskRoleArn, ...)');
  }
  const cluster = clusterResource(target.Arn, reader.document, arnPath, reader.warnings);
  const count = ecs.TaskCount;
  const result: ScheduledTaskTarget = {
    ...(cluster === undefined ? {} : { cluster: cluster as string }),
    taskDefinition: taskDefinitionReference(ecs.TaskDefinitionArn) as string,
    ...(count === undefined || count === 1 ? {} : { count: count as number }),
    ...(overrides === undefined ? {} : { overrides: overrides as ScheduledTaskTarget['overrides'] }),
    ...(ecs.Group === undefined ? {} : { group: ecs.Group as string }),
    ...optional('placementConstraints', camelCaseItems<PlacementConstraint>(ecs.PlacementConstraints)),
    ...optional('placementStrategy', camelCaseItems<PlacementStrategy>(ecs.PlacementStrategy)),
    ...(ecs.LaunchType === undefined ? {} : { launchType: ecs.LaunchType as ScheduledTaskTarget['launchType'] }),
    ...optional('capacityProviderStrategy', camelCaseItems<CapacityProviderStrategyItem>(ecs.CapacityProviderStrategy)),
    ...optional('networkConfiguration', networkConfiguration(ecs.NetworkConfiguration)),
    ...(ecs.EnableExecuteCommand === undefined ? {} : { enableExecuteCommand: ecs.EnableExecuteCommand as boolean }),
    ...(ecs.PropagateTags === undefined ? {} : { propagateTags: ecs.PropagateTags as ScheduledTaskTarget['propagateTags'] }),
    ...(ecs.EnableECSManagedTags === undefined ? {} : { enableECSManagedTags: ecs.EnableECSManagedTags as boolean }),
    ...optional('tags', tags(ecs.Tags)),
  };
  return { target: result, ...optional('retryPolicy', retryPolicy(target.RetryPolicy)) };
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

/** EventBridge's RetryPolicy without the values that are its defaults. */
function retryPolicy(policy: unknown): ScheduledTaskSpec['retryPolicy'] {
  if (!isObject(policy)) return undefined;
  const attempts = policy.MaximumRetryAttempts;
  const age = policy.MaximumEventAgeInSeconds;
  const result = {
    ...(attempts === undefined || attempts === DEFAULT_MAXIMUM_RETRY_ATTEMPTS ? {} : { maximumRetryAttempts: attempts as number }),
    ...(age === undefined || age === DEFAULT_MAXIMUM_EVENT_AGE_SECONDS ? {} : { maximumEventAgeInSeconds: age as number }),
  };
  return Object.keys(result).length > 0 ? result : undefined;
}

/** A timestamp as the CLI prints it (ISO 8601 with an offset) or takes it (also epoch seconds) → RFC 3339 UTC. */
function timestamp(reader: Reader, value: unknown, path: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  const date = typeof value === 'number' ? new Date(value * 1000) : new Date(typeof value === 'string' ? value : JSON.stringify(value));
  if (Number.isNaN(date.getTime())) return reader.fail(path, `'${typeof value === 'string' ? value : JSON.stringify(value)}' is not a date and time`);
  return date.toISOString().replace('.000Z', 'Z');
}

/** Where a ScheduledTask field came from: the first prefix of `sources` that matches, with the rest of the path. */
function sourceMap(sources: ReadonlyArray<[string, string]>, fallback: string): (path: string) => string {
  return (path) => {
    for (const [prefix, source] of sources) {
      if (path === prefix || path.startsWith(`${prefix}.`) || path.startsWith(`${prefix}[`)) return `${source}${path.slice(prefix.length)}`;
    }
    return fallback ? `${fallback} (${path})` : path;
  };
}

function targetSources(targetPath: string): Array<[string, string]> {
  const ecs = joinPath(targetPath, 'EcsParameters');
  return [
    ['spec.target.cluster', joinPath(targetPath, 'Arn')],
    ['spec.target.overrides', joinPath(targetPath, 'Input')],
    ['spec.retryPolicy.maximumRetryAttempts', joinPath(targetPath, 'RetryPolicy.MaximumRetryAttempts')],
    ['spec.retryPolicy.maximumEventAgeInSeconds', joinPath(targetPath, 'RetryPolicy.MaximumEventAgeInSeconds')],
    ['spec.target.taskDefinition', joinPath(ecs, 'TaskDefinitionArn')],
    ['spec.target.count', joinPath(ecs, 'TaskCount')],
    ...[
      'LaunchType',
      'NetworkConfiguration',
      'Group',
      'CapacityProviderStrategy',
      'EnableExecuteCommand',
      'PlacementConstraints',
      'PlacementStrategy',
      'PropagateTags',
      'EnableECSManagedTags',
      'Tags',
    ].map((key): [string, string] => [`spec.target.${key[0]!.toLowerCase()}${key.slice(1)}`, joinPath(ecs, key)]),
  ];
}

function scheduledTask(name: string, spec: ScheduledTaskSpec): ScheduledTask {
  return { apiVersion: ECS_API_VERSION, kind: 'ScheduledTask', metadata: { name }, spec: JSON.parse(JSON.stringify(spec)) as ScheduledTaskSpec };
}

const SCHEDULE_FIELDS = ['Name', 'ScheduleExpression', 'ScheduleExpressionTimezone', 'State', 'StartDate', 'EndDate', 'FlexibleTimeWindow', 'Target'];

/** `aws scheduler get-schedule` output, or CreateSchedule input, with an ECS target. */
export function scheduleFromScheduler(body: Json, document: SourceDocument, sourcePath: string): ImportedResource {
  const reader = new Reader(document);
  const at = (key: string) => joinPath(sourcePath, key);
  const name = resourceName(body.Name, document, at('Name'), 'ScheduledTask');
  reader.rest(body, sourcePath, SCHEDULE_FIELDS);
  const { target, retryPolicy: retry } = ecsTarget(reader, body.Target as Json, at('Target'));
  const window = isObject(body.FlexibleTimeWindow) ? body.FlexibleTimeWindow : undefined;
  const startDate = timestamp(reader, body.StartDate, at('StartDate'));
  const endDate = timestamp(reader, body.EndDate, at('EndDate'));
  const spec: ScheduledTaskSpec = {
    scheduleExpression: body.ScheduleExpression as string,
    ...(body.ScheduleExpressionTimezone === undefined || body.ScheduleExpressionTimezone === 'UTC'
      ? {}
      : { scheduleExpressionTimezone: body.ScheduleExpressionTimezone as string }),
    ...(body.State === undefined || body.State === 'ENABLED' ? {} : { state: body.State as ScheduledTaskSpec['state'] }),
    ...optional('startDate', startDate),
    ...optional('endDate', endDate),
    ...(window === undefined || window.Mode === 'OFF'
      ? {}
      : {
          flexibleTimeWindow: { mode: window.Mode as 'FLEXIBLE', ...optional('maximumWindowInMinutes', window.MaximumWindowInMinutes as number | undefined) },
        }),
    target,
    ...optional('retryPolicy', retry),
  };
  return {
    manifest: scheduledTask(name, spec),
    sourcePath,
    sourceOf: sourceMap(
      [
        ['metadata.name', at('Name')],
        ['spec.scheduleExpression', at('ScheduleExpression')],
        ['spec.scheduleExpressionTimezone', at('ScheduleExpressionTimezone')],
        ['spec.state', at('State')],
        ['spec.startDate', at('StartDate')],
        ['spec.endDate', at('EndDate')],
        ['spec.flexibleTimeWindow.mode', at('FlexibleTimeWindow.Mode')],
        ['spec.flexibleTimeWindow.maximumWindowInMinutes', at('FlexibleTimeWindow.MaximumWindowInMinutes')],
        ...targetSources(at('Target')),
      ],
      sourcePath || document.file,
    ),
    warnings: reader.warnings,
  };
}

// ---- EventBridge rules: describe-rule and list-targets-by-rule, joined ---------------------------------------

/** One document of a rule: its description, its targets, or both. */
export interface RulePart {
  document: SourceDocument;
  rule?: Json;
  targets?: unknown[];
  /** PutTargets input names its rule. */
  ruleName?: string;
}

/** The part of an EventBridge rule a document holds, or undefined when it is none. */
export function rulePart(document: SourceDocument): RulePart | undefined {
  const { value } = document;
  if (!isObject(value)) return undefined;
  const isRule = typeof value.Name === 'string' && ('ScheduleExpression' in value || 'EventPattern' in value) && !('Target' in value);
  const targets = Array.isArray(value.Targets) ? value.Targets : undefined;
  if (!isRule && !targets) return undefined;
  return {
    document,
    ...(isRule ? { rule: value } : {}),
    ...(targets ? { targets } : {}),
    ...(typeof value.Rule === 'string' ? { ruleName: value.Rule } : {}),
  };
}

const RULE_FIELDS = ['Name', 'ScheduleExpression', 'State', 'Targets'];

function ruleResources(rule: RulePart, targets: RulePart): ImportedResource[] {
  const body = rule.rule!;
  const reader = new Reader(targets.document);
  const rulePath = rule.document.path;
  const ruleAt = (key: string) => joinPath(rulePath, key);
  // Fields of the rule are named with the rule's file when the targets came from another one.
  const ruleSource = (key: string) => (rule.document.file === targets.document.file ? ruleAt(key) : `${rule.document.file}: ${ruleAt(key)}`);
  const name = resourceName(body.Name, rule.document, ruleAt('Name'), 'ScheduledTask');
  if (typeof body.ScheduleExpression !== 'string') {
    return fail(
      { file: rule.document.file, path: ruleAt('EventPattern') },
      'the rule runs on events, not on a schedule: only scheduled rules (ScheduleExpression) become ScheduledTasks',
    );
  }
  const ruleReader = new Reader(rule.document);
  ruleReader.rest(body, rulePath, RULE_FIELDS);

  const targetsPath = joinPath(targets.document.path, 'Targets');
  const ecsTargets = targets.targets!.flatMap((target, index) => {
    const path = joinPath(targetsPath, index);
    if (!isObject(target)) return reader.fail(path, 'expected a target object');
    if (!isObject(target.EcsParameters)) {
      reader.warnings.push({
        file: targets.document.file,
        path: joinPath(path, 'Arn'),
        message: `'${String(target.Arn)}' is not an ECS target; nothing imported for it`,
      });
      return [];
    }
    return [{ target, path }];
  });
  if (ecsTargets.length === 0) return reader.fail(targetsPath, `rule '${String(body.Name)}' has no ECS target: nothing to import`);

  return ecsTargets.map(({ target, path }, index) => {
    const targetReader = new Reader(targets.document);
    const fields = ecsTarget(targetReader, target, path);
    const id = typeof target.Id === 'string' ? toDnsLabel(target.Id) : String(index + 1);
    const spec: ScheduledTaskSpec = {
      scheduleExpression: body.ScheduleExpression as string,
      ...(body.State === 'DISABLED' ? { state: 'DISABLED' as const } : {}),
      target: fields.target,
      ...optional('retryPolicy', fields.retryPolicy),
    };
    return {
      manifest: scheduledTask(ecsTargets.length === 1 ? name : `${name}-${id}`, spec),
      sourcePath: path,
      sourceOf: sourceMap(
        [
          ['metadata.name', ruleSource('Name')],
          ['spec.scheduleExpression', ruleSource('ScheduleExpression')],
          ['spec.state', ruleSource('State')],
          ...targetSources(path),
        ],
        path,
      ),
      warnings: [...(index === 0 ? [...ruleReader.warnings, ...reader.warnings] : []), ...targetReader.warnings],
    };
  });
}

/**
 * The ScheduledTasks of the rule parts of all input documents, each with the document its errors point into:
 * a document holding a rule and its Targets stands alone; a targets document naming its Rule (PutTargets input)
 * joins that rule; otherwise one rule and one targets document join.
 */
export function joinRuleParts(parts: readonly RulePart[]): Array<{ document: SourceDocument; imported: ImportedResource }> {
  const whole = parts.filter((part) => part.rule && part.targets);
  const rules = parts.filter((part) => part.rule && !part.targets);
  const targetLists = parts.filter((part) => !part.rule && part.targets);
  const pairs: Array<[RulePart, RulePart]> = whole.map((part) => [part, part]);
  const unmatched = new Set(rules);
  for (const targets of targetLists.filter((part) => part.ruleName !== undefined)) {
    const rule = rules.find((part) => part.rule!.Name === targets.ruleName);
    if (!rule)
      fail(
        { file: targets.document.file, path: joinPath(targets.document.path, 'Rule') },
        `no describe-rule output for rule '${targets.ruleName}' among the input files`,
      );
    pairs.push([rule, targets]);
    unmatched.delete(rule);
  }
  const anonymous = targetLists.filter((part) => part.ruleName === undefined);
  if (anonymous.length > 0 || unmatched.size > 0) {
    const [rule] = unmatched;
    if (anonymous.length === 1 && unmatched.size === 1) {
      pairs.push([rule!, anonymous[0]!]);
    } else if (anonymous.length > 0) {
      const first = anonymous[0]!;
      fail(
        { file: first.document.file, path: joinPath(first.document.path, 'Targets') },
        `cannot tell which rule these targets belong to (${unmatched.size} rules without targets in the input): give one describe-rule output with its list-targets-by-rule output, or PutTargets input that names its Rule`,
      );
    } else {
      fail(
        { file: rule!.document.file, path: joinPath(rule!.document.path, 'Name') },
        `rule '${String(rule!.rule!.Name)}' has no targets: add the output of \`aws events list-targets-by-rule --rule ${String(rule!.rule!.Name)}\``,
      );
    }
  }
  return pairs.flatMap(([rule, targets]) => ruleResources(rule, targets).map((imported) => ({ document: targets.document, imported })));
}
