import { expect } from 'chai';
import fc from 'fast-check';
import {
  circuitBreakerThreshold,
  computeRolloutStep,
  daemonRollingUpdate,
  deploymentPercents,
  replacementDelayMs,
  rolloutDone,
  taskBounds,
  type DeploymentPercents,
  type DeploymentTasks,
  type RolloutInput,
} from '../../operator/src/translate/rollout.js';

const steady = (n: number): DeploymentTasks => ({ replicas: n, healthy: n, unhealthy: 0 });
const none: DeploymentTasks = { replicas: 0, healthy: 0, unhealthy: 0 };
const percents = (minimumHealthyPercent: number, maximumPercent: number): DeploymentPercents => ({ minimumHealthyPercent, maximumPercent });

// The world the controller acts on, reduced to counts: a ReplicaSet removes unhealthy pods before healthy
// ones and creates missing ones as not yet healthy; then some new tasks turn healthy.
interface World {
  primary: DeploymentTasks;
  others: DeploymentTasks[];
}

function reconcileReplicaSet(d: DeploymentTasks): DeploymentTasks {
  const tasks = d.healthy + d.unhealthy;
  if (tasks > d.replicas) {
    const remove = tasks - d.replicas;
    const unhealthy = Math.max(0, d.unhealthy - remove);
    return { replicas: d.replicas, unhealthy, healthy: d.healthy - (remove - (d.unhealthy - unhealthy)) };
  }
  return { ...d, unhealthy: d.unhealthy + (d.replicas - tasks) };
}

const healthyKept = (replicas: number, d: DeploymentTasks) => Math.min(d.healthy, replicas);
const occupancy = (replicas: number, d: DeploymentTasks) => Math.max(replicas, d.healthy + d.unhealthy);
const all = (w: World) => [w.primary, ...w.others];
const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

function step(input: RolloutInput): World {
  const next = computeRolloutStep(input);
  return { primary: { ...input.primary, replicas: next.primary }, others: input.others.map((d, i) => ({ ...d, replicas: next.others[i]! })) };
}

/** Runs controller steps and the ReplicaSets until the rollout is done; `heal(n)` says how many new tasks turn healthy a tick. */
function rollOut(desiredCount: number, p: DeploymentPercents, world: World, heal: (unhealthy: number) => number, ticks = 200) {
  const { minHealthy, maxTasks } = taskBounds(desiredCount, p);
  const samples: Array<{ healthy: number; tasks: number }> = [];
  for (let tick = 0; tick < ticks; tick++) {
    const input = { desiredCount, percents: p, primary: world.primary, others: world.others };
    if (rolloutDone(input)) return { done: true, samples, minHealthy, maxTasks };
    const decided = step(input);
    if (computeRolloutStep(input).stalled) return { done: false, stalled: true, samples, minHealthy, maxTasks };
    const acted = all(decided).map(reconcileReplicaSet);
    const [primary, ...others] = acted;
    const healed = heal(primary!.unhealthy);
    world = { primary: { ...primary!, healthy: primary!.healthy + healed, unhealthy: primary!.unhealthy - healed }, others };
    samples.push({ healthy: sum(all(world).map((d) => d.healthy)), tasks: sum(all(world).map((d) => d.healthy + d.unhealthy)) });
  }
  return { done: false, stalled: false, samples, minHealthy, maxTasks };
}

