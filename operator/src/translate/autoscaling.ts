// Application Auto Scaling of ECS services → HorizontalPodAutoscalers (autoscaling/v2) over ecs-operator Services.
// A scalable target gives the bounds (MinCapacity, MaxCapacity) and its target tracking policies the metrics:
// ECSServiceAverageCPUUtilization / ECSServiceAverageMemoryUtilization are, as in ECS, a percentage of what the
// tasks reserve, which the pods request; so each becomes a Resource metric with a Utilization target. Like
// Application Auto Scaling with several policies, the HPA scales out when any metric asks and in only when all
// allow it. Cooldowns become stabilization windows, DisableScaleIn and suspended scaling a direction whose
// policy allows nothing. Step and scheduled scaling and other metrics have no HPA form here: each is named in a
// warning that says what to use instead. Pure: the AWS JSON is read by the CLI, which also places the paths.
import type { V2HorizontalPodAutoscaler, V2HPAScalingRules, V2MetricSpec } from '@kubernetes/client-node';
import { ECS_API_VERSION } from '../api/index.js';
import type { Issue } from './issues.js';
import { toDnsSubdomain } from './names.js';

type Json = Record<string, unknown>;

/** One Application Auto Scaling object of the input, and where it is (for issues): targets and policies come in separate files. */
export interface Located {
  value: Json;
  file: string;
  path: string;
}

/** An issue at a field of an input object, in its file. */
export interface AutoScalingIssue extends Issue {
  file: string;
}

export interface AutoScalingInput {
  /** describe-scalable-targets `ScalableTargets[]` items, or RegisterScalableTarget input. */
  targets: Located[];
  /** describe-scaling-policies `ScalingPolicies[]` items, or PutScalingPolicy input. */
  policies: Located[];
  /** describe-scheduled-actions `ScheduledActions[]` items, or PutScheduledAction input. */
  scheduledActions: Located[];
}

export interface AutoScalingTranslation {
  autoscalers: V2HorizontalPodAutoscaler[];
  warnings: AutoScalingIssue[];
  errors: AutoScalingIssue[];
}

const ECS_DIMENSION = 'ecs:service:DesiredCount';
/** What Application Auto Scaling uses for ECS when a target tracking policy gives no cooldown. */
export const DEFAULT_COOLDOWN_SECONDS = 300;

const PREDEFINED_RESOURCES: Record<string, 'cpu' | 'memory'> = {
  ECSServiceAverageCPUUtilization: 'cpu',
  ECSServiceAverageMemoryUtilization: 'memory',
};

const METRIC_INSTEAD = 'use an HPA Pods or External metric served by a metrics adapter (Prometheus Adapter, KEDA) for the same signal';
const STEP_INSTEAD =
  'write it as a target tracking policy on ECSServiceAverageCPUUtilization or ECSServiceAverageMemoryUtilization, ' +
  'or add HPA behavior policies (pods or percent per period) to the HorizontalPodAutoscaler by hand';
const SCHEDULE_INSTEAD = "use a CronJob that patches the HorizontalPodAutoscaler's minReplicas/maxReplicas at those times (or KEDA's cron scaler)";

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const at = (path: string, key: string) => (path ? `${path}.${key}` : key);

/** `service/<cluster>/<service>` → the two names, or undefined when `resourceId` is not an ECS service's. */
export function parseServiceResourceId(resourceId: unknown): { cluster: string; service: string } | undefined {
  if (typeof resourceId !== 'string') return undefined;
  const match = /^service\/([^/]+)\/([^/]+)$/.exec(resourceId);
  return match ? { cluster: match[1]!, service: match[2]! } : undefined;
}

/** A whole number of seconds ≥ 0, or undefined after an error naming the field. */
function seconds(value: unknown, file: string, path: string, errors: AutoScalingIssue[]): number | undefined {
  if (value === undefined) return DEFAULT_COOLDOWN_SECONDS;
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 3600) return value;
  errors.push({ file, path, message: `must be a whole number of seconds from 0 to 3600 (an HPA stabilization window), not ${JSON.stringify(value)}` });
  return undefined;
}

function capacity(value: unknown, file: string, path: string, errors: AutoScalingIssue[]): number | undefined {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return value;
  errors.push({
    file,
    path,
    message: value === undefined ? "is required: it bounds the service's task count" : `must be a whole number ≥ 0, not ${JSON.stringify(value)}`,
  });
  return undefined;
}

interface TargetTracking {
  metric: V2MetricSpec;
  scaleUpWindow: number;
  scaleDownWindow: number;
  disableScaleIn: boolean;
}

