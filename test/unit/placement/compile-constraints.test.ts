import { expect } from 'chai';
import fc from 'fast-check';
import type { V1Node, V1NodeSelectorTerm } from '@kubernetes/client-node';
import {
  MAX_NODE_SELECTOR_TERMS,
  compileConstraints,
  evaluateOnNodes,
  parseQuery,
  printQuery,
  type ConstraintContext,
  type QueryExpression,
} from '../../../operator/src/translate/placement/index.js';
import { admittedNodes, memberOf, node, pod } from './helpers.js';

const SERVICE = { 'ecs.operator.dev/service': 'web' };
const context: ConstraintContext = { selectorLabels: SERVICE };
const HOST = 'kubernetes.io/hostname';
const NEVER: V1NodeSelectorTerm = {
  matchExpressions: [
    { key: HOST, operator: 'Exists' },
    { key: HOST, operator: 'DoesNotExist' },
  ],
};

function terms(expression: string, ctx: ConstraintContext = context): V1NodeSelectorTerm[] | undefined {
  const compiled = compileConstraints(memberOf(expression), ctx);
  expect(compiled.errors).to.deep.equal([]);
  return compiled.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
}

describe('placement/compile-constraints', () => {
  describe('attributes to node labels', () => {
    it('turns in into In on the zone label', () => {
      expect(compileConstraints(memberOf('attribute:ecs.availability-zone in [zone-a, zone-b]'), context)).to.deep.equal({
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [{ matchExpressions: [{ key: 'topology.kubernetes.io/zone', operator: 'In', values: ['zone-a', 'zone-b'] }] }],
          },
        },
        nodeEvaluated: [],
        dependsOnPods: false,
        warnings: [],
        errors: [],
      });
    });

    it('maps the built-in attributes to well-known and operator labels', () => {
      const cases: [string, string, string][] = [
        ['ecs.instance-type', 't3.large', 'node.kubernetes.io/instance-type'],
        ['ecs.os-type', 'linux', 'kubernetes.io/os'],
        ['ecs.os-family', 'LINUX', 'ecs.operator.dev/os-family'],
        ['ecs.ami-id', 'ami-123', 'ecs.operator.dev/ami-id'],
        ['ecs.vpc-id', 'vpc-1', 'ecs.operator.dev/vpc-id'],
        ['ecs.subnet-id', 'subnet-1', 'ecs.operator.dev/subnet-id'],
      ];
      for (const [attribute, value, key] of cases) {
        expect(terms(`attribute:${attribute} == ${value}`)).to.deep.equal([{ matchExpressions: [{ key, operator: 'In', values: [value] }] }]);
      }
    });

    it('spells the CPU architecture as Kubernetes does', () => {
      expect(terms('attribute:ecs.cpu-architecture in [x86_64, arm64]')).to.deep.equal([
        { matchExpressions: [{ key: 'kubernetes.io/arch', operator: 'In', values: ['amd64', 'arm64'] }] },
      ]);
    });

    it('requires the label for != and !in, as ECS compares only attributes an instance has', () => {
      expect(terms('attribute:ecs.availability-zone != us-east-1d')).to.deep.equal([
        {
          matchExpressions: [
            { key: 'topology.kubernetes.io/zone', operator: 'Exists' },
            { key: 'topology.kubernetes.io/zone', operator: 'NotIn', values: ['us-east-1d'] },
          ],
        },
      ]);
      expect(terms('attribute:stack not_in [a, b]')).to.deep.equal([
        {
          matchExpressions: [
            { key: 'stack', operator: 'Exists' },
            { key: 'stack', operator: 'NotIn', values: ['a', 'b'] },
          ],
        },
      ]);
    });

    it('lets not(==) and not(in) hold where the label is missing', () => {
      expect(terms('not(attribute:stack == prod)')).to.deep.equal([{ matchExpressions: [{ key: 'stack', operator: 'NotIn', values: ['prod'] }] }]);
      expect(terms('!(attribute:stack in [a, b])')).to.deep.equal([{ matchExpressions: [{ key: 'stack', operator: 'NotIn', values: ['a', 'b'] }] }]);
      expect(terms('not(attribute:stack != prod)')).to.deep.equal([
        { matchExpressions: [{ key: 'stack', operator: 'DoesNotExist' }] },
        { matchExpressions: [{ key: 'stack', operator: 'In', values: ['prod'] }] },
      ]);
    });

    it('turns exists and !exists into Exists and DoesNotExist', () => {
      expect(terms('attribute:gpu exists')).to.deep.equal([{ matchExpressions: [{ key: 'gpu', operator: 'Exists' }] }]);
      expect(terms('attribute:gpu !exists')).to.deep.equal([{ matchExpressions: [{ key: 'gpu', operator: 'DoesNotExist' }] }]);
      expect(terms('not(attribute:gpu not_exists)')).to.deep.equal([{ matchExpressions: [{ key: 'gpu', operator: 'Exists' }] }]);
    });

    it('turns orderings on integers into Gt and Lt, moving >= and <= by one', () => {
      const ordering = (op: string) => terms(`attribute:cores ${op} 4`)?.[0]?.matchExpressions;
      expect(ordering('>')).to.deep.equal([{ key: 'cores', operator: 'Gt', values: ['4'] }]);
      expect(ordering('>=')).to.deep.equal([{ key: 'cores', operator: 'Gt', values: ['3'] }]);
      expect(ordering('<')).to.deep.equal([{ key: 'cores', operator: 'Lt', values: ['4'] }]);
      expect(ordering('<=')).to.deep.equal([{ key: 'cores', operator: 'Lt', values: ['5'] }]);
    });

    it('warns that an ordering on a non-integer holds nowhere', () => {
      const compiled = compileConstraints(memberOf('attribute:cores > 1.5'), context);
      expect(compiled.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms).to.deep.equal([NEVER]);
      expect(compiled.warnings).to.deep.equal([
        { path: 'spec.placementConstraints[0].expression', message: "no node can ever satisfy 'attribute:cores > 1.5'; tasks stay PENDING" },
      ]);
    });

    it('takes custom attribute labels from the Cluster, then the name, then a prefixed name', () => {
      const mapped = { ...context, attributeLabels: { stack: 'example.com/stack', 'ecs.instance-type': 'example.com/size' } };
      expect(terms('attribute:stack == a and attribute:ecs.instance-type == b', mapped)).to.deep.equal([
        {
          matchExpressions: [
            { key: 'example.com/stack', operator: 'In', values: ['a'] },
            { key: 'example.com/size', operator: 'In', values: ['b'] },
          ],
        },
      ]);
      expect(terms('attribute:Team/Name exists')).to.deep.equal([{ matchExpressions: [{ key: 'attribute.ecs.operator.dev/Team.Name', operator: 'Exists' }] }]);
    });

    it('refuses attributes that map to no label key', () => {
      const compiled = compileConstraints(memberOf(`attribute:${'x'.repeat(70)} exists`), { ...context, attributeLabels: {} });
      expect(compiled.errors).to.have.length(1);
      expect(compiled.errors[0]!.path).to.equal('spec.placementConstraints[0].expression');
      expect(compiled.errors[0]!.message).to.match(/cannot be a node label key.*spec\.attributeLabels/);
      const badMapping = compileConstraints(memberOf('attribute:a exists'), { ...context, attributeLabels: { a: 'not a key' } });
      expect(badMapping.errors[0]!.message).to.equal("the Cluster maps attribute 'a' to 'not a key', which is not a valid label key");
    });

    it('knows that no label holds a value that is no label value', () => {
      expect(terms("attribute:a == 'two words'")).to.deep.equal([NEVER]);
      expect(terms("attribute:a != 'two words'")).to.deep.equal([{ matchExpressions: [{ key: 'a', operator: 'Exists' }] }]);
      expect(terms("not(attribute:a == 'two words')")).to.equal(undefined);
    });
  });

  describe('and, or and not', () => {
    it('puts and in one term and or in separate terms, in disjunctive normal form', () => {
      expect(terms('(attribute:a == 1 or attribute:a == 2) and (attribute:b == 1 || attribute:c exists)')).to.deep.equal([
        {
          matchExpressions: [
            { key: 'a', operator: 'In', values: ['1'] },
            { key: 'b', operator: 'In', values: ['1'] },
          ],
        },
        {
          matchExpressions: [
            { key: 'a', operator: 'In', values: ['1'] },
            { key: 'c', operator: 'Exists' },
          ],
        },
        {
          matchExpressions: [
            { key: 'a', operator: 'In', values: ['2'] },
            { key: 'b', operator: 'In', values: ['1'] },
          ],
        },
        {
          matchExpressions: [
            { key: 'a', operator: 'In', values: ['2'] },
            { key: 'c', operator: 'Exists' },
          ],
        },
      ]);
    });

    it("pushes not down with De Morgan's laws", () => {
      expect(terms('not(attribute:a exists and attribute:b exists)')).to.deep.equal([
        { matchExpressions: [{ key: 'a', operator: 'DoesNotExist' }] },
        { matchExpressions: [{ key: 'b', operator: 'DoesNotExist' }] },
      ]);
    });

    it('needs no affinity for an expression that holds everywhere', () => {
      expect(terms('attribute:a exists or ec2InstanceId exists')).to.equal(undefined);
      expect(terms('ec2InstanceId exists')).to.equal(undefined);
    });

    it('evaluates on nodes what expands to too many terms, with a warning', () => {
      const clause = (n: number) => `(attribute:a${n} == 1 or attribute:b${n} == 1)`;
      const expression = [1, 2, 3, 4, 5, 6].map(clause).join(' and ');
      const compiled = compileConstraints(memberOf(expression), context);
      expect(2 ** 6).to.be.greaterThan(MAX_NODE_SELECTOR_TERMS);
      expect(compiled.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms).to.have.length(1);
      expect(compiled.nodeEvaluated).to.deep.equal([{ path: 'spec.placementConstraints[0].expression', expression: 'attribute:a6 == 1 or attribute:b6 == 1' }]);
      expect(compiled.warnings).to.deep.equal([
        {
          path: 'spec.placementConstraints[0].expression',
          message: `'attribute:a6 == 1 or attribute:b6 == 1' together with the other constraints expands to more than ${MAX_NODE_SELECTOR_TERMS} node selector terms; it is evaluated against the current nodes instead`,
        },
      ]);
    });
  });

  describe('ec2InstanceId', () => {
    it('selects node names with one matchFields value per term', () => {
      expect(terms("ec2InstanceId in ['i-abcd1234', 'i-wxyx7890']")).to.deep.equal([
        { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['i-abcd1234'] }] },
        { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['i-wxyx7890'] }] },
      ]);
      expect(terms('ec2InstanceId == node-1 and attribute:a exists')).to.deep.equal([
        { matchExpressions: [{ key: 'a', operator: 'Exists' }], matchFields: [{ key: 'metadata.name', operator: 'In', values: ['node-1'] }] },
      ]);
    });

    it('excludes node names with NotIn, as every node has a name', () => {
      expect(terms('ec2InstanceId !in [n1, n2]')).to.deep.equal([
        {
          matchFields: [
            { key: 'metadata.name', operator: 'NotIn', values: ['n1'] },
            { key: 'metadata.name', operator: 'NotIn', values: ['n2'] },
          ],
        },
      ]);
      expect(terms('not(ec2InstanceId == n1)')).to.deep.equal(terms('ec2InstanceId != n1'));
      expect(terms('ec2InstanceId !exists')).to.deep.equal([NEVER]);
    });
  });

  describe('task:group', () => {
    const group = (operator: string, values?: string[]) => ({
      labelSelector: { matchExpressions: [values ? { key: 'ecs.operator.dev/group', operator, values } : { key: 'ecs.operator.dev/group', operator }] },
      topologyKey: HOST,
    });

    it('turns == and in into pod affinity on the group label, sanitised', () => {
      const compiled = compileConstraints(memberOf('task:group == service:production', 'task:group in [a, b]'), context);
      expect(compiled.podAffinity).to.deep.equal({
        requiredDuringSchedulingIgnoredDuringExecution: [group('In', ['service.production']), group('In', ['a', 'b'])],
      });
      expect(compiled.nodeAffinity).to.equal(undefined);
    });

    it('turns != and not(==) into pod anti-affinity', () => {
      const compiled = compileConstraints(memberOf('not(task:group == database)', 'task:group != cache', 'task:group !exists'), context);
      expect(compiled.podAntiAffinity).to.deep.equal({
        requiredDuringSchedulingIgnoredDuringExecution: [group('In', ['database']), group('In', ['cache']), group('Exists')],
      });
    });

    it('narrows group selectors to the cluster', () => {
      const compiled = compileConstraints(memberOf('task:group exists'), { ...context, clusterLabels: { 'ecs.operator.dev/cluster': 'prod' } });
      expect(compiled.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution).to.deep.equal([
        { ...group('Exists'), labelSelector: { ...group('Exists').labelSelector, matchLabels: { 'ecs.operator.dev/cluster': 'prod' } } },
      ]);
    });

    it('evaluates task groups under or on nodes, with the task pods', () => {
      const nodes = [node('n1', { [HOST]: 'n1' }), node('n2', { [HOST]: 'n2' }), node('n3', { [HOST]: 'n3' })];
      const pods = [pod('n1', { 'ecs.operator.dev/group': 'service.db' }), pod('n3', { 'ecs.operator.dev/group': 'service.db' }, 'Succeeded')];
      const compiled = compileConstraints(memberOf('task:group == service:db or attribute:gpu exists'), { ...context, nodes, pods });
      expect(compiled.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms).to.deep.equal([
        { matchExpressions: [{ key: HOST, operator: 'In', values: ['n1'] }] },
      ]);
      expect(compiled.dependsOnPods).to.equal(true);
    });
  });

  describe('distinctInstance and combining', () => {
    const antiAffinity = { labelSelector: { matchLabels: SERVICE }, topologyKey: HOST };

    it('keeps pods of the same service on different nodes', () => {
      const compiled = compileConstraints([{ path: 'spec.placementConstraints', constraints: [{ type: 'distinctInstance' }] }], context);
      expect(compiled).to.deep.equal({
        podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [antiAffinity] },
        nodeEvaluated: [],
        dependsOnPods: false,
        warnings: [],
        errors: [],
      });
    });

    it('ands the task definition constraints with the service constraints', () => {
      const compiled = compileConstraints(
        [
          {
            path: 'taskDefinition.spec.placementConstraints',
            constraints: [{ type: 'memberOf', expression: 'attribute:ecs.os-type == linux' }],
            fromTaskDefinition: true,
          },
          {
            path: 'spec.placementConstraints',
            constraints: [{ type: 'distinctInstance' }, { type: 'memberOf', expression: 'attribute:ecs.instance-type == m5.large' }],
          },
        ],
        context,
      );
      expect(compiled.errors).to.deep.equal([]);
      expect(compiled.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms).to.deep.equal([
        {
          matchExpressions: [
            { key: 'kubernetes.io/os', operator: 'In', values: ['linux'] },
            { key: 'node.kubernetes.io/instance-type', operator: 'In', values: ['m5.large'] },
          ],
        },
      ]);
      expect(compiled.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution).to.deep.equal([antiAffinity]);
    });

    it('reports what ECS refuses, with the path of the field', () => {
      const compiled = compileConstraints(
        [
          { path: 'td', constraints: [{ type: 'distinctInstance' }, { type: 'memberOf' }], fromTaskDefinition: true },
          {
            path: 'spec.placementConstraints',
            constraints: [
              { type: 'distinctInstance', expression: 'attribute:a exists' },
              { type: 'memberOf', expression: 'attribute:a ==' },
              { type: 'memberOf', expression: "attribute:a =~ '('" },
              { type: 'spreadOut' as 'memberOf' },
              ...Array.from({ length: 5 }, () => ({ type: 'memberOf' as const, expression: 'attribute:a exists' })),
            ],
          },
        ],
        context,
      );
      expect(compiled.errors.map((e) => [e.path, e.message.replace(/: .*/, ': ...')])).to.deep.equal([
        ['td[0].type', 'distinctInstance is not allowed in a task definition; set it on the task or service'],
        ['td[1].expression', 'memberOf needs an expression'],
        ['spec.placementConstraints[0].expression', 'distinctInstance takes no expression'],
        ['spec.placementConstraints[1].expression', "expected a value after '==' at position 14"],
        ['spec.placementConstraints[2].expression', "'(' is not a valid regular expression: ..."],
        ['spec.placementConstraints[3].type', "unknown placement constraint type 'spreadOut'; expected memberOf or distinctInstance"],
        ['spec.placementConstraints[8]', "a task takes at most 10 placement constraints, its task definition's included"],
      ]);
    });

    it('refuses patterns that cannot be matched in linear time (lookaround, backreferences), naming the field', () => {
      const compiled = compileConstraints(memberOf('attribute:a =~ "m5(?=\\.)"', "attribute:a !~ '(x)\\1'"), context);
      expect(compiled.errors.map((e) => e.path)).to.deep.equal(['spec.placementConstraints[0].expression', 'spec.placementConstraints[1].expression']);
      expect(compiled.errors[0]?.message).to.match(/^'m5\(\?=\\\.\)' is not a valid regular expression: .*\(\?=/);
      expect(compiled.errors[1]?.message).to.match(/^'\(x\)\\1' is not a valid regular expression: /);
    });
  });

  describe('evaluation on nodes', () => {
    const nodes = [
      node('g2-a', { [HOST]: 'g2-a', 'node.kubernetes.io/instance-type': 'g2.large' }),
      node('g2-b', { [HOST]: 'shared', 'node.kubernetes.io/instance-type': 'g2.xlarge' }),
      node('m5', { [HOST]: 'shared', 'node.kubernetes.io/instance-type': 'm5.large' }),
      node('g2-c', { 'node.kubernetes.io/instance-type': 'g2.2xlarge' }),
    ];

    it('names matching nodes by hostname label, or by node name when the label is missing or shared', () => {
      const compiled = compileConstraints(memberOf('attribute:ecs.instance-type =~ g2.* and attribute:ecs.availability-zone != us-east-1d'), {
        ...context,
        nodes,
      });
      const zone = [
        { key: 'topology.kubernetes.io/zone', operator: 'Exists' },
        { key: 'topology.kubernetes.io/zone', operator: 'NotIn', values: ['us-east-1d'] },
      ];
      expect(compiled.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms).to.deep.equal([
        { matchExpressions: [...zone, { key: HOST, operator: 'In', values: ['g2-a'] }] },
        { matchExpressions: zone, matchFields: [{ key: 'metadata.name', operator: 'In', values: ['g2-b'] }] },
        { matchExpressions: zone, matchFields: [{ key: 'metadata.name', operator: 'In', values: ['g2-c'] }] },
      ]);
      expect(compiled.nodeEvaluated).to.deep.equal([{ path: 'spec.placementConstraints[0].expression', expression: 'attribute:ecs.instance-type =~ g2.*' }]);
      expect(compiled.dependsOnPods).to.equal(false);
    });

    it('admits no node before nodes are known, or when none matches', () => {
      expect(terms('agentConnected == true')).to.deep.equal([NEVER]);
      expect(terms('attribute:ecs.instance-type =~ p3.*', { ...context, nodes })).to.deep.equal([NEVER]);
    });

    it('admits exactly the nodes evaluateOnNodes names, for any expression', () => {
      const values = ['1', '2', '007', 'x', 'amd64', 'x86_64', 'arm64', ''];
      const keys = ['a', 'b', 'kubernetes.io/arch'];
      const nodeArb = fc.record({
        labels: fc.dictionary(fc.constantFrom(...keys), fc.constantFrom(...values), { maxKeys: 3 }),
        hostname: fc.option(fc.constantFrom('h1', 'h2', 'h3'), { nil: undefined }),
        ready: fc.boolean(),
      });
      const nodesArb = fc.array(nodeArb, { maxLength: 5 }).map((specs) =>
        specs.map((spec, i): V1Node => {
          const labels = spec.hostname === undefined ? spec.labels : { ...spec.labels, [HOST]: spec.hostname };
          return node(`n${i}`, labels, { status: { conditions: [{ type: 'Ready', status: spec.ready ? 'True' : 'False' }] } });
        }),
      );
      const argument = fc.constantFrom(...values, '+3', '-1', 'two words', 'n1', 'N_1', '4', '9223372036854775807', '1.5');
      const pattern = fc.constantFrom('x.*', '[0-9]+', 'amd64', 'x86_.*', 'n[01]', '');
      const subject = fc.constantFrom('attribute:a', 'attribute:b', 'attribute:ecs.cpu-architecture', 'ec2InstanceId', 'agentConnected');
      const quoted = (v: string) => `'${v}'`;
      const condition = fc.oneof(
        fc.tuple(subject, fc.constantFrom('==', '!=', '>', '>=', '<', '<='), argument).map(([s, op, v]) => `${s} ${op} ${quoted(v)}`),
        fc.tuple(subject, fc.constantFrom('=~', '!~'), pattern).map(([s, op, v]) => `${s} ${op} ${quoted(v)}`),
        fc
          .tuple(subject, fc.constantFrom('in', '!in'), fc.array(argument, { minLength: 1, maxLength: 3 }))
          .map(([s, op, vs]) => `${s} ${op} [${vs.map(quoted).join(', ')}]`),
        fc.tuple(subject, fc.constantFrom('exists', '!exists')).map(([s, op]) => `${s} ${op}`),
      );
      const expression: fc.Arbitrary<string> = fc.letrec<{ e: string }>((tie) => ({
        e: fc.oneof(
          { maxDepth: 4, depthIdentifier: 'e' },
          condition,
          fc.tuple(tie('e'), fc.constantFrom('and', 'or'), tie('e')).map(([l, op, r]) => `(${l}) ${op} (${r})`),
          tie('e').map((e) => `not(${e})`),
        ),
      })).e;
      fc.assert(
        fc.property(expression, nodesArb, (text, someNodes) => {
          const parsed = parseQuery(text);
          if (!parsed.ok) expect.fail(`${text}: ${parsed.error.message}`);
          const ast: QueryExpression = parsed.ast;
          const compiled = compileConstraints(memberOf(text), { ...context, nodes: someNodes });
          expect(compiled.errors, printQuery(ast)).to.deep.equal([]);
          expect(admittedNodes(compiled.nodeAffinity, someNodes), printQuery(ast)).to.deep.equal(evaluateOnNodes(ast, someNodes));
        }),
        { numRuns: 1000 },
      );
    });
  });
});