describe('rollout math', () => {
  describe('bounds', () => {
    it('rounds the minimum up and the maximum down, in integers', () => {
      expect(taskBounds(10, percents(100, 200))).to.deep.equal({ minHealthy: 10, maxTasks: 20 });
      expect(taskBounds(3, percents(50, 150))).to.deep.equal({ minHealthy: 2, maxTasks: 4 });
      expect(taskBounds(7, percents(29, 129))).to.deep.equal({ minHealthy: 3, maxTasks: 9 });
      expect(taskBounds(100, percents(29, 129))).to.deep.equal({ minHealthy: 29, maxTasks: 129 });
      expect(taskBounds(0, percents(100, 200))).to.deep.equal({ minHealthy: 0, maxTasks: 0 });
    });

    it('takes the ECS defaults by scheduling strategy, and what the service sets over them', () => {
      expect(deploymentPercents('REPLICA', undefined)).to.deep.equal(percents(100, 200));
      expect(deploymentPercents('DAEMON', {})).to.deep.equal(percents(0, 100));
      expect(deploymentPercents('REPLICA', { minimumHealthyPercent: 50 })).to.deep.equal(percents(50, 200));
      expect(deploymentPercents('DAEMON', { maximumPercent: 150 })).to.deep.equal(percents(0, 150));
    });
  });

  describe('one step', () => {
    it('(100, 200): starts all new tasks beside the old ones and stops none until new ones are healthy', () => {
      const result = computeRolloutStep({ desiredCount: 10, percents: percents(100, 200), primary: none, others: [steady(10)] });
      expect(result).to.deep.equal({ primary: 10, others: [10], stalled: false });
    });

    it('(100, 200): stops as many old tasks as new ones became healthy', () => {
      const primary = { replicas: 10, healthy: 4, unhealthy: 6 };
      expect(computeRolloutStep({ desiredCount: 10, percents: percents(100, 200), primary, others: [steady(10)] }).others).to.deep.equal([6]);
    });

    it('(0, 100): stops the old tasks first, and starts new ones once they are gone', () => {
      const first = computeRolloutStep({ desiredCount: 10, percents: percents(0, 100), primary: none, others: [steady(10)] });
      expect(first).to.deep.equal({ primary: 0, others: [0], stalled: false });
      const second = computeRolloutStep({ desiredCount: 10, percents: percents(0, 100), primary: none, others: [none] });
      expect(second.primary).to.equal(10);
    });

    it('(50, 100): stops half, starts half in their place, then the rest', () => {
      const p = percents(50, 100);
      expect(computeRolloutStep({ desiredCount: 10, percents: p, primary: none, others: [steady(10)] })).to.deep.equal({
        primary: 0,
        others: [5],
        stalled: false,
      });
      expect(computeRolloutStep({ desiredCount: 10, percents: p, primary: none, others: [steady(5)] }).primary).to.equal(5);
      expect(computeRolloutStep({ desiredCount: 10, percents: p, primary: steady(5), others: [steady(5)] }).others).to.deep.equal([0]);
      expect(computeRolloutStep({ desiredCount: 10, percents: p, primary: steady(5), others: [none] }).primary).to.equal(10);
    });

    it('never lets the old deployment keep tasks that are not healthy', () => {
      const old = { replicas: 10, healthy: 7, unhealthy: 3 };
      expect(computeRolloutStep({ desiredCount: 10, percents: percents(100, 200), primary: none, others: [old] }).others).to.deep.equal([7]);
    });

    it('gives up healthy tasks of the oldest deployment first', () => {
      const result = computeRolloutStep({ desiredCount: 4, percents: percents(50, 200), primary: none, others: [steady(2), steady(2)] });
      expect(result.others).to.deep.equal([0, 2]);
    });

    it('desiredCount 0 stops every task at once', () => {
      expect(computeRolloutStep({ desiredCount: 0, percents: percents(100, 200), primary: steady(3), others: [steady(2)] })).to.deep.equal({
        primary: 0,
        others: [0],
        stalled: false,
      });
    });

    it('desiredCount 1 under (100, 200): one new task beside the old, then the old one stops', () => {
      const p = percents(100, 200);
      expect(computeRolloutStep({ desiredCount: 1, percents: p, primary: none, others: [steady(1)] })).to.deep.equal({
        primary: 1,
        others: [1],
        stalled: false,
      });
      expect(computeRolloutStep({ desiredCount: 1, percents: p, primary: steady(1), others: [steady(1)] }).others).to.deep.equal([0]);
    });

    it('desiredCount 1 under (0, 100): the old task stops before the new one starts', () => {
      expect(computeRolloutStep({ desiredCount: 1, percents: percents(0, 100), primary: none, others: [steady(1)] })).to.deep.equal({
        primary: 0,
        others: [0],
        stalled: false,
      });
    });

    it('reports a rollout the bounds leave no room for (desiredCount 1 under (50, 100)) and holds the old task', () => {
      expect(computeRolloutStep({ desiredCount: 1, percents: percents(50, 100), primary: none, others: [steady(1)] })).to.deep.equal({
        primary: 0,
        others: [1],
        stalled: true,
      });
    });

    it('scales in at once when desiredCount drops, and out to it', () => {
      expect(computeRolloutStep({ desiredCount: 3, percents: percents(100, 200), primary: steady(10), others: [] }).primary).to.equal(3);
      expect(computeRolloutStep({ desiredCount: 12, percents: percents(100, 200), primary: steady(10), others: [] }).primary).to.equal(12);
    });

    it('does not grow the PRIMARY while the ReplicaSet controller has not acted on an old deployment lowered count', () => {
      // r1 lowered from 6 to 4 (its pods not seen yet), r2 at 2: the controller may still start r1's fifth and sixth task.
      const old = { replicas: 4, healthy: 4, unhealthy: 0, acted: false, reported: 4 };
      const input = { desiredCount: 6, percents: percents(100, 200), primary: { replicas: 2, healthy: 0, unhealthy: 2 }, others: [old] };
      expect(computeRolloutStep(input).primary).to.equal(2);
      expect(computeRolloutStep({ ...input, others: [{ ...old, acted: true }] }).primary).to.equal(6);
    });

    it('counts the tasks an old deployment has as its ReplicaSet controller reported them, when the pod cache shows fewer', () => {
      // The chaos run's state: r1 4 healthy, r2 lowered to 0 with 6 tasks its controller counted, 4 of them seen.
      const input = {
        desiredCount: 6,
        percents: percents(100, 200),
        primary: none,
        others: [steady(4), { replicas: 0, healthy: 0, unhealthy: 4, reported: 6 }],
      };
      expect(computeRolloutStep(input)).to.deep.equal({ primary: 2, others: [4, 0], stalled: false });
    });

    it('a FAILED primary starts no more tasks and the others hold', () => {
      const primary = { replicas: 10, healthy: 2, unhealthy: 1 };
      expect(computeRolloutStep({ desiredCount: 10, percents: percents(100, 200), primary, primaryFailed: true, others: [steady(10)] })).to.deep.equal({
        primary: 3,
        others: [10],
        stalled: false,
      });
    });

    it('a rollback drains the failed deployment and brings the previous one back within the bounds', () => {
      const failed = { replicas: 10, healthy: 0, unhealthy: 4 };
      const previous = { replicas: 6, healthy: 6, unhealthy: 0 };
      expect(computeRolloutStep({ desiredCount: 10, percents: percents(100, 200), primary: previous, others: [failed] })).to.deep.equal({
        primary: 10,
        others: [0],
        stalled: false,
      });
    });
  });

  describe('properties', () => {
    const percentsArb = fc.integer({ min: 0, max: 100 }).chain((min) => fc.integer({ min: Math.max(100, min + 1), max: 200 }).map((max) => percents(min, max)));
    const tasksArb = fc.record({ replicas: fc.nat(30), healthy: fc.nat(30), unhealthy: fc.nat(30) });
    const inputArb = fc.record({
      desiredCount: fc.nat(40),
      percents: percentsArb,
      primary: tasksArb,
      others: fc.array(tasksArb, { maxLength: 3 }),
    });

    it('one step never takes healthy tasks below the minimum nor tasks above the maximum', () => {
      fc.assert(
        fc.property(inputArb, (input) => {
          const { minHealthy, maxTasks } = taskBounds(input.desiredCount, input.percents);
          const next = computeRolloutStep(input);
          const deployments = [input.primary, ...input.others];
          const before = [input.primary.replicas, ...input.others.map((d) => d.replicas)];
          const after = [next.primary, ...next.others];
          const healthyBefore = sum(deployments.map((d, i) => healthyKept(before[i]!, d)));
          const healthyAfter = sum(deployments.map((d, i) => healthyKept(after[i]!, d)));
          expect(healthyAfter).to.be.at.least(Math.min(minHealthy, healthyBefore));
          const tasksBefore = sum(deployments.map((d, i) => occupancy(before[i]!, d)));
          const tasksAfter = sum(deployments.map((d, i) => occupancy(after[i]!, d)));
          expect(tasksAfter).to.be.at.most(Math.max(maxTasks, tasksBefore));
        }),
        { numRuns: 2000 },
      );
    });

    it('old deployments never grow, and the PRIMARY shrinks only to desiredCount', () => {
      fc.assert(
        fc.property(inputArb, fc.boolean(), (input, primaryFailed) => {
          const next = computeRolloutStep({ ...input, primaryFailed });
          next.others.forEach((replicas, i) => expect(replicas).to.be.at.most(input.others[i]!.replicas));
          expect(next.primary).to.be.at.most(Math.max(input.desiredCount, 0));
          if (!primaryFailed) expect(next.primary).to.be.at.least(Math.min(input.primary.replicas, input.desiredCount));
          else expect(next.primary).to.be.at.most(input.primary.replicas);
        }),
        { numRuns: 2000 },
      );
    });

    it('a rollout from a steady deployment converges, within the bounds at every tick, unless the bounds leave no room', () => {
      const scenario = fc.record({
        desiredCount: fc.integer({ min: 0, max: 25 }),
        percents: percentsArb,
        heal: fc.integer({ min: 1, max: 5 }),
        olds: fc.integer({ min: 1, max: 2 }),
      });
      fc.assert(
        fc.property(scenario, ({ desiredCount, percents: p, heal, olds }) => {
          // Old deployments share desiredCount healthy tasks (an earlier rollout may have been cut short).
          const others = Array.from({ length: olds }, (_, i) => steady(Math.floor(desiredCount / olds) + (i < desiredCount % olds ? 1 : 0)));
          const result = rollOut(desiredCount, p, { primary: none, others }, (unhealthy) => Math.min(unhealthy, heal));
          for (const sample of result.samples) {
            expect(sample.healthy, 'healthy').to.be.at.least(result.minHealthy);
            expect(sample.tasks, 'tasks').to.be.at.most(result.maxTasks);
          }
          if (result.stalled) expect(result.maxTasks).to.be.at.most(result.minHealthy);
          else expect(result.done, `done after ${result.samples.length} ticks`).to.equal(true);
        }),
        { numRuns: 500 },
      );
    });

    it('with desiredCount 10 the named configurations converge in a few ticks', () => {
      for (const [min, max, ticks] of [
        [100, 200, 3],
        [50, 100, 5],
        [0, 100, 3],
      ] as const) {
        const result = rollOut(10, percents(min, max), { primary: none, others: [steady(10)] }, (unhealthy) => unhealthy);
        expect(result.done, `(${min}, ${max})`).to.equal(true);
        expect(result.samples.length, `(${min}, ${max}) ticks`).to.be.at.most(ticks);
      }
    });
  });

  describe('circuit breaker and retries', () => {
    it('threshold is half of desiredCount, between 3 and 200', () => {
      expect([0, 1, 5, 6, 7, 10, 399, 400, 401, 5000].map((n) => circuitBreakerThreshold(n))).to.deep.equal([3, 3, 3, 3, 4, 5, 200, 200, 200, 200]);
    });

    it('threshold follows thresholdConfiguration: COUNT, BOUNDED_PERCENT (3 to 200) and UNBOUNDED_PERCENT (at least 1)', () => {
      expect(circuitBreakerThreshold(10, { type: 'COUNT', value: 1 })).to.equal(1);
      expect(circuitBreakerThreshold(10, { type: 'BOUNDED_PERCENT', value: 20 })).to.equal(3);
      expect(circuitBreakerThreshold(1000, { type: 'BOUNDED_PERCENT', value: 50 })).to.equal(200);
      expect(circuitBreakerThreshold(1000, { type: 'UNBOUNDED_PERCENT', value: 50 })).to.equal(500);
      expect(circuitBreakerThreshold(1, { type: 'UNBOUNDED_PERCENT', value: 10 })).to.equal(1);
      expect(circuitBreakerThreshold(10, { type: 'BOUNDED_PERCENT', value: 50 })).to.equal(circuitBreakerThreshold(10));
    });

    it('replaces failed tasks at once up to the threshold, then twice as slowly each time, at most 15 minutes', () => {
      expect(replacementDelayMs(2, 3, false)).to.equal(0);
      expect(replacementDelayMs(3, 3, false)).to.equal(10_000);
      expect(replacementDelayMs(5, 3, false)).to.equal(40_000);
      expect(replacementDelayMs(60, 3, false)).to.equal(15 * 60_000);
      expect(replacementDelayMs(60, 3, true)).to.equal(0);
    });
  });

  describe('DAEMON rolling update', () => {
    it("maps the DAEMON defaults to stopping every node's task first, and surge to maxSurge", () => {
      expect(daemonRollingUpdate(percents(0, 100))).to.deep.equal({ maxUnavailable: '100%', maxSurge: '0%' });
      expect(daemonRollingUpdate(percents(50, 100))).to.deep.equal({ maxUnavailable: '50%', maxSurge: '0%' });
      expect(daemonRollingUpdate(percents(100, 200))).to.deep.equal({ maxUnavailable: '0%', maxSurge: '100%' });
      expect(daemonRollingUpdate(percents(100, 100))).to.deep.equal({ maxUnavailable: 1, maxSurge: 0 });
    });
  });
});
