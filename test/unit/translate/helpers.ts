// Builders for translation tests: a minimal valid spec, changed only where a test says so.
import type { V1Container, V1PodSpec } from '@kubernetes/client-node';
import type { ContainerDefinition, TaskDefinitionSpec } from '../../../operator/src/api/taskdefinition.js';
import { taskDefinitionToPodTemplate, type Translation, type TranslationInput } from '../../../operator/src/translate/index.js';

export function containerDefinition(fields: Partial<ContainerDefinition> = {}): ContainerDefinition {
  return { name: 'app', image: 'nginx:1.27', memory: 512, ...fields };
}

export function taskSpec(fields: Partial<TaskDefinitionSpec> = {}): TaskDefinitionSpec {
  return { family: 'web', containerDefinitions: [containerDefinition()], ...fields };
}

/** Translated where the operator's policy allows host access (test/unit/translate/host-access.test.ts covers it refused). */
export function translate(spec: TaskDefinitionSpec, input: Partial<TranslationInput> = {}): Translation {
  return taskDefinitionToPodTemplate({ spec, family: spec.family ?? 'web', revision: 1, ...input, cluster: { allowHostAccess: true, ...input.cluster } });
}

/** The pod spec of a translation that must have succeeded. */
export function podSpecOf(translation: Translation): V1PodSpec {
  if (!translation.template?.spec) throw new Error(`no template: ${JSON.stringify(translation.errors)}`);
  return translation.template.spec;
}

/** A translated container, main or init, by Kubernetes name. */
export function containerOf(translation: Translation, name = 'app'): V1Container {
  const spec = podSpecOf(translation);
  const found = [...(spec.initContainers ?? []), ...spec.containers].find((container) => container.name === name);
  if (!found) throw new Error(`no container ${name}`);
  return found;
}

/** The single container of a one-container spec made of these fields. */
export function translateContainer(
  fields: Partial<ContainerDefinition>,
  specFields: Partial<TaskDefinitionSpec> = {},
  input: Partial<TranslationInput> = {},
): { container: V1Container; translation: Translation } {
  const translation = translate(taskSpec({ containerDefinitions: [containerDefinition(fields)], ...specFields }), input);
  const [container] = podSpecOf(translation).containers;
  return { container: container!, translation };
}

export function paths(issues: ReadonlyArray<{ path: string }>): string[] {
  return issues.map(({ path }) => path);
}
