// What the importers of ECS and EventBridge JSON share: the shape of an imported resource, and the rules by
// which ECS names and references become Kubernetes names and resource references.
import type { ScheduledTask, Service, Task, TaskDefinition } from '../api/index.js';
import { toDnsSubdomain } from '../translate/names.js';
import { parseTaskDefinitionReference } from '../translate/revisions.js';
import type { SourceDocument } from './documents.js';
import { fail, type Problem } from './io.js';

export type Json = Record<string, unknown>;

export interface ImportedResource {
  manifest: TaskDefinition | Service | Task | ScheduledTask;
  /** Where the resource's ECS object sits in the document (`taskDefinition`, `services[1]`, or empty). */
  sourcePath: string;
  /** Where a field of the manifest (`spec.target.count`) came from, when its ECS name differs (EventBridge). */
  sourceOf?: (path: string) => string;
  /** The revision ECS gave the task definition (describe-task-definition), when known. */
  revision?: number;
  warnings: Problem[];
}

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `value` without empty lists, at any depth: ECS prints `[]` for every list nobody set. */
export function withoutEmptyLists(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutEmptyLists);
  if (!isObject(value)) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, v]) => !(Array.isArray(v) && v.length === 0))
      .map(([k, v]) => [k, withoutEmptyLists(v)]),
  );
}

export function without(object: Json, keys: readonly string[]): Json {
  return Object.fromEntries(Object.entries(object).filter(([key]) => !keys.includes(key)));
}

export function resourceName(name: unknown, document: SourceDocument, path: string, what: string, hint?: string): string {
  if (typeof name !== 'string' || name === '') return fail({ file: document.file, path }, `is required: it names the ${what}${hint ? `; ${hint}` : ''}`);
  const sanitised = toDnsSubdomain(name);
  if (sanitised === '') return fail({ file: document.file, path }, `'${name}' leaves nothing for a Kubernetes name`);
  return sanitised;
}

/** `arn:aws:ecs:REGION:ACCOUNT:cluster/NAME` → `NAME`; a name stays. */
function clusterName(value: unknown): unknown {
  return typeof value === 'string' && value.includes('/') ? value.slice(value.lastIndexOf('/') + 1) : value;
}

/** The Cluster resource an ECS cluster name or ARN at `path` stands for, with a warning where the name had to change. */
export function clusterResource(cluster: unknown, document: SourceDocument, path: string, warnings: Problem[]): unknown {
  const raw = clusterName(cluster);
  if (typeof raw !== 'string' || toDnsSubdomain(raw) === raw) return raw;
  const resource = toDnsSubdomain(raw);
  warnings.push({ file: document.file, path, message: `ECS cluster '${raw}' is the Cluster resource '${resource}' (Kubernetes names are lower case)` });
  return resource;
}

/** A task definition ARN as `family:revision`; a family or `family:revision` stays. */
export function taskDefinitionReference(reference: unknown): unknown {
  const parsed = typeof reference === 'string' ? parseTaskDefinitionReference(reference) : undefined;
  return parsed?.revision === undefined ? reference : `${parsed.family}:${parsed.revision}`;
}
