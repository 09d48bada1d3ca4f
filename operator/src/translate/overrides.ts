// RunTask overrides, applied to the spec before translation, as ECS applies them before the task starts:
// per container, command, environmentFiles, cpu, memory and memoryReservation replace; environment merges
// by name (an override wins, new names come last); resourceRequirements replace by type. Task cpu,
// memory, taskRoleArn, executionRoleArn and ephemeralStorage replace. The input is never changed.
import type { KeyValuePair } from '../api/meta.js';
import type { ContainerDefinition, ContainerOverride, ResourceRequirement, TaskDefinitionSpec, TaskOverride } from '../api/taskdefinition.js';
import type { Issue } from './issues.js';

function mergeByKey<Item>(base: readonly Item[] | undefined, changes: readonly Item[] | undefined, key: (item: Item) => string): Item[] | undefined {
  if (!changes) return base ? [...base] : undefined;
  const merged = new Map((base ?? []).map((item) => [key(item), item]));
  for (const change of changes) merged.set(key(change), change);
  return [...merged.values()];
}

function overrideContainer(definition: ContainerDefinition, override: ContainerOverride): ContainerDefinition {
  const { name: _name, environment, resourceRequirements, ...replacements } = override;
  const defined = Object.fromEntries(Object.entries<unknown>(replacements).filter(([, value]) => value !== undefined));
  const merged: ContainerDefinition = { ...definition, ...defined };
  const mergedEnvironment = mergeByKey<KeyValuePair>(definition.environment, environment, ({ name }) => name);
  const mergedRequirements = mergeByKey<ResourceRequirement>(definition.resourceRequirements, resourceRequirements, ({ type }) => type);
  return {
    ...merged,
    ...(mergedEnvironment ? { environment: mergedEnvironment } : {}),
    ...(mergedRequirements ? { resourceRequirements: mergedRequirements } : {}),
  };
}

/** The spec a task with these overrides runs; unknown and repeated container names are errors at `overrides.containerOverrides[i].name`. */
export function applyOverrides(spec: TaskDefinitionSpec, overrides: TaskOverride): { spec: TaskDefinitionSpec; errors: Issue[] } {
  const errors: Issue[] = [];
  const byName = new Map<string, ContainerOverride>();
  (overrides.containerOverrides ?? []).forEach((override, index) => {
    const path = `overrides.containerOverrides[${index}].name`;
    if (!spec.containerDefinitions.some(({ name }) => name === override.name))
      errors.push({ path, message: `no container named ${JSON.stringify(override.name)} in the task definition` });
    else if (byName.has(override.name)) errors.push({ path, message: `container ${JSON.stringify(override.name)} is overridden twice` });
    else byName.set(override.name, override);
  });
  const { containerOverrides: _containers, ...taskReplacements } = overrides;
  const task = Object.fromEntries(Object.entries<unknown>(taskReplacements).filter(([, value]) => value !== undefined));
  const containerDefinitions = spec.containerDefinitions.map((definition) => {
    const override = byName.get(definition.name);
    return override ? overrideContainer(definition, override) : definition;
  });
  return { spec: { ...spec, ...task, containerDefinitions }, errors };
}
