// ECS environment, secrets and environmentFiles → container env and envFrom.
// - environment → env values, in order;
// - secrets → env from a Secret key, by the rule of secrets.ts;
// - environmentFiles (S3 objects) → envFrom ConfigMaps named toDnsSubdomain("BUCKET/KEY") of
//   `arn:aws:s3:::BUCKET/KEY` (a warning says which ConfigMap to create). Kubernetes lets env win over
//   envFrom, as ECS lets environment win over environment files.
import type { V1EnvFromSource, V1EnvVar } from '@kubernetes/client-node';
import type { ContainerDefinition } from '../api/taskdefinition.js';
import type { IssueLog } from './issues.js';
import { toDnsSubdomain } from './names.js';
import { secretReferenceFromArn } from './secrets.js';

const S3_OBJECT = /^arn:[^:]+:s3:::(.+\/.+)$/;

function secretEnv(definition: ContainerDefinition, path: string, log: IssueLog): V1EnvVar[] {
  return (definition.secrets ?? []).flatMap(({ name, valueFrom }, index) => {
    const reference = secretReferenceFromArn(valueFrom);
    const valuePath = `${path}.secrets[${index}].valueFrom`;
    if (typeof reference === 'string') {
      log.error(valuePath, reference);
      return [];
    }
    if (reference.ignored.length > 0) log.warn(valuePath, `${reference.ignored.join(' and ')} ignored: a Kubernetes Secret holds one version`);
    return [{ name, valueFrom: { secretKeyRef: { name: reference.name, key: reference.key } } }];
  });
}

function environmentFileSources(definition: ContainerDefinition, path: string, log: IssueLog): V1EnvFromSource[] {
  return (definition.environmentFiles ?? []).flatMap(({ value }, index) => {
    const filePath = `${path}.environmentFiles[${index}].value`;
    const object = S3_OBJECT.exec(value)?.[1];
    const name = object ? toDnsSubdomain(object.replaceAll('/', '-')) : '';
    if (!name) {
      log.error(filePath, `${JSON.stringify(value)} is not an S3 object ARN (arn:aws:s3:::bucket/key)`);
      return [];
    }
    log.warn(filePath, `variables are read from ConfigMap "${name}", which must exist (kubectl create configmap ${name} --from-env-file=FILE)`);
    return [{ configMapRef: { name } }];
  });
}

/** Kubernetes takes the last of repeated variables; environment comes before secrets. */
function warnRepeatedNames(definition: ContainerDefinition, path: string, log: IssueLog): void {
  const named = [
    ...(definition.environment ?? []).map(({ name }, index) => ({ name, path: `${path}.environment[${index}].name` })),
    ...(definition.secrets ?? []).map(({ name }, index) => ({ name, path: `${path}.secrets[${index}].name` })),
  ];
  const seen = new Set<string>();
  for (const variable of named) {
    if (seen.has(variable.name)) log.warn(variable.path, `variable ${variable.name} is set more than once; this later one wins`);
    seen.add(variable.name);
  }
}

export function containerEnvironment(definition: ContainerDefinition, path: string, log: IssueLog): { env?: V1EnvVar[]; envFrom?: V1EnvFromSource[] } {
  const plain = (definition.environment ?? []).map(({ name, value }) => ({ name, value }));
  const env = [...plain, ...secretEnv(definition, path, log)];
  warnRepeatedNames(definition, path, log);
  const envFrom = environmentFileSources(definition, path, log);
  return { ...(env.length > 0 ? { env } : {}), ...(envFrom.length > 0 ? { envFrom } : {}) };
}
