import { expect } from 'chai';
import { constraintSources, explainUnplaced, unplacedReasons, type UnplacedInput } from '../../../operator/src/translate/placement/index.js';
import { node, pod } from './helpers.js';

const AFFINITY =
  "0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.";
const ANTI_AFFINITY = "0/3 nodes are available: 3 node(s) didn't match pod anti-affinity rules.";
const RESOURCES = '0/3 nodes are available: 3 Insufficient memory.';

describe('placement/unplaced', () => {
  const nodes = [
    node('n1', { 'topology.kubernetes.io/zone': 'us-east-1a', 'node.kubernetes.io/instance-type': 'm5.large' }),
    node('n2', { 'topology.kubernetes.io/zone': 'us-east-1b', 'node.kubernetes.io/instance-type': 'c5.xlarge' }),
    node('n3', { 'topology.kubernetes.io/zone': 'us-east-1b', 'node.kubernetes.io/instance-type': 'm5.large', 'example.com/stack': 'blue' }),
  ];
  const input = (
    schedulerMessage: string,
    definition: string[],
    own: UnplacedInput['constraints'][number]['constraints'] = [],
    extra: Partial<UnplacedInput> = {},
  ): UnplacedInput => ({
    schedulerMessage,
    constraints: constraintSources(
      'web:3',
      definition.map((expression) => ({ type: 'memberOf', expression })),
      own,
    ),
    nodes,
    ...extra,
  });

  it('names the memberOf constraint no container instance meets, with where it is', () => {
    const reasons = unplacedReasons(
      input(
        AFFINITY,
        ['attribute:ecs.availability-zone in [us-east-1a, us-east-1b]'],
        [{ type: 'memberOf', expression: ' attribute:ecs.instance-type == t2.nano ' }],
      ),
    );
    expect(reasons).to.deep.equal([
      "No container instance meets the memberOf constraint 'attribute:ecs.instance-type == t2.nano' (spec.placementConstraints[0].expression).",
    ]);
  });

  it("names the task definition's constraint after its revision", () => {
    expect(unplacedReasons(input(AFFINITY, ['attribute:ecs.os-type == windows']))).to.deep.equal([
      "No container instance meets the memberOf constraint 'attribute:ecs.os-type == windows' (web:3 spec.placementConstraints[0].expression).",
    ]);
  });

  it('names constraints that each hold somewhere but never together', () => {
    const reasons = unplacedReasons(
      input(AFFINITY, ['attribute:ecs.availability-zone == us-east-1a'], [{ type: 'memberOf', expression: 'attribute:ecs.instance-type == c5.xlarge' }]),
    );
    expect(reasons).to.deep.equal([
      "No container instance meets the memberOf constraints 'attribute:ecs.availability-zone == us-east-1a' (web:3 spec.placementConstraints[0].expression)" +
        " and 'attribute:ecs.instance-type == c5.xlarge' (spec.placementConstraints[0].expression) together.",
    ]);
  });

  it('evaluates custom attributes, patterns and task groups as the compiler does', () => {
    const attributeLabels = { stack: 'example.com/stack' };
    expect(unplacedReasons(input(AFFINITY, ['attribute:stack =~ gre+n'], [], { attributeLabels }))).to.have.length(1);
    expect(unplacedReasons(input(AFFINITY, ['attribute:stack =~ bl.*'], [], { attributeLabels }))).to.deep.equal([]);
    const pods = [pod('n2', { 'ecs.operator.dev/group': 'service.db' })];
    expect(unplacedReasons(input(AFFINITY, ['task:group == service:db or attribute:ecs.availability-zone == us-east-1c'], [], { pods }))).to.deep.equal([]);
  });

  it('speaks of the named container instance of a StartTask', () => {
    expect(unplacedReasons(input(AFFINITY, [], [], { containerInstance: 'gone' }))).to.deep.equal([
      "Container instance 'gone' (spec.containerInstance) is not a container instance of the cluster.",
    ]);
    expect(unplacedReasons(input(AFFINITY, ['attribute:ecs.instance-type == c5.xlarge'], [], { containerInstance: 'n1' }))).to.deep.equal([
      "Container instance 'n1' (spec.containerInstance) does not meet the memberOf constraint 'attribute:ecs.instance-type == c5.xlarge' (web:3 spec.placementConstraints[0].expression).",
    ]);
  });

  it('says when the cluster has no container instances', () => {
    expect(unplacedReasons(input(AFFINITY, [], [], { nodes: [] }))).to.deep.equal([
      'The cluster has no container instances: its nodeSelector matches no node.',
    ]);
  });

  it('names distinctInstance and task group constraints when pod (anti-)affinity is the reason', () => {
    const reasons = unplacedReasons(
      input(
        ANTI_AFFINITY,
        ['attribute:ecs.instance-type exists'],
        [{ type: 'distinctInstance' }, { type: 'memberOf', expression: 'task:group != service:db' }],
      ),
    );
    expect(reasons).to.deep.equal([
      'distinctInstance (spec.placementConstraints[0]): every container instance that meets the other constraints already runs a task of this service or group.',
      "The task group constraint 'task:group != service:db' (spec.placementConstraints[1].expression) is met by no container instance that has room.",
    ]);
  });

  it('adds nothing when the scheduler names no constraint, and leads with the ECS reason when it does', () => {
    expect(explainUnplaced(input(RESOURCES, ['attribute:ecs.instance-type == t2.nano']))).to.equal(RESOURCES);
    expect(explainUnplaced(input(AFFINITY, ['attribute:ecs.instance-type == t2.nano']))).to.equal(
      "No container instance meets the memberOf constraint 'attribute:ecs.instance-type == t2.nano' (web:3 spec.placementConstraints[0].expression)." +
        ` (kube-scheduler: ${AFFINITY})`,
    );
  });

  it('skips expressions that do not parse (the task never got a pod for them)', () => {
    expect(unplacedReasons(input(AFFINITY, ['attribute:ecs.instance-type ==']))).to.deep.equal([]);
  });
});
