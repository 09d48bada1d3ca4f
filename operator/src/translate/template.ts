// The entry point: an ECS task definition (with a task's overrides and the cluster's settings) → the
// pod template its tasks run from, plus the objects the pod needs (a ServiceAccount for the task role).
// Pure and deterministic: the same input gives the same template and template hash every time.
// With any error there is no template: the errors say what to fix, each at its field.
import type { V1PodSpec, V1PodTemplateSpec, V1ServiceAccount } from '@kubernetes/client-node';
import type { TaskDefinitionSpec, TaskOverride } from '../api/taskdefinition.js';
import type { TaskVolumeConfiguration } from '../api/task.js';
import { hashPodTemplate } from './hash.js';
import { hostAccessRefusals } from './host-access.js';
import { IssueLog, type Issue } from './issues.js';
import { LABELS } from './labels.js';
import { podMetadata, type TaskTag } from './metadata.js';
import { restrictedWhereAllowed } from './pod-security.js';
import { applyOverrides } from './overrides.js';
import { taskDefinitionToPodSpec } from './pod.js';
import type { ClusterSettings } from './settings.js';
import { validateTaskDefinition, validateTaskDefinitionShape, validateTaskOverrideShape } from './validate.js';

export interface TranslationInput {
  spec: TaskDefinitionSpec;
  family: string;
  revision: number;
  /** RunTask overrides, applied before translation. */
  overrides?: TaskOverride;
  /** The Task's or Service's volumeConfigurations: a per-task volume for each volume configured at launch. */
  volumeConfigurations?: readonly TaskVolumeConfiguration[];
  cluster?: ClusterSettings;
  /** The controller's labels (task, service, group, ...), added to the operator's. */
  labels?: Record<string, string>;
  /** Pod restartPolicy: `Never` (default) for a Task; `Always` for a Service's ReplicaSet. */
  restartPolicy?: 'Never' | 'Always';
  /** Put the task definition's tags on the pod (ECS propagateTags TASK_DEFINITION). */
  propagateTags?: boolean;
  /** The task's own tags and the Service's it copies; see MetadataInput. */
  taskTags?: readonly TaskTag[];
  /** ECS managed tags (enableECSManagedTags). */
  managedTags?: Readonly<Record<string, string>>;
  /**
   * What translate/placement compiled for this task (a PlacementResult fits). Merged into the pod
   * before hashing, so that a change of placement changes the template hash as well.
   */
  scheduling?: Scheduling;
}

export type Scheduling = Pick<V1PodSpec, 'affinity' | 'topologySpreadConstraints' | 'schedulerName' | 'tolerations'>;

export interface Translation {
  /** Present exactly when there are no errors. */
  template?: V1PodTemplateSpec;
  /** Objects the pod needs, for the controller to create beside it (namespace and owner are the controller's). */
  extraObjects: V1ServiceAccount[];
  warnings: Issue[];
  errors: Issue[];
}

function schedulingFields({ affinity, topologySpreadConstraints, schedulerName, tolerations }: Scheduling = {}): Scheduling {
  return {
    ...(affinity ? { affinity } : {}),
    ...(tolerations?.length ? { tolerations } : {}),
    ...(topologySpreadConstraints ? { topologySpreadConstraints } : {}),
    ...(schedulerName ? { schedulerName } : {}),
  };
}

/** The spec after overrides, or undefined when the spec or the overrides cannot be read. */
function effectiveSpec(input: TranslationInput, log: IssueLog): TaskDefinitionSpec | undefined {
  const specReadable = validateTaskDefinitionShape(input.spec, log);
  const overridesReadable = input.overrides === undefined || validateTaskOverrideShape(input.overrides, log);
  if (!specReadable || !overridesReadable) return undefined;
  if (input.overrides === undefined) return input.spec;
  const { spec, errors } = applyOverrides(input.spec, input.overrides);
  for (const { path, message } of errors) log.error(path, message);
  return spec;
}

export function taskDefinitionToPodTemplate(input: TranslationInput): Translation {
  const log = new IssueLog();
  const spec = effectiveSpec(input, log);
  if (!spec) return { extraObjects: [], warnings: log.warnings, errors: log.errors };
  validateTaskDefinition(spec, log);
  const cluster = input.cluster ?? {};
  for (const { path, message } of hostAccessRefusals(spec, cluster.allowHostAccess === true, cluster.namespace)) log.error(path, message);
  const launchVolumes = input.volumeConfigurations
    ? { launchVolumes: { configurations: input.volumeConfigurations, ...(cluster.managedEBSVolumes ? { storage: cluster.managedEBSVolumes } : {}) } }
    : {};
  const { podSpec, containerNames, serviceAccount } = taskDefinitionToPodSpec(
    spec,
    { cluster, restartPolicy: input.restartPolicy ?? 'Never', ...launchVolumes },
    log,
  );
  const metadata = podMetadata(
    {
      spec,
      family: input.family,
      revision: input.revision,
      containerNames,
      labels: input.labels ?? {},
      propagateTags: input.propagateTags === true,
      ...(input.taskTags ? { taskTags: input.taskTags } : {}),
      ...(input.managedTags ? { managedTags: input.managedTags } : {}),
    },
    log,
  );
  if (log.errors.length > 0) return { extraObjects: [], warnings: log.warnings, errors: log.errors };
  // A JSON copy shares no objects between fields (so YAML output has no anchors) and holds no undefined.
  const template = JSON.parse(
    JSON.stringify({ metadata, spec: { ...restrictedWhereAllowed(podSpec), ...schedulingFields(input.scheduling) } }),
  ) as V1PodTemplateSpec;
  template.metadata!.labels![LABELS.templateHash] = hashPodTemplate(template);
  return { template, extraObjects: serviceAccount ? [serviceAccount] : [], warnings: log.warnings, errors: [] };
}

/** Settings under which only the task definition itself can be wrong, not the cluster's choices. */
const PERMISSIVE_CLUSTER: ClusterSettings = { allowHostAccess: true, allowPrivileged: true, allowedUnsafeSysctls: ['*'], containerRestartRules: true };

/**
 * Everything wrong with any value offered as a task definition spec, whatever cluster runs it:
 * shape, ECS rules and what Kubernetes cannot express. What the operator's policy and a Cluster's settings
 * forbid (host access, privileged containers, unsafe sysctls) is reported when a task is translated for that cluster.
 */
export function checkTaskDefinition(spec: unknown): { errors: Issue[]; warnings: Issue[] } {
  const { errors, warnings } = taskDefinitionToPodTemplate({ spec: spec as TaskDefinitionSpec, family: 'check', revision: 1, cluster: PERMISSIVE_CLUSTER });
  return { errors, warnings };
}
