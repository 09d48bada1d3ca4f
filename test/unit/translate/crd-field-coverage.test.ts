// Every field of the five CRDs is mapped (setting it changes what is produced: a task's pod template, a Service's
// ReplicaSet, core Services and TargetGroupBindings, a Task's Pod), reported (a warning or an error names it), or
// listed with what it does where a translation cannot show it (the controllers' rollout, status). Nothing a user
// writes may be dropped without a word. The walk is test/fields/: each leaf of a schema is set (with a value the
// CRD accepts, and the fields its object requires) and translated, and compared with the same spec without it.
import { expect } from 'chai';
import { validateAgainstCrd } from '../../../operator/src/cli/crd-validation.js';
import { CLUSTER_FIELDS, fieldRows, IMPLEMENTED_IN_FIDA, SERVICE_FIELDS, TASK_DEFINITION_FIELDS, TASK_FIELDS, type KindFields } from '../../fields/kinds.js';
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
      // IMPLEMENTED_IN_FIDA is shared by the kinds; the rest of each list is the kind's own.
      const unknown = Object.keys(fields.listed).filter((field) => !names.has(field) && !(field in IMPLEMENTED_IN_FIDA));
      expect(unknown).to.deep.equal([]);
    });
  });
}

coverage(TASK_DEFINITION_FIELDS, 100);
coverage(SERVICE_FIELDS, 40);
coverage(TASK_FIELDS, 30);
coverage(CLUSTER_FIELDS, 10);
