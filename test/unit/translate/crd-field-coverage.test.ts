// Every field of the TaskDefinition CRD is either mapped (setting it changes what a task runs: the pod template or
// its ServiceAccount) or reported (a warning or an error names it). Nothing a user writes may be dropped without a
// word. For each leaf field of the schema, a task definition that sets it (with a value the CRD accepts, and the
// fields its object requires) is translated as a task of a Cluster, and compared with the same definition without
// it. The few fields that change nothing in a pod are listed with the reason. One value per field: this finds
// fields nobody reads, not mappings that are wrong (the translate tests check those).
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { parse } from 'yaml';
import type { Cluster } from '../../../operator/src/api/cluster.js';
import type { TaskDefinitionSpec } from '../../../operator/src/api/taskdefinition.js';
import { validateAgainstCrd } from '../../../operator/src/cli/crd-validation.js';
import { LABELS } from '../../../operator/src/translate/labels.js';
import { workloadTemplate } from '../../../operator/src/translate/workload.js';

interface Schema {
  type?: string;
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

const crd = parse(readFileSync(new URL('../../../crds/ecs.operator.dev_taskdefinitions.yaml', import.meta.url), 'utf8'));
const specSchema: Schema = crd.spec.versions[0].schema.openAPIV3Schema.properties.spec;

/** Values for fields whose pattern or meaning a generic value would not meet. */
const SAMPLES: Record<string, unknown> = {
  cpu: '256',
  memory: '1024',
  'runtimePlatform.operatingSystemFamily': 'WINDOWS_SERVER_2022_CORE',
  'containerDefinitions[0].portMappings[0].containerPortRange': '9000-9010',
  'containerDefinitions[0].linuxParameters.capabilities.add': ['NET_ADMIN'],
  'containerDefinitions[0].linuxParameters.capabilities.drop': ['CHOWN'],
  'containerDefinitions[0].healthCheck.command': ['CMD', 'true'],
  'volumes[0].dockerVolumeConfiguration.scope': 'shared',
  'volumes[0].name': 'data',
};

/**
 * What an object or list item on the way to a field holds besides it, so that the field is read in a working
 * task definition (a port mapping has its port, a mount its volume) rather than refused for its sibling.
 */
const CONTEXT: Record<string, Record<string, unknown>> = {
  'containerDefinitions[0].portMappings[0]': { containerPort: 8080 },
  'containerDefinitions[0].mountPoints[0]': { sourceVolume: 'data', containerPath: '/data' },
  'containerDefinitions[0].volumesFrom[0]': { sourceContainer: 'side' },
  'containerDefinitions[0].healthCheck': { command: ['CMD', 'true'] },
  'containerDefinitions[0].linuxParameters.devices[0]': { hostPath: '/dev/fuse' },
  'containerDefinitions[0].ulimits[0]': { name: 'nofile', softLimit: 1024, hardLimit: 2048 },
  'containerDefinitions[0].systemControls[0]': { namespace: 'net.ipv4.tcp_keepalive_time', value: '60' },
  'containerDefinitions[0].firelensConfiguration': { type: 'fluentbit' },
  'containerDefinitions[0].restartPolicy': { enabled: true },
  'volumes[0].efsVolumeConfiguration': { fileSystemId: 'fs-0123456789abcdef0' },
  'volumes[0].dockerVolumeConfiguration': { scope: 'shared' },
  proxyConfiguration: { type: 'APPMESH', containerName: 'app' },
};

/** Fields that ECS does not take beside the field under test, left out of its context. */
const EXCLUSIVE: Record<string, string> = {
  'containerDefinitions[0].portMappings[0].containerPortRange': 'containerPort',
};

/** Fields that change nothing in a pod, and say nothing, with why. Each is a decision; a new field must not land here unread. */
const NOT_IN_THE_POD: Record<string, string> = {
  requiresCompatibilities: 'selects checks only (FARGATE: sizes, awsvpc, no host paths, ...); EC2 and EXTERNAL tasks run as any pod',
  'containerDefinitions[0].portMappings[0].appProtocol':
    'ECS reads it for Service Connect only; a container port has no such field (the core Services of service discovery do not carry it yet)',
};

interface Leaf {
  /** `containerDefinitions[0].portMappings[0].name`. */
  path: string;
  /** The keys and indices to it. */
  keys: Array<string | number>;
  schema: Schema;
}

function leaves(schema: Schema, keys: Array<string | number> = []): Leaf[] {
  if (schema.properties) return Object.entries(schema.properties).flatMap(([key, child]) => leaves(child, [...keys, key]));
  if (schema.items && schema.items.properties) return leaves(schema.items, [...keys, 0]);
  const path = keys
    .map((key) => (typeof key === 'number' ? `[${key}]` : `.${key}`))
    .join('')
    .slice(1);
  return [{ path, keys, schema }];
}

function sample(schema: Schema, path: string): unknown {
  if (path in SAMPLES) return SAMPLES[path];
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
      return [sample(schema.items ?? {}, `${path}[0]`)];
    case 'object': {
      if (typeof schema.additionalProperties === 'object') return { key: sample(schema.additionalProperties, `${path}.key`) };
      return filled(schema, path);
    }
    default:
      return 'x';
  }
}