/** A target tracking policy on a predefined ECS utilization metric, or undefined after a warning or error saying why not. */
function targetTracking({ value, file, path }: Located, log: AutoScalingTranslation): TargetTracking | undefined {
  const name = typeof value.PolicyName === 'string' ? value.PolicyName : '(unnamed)';
  const configPath = at(path, 'TargetTrackingScalingPolicyConfiguration');
  const config = value.TargetTrackingScalingPolicyConfiguration;
  if (!isObject(config)) {
    log.errors.push({ file, path: configPath, message: `is required: policy '${name}' is a TargetTrackingScaling policy` });
    return undefined;
  }
  if (config.CustomizedMetricSpecification !== undefined) {
    log.warnings.push({
      file,
      path: at(configPath, 'CustomizedMetricSpecification'),
      message: `policy '${name}' tracks a CloudWatch metric, which has no HPA form here; not translated: ${METRIC_INSTEAD}`,
    });
    return undefined;
  }
  const predefinedPath = at(configPath, 'PredefinedMetricSpecification.PredefinedMetricType');
  const predefined = isObject(config.PredefinedMetricSpecification) ? config.PredefinedMetricSpecification.PredefinedMetricType : undefined;
  const resource = typeof predefined === 'string' ? PREDEFINED_RESOURCES[predefined] : undefined;
  if (!resource) {
    const instead =
      predefined === 'ALBRequestCountPerTarget'
        ? "requests per target need the load balancer's metrics: use an HPA Object or External metric from your ingress controller through a metrics adapter (Prometheus Adapter, KEDA)"
        : METRIC_INSTEAD;
    log.warnings.push({
      file,
      path: predefinedPath,
      message: `policy '${name}' tracks ${JSON.stringify(predefined ?? 'no metric')}, which has no HPA form here; not translated: ${instead}`,
    });
    return undefined;
  }
  const targetPath = at(configPath, 'TargetValue');
  const target = config.TargetValue;
  if (typeof target !== 'number' || !(target > 0)) {
    log.errors.push({ file, path: targetPath, message: `must be a utilization percentage above 0, not ${JSON.stringify(target)}` });
    return undefined;
  }
  const averageUtilization = Math.round(target);
  if (averageUtilization !== target)
    log.warnings.push({ file, path: targetPath, message: `${target}% is ${averageUtilization}%: an HPA utilization target is a whole percentage` });
  const scaleUpWindow = seconds(config.ScaleOutCooldown, file, at(configPath, 'ScaleOutCooldown'), log.errors);
  const scaleDownWindow = seconds(config.ScaleInCooldown, file, at(configPath, 'ScaleInCooldown'), log.errors);
  if (scaleUpWindow === undefined || scaleDownWindow === undefined) return undefined;
  return {
    metric: { type: 'Resource', resource: { name: resource, target: { type: 'Utilization', averageUtilization } } },
    scaleUpWindow,
    scaleDownWindow,
    disableScaleIn: config.DisableScaleIn === true,
  };
}

/** A direction's rules: its stabilization window, or no change at all. */
function rules(window: number, disabled: boolean): V2HPAScalingRules {
  return disabled ? { selectPolicy: 'Disabled' } : { stabilizationWindowSeconds: window };
}

/** The HPA of one ECS service's scalable target and its policies. */
function autoscaler(target: Located, policies: Located[], log: AutoScalingTranslation): V2HorizontalPodAutoscaler | undefined {
  const { value, file, path } = target;
  const ids = parseServiceResourceId(value.ResourceId)!;
  const name = toDnsSubdomain(ids.service);
  const minReplicas = capacity(value.MinCapacity, file, at(path, 'MinCapacity'), log.errors);
  const maxReplicas = capacity(value.MaxCapacity, file, at(path, 'MaxCapacity'), log.errors);
  if (minReplicas === undefined || maxReplicas === undefined) return undefined;
  if (maxReplicas < minReplicas || maxReplicas === 0) {
    log.errors.push({ file, path: at(path, 'MaxCapacity'), message: `${maxReplicas} must be at least 1 and at least MinCapacity (${minReplicas})` });
    return undefined;
  }
  if (minReplicas === 0)
    log.warnings.push({
      file,
      path: at(path, 'MinCapacity'),
      message: 'is 0, but an HPA scales to no fewer than 1 task (without the HPAScaleToZero feature gate); minReplicas is 1',
    });
  const tracked: TargetTracking[] = [];
  for (const policy of policies) {
    const type = policy.value.PolicyType;
    const policyName = typeof policy.value.PolicyName === 'string' ? policy.value.PolicyName : '(unnamed)';
    if (type === 'TargetTrackingScaling') {
      const translated = targetTracking(policy, log);
      if (translated) tracked.push(translated);
    } else if (type === 'StepScaling') {
      log.warnings.push({
        file: policy.file,
        path: at(policy.path, 'PolicyType'),
        message: `step scaling policy '${policyName}' is not translated: ${STEP_INSTEAD}`,
      });
    } else {
      log.warnings.push({
        file: policy.file,
        path: at(policy.path, 'PolicyType'),
        message: `policy '${policyName}' of type ${JSON.stringify(type)} is not translated (only TargetTrackingScaling is)`,
      });
    }
  }
  if (tracked.length === 0) {
    log.warnings.push({
      file,
      path,
      message: `no target tracking policy on CPU or memory utilization for ${String(value.ResourceId)}: no HorizontalPodAutoscaler written (the service keeps its desiredCount)`,
    });
    return undefined;
  }
  const metrics = dedupeByResource(tracked, file, path, log);
  const windows = (pick: (t: TargetTracking) => number) => new Set(tracked.map(pick));
  if (windows((t) => t.scaleUpWindow).size > 1 || windows((t) => t.scaleDownWindow).size > 1) {
    log.warnings.push({
      file,
      path,
      message: 'the policies of this service have different cooldowns; an HPA has one window per direction, so each is the longest of them',
    });
  }
  const scaleInDisabled = tracked.filter((t) => t.disableScaleIn).length;
  if (scaleInDisabled > 0 && scaleInDisabled < tracked.length) {
    log.warnings.push({
      file,
      path,
      message: 'DisableScaleIn is set on some policies only; an HPA scales in for all its metrics or none, so it scales in when every metric allows it',
    });
  }
  const suspended = isObject(value.SuspendedState) ? value.SuspendedState : {};
  const longest = (pick: (t: TargetTracking) => number) => Math.max(...tracked.map(pick));
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name },
    spec: {
      scaleTargetRef: { apiVersion: ECS_API_VERSION, kind: 'Service', name },
      minReplicas: Math.max(minReplicas, 1),
      maxReplicas,
      metrics,
      behavior: {
        scaleUp: rules(
          longest((t) => t.scaleUpWindow),
          suspended.DynamicScalingOutSuspended === true,
        ),
        scaleDown: rules(
          longest((t) => t.scaleDownWindow),
          scaleInDisabled === tracked.length || suspended.DynamicScalingInSuspended === true,
        ),
      },
    },
  };
}

