// Walks every leaf field of a CRD's spec schema and builds, for each, a spec that sets it (with a value the CRD
// accepts, and the objects on its way filled with their required fields and a context) and the same spec
// without it. The field-coverage tests translate both and ask whether the field changed what is produced or was
// named by a warning or an error; scripts/docs-fields.ts writes the field table of docs/translation.md from the
// same walk. One value per field: this finds fields nobody reads, not mappings that are wrong.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

export interface Schema {
  type?: string;
  description?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
  additionalProperties?: Schema | boolean;
  required?: string[];
  enum?: unknown[];
  default?: unknown;
  minimum?: number;
  maximum?: number;
  pattern?: string;
  'x-kubernetes-int-or-string'?: boolean;
}

export interface Leaf {
  /** `containerDefinitions[0].portMappings[0].name`. */
  path: string;
  /** The keys and indices to it. */
  keys: Array<string | number>;
  schema: Schema;
}

/** How to build samples for one CRD. */
export interface WalkSetup<Spec> {
  specSchema: Schema;
  /** Values for fields whose pattern or meaning a generic value would not meet. */
  samples: Record<string, unknown>;
  /** What an object or list item on the way to a field holds besides it, so that the field is read rather than refused for its sibling. */
  context: Record<string, Record<string, unknown>>;
  /**
   * Fields left out of the context of the field under test: ECS does not take them beside it, or they would hide
   * its effect (a provider's weight beside its base).
   */
  exclusive?: Record<string, string>;
  /**
   * Spec fields set, in both samples, beside the fields at or under a path, without which they are not read (a
   * Service's tags reach its tasks with propagateTags SERVICE; a Cluster's capacity providers serve a strategy).
   */
  alongside?: Record<string, Partial<Spec>>;
  /**
   * Items a list holds, in both samples, after the item under test (a second capacity provider, so that where the
   * split of one task goes shows a provider's weight or base).
   */
  following?: Record<string, unknown[]>;
  /** The spec every sample starts from. */
  base: Spec;
}

/** The spec schema of `crds/ecs.operator.dev_PLURAL.yaml`. */
export function specSchemaOf(plural: string): Schema {
  const crd = parse(readFileSync(new URL(`../../crds/ecs.operator.dev_${plural}.yaml`, import.meta.url), 'utf8'));
  return crd.spec.versions[0].schema.openAPIV3Schema.properties.spec;
}

export function leaves(schema: Schema, keys: Array<string | number> = []): Leaf[] {
  if (schema.properties) return Object.entries(schema.properties).flatMap(([key, child]) => leaves(child, [...keys, key]));
  if (schema.items && schema.items.properties) return leaves(schema.items, [...keys, 0]);
  return [{ path: pathOf(keys), keys, schema }];
}

const pathOf = (keys: ReadonlyArray<string | number>) =>
  keys
    .map((key) => (typeof key === 'number' ? `[${key}]` : `.${key}`))
    .join('')
    .slice(1);

/** The field as the docs and allowlists name it: list indices as `[]`. */
export const fieldName = (leaf: Leaf) => leaf.path.replace(/\[0\]/g, '[]');

export class Walk<Spec> {
  constructor(private readonly setup: WalkSetup<Spec>) {}

  get leaves(): Leaf[] {
    return leaves(this.setup.specSchema);
  }

  sample(schema: Schema, path: string): unknown {
    if (path in this.setup.samples) return structuredClone(this.setup.samples[path]);
    if (schema.enum) return schema.enum.find((value) => value !== schema.default) ?? schema.enum[0];
    if (schema['x-kubernetes-int-or-string']) return 1;
    switch (schema.type) {
      case 'boolean':
        return schema.default !== true;
      case 'integer':
      case 'number': {
        const low = schema.minimum ?? 1;
        const value = schema.default === undefined ? Math.max(low, 1) : Number(schema.default) + 1;
        return schema.maximum === undefined ? value : Math.min(value, schema.maximum);
      }
      case 'string':
        return 'x';
      case 'array':
        return [this.sample(schema.items ?? {}, `${path}[0]`)];
      case 'object': {
        if (typeof schema.additionalProperties === 'object') return { key: this.sample(schema.additionalProperties, `${path}.key`) };
        return this.filled(schema, path);
      }
      default:
        return 'x';
    }
  }

  /** An object of `schema` with its required fields and its context. */
  filled(schema: Schema, path: string): Record<string, unknown> {
    const required = Object.fromEntries(
      (schema.required ?? []).map((key) => [key, this.sample(schema.properties?.[key] ?? {}, path ? `${path}.${key}` : key)]),
    );
    return { ...required, ...structuredClone(this.setup.context[path]) };
  }

  /** The schema at `keys` under the spec. */
  schemaAt(keys: ReadonlyArray<string | number>): Schema {
    return keys.reduce<Schema>((schema, key) => (typeof key === 'number' ? (schema.items ?? {}) : (schema.properties?.[key] ?? {})), this.setup.specSchema);
  }

  /**
   * The base spec with the objects on the way to `leaf` created (each with its required fields and context), with
   * and without the leaf itself (`value`, or its sample). A required leaf goes with the object that holds it.
   */
  specsFor(leaf: Leaf, value?: unknown): { without: Spec; with: Spec } {
    const alongside = Object.entries(this.setup.alongside ?? {}).filter(([outer]) => within(leaf.path, outer));
    const withLeaf: any = structuredClone({ ...this.setup.base, ...Object.assign({}, ...alongside.map(([, fields]) => fields)) });
    let node = withLeaf;
    let parent = withLeaf;
    let path = '';
    const lists: Array<{ list: unknown[]; path: string }> = [];
    for (const [depth, key] of leaf.keys.entries()) {
      const schema = this.schemaAt(leaf.keys.slice(0, depth + 1));
      path = typeof key === 'number' ? `${path}[${key}]` : path ? `${path}.${key}` : key;
      if (depth === leaf.keys.length - 1) node[key] = value === undefined ? this.sample(schema, path) : value;
      else if (node[key] === undefined && schema.type === 'array') lists.push({ list: (node[key] = []), path });
      else node[key] ??= this.filled(schema, path);
      parent = node;
      node = node[key];
    }
    for (const { list, path: listPath } of lists) list.push(...structuredClone(this.setup.following?.[listPath] ?? []));
    const exclusive = this.setup.exclusive?.[leaf.path];
    // eslint-disable-next-line @typescript-eslint/no-dynamic-delete -- the sample document is built from the schema's own keys
    if (exclusive) delete parent[exclusive];

    const without: any = structuredClone(withLeaf);
    const parentKeys = leaf.keys.slice(0, -1);
    const last = leaf.keys[leaf.keys.length - 1];
    const required = typeof last === 'string' && (this.schemaAt(parentKeys).required ?? []).includes(last) && parentKeys.length > 0;
    const removedKeys = required ? parentKeys : leaf.keys;
    const holder = removedKeys.slice(0, -1).reduce((n: any, key) => n[key], without);
    const removed = removedKeys[removedKeys.length - 1]!;
    if (Array.isArray(holder)) holder.splice(Number(removed), 1);
    // eslint-disable-next-line @typescript-eslint/no-dynamic-delete -- as above
    else delete holder[removed];
    return { without, with: withLeaf };
  }
}

/** Whether `path` is `outer` or a field in it. */
export const within = (path: string, outer: string) => path === outer || path.startsWith(`${outer}.`) || path.startsWith(`${outer}[`);