/** An object of `schema` with its required fields and its context. */
function filled(schema: Schema, path: string): Record<string, unknown> {
  const required = Object.fromEntries((schema.required ?? []).map((key) => [key, sample(schema.properties?.[key] ?? {}, path ? `${path}.${key}` : key)]));
  return { ...required, ...structuredClone(CONTEXT[path]) };
}

/** Two containers (for the fields that name another one) and a volume (for those that mount one). */
const BASE: TaskDefinitionSpec = {
  family: 'web',
  containerDefinitions: [
    { name: 'app', image: 'nginx:1.27', memory: 512 },
    { name: 'side', image: 'busybox:1.36', memory: 128, essential: false, mountPoints: [{ sourceVolume: 'data', containerPath: '/data' }] },
  ],
  volumes: [{ name: 'data' }],
};

/** The schema at `keys` under the spec. */
function schemaAt(keys: ReadonlyArray<string | number>): Schema {
  return keys.reduce<Schema>((schema, key) => (typeof key === 'number' ? (schema.items ?? {}) : (schema.properties?.[key] ?? {})), specSchema);
}

/**
 * The base spec with the objects on the way to `leaf` created (each with its required fields and context), with
 * and without the leaf itself. A required leaf goes with the object that holds it.
 */
function specsFor(leaf: Leaf): { without: TaskDefinitionSpec; with: TaskDefinitionSpec } {
  const withLeaf: any = structuredClone(BASE);
  let node = withLeaf;
  let parent = withLeaf;
  let path = '';
  for (const [depth, key] of leaf.keys.entries()) {
    const schema = schemaAt(leaf.keys.slice(0, depth + 1));
    path = typeof key === 'number' ? `${path}[${key}]` : path ? `${path}.${key}` : key;
    if (depth === leaf.keys.length - 1) node[key] = sample(schema, path);
    else node[key] ??= schema.type === 'array' ? [] : filled(schema, path);
    parent = node;
    node = node[key];
  }
  const exclusive = EXCLUSIVE[leaf.path];
  // eslint-disable-next-line @typescript-eslint/no-dynamic-delete -- the sample document is built from the schema's own keys
  if (exclusive) delete parent[exclusive];

  const without: any = structuredClone(withLeaf);
  const parentKeys = leaf.keys.slice(0, -1);
  const last = leaf.keys[leaf.keys.length - 1];
  const required = typeof last === 'string' && (schemaAt(parentKeys).required ?? []).includes(last) && parentKeys.length > 0;
  const removedKeys = required ? parentKeys : leaf.keys;
  const holder = removedKeys.slice(0, -1).reduce((n: any, key) => n[key], without);
  const removed = removedKeys[removedKeys.length - 1]!;
  if (Array.isArray(holder)) holder.splice(Number(removed), 1);
  // eslint-disable-next-line @typescript-eslint/no-dynamic-delete -- as above
  else delete holder[removed];
  return { without, with: withLeaf };
}

const CLUSTER: Cluster = { apiVersion: 'ecs.operator.dev/v1alpha1', kind: 'Cluster', metadata: { name: 'default' }, spec: { allowPrivileged: true } };

function outcome(spec: TaskDefinitionSpec) {
  const workload = workloadTemplate({
    cluster: CLUSTER,
    spec,
    family: spec.family ?? 'web',
    revision: 1,
    group: 'family:web',
    labels: {},
    selectorLabels: {},
    placementConstraints: [],
    placementStrategy: [],
    restartPolicy: 'Never',
    propagateTags: true,
    nodes: [],
    pods: [],
  });
  const template = structuredClone(workload.template);
  delete template?.metadata?.labels?.[LABELS.templateHash];
  const issues = [...(workload.error ? [workload.error] : []), ...workload.warnings].map(({ path }) => path.replace(/^web:1 /, ''));
  return { result: JSON.stringify({ template, serviceAccounts: workload.serviceAccounts }), issues };
}

/** Whether `path` is `outer` or a field in it. */
const within = (path: string, outer: string) => path === outer || path.startsWith(`${outer}.`) || path.startsWith(`${outer}[`);

/** Issues at these name a whole container or volume, not the field in it. */
const TOO_WIDE = /^spec(\.containerDefinitions\[\d+\]|\.volumes\[\d+\])?$/;

describe('every TaskDefinition CRD field is mapped or reported', () => {
  const all = leaves(specSchema);
  it('the schema has fields to walk', () => expect(all.length).to.be.greaterThan(100));

  it('each sample is a value the CRD accepts', () => {
    const refused = all.flatMap((leaf) => {
      const { errors } = validateAgainstCrd('TaskDefinition', {
        apiVersion: 'ecs.operator.dev/v1alpha1',
        kind: 'TaskDefinition',
        metadata: { name: 'web' },
        spec: specsFor(leaf).with,
      });
      return errors.map((error) => `${leaf.path}: ${error.path} ${error.message}`);
    });
    expect(refused).to.deep.equal([]);
  });

  it('each field changes the pod or is named by a warning or an error', () => {
    const silent = all
      .filter((leaf) => !(leaf.path in NOT_IN_THE_POD))
      .filter((leaf) => {
        const { without, with: withLeaf } = specsFor(leaf);
        const before = outcome(without);
        const after = outcome(withLeaf);
        const field = `spec.${leaf.path}`;
        const named = after.issues.some((path) => within(path, field) || (within(field, path) && !TOO_WIDE.test(path)));
        return !named && after.result === before.result;
      })
      .map((leaf) => leaf.path);
    expect(silent).to.deep.equal([]);
  });
});
