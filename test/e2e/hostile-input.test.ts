// Issue 11: hostile input. A fast-check generator makes 1000 TaskDefinitions and Tasks a tenant could write:
// missing and wrong-typed fields, huge and deeply nested values, unicode and injection in names, references to
// another namespace's TaskDefinition, Secret and Cluster, dependsOn cycles, catastrophic regular expressions in
// placement, 1 MiB strings. Every one is created for real against the API server (with the operator watching the
// namespace): each is refused by the API server naming the field, or the operator reports it Valid=False naming
// the field (or it is legitimately valid). The operator keeps running, creates nothing for what it refused, and a
// canary Task launches within seconds afterwards.
import { expect } from 'chai';
import fc from 'fast-check';
import { ECS_API_VERSION, type Condition } from '../../operator/src/api/meta.js';
import { writeHostileResults } from '../chaos/report.js';
import { startOperator, type RunningOperator } from './harness.js';
import { clients, installCrds, throwawayNamespace, waitFor } from './helpers.js';

const { core, apps, custom } = clients();
const group = 'ecs.operator.dev';
const version = 'v1alpha1';
const CASES = 1000;
const MIB = 1024 * 1024;

interface HostileCase {
  what: string;
  plural: 'taskdefinitions' | 'tasks';
  /** The generated part of the name; the case's index makes it unique. */
  name?: string;
  spec: unknown;
}

interface EcsObject {
  metadata: { name: string; uid: string; generation?: number };
  status?: { conditions?: Condition[]; observedGeneration?: number };
}

const CONTAINER = { name: 'app', image: 'busybox', memory: 64 };
const INJECTIONS = [
  "'; DROP TABLE tasks; --",
  '$(rm -rf /)',
  '`id`',
  '../../etc/passwd',
  'a\nb',
  '{{ .Values }}',
  '${HOME}',
  '<script>',
  '\u0000',
  'ﬁ',
  '𝔘𝔫𝔦',
  '名前',
  'Ω≈ç√',
  '\u202Eevil',
  ' ',
  '',
];
const CATASTROPHIC = ['(a+)+$', '(a|aa)+$', '(.*a){25}', '^(\\w+\\s?)*$', '([a-z]+)*[0-9]', '(x+x+)+y', '[', '(?<=a)b', 'a{1,100000}{1,100000}'];

