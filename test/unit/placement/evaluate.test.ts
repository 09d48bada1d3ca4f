import { expect } from 'chai';
import type { V1NodeSystemInfo } from '@kubernetes/client-node';
import { evaluateOnNodes, parseQuery, type EvaluationContext } from '../../../operator/src/translate/placement/index.js';
import { node, pod } from './helpers.js';

function matching(expression: string, nodes: Parameters<typeof evaluateOnNodes>[1], context: EvaluationContext = {}): string[] {
  const parsed = parseQuery(expression);
  if (!parsed.ok) expect.fail(parsed.error.message);
  return evaluateOnNodes(parsed.ast, nodes, context);
}

const ready = (status: 'True' | 'False') => ({ status: { conditions: [{ type: 'Ready', status }] } });

describe('placement/evaluate', () => {
  const nodes = [
    node(
      'a',
      { 'node.kubernetes.io/instance-type': 'g2.large', 'kubernetes.io/arch': 'amd64', cores: '8' },
      {
        metadata: { creationTimestamp: new Date('2024-03-01T00:00:00Z') },
        status: { ...ready('True').status, nodeInfo: { kubeletVersion: 'v1.36.3' } as V1NodeSystemInfo },
      },
    ),
    node(
      'b',
      { 'node.kubernetes.io/instance-type': 'm5.large', 'kubernetes.io/arch': 'arm64', cores: '2' },
      {
        ...ready('False'),
        metadata: { creationTimestamp: new Date('2023-01-01T00:00:00Z') },
      },
    ),
    node('c', { 'node.kubernetes.io/instance-type': 'g2.xlarge', cores: 'many' }),
  ];

  it('matches patterns against the whole value, in ECS spelling', () => {
    expect(matching('attribute:ecs.instance-type =~ g2.*', nodes)).to.deep.equal(['a', 'c']);
    expect(matching('attribute:ecs.instance-type =~ g2', nodes)).to.deep.equal([]);
    expect(matching('attribute:ecs.cpu-architecture =~ x86_.*', nodes)).to.deep.equal(['a']);
    expect(matching('attribute:ecs.cpu-architecture !~ x86_.*', nodes)).to.deep.equal(['b']);
    expect(matching('not(attribute:ecs.cpu-architecture =~ x86_.*)', nodes)).to.deep.equal(['b', 'c']);
  });

  it('matches a pattern that would backtrack catastrophically in linear time', () => {
    // A backtracking engine tries every way to split the value among the stars: 2^n for n characters.
    const long = node('long', { 'node.kubernetes.io/instance-type': 'a'.repeat(5_000) });
    const match = node('match', { 'node.kubernetes.io/instance-type': `${'a'.repeat(5_000)}z` });
    expect(matching('attribute:ecs.instance-type =~ "(.*.*)*z"', [long, match])).to.deep.equal(['match']);
    expect(matching('attribute:ecs.instance-type !~ "(a|aa)*b"', [long, match])).to.deep.equal(['long', 'match']);
  });

  it('matches whole values even when the pattern tries to close the anchoring group', () => {
    expect(matching("attribute:ecs.instance-type =~ 'g2)|(m5'", nodes)).to.deep.equal([]);
    expect(matching("attribute:ecs.instance-type =~ 'g2.*|m5.*'", nodes)).to.deep.equal(['a', 'b', 'c']);
  });

  it('compares attribute values in label spelling, with both spellings of the architecture', () => {
    expect(matching('attribute:ecs.cpu-architecture == x86_64', nodes)).to.deep.equal(['a']);
    expect(matching('attribute:ecs.cpu-architecture == amd64', nodes)).to.deep.equal(['a']);
    expect(matching('attribute:ecs.cpu-architecture != x86_64', nodes)).to.deep.equal(['b']);
  });

  it('orders integers, and never values that are no integer', () => {
    expect(matching('attribute:cores > 4', nodes)).to.deep.equal(['a']);
    expect(matching('attribute:cores <= 2', nodes)).to.deep.equal(['b']);
    expect(matching('not(attribute:cores > 4)', nodes)).to.deep.equal(['b', 'c']);
    expect(matching('attribute:cores > 1.5', nodes)).to.deep.equal([]);
  });

  it('reads agentConnected from the Ready condition, agentVersion from the kubelet, registeredAt from creation', () => {
    expect(matching('agentConnected == true', nodes)).to.deep.equal(['a']);
    expect(matching('agentConnected == false', nodes)).to.deep.equal(['b', 'c']);
    expect(matching('agentVersion >= 1.30.0', nodes)).to.deep.equal(['a']);
    expect(matching('agentVersion exists', nodes)).to.deep.equal(['a']);
    expect(matching('registeredAt < 2024-01-01T00:00:00Z', nodes)).to.deep.equal(['b']);
    expect(matching('ec2InstanceId in [a, c]', nodes)).to.deep.equal(['a', 'c']);
    expect(matching("ec2InstanceId =~ '[ab]'", nodes)).to.deep.equal(['a', 'b']);
  });

  it('counts running task pods and reads the task groups of live pods', () => {
    const pods = [
      pod('a', { 'ecs.operator.dev/group': 'service.web' }),
      pod('a', { 'ecs.operator.dev/group': 'service.web' }),
      pod('b', { 'ecs.operator.dev/group': 'x-1234abcd' }, 'Pending', { 'ecs.operator.dev/group': 'family:odd name' }),
      pod('c', { 'ecs.operator.dev/group': 'service.db' }, 'Failed'),
    ];
    const context = { pods };
    expect(matching('runningTasksCount >= 2', nodes, context)).to.deep.equal(['a']);
    expect(matching('runningTasksCount == 0', nodes, context)).to.deep.equal(['b', 'c']);
    expect(matching('task:group == service:web', nodes, context)).to.deep.equal(['a']);
    expect(matching('task:group != service:web', nodes, context)).to.deep.equal(['b', 'c']);
    expect(matching('task:group =~ family:.*', nodes, context)).to.deep.equal(['b']);
    expect(matching('task:group !~ family:.*', nodes, context)).to.deep.equal(['a', 'c']);
    expect(matching('task:group exists', nodes, context)).to.deep.equal(['a', 'b']);
    expect(matching('task:group in [service:db, service:web]', nodes, context)).to.deep.equal(['a']);
  });

  it('maps custom attributes through the Cluster', () => {
    const labelled = [node('x', { 'example.com/team': 'blue' }), node('y', { team: 'blue' })];
    expect(matching('attribute:team == blue', labelled, { attributeLabels: { team: 'example.com/team' } })).to.deep.equal(['x']);
    expect(matching('attribute:team == blue', labelled)).to.deep.equal(['y']);
  });

  it('treats a missing attribute as failing every condition but !exists', () => {
    expect(matching('attribute:gpu != x', nodes)).to.deep.equal([]);
    expect(matching('attribute:gpu !in [x]', nodes)).to.deep.equal([]);
    expect(matching('attribute:gpu !~ x', nodes)).to.deep.equal([]);
    expect(matching('attribute:gpu !exists', nodes)).to.deep.equal(['a', 'b', 'c']);
    expect(matching('not(attribute:gpu == x)', nodes)).to.deep.equal(['a', 'b', 'c']);
  });
});
