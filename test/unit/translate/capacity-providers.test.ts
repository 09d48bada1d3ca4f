import { expect } from 'chai';
import fc from 'fast-check';
import type { CapacityProviderStrategyItem, Cluster } from '../../../operator/src/api/cluster.js';
import { providerOfOneTask, resolveStrategy, splitByStrategy, strategyProviders, strategyRefusal } from '../../../operator/src/translate/capacity-providers.js';

const item = (capacityProvider: string, weight?: number, base?: number): CapacityProviderStrategyItem => ({
  capacityProvider,
  ...(weight === undefined ? {} : { weight }),
  ...(base === undefined ? {} : { base }),
});

const cluster = (spec: Cluster['spec'] = {}): Cluster => ({
  apiVersion: 'ecs.operator.dev/v1alpha1',
  kind: 'Cluster',
  metadata: { name: 'prod', namespace: 'ns' },
  spec,
});

describe('capacity provider strategies', () => {
  describe('splitByStrategy', () => {
    const cases: Array<[string, CapacityProviderStrategyItem[], number, number[]]> = [
      ['base first, then the weights (ECS docs: base 2 on FARGATE, 1:4 of the rest)', [item('FARGATE', 1, 2), item('FARGATE_SPOT', 4)], 12, [4, 8]],
      ['a base larger than the count takes every task', [item('A', 1, 5), item('B', 1)], 3, [3, 0]],
      ['weight 0 gets only its base', [item('A', 0, 2), item('B', 1)], 10, [2, 8]],
      ['weight 0 without a base gets nothing', [item('A', 0), item('B', 3)], 7, [0, 7]],
      ['equal weights, odd count: the remainder to the earlier provider', [item('A', 1), item('B', 1)], 3, [2, 1]],
      ['the larger weight takes the odd task', [item('A', 1), item('B', 2)], 2, [1, 1]],
      ['1:2 of 3', [item('A', 1), item('B', 2)], 3, [1, 2]],
      ['one provider of weight 0 takes all (ECS allows a single provider without weight)', [item('A')], 4, [4]],
      ['zero tasks', [item('A', 1, 3), item('B', 1)], 0, [0, 0]],
      ['base on the second provider', [item('A', 1), item('B', 1, 1)], 4, [2, 2]],
      ['three providers 1:1:1 of 5', [item('A', 1), item('B', 1), item('C', 1)], 5, [2, 2, 1]],
    ];
    for (const [name, items, count, expected] of cases) {
      it(name, () => expect(splitByStrategy(items, count)).to.deep.equal(expected));
    }

    const strategies = fc
      .array(fc.record({ weight: fc.integer({ min: 0, max: 1000 }), base: fc.integer({ min: 0, max: 50 }) }), { minLength: 1, maxLength: 6 })
      .chain((raw) =>
        fc
          .integer({ min: -1, max: raw.length - 1 })
          .map((withBase) => raw.map((r, index) => item(`P${index}`, r.weight, index === withBase ? r.base : undefined))),
      )
      .filter((items) => items.length === 1 || items.some((i) => (i.weight ?? 0) > 0));
    const counts = fc.integer({ min: 0, max: 500 });

    it('sums to the count', () => {
      fc.assert(fc.property(strategies, counts, (items, count) => splitByStrategy(items, count).reduce((a, b) => a + b, 0) === count));
    });

    it('honours the base: the provider with one gets min(base, count) at least', () => {
      fc.assert(
        fc.property(strategies, counts, (items, count) => {
          const split = splitByStrategy(items, count);
          return items.every((i, index) => (split[index] ?? 0) >= Math.min(i.base ?? 0, count));
        }),
      );
    });

    it('divides the tasks beyond the base in proportion to the weights, within one task', () => {
      fc.assert(
        fc.property(strategies, counts, (items, count) => {
          const split = splitByStrategy(items, count);
          const bases = items.reduce((sum, i) => sum + (i.base ?? 0), 0);
          const rest = Math.max(0, count - bases);
          const total = items.reduce((sum, i) => sum + (i.weight ?? 0), 0);
          if (total === 0) return true;
          return items.every((i, index) => {
            const beyondBase = (split[index] ?? 0) - Math.min(i.base ?? 0, count);
            return Math.abs(beyondBase - (rest * (i.weight ?? 0)) / total) < 1;
          });
        }),
      );
    });

    it('gives a weight 0 provider its base and nothing more (several providers)', () => {
      fc.assert(
        fc.property(strategies, counts, (items, count) => {
          if (items.length < 2) return true;
          const split = splitByStrategy(items, count);
          return items.every((i, index) => (i.weight ?? 0) > 0 || (split[index] ?? 0) === Math.min(i.base ?? 0, count));
        }),
      );
    });

    it('never takes a task from a provider when the count grows', () => {
      fc.assert(
        fc.property(strategies, counts, (items, count) => {
          const before = splitByStrategy(items, count);
          const after = splitByStrategy(items, count + 1);
          return before.every((n, index) => (after[index] ?? 0) >= n);
        }),
      );
    });
  });

  it('puts a single task where the split of one task puts it: the base, else the heaviest weight, else the first', () => {
    expect(providerOfOneTask([item('A', 1), item('B', 1, 1)])).to.equal(1);
    expect(providerOfOneTask([item('A', 1), item('B', 3)])).to.equal(1);
    expect(providerOfOneTask([item('A', 2), item('B', 2)])).to.equal(0);
    expect(providerOfOneTask([item('A')])).to.equal(0);
  });

  describe('resolveStrategy', () => {
    const withDefault = cluster({ defaultCapacityProviderStrategy: [item('FARGATE', 1)] });
    it("takes the resource's own strategy first", () => {
      expect(resolveStrategy({ capacityProviderStrategy: [item('SPOT', 1)] }, withDefault)).to.deep.equal({
        items: [item('SPOT', 1)],
        path: 'spec.capacityProviderStrategy',
      });
    });
    it("takes the Cluster's default without a strategy or a launch type", () => {
      expect(resolveStrategy({}, withDefault)).to.deep.equal({ items: [item('FARGATE', 1)], path: 'Cluster prod spec.defaultCapacityProviderStrategy' });
    });
    it('keeps a launchType as it is: no strategy, the Cluster default does not apply', () => {
      expect(resolveStrategy({ launchType: 'FARGATE' }, withDefault)).to.equal(undefined);
    });
    it('has none when neither the resource nor the Cluster has one', () => {
      expect(resolveStrategy({}, cluster())).to.equal(undefined);
    });
  });

  describe('strategyRefusal', () => {
    const mapped = cluster({
      capacityProviders: ['FARGATE'],
      capacityProviderNodes: [{ capacityProvider: 'FARGATE_SPOT', nodeSelector: { matchLabels: { spot: 'true' } } }],
    });
    const path = 'spec.capacityProviderStrategy';
    it('accepts providers the Cluster lists or maps', () => {
      expect(strategyRefusal({ items: [item('FARGATE', 1), item('FARGATE_SPOT', 1)], path }, mapped)).to.equal(undefined);
    });
    it('refuses a provider the Cluster does not have, at its field, as ECS refuses it', () => {
      expect(strategyRefusal({ items: [item('FARGATE', 1), item('ASG', 1)], path }, mapped)).to.deep.equal({
        path: 'spec.capacityProviderStrategy[1].capacityProvider',
        message: "capacity provider 'ASG' is not one of Cluster 'prod' (spec.capacityProviders, spec.capacityProviderNodes); ECS refuses it",
      });
    });
    it('refuses a second base', () => {
      expect(strategyRefusal({ items: [item('FARGATE', 1, 1), item('FARGATE_SPOT', 1, 2)], path }, mapped)?.path).to.equal(
        'spec.capacityProviderStrategy[1].base',
      );
    });
    it('refuses several providers all of weight 0', () => {
      expect(strategyRefusal({ items: [item('FARGATE', 0, 1), item('FARGATE_SPOT')], path }, mapped)?.message).to.equal(
        'at least one capacity provider must have a weight greater than 0',
      );
    });
    it('refuses a provider named twice', () => {
      expect(strategyRefusal({ items: [item('FARGATE', 1), item('FARGATE', 1)], path }, mapped)?.path).to.equal(
        'spec.capacityProviderStrategy[1].capacityProvider',
      );
    });
  });

  it("gives each provider the Cluster's nodes for it, none for a provider only listed", () => {
    const c = cluster({
      capacityProviders: ['FARGATE'],
      capacityProviderNodes: [{ capacityProvider: 'SPOT', tolerations: [{ key: 'spot', operator: 'Exists' }] }],
    });
    expect(strategyProviders([item('FARGATE'), item('SPOT')], c)).to.deep.equal([
      { name: 'FARGATE' },
      { name: 'SPOT', nodes: { capacityProvider: 'SPOT', tolerations: [{ key: 'spot', operator: 'Exists' }] } },
    ]);
  });
});
