// Every field of the five CRDs is mapped (setting it changes what is produced: a task's pod template, a Service's
// ReplicaSet, core Services and TargetGroupBindings, a Task's Pod), reported (a warning or an error names it), or
// listed with what it does where a translation cannot show it (the controllers' rollout, status). Nothing a user
// writes may be dropped without a word. The walk is test/fields/: each leaf of a schema is set (with a value the
// CRD accepts, and the fields its object requires) and translated, and compared with the same spec without it.
import { expect } from 'chai';
import { validateAgainstCrd } from '../../../operator/src/cli/crd-validation.js';
import { CLUSTER_FIELDS, fieldRows, SERVICE_FIELDS, TASK_DEFINITION_FIELDS, TASK_FIELDS, type KindFields } from '../../fields/kinds.js';
import { fieldName } from '../../fields/walk.js';

function coverage<Spec>(fields: KindFields<Spec>, minimum: number): void {
  describe(`every ${fields.kind} CRD field is mapped or reported`, () => {
    const all = fields.walk.leaves;
    it('the schema has fields to walk', () => expect(all.length).to.be.greaterThan(minimum));

    it('each sample is a value the CRD accepts', () => {
      const refused = all.flatMap((leaf) => {
        const { errors } = validateAgainstCrd(fields.kind, {
          apiVersion: 'ecs.operator.dev/v1alpha1',
          kind: fields.kind,
          metadata: { name: 'web' },
          spec: fields.walk.specsFor(leaf).with,
        });
        return errors.map((error) => `${leaf.path}: ${error.path} ${error.message}`);
      });
      expect(refused).to.deep.equal([]);
    });

    it('each field changes what is produced, is named by a warning or an error, or is listed with what it does', async function () {
      this.timeout(60_000);
      const silent = (await fieldRows(fields)).filter((row) => row.silent).map((row) => row.field);
      expect(silent).to.deep.equal([]);
    });

    it('lists only fields of the schema', () => {
      const names = new Set(all.map(fieldName));
      const unknown = Object.keys(fields.listed).filter((field) => !names.has(field));
      expect(unknown).to.deep.equal([]);
    });
  });
}

coverage(TASK_DEFINITION_FIELDS, 100);
coverage(SERVICE_FIELDS, 40);
coverage(TASK_FIELDS, 30);
coverage(CLUSTER_FIELDS, 10);

describe('capacity providers, subnets and tags: the walk sees each as ECS has it', () => {
  const outcomes = async (fields: KindFields<any>, names: readonly string[]) =>
    Object.fromEntries((await fieldRows(fields)).filter((row) => names.includes(row.field)).map((row) => [row.field, row.outcome]));
  const strategy = ['capacityProviderStrategy[].capacityProvider', 'capacityProviderStrategy[].weight', 'capacityProviderStrategy[].base'];
  const network = ['networkConfiguration.awsvpcConfiguration.subnets', 'networkConfiguration.awsvpcConfiguration.securityGroups'];
  const tags = ['tags[].key', 'tags[].value', 'enableECSManagedTags'];
  const expected = (mapped: readonly string[]) => ({
    ...Object.fromEntries(mapped.map((field) => [field, 'mapped'])),
    'networkConfiguration.awsvpcConfiguration.securityGroups': 'warned',
  });

  for (const fields of [SERVICE_FIELDS, TASK_FIELDS] as const) {
    it(`${fields.kind}: a strategy, mapped subnets and tags reach the pods; security groups are warned`, async function () {
      this.timeout(60_000);
      const names = [...strategy, ...network, ...tags];
      expect(await outcomes(fields as KindFields<any>, names)).to.deep.equal(expected(names.filter((n) => !n.endsWith('securityGroups'))));
    });
  }

  it('Cluster: capacity providers, their nodes, the default strategy and the zones of subnets are mapped', async function () {
    this.timeout(60_000);
    const names = [
      'capacityProviders',
      'capacityProviderNodes[].capacityProvider',
      'capacityProviderNodes[].nodeSelector.matchLabels',
      'capacityProviderNodes[].tolerations[].key',
      'defaultCapacityProviderStrategy[].capacityProvider',
      'defaultCapacityProviderStrategy[].weight',
      'defaultCapacityProviderStrategy[].base',
      'subnets[].subnetId',
      'subnets[].availabilityZone',
    ];
    expect(await outcomes(CLUSTER_FIELDS as KindFields<any>, names)).to.deep.equal(Object.fromEntries(names.map((field) => [field, 'mapped'])));
  });
});
