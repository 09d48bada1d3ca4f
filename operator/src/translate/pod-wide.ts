// Docker sets hostname, DNS and sysctls per container; Kubernetes once per pod. These helpers gather
// a per-container field into the pod's one value and warn where containers disagree.
import type { ContainerDefinition } from '../api/taskdefinition.js';
import { stableStringify } from './hash.js';
import { containerPath, type IssueLog } from './issues.js';

/** Warns at each container whose `field` differs from the first container that sets it. */
export function warnDiffering(
  definitions: readonly ContainerDefinition[],
  field: string,
  pick: (definition: ContainerDefinition) => unknown,
  consequence: string,
  log: IssueLog,
): void {
  let first: string | undefined;
  definitions.forEach((definition, index) => {
    const value = pick(definition);
    if (value === undefined) return;
    const text = stableStringify(value);
    if (first === undefined) first = text;
    else if (text !== first) log.warn(`${containerPath(index)}.${field}`, `differs from another container's, but Kubernetes has one per pod: ${consequence}`);
  });
}

/** Every value of a list field over all containers, first occurrence first, without repeats. */
export function unionOf(definitions: readonly ContainerDefinition[], pick: (definition: ContainerDefinition) => readonly string[] | undefined): string[] {
  return [...new Set(definitions.flatMap((definition) => pick(definition) ?? []))];
}
