import { expect } from 'chai';
import fc from 'fast-check';
import { isLabelValue } from '../../../operator/src/translate/names.js';
import { attributeLabelKey, attributeLabelValue, compilePlacement, groupLabelValue } from '../../../operator/src/translate/placement/index.js';
import { memberOf, node } from './helpers.js';

const SERVICE = { 'ecs.operator.dev/service': 'web' };

describe('placement', () => {
  describe('node labels', () => {
    it('maps attribute names to label keys: Cluster mapping, built-in, the name, a prefixed name', () => {
      expect(attributeLabelKey('ecs.availability-zone')).to.deep.equal({ ok: true, key: 'topology.kubernetes.io/zone' });
      expect(attributeLabelKey('ecs.availability-zone', { 'ecs.availability-zone': 'example.com/az' })).to.deep.equal({ ok: true, key: 'example.com/az' });
      expect(attributeLabelKey('example.com/stack')).to.deep.equal({ ok: true, key: 'example.com/stack' });
      expect(attributeLabelKey('Stack/Tier')).to.deep.equal({ ok: true, key: 'attribute.ecs.operator.dev/Stack.Tier' });
      expect(attributeLabelKey('_x').ok).to.equal(false);
      expect(attributeLabelKey('constructor')).to.deep.equal({ ok: true, key: 'constructor' });
    });

    it('spells x86_64 as amd64 and leaves other values alone', () => {
      expect(attributeLabelValue('ecs.cpu-architecture', 'x86_64')).to.equal('amd64');
      expect(attributeLabelValue('ecs.cpu-architecture', 'arm64')).to.equal('arm64');
      expect(attributeLabelValue('ecs.instance-type', 'x86_64')).to.equal('x86_64');
    });

    it("turns task groups into label values, ':' as '.', hashing what does not fit", () => {
      expect(groupLabelValue('service:web')).to.equal('service.web');
      expect(groupLabelValue('family:batch')).to.equal('family.batch');
      expect(groupLabelValue('database')).to.equal('database');
      const odd = groupLabelValue('family:odd name');
      expect(odd).to.match(/^family\.odd-name-[0-9a-f]{8}$/);
      expect(groupLabelValue('service:' + 'a'.repeat(80))).to.have.length.at.most(63);
    });

    it('gives every group a valid label value, distinct for distinct groups that needed a hash', () => {
      fc.assert(
        fc.property(fc.string({ maxLength: 100 }), fc.string({ maxLength: 100 }), (a, b) => {
          expect(isLabelValue(groupLabelValue(a)), a).to.equal(true);
          const hashed = (g: string) => groupLabelValue(g) !== g.replaceAll(':', '.');
          if (a !== b && hashed(a) && hashed(b)) expect(groupLabelValue(a)).to.not.equal(groupLabelValue(b));
        }),
      );
    });
  });

  describe('compilePlacement', () => {
    it('gives a service with constraints and strategies its affinity, spread and profile', () => {
      const result = compilePlacement({
        constraints: [
          {
            path: 'taskDefinition.spec.placementConstraints',
            constraints: [{ type: 'memberOf', expression: 'attribute:ecs.os-type == linux' }],
            fromTaskDefinition: true,
          },
          { path: 'spec.placementConstraints', constraints: [{ type: 'distinctInstance' }] },
        ],
        strategies: {
          path: 'spec.placementStrategy',
          strategies: [
            { type: 'spread', field: 'attribute:ecs.availability-zone' },
            { type: 'binpack', field: 'memory' },
          ],
        },
        selectorLabels: SERVICE,
      });
      expect(result).to.deep.equal({
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/os', operator: 'In', values: ['linux'] }] }],
            },
          },
          podAntiAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: SERVICE }, topologyKey: 'kubernetes.io/hostname' }],
          },
        },
        topologySpreadConstraints: [
          { maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: SERVICE } },
        ],
        schedulerName: 'ecs-binpack-memory',
        nodeEvaluated: false,
        podEvaluated: false,
        evaluatedParts: [],
        warnings: [],
        errors: [],
      });
    });

    it('says when the result depends on nodes, and collects issues of both halves', () => {
      const result = compilePlacement({
        constraints: memberOf('attribute:ecs.instance-type =~ g2.*', 'attribute:x =~ "("'),
        strategies: { path: 'spec.placementStrategy', strategies: [{ type: 'binpack', field: 'gpu' }] },
        selectorLabels: SERVICE,
        nodes: [node('n1', { 'node.kubernetes.io/instance-type': 'g2.large', 'kubernetes.io/hostname': 'n1' })],
        schedulerName: 'custom',
      });
      expect(result.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms).to.deep.equal([
        { matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['n1'] }] },
      ]);
      expect(result.nodeEvaluated).to.equal(true);
      expect(result.evaluatedParts).to.deep.equal([{ path: 'spec.placementConstraints[0].expression', expression: 'attribute:ecs.instance-type =~ g2.*' }]);
      expect(result.schedulerName).to.equal('custom');
      expect(result.errors.map((e) => e.path)).to.deep.equal(['spec.placementConstraints[1].expression', 'spec.placementStrategy[0].field']);
    });

    it('leaves a standalone task without constraints to the default spread over its group', () => {
      const group = { 'ecs.operator.dev/group': 'family.batch' };
      const result = compilePlacement({ selectorLabels: group });
      expect(result.affinity).to.equal(undefined);
      expect(result.schedulerName).to.equal(undefined);
      expect(result.topologySpreadConstraints?.map((c) => [c.topologyKey, c.labelSelector?.matchLabels])).to.deep.equal([
        ['topology.kubernetes.io/zone', group],
        ['kubernetes.io/hostname', group],
      ]);
    });
  });
});
