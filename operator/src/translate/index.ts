// Public face of the translation: pure functions from ECS task definitions to Kubernetes objects.
export { checkTaskDefinition, taskDefinitionToPodTemplate, type Scheduling, type Translation, type TranslationInput } from './template.js';
export { applyOverrides } from './overrides.js';
export { hashPodTemplate, stableStringify } from './hash.js';
export type { Issue } from './issues.js';
export type { ClusterSettings } from './settings.js';
export { secretReferenceFromArn, type SecretReference } from './secrets.js';
export { toDnsLabel, toDnsSubdomain, toLabelValue } from './names.js';
export {
  containerCpuMillicores,
  cpuQuantityToUnits,
  memoryQuantityToMiB,
  mibToQuantity,
  millicoresToQuantity,
  parseTaskCpu,
  parseTaskMemory,
  taskCpuMillicores,
} from './units.js';
export { ANNOTATIONS, LABELS, MANAGED_BY_VALUE } from './labels.js';