/** One metric per resource: two policies on the same metric leave the lower target (it scales out first, as ECS would). */
function dedupeByResource(tracked: TargetTracking[], file: string, path: string, log: AutoScalingTranslation): V2MetricSpec[] {
  const byResource = new Map<string, V2MetricSpec>();
  for (const { metric } of tracked) {
    const resource = metric.resource!.name;
    const other = byResource.get(resource);
    if (other) log.warnings.push({ file, path, message: `two policies track ${resource} utilization; the lower target is kept` });
    if (!other || metric.resource!.target.averageUtilization! < other.resource!.target.averageUtilization!) byResource.set(resource, metric);
  }
  return [...byResource.values()];
}

/** Whether `value` is for an ECS service's DesiredCount; otherwise a warning says it is skipped. */
function isEcsService({ value, file, path }: Located, what: string, warnings: AutoScalingIssue[]): boolean {
  const namespace = value.ServiceNamespace;
  if (
    (namespace !== undefined && namespace !== 'ecs') ||
    (value.ScalableDimension !== undefined && value.ScalableDimension !== ECS_DIMENSION) ||
    !parseServiceResourceId(value.ResourceId)
  ) {
    warnings.push({
      file,
      path: at(path, 'ResourceId'),
      message: `${what} for ${JSON.stringify(value.ResourceId)} (${JSON.stringify(namespace ?? null)}, ${JSON.stringify(value.ScalableDimension ?? null)}) is not an ECS service's ${ECS_DIMENSION}; skipped`,
    });
    return false;
  }
  return true;
}

/** The HorizontalPodAutoscalers of the scalable targets, one per ECS service, in input order. */
export function horizontalPodAutoscalers(input: AutoScalingInput): AutoScalingTranslation {
  const log: AutoScalingTranslation = { autoscalers: [], warnings: [], errors: [] };
  for (const action of input.scheduledActions) {
    const name = typeof action.value.ScheduledActionName === 'string' ? action.value.ScheduledActionName : '(unnamed)';
    log.warnings.push({ file: action.file, path: action.path, message: `scheduled action '${name}' is not translated: ${SCHEDULE_INSTEAD}` });
  }
  const targets = input.targets.filter((target) => isEcsService(target, 'scalable target', log.warnings));
  const policies = input.policies.filter((policy) => isEcsService(policy, 'scaling policy', log.warnings));
  const seen = new Map<string, string>();
  for (const target of targets) {
    const id = target.value.ResourceId as string;
    const earlier = seen.get(id);
    if (earlier !== undefined) {
      log.errors.push({ file: target.file, path: at(target.path, 'ResourceId'), message: `${id} has a scalable target already, at ${earlier}` });
      continue;
    }
    seen.set(id, `${target.file}${target.path ? ` ${target.path}` : ''}`);
    const hpa = autoscaler(
      target,
      policies.filter((policy) => policy.value.ResourceId === id),
      log,
    );
    if (hpa) log.autoscalers.push(hpa);
  }
  for (const policy of policies) {
    if (!seen.has(policy.value.ResourceId as string)) {
      log.errors.push({
        file: policy.file,
        path: at(policy.path, 'ResourceId'),
        message: `no scalable target for ${String(policy.value.ResourceId)} in the input, so no MinCapacity/MaxCapacity: give the output of describe-scalable-targets (or RegisterScalableTarget input) with -f`,
      });
    }
  }
  return log;
}
