// The CLI checks manifests against the CRDs in crds/ (each kind's openAPIV3Schema, with ajv) before it
// translates them, so that it refuses what the API server would refuse and reads the object the API server
// would store: the schema's defaults are filled in as the API server fills them in. The CEL rules
// (x-kubernetes-validations) are not evaluated here; translation checks what they state, and more.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type AnySchemaObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';
import { ECS_VERSION, type EcsKind } from '../api/index.js';
import type { Issue } from '../translate/issues.js';
import { schemaIssue } from '../translate/validate.js';

const CRD_FILE = 'ecs.operator.dev_taskdefinitions.yaml';

/** crds/ of this checkout or installation: the first one found walking up from this file. */
function crdDirectory(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const candidate = join(dir, 'crds');
    try {
      if (readdirSync(candidate).includes(CRD_FILE)) return candidate;
    } catch {
      // not here; look further up
    }
    if (dirname(dir) === dir) throw new Error('crds/ not found beside the ecs-operator installation');
  }
}

/** A DNS-1123 subdomain, as the API server requires of the names of custom resources. */
const RESOURCE_NAME = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$';

/**
 * A structural schema as ajv should read it: objects refuse fields they do not list (as the API server does
 * under kubectl's strict field validation) unless they preserve unknown fields; int-or-string is either.
 */
function strictSchema(schema: AnySchemaObject): AnySchemaObject {
  const copy: AnySchemaObject = { ...schema };
  if (copy['x-kubernetes-int-or-string'] === true && copy.type === undefined) copy.type = ['integer', 'string'];
  if (copy.properties) {
    copy.properties = Object.fromEntries(Object.entries(copy.properties as Record<string, AnySchemaObject>).map(([key, value]) => [key, strictSchema(value)]));
    if (copy.additionalProperties === undefined && copy['x-kubernetes-preserve-unknown-fields'] !== true) copy.additionalProperties = false;
  }
  if (typeof copy.additionalProperties === 'object') copy.additionalProperties = strictSchema(copy.additionalProperties as AnySchemaObject);
  if (copy.items) copy.items = strictSchema(copy.items as AnySchemaObject);
  return copy;
}

/** The root schema of a kind, with the name checks the API server makes on metadata. */
function rootSchema(openAPIV3Schema: AnySchemaObject): AnySchemaObject {
  const root = strictSchema(openAPIV3Schema);
  const properties = root.properties as Record<string, AnySchemaObject>;
  properties.metadata = {
    type: 'object',
    required: ['name'],
    properties: {
      name: { type: 'string', maxLength: 253, pattern: RESOURCE_NAME },
      namespace: { type: 'string', maxLength: 63, pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$' },
    },
  };
  return root;
}

interface CustomResourceDefinition {
  spec: { names: { kind: string }; versions: Array<{ name: string; schema?: { openAPIV3Schema?: AnySchemaObject } }> };
}

let validators: Map<string, ValidateFunction> | undefined;

function loadValidators(): Map<string, ValidateFunction> {
  const ajv = new Ajv({ strict: false, allErrors: true, useDefaults: true, allowUnionTypes: true });
  addFormats.default(ajv);
  const directory = crdDirectory();
  const loaded = new Map<string, ValidateFunction>();
  for (const file of readdirSync(directory)
    .filter((name) => name.endsWith('.yaml'))
    .sort()) {
    const crd = parse(readFileSync(join(directory, file), 'utf8')) as CustomResourceDefinition;
    const schema = crd.spec.versions.find((version) => version.name === ECS_VERSION)?.schema?.openAPIV3Schema;
    if (schema) loaded.set(crd.spec.names.kind, ajv.compile(rootSchema(schema)));
  }
  return loaded;
}

export interface CrdValidation<T> {
  /** The object as the API server would store it (defaults filled in); present when there are no errors. */
  object?: T;
  errors: Issue[];
}

function validatorOf(kind: EcsKind): ValidateFunction {
  validators ??= loadValidators();
  const validate = validators.get(kind);
  if (!validate) throw new Error(`no CustomResourceDefinition of kind ${kind} in crds/`);
  return validate;
}

/** `/spec/containerDefinitions/0` → `['spec', 'containerDefinitions', '0']`. */
function pointerSegments(pointer: string): string[] {
  return pointer
    .split('/')
    .slice(1)
    .map((segment) => segment.replaceAll('~1', '/').replaceAll('~0', '~'));
}

/**
 * `manifest` without the fields its CRD does not have (for imports: ECS fields the operator does not take),
 * and the paths of those removed. The input is not changed.
 */
export function withoutUnknownFields<T>(kind: EcsKind, manifest: T): { manifest: T; removed: string[] } {
  const validate = validatorOf(kind);
  const copy = structuredClone(manifest);
  validate(structuredClone(manifest));
  const unknown = (validate.errors ?? []).filter((error) => error.keyword === 'additionalProperties');
  for (const error of unknown) {
    const parent = pointerSegments(error.instancePath).reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], copy);
    Reflect.deleteProperty(parent as object, (error.params as { additionalProperty: string }).additionalProperty);
  }
  return { manifest: copy, removed: unknown.map((error) => schemaIssue('', error).path.replace(/^\./, '')) };
}

/** Checks `manifest` (of one of the ECS kinds) against its CRD; the input is not changed. */
export function validateAgainstCrd<T>(kind: EcsKind, manifest: unknown): CrdValidation<T> {
  const validate = validatorOf(kind);
  const object = structuredClone(manifest);
  if (validate(object)) return { object: object as T, errors: [] };
  const seen = new Set<string>();
  const errors: Issue[] = [];
  for (const error of validate.errors ?? []) {
    const issue = schemaIssue('', error);
    const path = issue.path.replace(/^\./, '');
    const message = error.keyword === 'additionalProperties' ? `unknown field (the ${kind} CRD has no such field)` : issue.message;
    const key = `${path}: ${message}`;
    if (!seen.has(key)) errors.push({ path, message });
    seen.add(key);
  }
  return { errors };
}
