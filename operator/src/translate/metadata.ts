// Pod labels and annotations. The operator's own: managed-by, family, revision (labels), the
// `family:revision` reference and which containers are essential (annotations). The user's:
// dockerLabels (and task definition tags when they propagate to tasks) become labels where key and
// value are valid label syntax, annotations where only the key is, and otherwise one JSON annotation
// (ANNOTATIONS.dockerLabels / ANNOTATIONS.tags) with a warning: never dropped. A user key never
// replaces an operator key (the ecs.operator.dev/ prefix, managed-by, the controller's labels) or a
// value another container already set.
import type { V1ObjectMeta } from '@kubernetes/client-node';
import type { TaskDefinitionSpec } from '../api/taskdefinition.js';
import { ECS_GROUP } from '../api/meta.js';
import { isEssential } from './container-names.js';
import { stableStringify } from './hash.js';
import { containerPath, keyPath, SPEC_PATH, type IssueLog } from './issues.js';
import { ANNOTATIONS, LABELS, MANAGED_BY_VALUE } from './labels.js';
import { isLabelKey, isLabelValue, toLabelValue } from './names.js';

export interface MetadataInput {
  spec: TaskDefinitionSpec;
  family: string;
  revision: number;
  /** Kubernetes container names by index. */
  containerNames: readonly string[];
  /** The controller's labels. */
  labels: Readonly<Record<string, string>>;
  propagateTags: boolean;
  /** The task's own tags and the Service's it copies (propagateTags SERVICE), located at the Task's or Service's fields. */
  taskTags?: readonly TaskTag[];
  /** ECS managed tags (`aws:ecs:clusterName`, ...): never valid label keys, so kept in ANNOTATIONS.tags as they are. */
  managedTags?: Readonly<Record<string, string>>;
}

/** A tag of the task beyond its task definition's, with the field that sets it. */
export interface TaskTag {
  key: string;
  value: string;
  path: string;
}

type Metadata = Required<Pick<V1ObjectMeta, 'labels' | 'annotations'>>;

type UserEntry = TaskTag;

function refusal(entry: UserEntry, metadata: Metadata, reserved: (key: string) => boolean): string | undefined {
  if (reserved(entry.key)) return "the key is the operator's own";
  if (!isLabelKey(entry.key)) return 'the key is not valid label or annotation syntax';
  const placed = metadata.labels[entry.key] ?? metadata.annotations[entry.key];
  if (placed !== undefined && placed !== entry.value) return `another value (${JSON.stringify(placed)}) is already set for this key`;
  return undefined;
}

/** Places user entries as labels or annotations; returns those that fit neither, warned about. */
function placeUserEntries<Entry extends UserEntry>(
  entries: readonly Entry[],
  metadata: Metadata,
  reserved: (key: string) => boolean,
  keptIn: string,
  log: IssueLog,
): Entry[] {
  return entries.filter((entry) => {
    const reason = refusal(entry, metadata, reserved);
    if (reason) log.warn(entry.path, `not a pod label or annotation: ${reason}; kept in annotation ${keptIn}`);
    else if (isLabelValue(entry.value)) metadata.labels[entry.key] = entry.value;
    else metadata.annotations[entry.key] = entry.value;
    return reason !== undefined;
  });
}

function dockerLabelEntries(input: MetadataInput): Array<UserEntry & { container: string }> {
  return input.spec.containerDefinitions.flatMap((definition, index) =>
    Object.keys(definition.dockerLabels ?? {})
      .sort()
      .map((key) => ({
        key,
        value: definition.dockerLabels?.[key] ?? '',
        path: keyPath(`${containerPath(index)}.dockerLabels`, key),
        container: input.containerNames[index] ?? '',
      })),
  );
}

function tagEntries(spec: TaskDefinitionSpec): UserEntry[] {
  return (spec.tags ?? []).map(({ key, value }, index) => ({ key, value: value ?? '', path: `${SPEC_PATH}.tags[${index}]` }));
}

function operatorAnnotations(input: MetadataInput): Record<string, string> {
  const { spec, containerNames } = input;
  const essential = containerNames.filter((_name, index) => spec.containerDefinitions[index] && isEssential(spec.containerDefinitions[index]));
  const renamed = Object.fromEntries(
    containerNames.map((name, index) => [name, spec.containerDefinitions[index]?.name] as const).filter(([name, ecsName]) => name !== ecsName),
  );
  const logConfigurations = Object.fromEntries(
    containerNames.map((name, index) => [name, spec.containerDefinitions[index]?.logConfiguration] as const).filter(([, config]) => config),
  );
  return {
    [ANNOTATIONS.taskDefinition]: `${input.family}:${input.revision}`,
    [ANNOTATIONS.essentialContainers]: JSON.stringify(essential),
    ...(Object.keys(renamed).length > 0 ? { [ANNOTATIONS.containerNames]: stableStringify(renamed) } : {}),
    ...(spec.executionRoleArn ? { [ANNOTATIONS.executionRoleArn]: spec.executionRoleArn } : {}),
    ...(Object.keys(logConfigurations).length > 0 ? { [ANNOTATIONS.logConfiguration]: stableStringify(logConfigurations) } : {}),
  };
}

function warnLogConfigurations(spec: TaskDefinitionSpec, log: IssueLog): void {
  spec.containerDefinitions.forEach((definition, index) => {
    if (definition.logConfiguration) {
      log.warn(
        `${containerPath(index)}.logConfiguration`,
        `logs go to the node (kubectl logs), not to ${definition.logConfiguration.logDriver}; the configuration is kept in annotation ${ANNOTATIONS.logConfiguration} for a log agent`,
      );
    }
  });
}

export function podMetadata(input: MetadataInput, log: IssueLog): Metadata {
  const metadata: Metadata = {
    labels: {
      [LABELS.managedBy]: MANAGED_BY_VALUE,
      [LABELS.family]: toLabelValue(input.family),
      [LABELS.revision]: String(input.revision),
      ...input.labels,
    },
    annotations: operatorAnnotations(input),
  };
  warnLogConfigurations(input.spec, log);
  const reserved = (key: string) => key.startsWith(`${ECS_GROUP}/`) || key === LABELS.managedBy || key in input.labels;
  const dockerLeftovers = placeUserEntries(dockerLabelEntries(input), metadata, reserved, ANNOTATIONS.dockerLabels, log);
  if (dockerLeftovers.length > 0) {
    const byContainer: Record<string, Record<string, string>> = {};
    for (const { container, key, value } of dockerLeftovers) byContainer[container] = { ...byContainer[container], [key]: value };
    metadata.annotations[ANNOTATIONS.dockerLabels] = stableStringify(byContainer);
  }
  // The task's own tags first: a tag it sets itself is not replaced by a copied one.
  const tags = [...(input.taskTags ?? []), ...(input.propagateTags ? tagEntries(input.spec) : [])];
  const tagLeftovers = placeUserEntries(tags, metadata, reserved, ANNOTATIONS.tags, log);
  const keptTags = { ...input.managedTags, ...Object.fromEntries(tagLeftovers.map(({ key, value }) => [key, value])) };
  if (Object.keys(keptTags).length > 0) metadata.annotations[ANNOTATIONS.tags] = stableStringify(keptTags);
  return metadata;
}
