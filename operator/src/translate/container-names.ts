// ECS container names allow `_`, capitals and 255 characters; Kubernetes container names are DNS
// labels. Each container is named `toDnsLabel(ecsName)`; two that collide are an error.
import type { ContainerDefinition } from '../api/taskdefinition.js';
import { containerPath, type IssueLog } from './issues.js';
import { toDnsLabel } from './names.js';

/** Index of each container by its ECS name (the first, should a name repeat). */
export function containerIndexByName(definitions: readonly ContainerDefinition[]): Map<string, number> {
  const byName = new Map<string, number>();
  definitions.forEach((definition, index) => {
    if (!byName.has(definition.name)) byName.set(definition.name, index);
  });
  return byName;
}

/** ECS default: a container is essential unless it says otherwise. */
export function isEssential(definition: ContainerDefinition): boolean {
  return definition.essential !== false;
}

/** The Kubernetes name of every container, in order; collisions and unusable names are errors. */
export function kubernetesContainerNames(definitions: readonly ContainerDefinition[], log: IssueLog): string[] {
  const owners = new Map<string, number>();
  return definitions.map((definition, index) => {
    const name = toDnsLabel(definition.name);
    const owner = owners.get(name);
    const path = `${containerPath(index)}.name`;
    if (!name) log.error(path, `${JSON.stringify(definition.name)} has no character usable in a Kubernetes container name`);
    else if (owner !== undefined && definitions[owner]?.name !== definition.name) {
      log.error(path, `becomes the Kubernetes container name "${name}", as ${containerPath(owner)}.name does; rename one`);
    } else owners.set(name, index);
    return name;
  });
}
