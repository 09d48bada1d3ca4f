import { expect } from 'chai';
import type { PlacementStrategy } from '../../../operator/src/api/placement.js';
import { SCHEDULER_NAMES, compileStrategies, kubeSchedulerConfiguration, schedulerProfiles } from '../../../operator/src/translate/placement/index.js';

const SERVICE = { 'ecs.operator.dev/service': 'web' };
const spread = (topologyKey: string) => ({
  maxSkew: 1,
  topologyKey,
  whenUnsatisfiable: 'ScheduleAnyway',
  labelSelector: { matchLabels: SERVICE },
});
const source = (...strategies: PlacementStrategy[]) => ({ path: 'spec.placementStrategy', strategies });

describe('placement/compile-strategies', () => {
  it('spreads over zones, then instances, when no strategy is given', () => {
    const expected = {
      topologySpreadConstraints: [spread('topology.kubernetes.io/zone'), spread('kubernetes.io/hostname')],
      warnings: [],
      errors: [],
    };
    expect(compileStrategies(undefined, { selectorLabels: SERVICE })).to.deep.equal(expected);
    expect(compileStrategies(source(), { selectorLabels: SERVICE })).to.deep.equal(expected);
  });

  it('turns spreads into topology spread constraints in ECS order', () => {
    const compiled = compileStrategies(
      source(
        { type: 'spread', field: 'attribute:ecs.availability-zone' },
        { type: 'spread', field: 'instanceId' },
        { type: 'spread', field: 'attribute:rack' },
      ),
      { selectorLabels: SERVICE, attributeLabels: { rack: 'example.com/rack' } },
    );
    expect(compiled).to.deep.equal({
      topologySpreadConstraints: [spread('topology.kubernetes.io/zone'), spread('kubernetes.io/hostname'), spread('example.com/rack')],
      warnings: [],
      errors: [],
    });
  });

  it('spreads on host like instanceId, and warns about a repeated spread', () => {
    const compiled = compileStrategies(source({ type: 'spread', field: 'host' }, { type: 'spread', field: 'instanceId' }), { selectorLabels: SERVICE });
    expect(compiled.topologySpreadConstraints).to.deep.equal([spread('kubernetes.io/hostname')]);
    expect(compiled.warnings).to.deep.equal([
      { path: 'spec.placementStrategy[1].field', message: 'spread over instanceId repeats an earlier spread over the same node label; it adds nothing' },
    ]);
  });

  it('chooses the binpack profile of the resource', () => {
    expect(compileStrategies(source({ type: 'binpack', field: 'memory' }), { selectorLabels: SERVICE })).to.deep.equal({
      schedulerName: 'ecs-binpack-memory',
      warnings: [],
      errors: [],
    });
    expect(compileStrategies(source({ type: 'binpack', field: 'cpu' }), { selectorLabels: SERVICE }).schedulerName).to.equal('ecs-binpack-cpu');
  });

  it('keeps a spread before binpack, and lets only the first profile strategy decide', () => {
    const compiled = compileStrategies(
      source({ type: 'spread', field: 'attribute:ecs.availability-zone' }, { type: 'binpack', field: 'memory' }, { type: 'random' }),
      { selectorLabels: SERVICE },
    );
    expect(compiled).to.deep.equal({
      topologySpreadConstraints: [spread('topology.kubernetes.io/zone')],
      schedulerName: 'ecs-binpack-memory',
      warnings: [
        {
          path: 'spec.placementStrategy[2]',
          message: 'random cannot follow binpack(memory): one scheduler profile places a pod, and the first strategy that needs one decides it',
        },
      ],
      errors: [],
    });
  });

  it('chooses the random profile', () => {
    expect(compileStrategies(source({ type: 'random' }), { selectorLabels: SERVICE }).schedulerName).to.equal('ecs-random');
  });

  it('lets a named scheduler override the strategy profile, with a warning', () => {
    expect(compileStrategies(source({ type: 'binpack', field: 'cpu' }), { selectorLabels: SERVICE, schedulerName: 'my-scheduler' })).to.deep.equal({
      schedulerName: 'my-scheduler',
      warnings: [{ path: 'spec.placementStrategy', message: "the scheduler 'my-scheduler' is named explicitly, so binpack(cpu) does not apply" }],
      errors: [],
    });
    expect(compileStrategies(undefined, { selectorLabels: SERVICE, schedulerName: 'my-scheduler' }).schedulerName).to.equal('my-scheduler');
  });

  it('reports what ECS refuses, with the path of the field', () => {
    const compiled = compileStrategies(
      source(
        { type: 'spread' },
        { type: 'spread', field: 'cpu' },
        { type: 'binpack', field: 'disk' },
        { type: 'pack' as 'random' },
        { type: 'spread', field: `attribute:${'x'.repeat(70)}` },
        { type: 'random' },
      ),
      { selectorLabels: SERVICE, attributeLabels: {} },
    );
    expect(compiled.errors.map((e) => [e.path, e.message.replace(/x{70}.*/, 'x...')])).to.deep.equal([
      ['spec.placementStrategy', 'at most 5 placement strategies are allowed; 6 are given'],
      ['spec.placementStrategy[0].field', 'spread needs a field: instanceId, host or attribute:NAME'],
      ['spec.placementStrategy[1].field', "spread over 'cpu' is not possible; the field is instanceId, host or attribute:NAME"],
      ['spec.placementStrategy[2].field', "binpack needs the field cpu or memory, not 'disk'"],
      ['spec.placementStrategy[3].type', "unknown placement strategy type 'pack'; expected spread, binpack or random"],
      ['spec.placementStrategy[4].field', "attribute 'x..."],
    ]);
  });

  describe('scheduler profiles', () => {
    it('scores binpack with MostAllocated on the one resource, without balancing or default spreading', () => {
      const [cpu, memory, random] = schedulerProfiles();
      expect(memory).to.deep.equal({
        schedulerName: SCHEDULER_NAMES.binpackMemory,
        plugins: { score: { disabled: [{ name: 'NodeResourcesBalancedAllocation' }] } },
        pluginConfig: [
          { name: 'NodeResourcesFit', args: { scoringStrategy: { type: 'MostAllocated', resources: [{ name: 'memory', weight: 1 }] } } },
          { name: 'PodTopologySpread', args: { defaultingType: 'List', defaultConstraints: [] } },
        ],
      });
      expect(cpu?.schedulerName).to.equal('ecs-binpack-cpu');
      expect(cpu?.pluginConfig?.[0]?.args).to.deep.equal({ scoringStrategy: { type: 'MostAllocated', resources: [{ name: 'cpu', weight: 1 }] } });
      expect(random).to.deep.equal({
        schedulerName: 'ecs-random',
        plugins: { score: { disabled: [{ name: '*' }], enabled: [{ name: 'PodTopologySpread', weight: 2 }] } },
        pluginConfig: [{ name: 'PodTopologySpread', args: { defaultingType: 'List', defaultConstraints: [] } }],
      });
    });

    it('renders a KubeSchedulerConfiguration with the default profile first', () => {
      const config = kubeSchedulerConfiguration();
      expect(config.apiVersion).to.equal('kubescheduler.config.k8s.io/v1');
      expect(config.kind).to.equal('KubeSchedulerConfiguration');
      expect(config.profiles.map((p) => p.schedulerName)).to.deep.equal(['default-scheduler', 'ecs-binpack-cpu', 'ecs-binpack-memory', 'ecs-random']);
      expect(kubeSchedulerConfiguration({ includeDefaultProfile: false }).profiles).to.have.length(3);
    });
  });
});