const anyValue = fc.oneof(
  fc.constant(null),
  fc.string({ maxLength: 20 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.object({ maxDepth: 2 }),
);
const hostileText = fc.oneof(fc.constantFrom(...INJECTIONS), fc.string({ unit: 'grapheme', maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 40 }));
/** Field paths of a minimal task definition that a wrong value or a deletion breaks. */
const PATHS: ReadonlyArray<ReadonlyArray<string | number>> = [
  ['containerDefinitions'],
  ['containerDefinitions', 0],
  ['containerDefinitions', 0, 'name'],
  ['containerDefinitions', 0, 'image'],
  ['containerDefinitions', 0, 'memory'],
  ['containerDefinitions', 0, 'cpu'],
  ['containerDefinitions', 0, 'portMappings'],
  ['containerDefinitions', 0, 'environment'],
  ['containerDefinitions', 0, 'healthCheck'],
  ['containerDefinitions', 0, 'dependsOn'],
  ['containerDefinitions', 0, 'essential'],
  ['containerDefinitions', 0, 'linuxParameters'],
  ['cpu'],
  ['memory'],
  ['networkMode'],
  ['volumes'],
  ['placementConstraints'],
  ['family'],
  ['requiresCompatibilities'],
  ['taskRoleArn'],
];

function withValueAt(path: ReadonlyArray<string | number>, value: unknown, remove: boolean): unknown {
  const spec = { containerDefinitions: [{ ...CONTAINER }] } as Record<string | number, unknown>;
  let at = spec;
  path.slice(0, -1).forEach((key) => (at = at[key] as Record<string | number, unknown>));
  const last = path[path.length - 1]!;
  at[last] = remove ? undefined : value;
  // As JSON: an undefined field is left out (missing), an undefined list entry becomes null.
  return JSON.parse(JSON.stringify(spec)) as unknown;
}

function nested(depth: number): unknown {
  let value: unknown = 'bottom';
  for (let i = 0; i < depth; i++) value = i % 2 === 0 ? { deeper: value } : [value];
  return value;
}

/** Containers 0..n-1 whose dependsOn closes a cycle through all of them (plus random extra edges). */
const cycle = fc.tuple(fc.integer({ min: 1, max: 6 }), fc.array(fc.nat(), { maxLength: 6 })).map(([n, extra]) => ({
  containerDefinitions: Array.from({ length: n }, (_, i) => ({
    ...CONTAINER,
    name: `c${i}`,
    dependsOn: [
      { containerName: `c${(i + 1) % n}`, condition: 'START' },
      ...extra.filter((e) => e % n !== i).map((e) => ({ containerName: `c${e % n}`, condition: 'HEALTHY' })),
    ],
  })),
}));

function hostileCases(other: string): fc.Arbitrary<HostileCase> {
  const definition = (what: string, spec: fc.Arbitrary<unknown>) => spec.map((s): HostileCase => ({ what, plural: 'taskdefinitions', spec: s }));
  const task = (what: string, spec: fc.Arbitrary<unknown>) => spec.map((s): HostileCase => ({ what, plural: 'tasks', spec: s }));
  return fc.oneof(
    {
      weight: 6,
      arbitrary: definition(
        'wrong-typed field',
        fc.tuple(fc.constantFrom(...PATHS), anyValue).map(([path, value]) => withValueAt(path, value, false)),
      ),
    },
    {
      weight: 2,
      arbitrary: definition(
        'missing field',
        fc.constantFrom(...PATHS).map((path) => withValueAt(path, undefined, true)),
      ),
    },
    { weight: 1, arbitrary: definition('wrong-typed spec', anyValue) },
    {
      weight: 2,
      arbitrary: definition(
        'deeply nested value',
        fc
          .tuple(fc.integer({ min: 20, max: 2000 }), fc.constantFrom('dockerLabels', 'environment', 'command', 'logConfiguration'))
          .map(([depth, field]) => ({ containerDefinitions: [{ ...CONTAINER, [field]: nested(depth) }] })),
      ),
    },
    {
      weight: 2,
      arbitrary: definition(
        'huge list',
        fc
          .integer({ min: 1000, max: 20000 })
          .map((n) => ({ containerDefinitions: [{ ...CONTAINER, environment: Array.from({ length: n }, (_, i) => ({ name: `V${i}`, value: 'x' })) }] })),
      ),
    },
    {
      weight: 1,
      arbitrary: definition(
        '1 MiB string',
        fc
          .constantFrom('image', 'command', 'hostname', 'name')
          .map((field) => ({ containerDefinitions: [{ ...CONTAINER, [field]: field === 'command' ? ['x'.repeat(MIB)] : 'x'.repeat(MIB) }] })),
      ),
    },
    {
      weight: 3,
      arbitrary: fc.tuple(hostileText, fc.constantFrom('name', 'family', 'container', 'image', 'environment')).map(([text, where]): HostileCase => ({
        what: `unicode or injection in ${where}`,
        plural: 'taskdefinitions',
        ...(where === 'name' ? { name: text } : {}),
        spec: {
          ...(where === 'family' ? { family: text } : {}),
          containerDefinitions: [
            {
              ...CONTAINER,
              ...(where === 'container' ? { name: text } : {}),
              ...(where === 'image' ? { image: text } : {}),
              ...(where === 'environment' ? { environment: [{ name: text, value: text }] } : {}),
            },
          ],
        },
      })),
    },
    { weight: 3, arbitrary: definition('dependsOn cycle', cycle) },
    {
      weight: 2,
      arbitrary: definition(
        "another namespace's Secret",
        fc
          .constantFrom(
            `arn:aws:secretsmanager:us-east-1:123456789012:secret:${other}/db`,
            `${other}/db`,
            `arn:aws:ssm:us-east-1:123456789012:parameter/${other}/db`,
            `../${other}/db`,
            'arn:aws:secretsmanager:::secret:',
          )
          .map((valueFrom) => ({ containerDefinitions: [{ ...CONTAINER, secrets: [{ name: 'DB', valueFrom }] }] })),
      ),
    },
    {
      weight: 2,
      arbitrary: task(
        "another namespace's TaskDefinition or Cluster",
        fc.constantFrom(
          { taskDefinition: `arn:aws:ecs:us-east-1:123456789012:task-definition/${other}-shared:1` },
          { taskDefinition: `${other}/shared` },
          { taskDefinition: 'shared:1' },
          { taskDefinition: 'canary-base', cluster: `arn:aws:ecs:us-east-1:123456789012:cluster/${other}/theirs` },
          { taskDefinition: 'canary-base', cluster: 'theirs' },
        ),
      ),
    },
    {
      weight: 2,
      arbitrary: task(
        'catastrophic regular expression',
        fc
          .tuple(fc.constantFrom(...CATASTROPHIC), fc.constantFrom('attribute:ecs.instance-type', 'attribute:ecs.availability-zone', 'task:group'))
          .map(([pattern, attribute]) => ({
            taskDefinition: 'canary-base',
            placementConstraints: [{ type: 'memberOf', expression: `${attribute} =~ ${pattern}` }],
          })),
      ),
    },
    {
      weight: 2,
      arbitrary: task(
        'wrong-typed Task field',
        fc
          .tuple(fc.constantFrom('taskDefinition', 'overrides', 'placementConstraints', 'cluster', 'count', 'group'), anyValue)
          .map(([field, value]) => ({ taskDefinition: 'canary-base', [field]: value })),
      ),
    },
  );
}

/** Whether a refusal or a Valid=False message names a field (`spec.x`, `web:1 spec.x[0]`, `metadata.name`). */
const NAMES_A_FIELD = /(^|[\s"'(])(spec|metadata)(\.|\[|:|\b)/;

describe('hostile input: 1000 generated TaskDefinitions and Tasks (issue 11)', function () {
  this.timeout(300_000);
  let namespace: string;
  let other: string;
  const removals: Array<() => Promise<void>> = [];
  let operator: RunningOperator | undefined;

  before(async () => {
    await installCrds();
    const mine = await throwawayNamespace(core, 'hostile');
    const theirs = await throwawayNamespace(core, 'hostile-other');
    removals.push(mine.remove, theirs.remove);
    namespace = mine.name;
    other = theirs.name;
    // What another tenant has: a TaskDefinition, a Secret and a Cluster that nothing here may use.
    const body = (kind: string, name: string, spec: object) => ({ apiVersion: ECS_API_VERSION, kind, metadata: { name }, spec });
    await custom.createNamespacedCustomObject({
      group,
      version,
      namespace: other,
      plural: 'taskdefinitions',
      body: body('TaskDefinition', 'shared', { containerDefinitions: [CONTAINER] }),
    });
    await custom.createNamespacedCustomObject({ group, version, namespace: other, plural: 'clusters', body: body('Cluster', 'theirs', {}) });
    await core.createNamespacedSecret({ namespace: other, body: { metadata: { name: 'db' }, stringData: { password: 'theirs' } } });
    await custom.createNamespacedCustomObject({
      group,
      version,
      namespace,
      plural: 'taskdefinitions',
      body: body('TaskDefinition', 'canary-base', { containerDefinitions: [CONTAINER] }),
    });
    operator = await startOperator(namespace);
  });
  after(async () => {
    await operator?.finish();
    for (const remove of removals) await remove();
  });

  it('refuses each at the API server or as Valid=False naming the field, creates nothing for them, and stays responsive', async () => {
    const cases = fc.sample(hostileCases(other), { numRuns: CASES, seed: 11 });
    const refused: Array<{ what: string; message: string }> = [];
    const accepted = new Map<string, HostileCase>();
    const create = async (hostile: HostileCase, index: number): Promise<void> => {
      const name = hostile.name === undefined ? `h${index}` : `h${index}-${hostile.name}`;
      const kind = hostile.plural === 'tasks' ? 'Task' : 'TaskDefinition';
      try {
        await custom.createNamespacedCustomObject({
          group,
          version,
          namespace,
          plural: hostile.plural,
          body: { apiVersion: ECS_API_VERSION, kind, metadata: { name }, spec: hostile.spec },
        });
        accepted.set(`${hostile.plural}/${name}`, hostile);
      } catch (error) {
        const { code, body } = error as { code?: number; body?: string };
        expect(code, `${hostile.what}: ${String(error)}`).to.be.oneOf([400, 413, 422]);
        const message = typeof body === 'string' ? body : String(error);
        refused.push({ what: hostile.what, message });
      }
    };
    // Created in batches, waited on once.
    for (let start = 0; start < cases.length; start += 20) {
      await Promise.all(cases.slice(start, start + 20).map((hostile, offset) => create(hostile, start + offset)));
    }
    const unnamed = refused.filter(({ message }) => !NAMES_A_FIELD.test(message) && !/too large|exceeds/i.test(message));
    expect(unnamed.slice(0, 3), 'API server refusals that name no field').to.deep.equal([]);

    // Every accepted object gets a Valid condition for its generation; Valid=False must name the field.
    const verdicts = await waitFor(
      'a Valid condition on every accepted object',
      async () => {
        const listed = await Promise.all(
          (['taskdefinitions', 'tasks'] as const).map(async (plural) =>
            ((await custom.listNamespacedCustomObject({ group, version, namespace, plural })) as { items: EcsObject[] }).items.map(
              (o) => [`${plural}/${o.metadata.name}`, o] as const,
            ),
          ),
        );
        const byKey = new Map<string, EcsObject>(listed.flat());
        const found = [...accepted.keys()].flatMap((key) => {
          const object = byKey.get(key);
          const valid = object?.status?.conditions?.find((c) => c.type === 'Valid');
          return object && valid && (object.status?.observedGeneration ?? 0) >= (object.metadata.generation ?? 0)
            ? [{ key, uid: object.metadata.uid, valid }]
            : [];
        });
        return found.length === accepted.size ? found : undefined;
      },
      { timeoutMs: 180_000 },
    );
    const invalid = verdicts.filter((v) => v.valid.status === 'False');
    const unnamedInvalid = invalid.filter((v) => !NAMES_A_FIELD.test(v.valid.message));
    expect(
      unnamedInvalid.slice(0, 3).map((v) => [v.key, accepted.get(v.key)?.what, v.valid.message]),
      'Valid=False without a field',
    ).to.deep.equal([]);

    // Nothing was made for what was refused: no pod, ReplicaSet or ControllerRevision is owned by an invalid object.
    const invalidUids = new Set(invalid.map((v) => v.uid));
    const [pods, replicaSets, revisions] = await Promise.all([
      core.listNamespacedPod({ namespace }),
      apps.listNamespacedReplicaSet({ namespace }),
      apps.listNamespacedControllerRevision({ namespace }),
    ]);
    const ownedByInvalid = [...pods.items, ...replicaSets.items, ...revisions.items]
      .filter((o) => o.metadata?.ownerReferences?.some((r) => invalidUids.has(r.uid)))
      .map((o) => o.metadata?.name);
    expect(ownedByInvalid).to.deep.equal([]);
    // No Task ran another tenant's TaskDefinition or joined its Cluster. (Its Secrets are out of reach by
    // construction: a pod's secretKeyRef names a Secret of the pod's own namespace.)
    const crossNamespace = verdicts.filter((v) => accepted.get(v.key)?.what === "another namespace's TaskDefinition or Cluster");
    expect(crossNamespace).not.to.have.length(0);
    expect(crossNamespace.filter((v) => v.valid.status !== 'False').map((v) => v.key)).to.deep.equal([]);

    // Still running and responsive: the manager has not failed, /healthz answers, and a canary Task launches within seconds.
    expect(operator!.failure()).to.equal(undefined);
    const health = await fetch(`http://127.0.0.1:${operator!.manager.healthPort}/healthz`);
    expect(health.status).to.equal(200);
    const started = Date.now();
    await custom.createNamespacedCustomObject({
      group,
      version,
      namespace,
      plural: 'tasks',
      body: { apiVersion: ECS_API_VERSION, kind: 'Task', metadata: { name: 'canary' }, spec: { taskDefinition: 'canary-base' } },
    });
    await waitFor('the canary pod', () => core.readNamespacedPod({ name: 'canary', namespace }).catch(() => undefined), { timeoutMs: 10_000 });
    const counts = {
      cases: cases.length,
      refusedByApiServer: refused.length,
      accepted: accepted.size,
      validFalse: invalid.length,
      canaryMs: Date.now() - started,
    };
    const outcomes = new Map<string, Record<string, number>>();
    const count = (what: string, outcome: string) => {
      const row = outcomes.get(what) ?? {};
      row[outcome] = (row[outcome] ?? 0) + 1;
      outcomes.set(what, row);
    };
    for (const { what } of refused) count(what, 'refused');
    for (const { key, valid } of verdicts) count(accepted.get(key)?.what ?? '?', valid.status === 'False' ? 'Valid=False' : 'valid');
    console.log(`      hostile input: ${JSON.stringify(counts)}\n${[...outcomes].map(([what, row]) => `        ${what}: ${JSON.stringify(row)}`).join('\n')}`);
    expect(refused.length + accepted.size).to.equal(CASES);
    // For the chaos report (test/chaos/report.ts), which sums up reliability: inputs tried and refused.
    const outcomesByCase = Object.fromEntries(outcomes);
    writeHostileResults({ at: new Date().toISOString(), ...counts, validTrue: verdicts.length - invalid.length, outcomes: outcomesByCase });
  });
});
