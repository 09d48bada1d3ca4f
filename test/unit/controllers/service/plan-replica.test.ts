import { expect } from 'chai';
import fc from 'fast-check';
import type { V1ReplicaSet } from '@kubernetes/client-node';
import { planService } from '../../../../operator/src/controllers/service/plan.js';
import type { ServiceAction } from '../../../../operator/src/controllers/service/snapshot.js';
import { ANNOTATIONS } from '../../../../operator/src/translate/labels.js';
import { taskBounds, deploymentPercents } from '../../../../operator/src/translate/rollout.js';
import { rolloutReasons } from '../../../../operator/src/translate/service-deployments.js';
import { applyActions, deployment, replicaSet, replicasAfter, replicasOf, service, snapshot, task, tasks, writesOf, type TaskKind } from './fixtures.js';

const statusOf = (actions: readonly ServiceAction[]) => actions.find((a): a is Extract<ServiceAction, { verb: 'status' }> => a.verb === 'status')?.status;
const verbs = (actions: readonly ServiceAction[]) =>
  actions.map((a) => `${a.verb} ${'object' in a ? a.object.metadata?.name : 'desired' in a ? a.desired.metadata?.name : ''}`.trim());
const messagesOf = (actions: readonly ServiceAction[]) => statusOf(actions)?.events?.map((e) => e.message) ?? [];

describe('Service REPLICA planner', () => {
  it('adds the finalizer first and nothing else', () => {
    const svc = service();
    const plan = planService(snapshot({ service: { ...svc, metadata: { ...svc.metadata, finalizers: [] } }, revision: 1 }));
    expect(plan.actions).to.deep.equal([{ verb: 'finalizer', present: true }]);
  });

  it('starts a deployment for a new revision: creates web-1 with desiredCount and reports IN_PROGRESS', () => {
    const plan = planService(snapshot({ service: service({ desiredCount: 3 }), revision: 1 }));
    expect(verbs(plan.actions)).to.deep.equal(['create web-1', 'status']);
    expect(replicasOf(plan.actions, 'web-1')).to.equal(3);
    const [primary] = statusOf(plan.actions)?.deployments ?? [];
    expect(primary).to.include({ status: 'PRIMARY', taskDefinition: 'web:1', replicaSet: 'web-1', desiredCount: 3, rolloutState: 'IN_PROGRESS' });
  });

  // A steady deployment of 4 at revision 1 and revision 2 asked for: the first step under each bound pair.
  const bounds: Array<{ min: number; max: number; newReplicas: number; oldReplicas: number }> = [
    { min: 100, max: 200, newReplicas: 4, oldReplicas: 4 },
    { min: 50, max: 100, newReplicas: 0, oldReplicas: 2 },
    { min: 0, max: 100, newReplicas: 0, oldReplicas: 0 },
  ];
  for (const { min, max, newReplicas, oldReplicas } of bounds) {
    it(`rolls from revision 1 to 2 within (${min}, ${max}): new ${newReplicas}, old ${oldReplicas}`, () => {
      const svc = service({ desiredCount: 4, deploymentConfiguration: { minimumHealthyPercent: min, maximumPercent: max } });
      const rs1 = replicaSet(svc, 1, 4, { state: 'COMPLETED' });
      const snap = snapshot({ service: svc, revision: 2, deployments: [deployment(svc, rs1, tasks(rs1, { healthy: 4 }))] });
      const plan = planService(snap);
      expect(replicasAfter(snap, plan.actions, 'web-2')).to.equal(newReplicas);
      expect(replicasAfter(snap, plan.actions, 'web-1')).to.equal(oldReplicas);
    });
  }

  // The chaos run's user-edits state (max 200 % of 6): r1 4 healthy; r2, lowered to 0, had 6 tasks by its controller's
  // count of which the pod cache shows 4; r3 started. r3 may take only the room the 6 leave, not the 4 seen.
  it("takes an old deployment's tasks as its ReplicaSet controller counts them, and waits while it has not acted on a lowered count", () => {
    const svc = service({ desiredCount: 6, deploymentConfiguration: { minimumHealthyPercent: 100, maximumPercent: 200 } });
    const rs1 = replicaSet(svc, 1, 4, { state: 'COMPLETED', ageSeconds: 900 });
    const lowered = replicaSet(svc, 2, 0, { ageSeconds: 600 });
    const rs2 = { ...lowered, metadata: { ...lowered.metadata, generation: 2 }, status: { replicas: 6, observedGeneration: 2 } };
    const rs3 = replicaSet(svc, 3, 0, { ageSeconds: 300 });
    const snapOf = (r2: V1ReplicaSet) =>
      snapshot({
        service: svc,
        revision: 3,
        deployments: [deployment(svc, rs1, tasks(rs1, { healthy: 4 })), deployment(svc, r2, tasks(r2, { pending: 4 })), deployment(svc, rs3)],
      });
    const snap = snapOf(rs2);
    expect(replicasAfter(snap, planService(snap).actions, 'web-3')).to.equal(2);
    // Its controller not yet at generation 2: it may still be starting tasks for the count before.
    const unseen = snapOf({ ...rs2, status: { replicas: 4, observedGeneration: 1 } });
    expect(replicasAfter(unseen, planService(unseen).actions, 'web-3')).to.equal(0);
  });

  it('completes a deployment once the PRIMARY runs desiredCount healthy tasks and nothing else runs', () => {
    const svc = service({ desiredCount: 2 });
    const rs1 = replicaSet(svc, 1, 0, { state: 'COMPLETED', ageSeconds: 900 });
    const rs2 = replicaSet(svc, 2, 2);
    const plan = planService(snapshot({ service: svc, revision: 2, deployments: [deployment(svc, rs1), deployment(svc, rs2, tasks(rs2, { healthy: 2 }))] }));
    const status = statusOf(plan.actions);
    expect(status?.deployments?.[0]).to.include({ replicaSet: 'web-2', rolloutState: 'COMPLETED' });
    expect(messagesOf(plan.actions)).to.include('(service web) has reached a steady state.');
    expect(status?.conditions?.find((c) => c.type === 'Steady')?.status).to.equal('True');
    const applied = plan.actions.find((a) => a.verb === 'apply' && a.desired.metadata?.name === 'web-2');
    expect((applied as { desired: V1ReplicaSet }).desired.metadata?.annotations?.['ecs.operator.dev/rollout-state']).to.equal('COMPLETED');
    // The drained old deployment kept as the rollback target; nothing else deleted.
    expect(plan.actions.filter((a) => a.verb === 'delete')).to.deep.equal([]);
  });

  it("reports the RUNNING tasks' utilization, then writes nothing while usage stays within the deadband, and drops it without metrics", () => {
    const svc = service({ desiredCount: 2 });
    const rs = replicaSet(svc, 1, 2, { state: 'COMPLETED' });
    // Each task reserves 500m and 128 MiB (its pod's requests); one more is still pending.
    const observed = [...tasks(rs, { healthy: 2, pending: 1 })].map((t) => ({
      ...t,
      pod: { ...t.pod, spec: { ...t.pod.spec, containers: [{ name: 'web', image: 'nginx', resources: { requests: { cpu: '500m', memory: '128Mi' } } }] } },
    }));
    const [a, b, p] = observed.map((t) => t.pod.metadata!.name!);
    const usage = (cpu: number) => ({
      served: true as const,
      usage: new Map([
        [a!, { cpu, memory: 64 }],
        [b!, { cpu: 250, memory: 32 }],
        [p!, { cpu: 999, memory: 999 }],
      ]),
    });
    const first = { ...snapshot({ service: svc, revision: 1, deployments: [deployment(svc, rs, observed)] }), podUsage: usage(150) };
    const plan = planService(first);
    // (150m + 250m) / 1000m; (64 + 32) / 256 MiB.
    expect(statusOf(plan.actions)).to.include({ cpuUtilization: 40, memoryUtilization: 37.5 });
    const after = applyActions(first, plan.actions);
    expect(writesOf(after, planService({ ...after, podUsage: usage(154) }).actions), 'jitter within the deadband').to.deep.equal([]);
    expect(statusOf(planService({ ...after, podUsage: usage(200) }).actions)).to.include({ cpuUtilization: 45 });
    const gone = statusOf(planService({ ...after, podUsage: { served: false } }).actions);
    expect(gone).not.to.have.any.keys('cpuUtilization', 'memoryUtilization');
  });

  describe('circuit breaker', () => {
    const failing = (rollback: boolean, failedBefore: number, threshold?: { type: 'COUNT'; value: number }) => {
      const deploymentConfiguration = { deploymentCircuitBreaker: { enable: true, rollback, ...(threshold ? { thresholdConfiguration: threshold } : {}) } };
      const base = service({ desiredCount: 4, deploymentConfiguration });
      const rs1 = replicaSet(base, 1, 4, { state: 'COMPLETED', ageSeconds: 900 });
      const rs2 = replicaSet(base, 2, 4);
      const rs2Id = deployment(base, rs2).id;
      const svc = service(
        { desiredCount: 4, deploymentConfiguration },
        {
          deployments: [
            {
              id: rs2Id,
              status: 'PRIMARY',
              taskDefinition: 'web:2',
              replicaSet: 'web-2',
              desiredCount: 4,
              pendingCount: 0,
              runningCount: 0,
              failedTasks: failedBefore,
            },
          ],
        },
      );
      return {
        svc,
        rs1,
        rs2,
        snap: snapshot({
          service: svc,
          revision: 2,
          deployments: [deployment(svc, rs1, tasks(rs1, { healthy: 4 })), deployment(svc, rs2, [task(rs2, 'web-2-x', 'failed1')])],
        }),
      };
    };

    it('counts a failed task in status before its pod is deleted, and marks the deployment FAILED at the threshold, rolling back', () => {
      const { snap } = failing(true, 2);
      const plan = planService(snap);
      const order = verbs(plan.actions);
      expect(order.indexOf('status')).to.be.lessThan(order.indexOf('delete web-2-x'));
      const status = statusOf(plan.actions);
      const failed = status?.deployments?.find((d) => d.replicaSet === 'web-2');
      expect(failed).to.include({ rolloutState: 'FAILED', failedTasks: 3, rolloutStateReason: rolloutReasons.failed(1) });
      expect(failed?.countedFailedTasks).to.deep.equal(['pod-web-2-x']);
      expect(status?.deployments?.[0]).to.include({ replicaSet: 'web-1', status: 'PRIMARY' });
      expect(messagesOf(plan.actions).some((m) => m.includes('rolling back to deployment'))).to.equal(true);
      expect(replicasOf(plan.actions, 'web-2')).to.equal(0);
    });

    it('without rollback keeps the FAILED deployment PRIMARY and says it cannot start tasks', () => {
      const { snap } = failing(false, 2);
      const plan = planService(snap);
      const status = statusOf(plan.actions);
      expect(status?.deployments?.[0]).to.include({ replicaSet: 'web-2', status: 'PRIMARY', rolloutState: 'FAILED' });
      expect(messagesOf(plan.actions)).to.include('(service web) is unable to consistently start tasks successfully.');
      expect(replicasAfter(snap, plan.actions, 'web-1')).to.equal(4);
    });

    it('follows thresholdConfiguration COUNT', () => {
      const status = statusOf(planService(failing(true, 0, { type: 'COUNT', value: 1 }).snap).actions);
      expect(status?.deployments?.find((d) => d.replicaSet === 'web-2')).to.deep.include({
        rolloutState: 'FAILED',
        circuitBreaker: { status: 'TRIGGERED', failureCount: 1, threshold: 1 },
      });
    });

    it('writes the status before any ReplicaSet, and tells the failure once when the ReplicaSet writes were refused', () => {
      const { snap } = failing(true, 2);
      const first = planService(snap);
      const order = verbs(first.actions);
      expect(order.indexOf('status')).to.be.lessThan(order.indexOf('apply web-2'));
      // The status went through; the ReplicaSet applies met a newer version (409) and were not written.
      const recorded = applyActions(
        snap,
        first.actions.filter((a) => a.verb === 'status'),
      );
      const again = planService(recorded);
      expect(statusOf(again.actions)?.deployments?.find((d) => d.replicaSet === 'web-2')).to.include({ rolloutState: 'FAILED', failedTasks: 3 });
      expect(messagesOf(again.actions).filter((m) => m.includes('deployment failed'))).to.have.length(1);
      expect(replicasOf(again.actions, 'web-2')).to.equal(0);
    });

    it('does not count a failed task again after a restart between the status write and the delete', () => {
      const { snap } = failing(true, 0);
      const first = planService(snap);
      // The status went through, the delete did not: the pod is still there, failed.
      const restarted = applyActions(
        snap,
        first.actions.filter((a) => a.verb === 'status'),
      );
      const again = planService(restarted);
      expect(statusOf(again.actions)?.deployments?.find((d) => d.replicaSet === 'web-2')?.failedTasks).to.equal(1);
      expect(verbs(again.actions)).to.include('delete web-2-x');
      expect(
        messagesOf(again.actions).filter((m) => m.includes('has stopped')),
        'the stop is reported once',
      ).to.have.length(1);
    });
  });

  it('keeps an INACTIVE revision running: no target, the deployment that runs stays PRIMARY and is not touched', () => {
    const svc = service({ desiredCount: 2 });
    const rs1 = replicaSet(svc, 1, 2, { state: 'COMPLETED' });
    const snap = snapshot({ service: svc, deployments: [deployment(svc, rs1, tasks(rs1, { healthy: 2 }))] });
    const plan = planService(snap);
    expect(writesOf(snap, plan.actions).filter((a) => a.verb !== 'status')).to.deep.equal([]);
    expect(statusOf(plan.actions)?.conditions?.find((c) => c.type === 'Valid')).to.include({ status: 'False', reason: 'TaskDefinitionUnavailable' });
  });

  it('starts a new deployment of the same revision for a forceNewDeployment token', () => {
    const svc = service({ desiredCount: 2, forceNewDeployment: 'again' });
    const rs1 = replicaSet(service({ desiredCount: 2 }), 1, 2, { state: 'COMPLETED' });
    const plan = planService(snapshot({ service: svc, revision: 1, deployments: [deployment(svc, rs1, tasks(rs1, { healthy: 2 }))] }));
    const created = plan.actions.find((a) => a.verb === 'create');
    expect(created && 'object' in created ? created.object.metadata?.name : undefined).to.match(/^web-1-[0-9a-f]{6}$/);
    expect((created as { object: V1ReplicaSet }).object.metadata?.annotations?.[ANNOTATIONS.taskDefinition]).to.equal('web:1');
  });

  it("applies an owned ReplicaSet again when someone edited its template's image or labels, and only then", () => {
    const svc = service({ desiredCount: 2 });
    const rs1 = replicaSet(svc, 1, 2, { state: 'COMPLETED' });
    const steady = snapshot({ service: svc, revision: 1, deployments: [deployment(svc, rs1, tasks(rs1, { healthy: 2 }))] });
    expect(planService(steady).actions.filter((a) => a.verb === 'apply')).to.deep.equal([]);
    const template = rs1.spec!.template!;
    const [web, ...rest] = template.spec!.containers;
    const edits: V1ReplicaSet[] = [
      { ...rs1, spec: { ...rs1.spec!, template: { ...template, spec: { ...template.spec!, containers: [{ ...web!, image: 'busybox:edited' }, ...rest] } } } },
      {
        ...rs1,
        spec: {
          ...rs1.spec!,
          template: {
            ...template,
            metadata: { ...template.metadata, labels: { ...template.metadata?.labels, [Object.keys(template.metadata!.labels!)[0]!]: 'x' } },
          },
        },
      },
    ];
    for (const edited of edits) {
      const plan = planService(snapshot({ service: svc, revision: 1, deployments: [deployment(svc, edited, tasks(edited, { healthy: 2 }))] }));
      const apply = plan.actions.find((a) => a.verb === 'apply' && a.desired.metadata?.name === 'web-1');
      expect(apply, 'a forced apply of web-1').to.include({ force: true });
    }
    // What someone else added (a label, a container of their own) is theirs: no apply for it.
    const added = {
      ...rs1,
      spec: {
        ...rs1.spec!,
        template: {
          ...template,
          metadata: { ...template.metadata, labels: { ...template.metadata?.labels, extra: 'y' } },
          spec: { ...template.spec!, containers: [...template.spec!.containers, { name: 'theirs', image: 'x' }] },
        },
      },
    };
    const plan = planService(snapshot({ service: svc, revision: 1, deployments: [deployment(svc, added, tasks(added, { healthy: 2 }))] }));
    expect(plan.actions.filter((a) => a.verb === 'apply')).to.deep.equal([]);
  });

  it('reports a ReplicaSet name held by someone else and does not create it', () => {
    const svc = service();
    const snap = { ...snapshot({ service: svc, revision: 1 }), foreign: [{ kind: 'ReplicaSet' as const, name: 'web-1' }] };
    const plan = planService(snap);
    expect(plan.actions.filter((a) => a.verb === 'create')).to.deep.equal([]);
    expect(statusOf(plan.actions)?.conditions?.find((c) => c.type === 'Valid')).to.include({ status: 'False', reason: 'ReplicaSetNameTaken' });
    expect(plan.events.map((e) => e.reason)).to.include('ReplicaSetNameTaken');
  });

  // A new leader whose cache does not show web-3 yet, which the old leader created (4 tasks beside web-1's 4, max
  // 200 % of 6): its create is answered AlreadyExists. web-2 must not become the PRIMARY and grow into web-3's room.
  it('grows no deployment while a create finds the ReplicaSet name held by an object the cache does not show', () => {
    const svc = service({ desiredCount: 6, deploymentConfiguration: { minimumHealthyPercent: 100, maximumPercent: 200 } });
    const rs1 = replicaSet(svc, 1, 4, { state: 'COMPLETED', ageSeconds: 900 });
    const rs2 = replicaSet(svc, 2, 0, { ageSeconds: 600 });
    const snap = snapshot({ service: svc, revision: 3, deployments: [deployment(svc, rs1, tasks(rs1, { healthy: 4 })), deployment(svc, rs2)] });
    const plan = planService({ ...snap, taken: [{ kind: 'ReplicaSet', name: 'web-3' }] });
    expect(replicasAfter(snap, plan.actions, 'web-2')).to.equal(0);
    expect(replicasAfter(snap, plan.actions, 'web-1')).to.equal(4);
    expect(plan.actions.filter((a) => a.verb === 'create')).to.deep.equal([]);
  });

  it('reports started tasks once, by the watermark in status, not by reading events', () => {
    const svc = service({ desiredCount: 2 });
    const rs1 = replicaSet(svc, 1, 2);
    const snap = snapshot({ service: svc, revision: 1, deployments: [deployment(svc, rs1, tasks(rs1, { healthy: 2 }))] });
    const first = planService(snap);
    expect(messagesOf(first.actions).filter((m) => m.includes('has started 2 tasks'))).to.have.length(1);
    const after = applyActions(snap, first.actions);
    const withoutEvents = { ...after, service: { ...after.service, status: { ...after.service.status, events: [] } } };
    expect(messagesOf(planService(withoutEvents).actions).filter((m) => m.includes('has started'))).to.deep.equal([]);
  });

  it('lists started tasks ten to a message in status.events, and says how many in one Kubernetes Event', () => {
    const svc = service({ desiredCount: 25 });
    const rs1 = replicaSet(svc, 1, 25);
    const plan = planService(snapshot({ service: svc, revision: 1, deployments: [deployment(svc, rs1, tasks(rs1, { healthy: 25 }))] }));
    expect(messagesOf(plan.actions).filter((m) => m.includes('has started'))).to.have.length(3);
    const started = plan.events.filter((e) => e.reason === 'TasksStarted');
    expect(started.map((e) => e.message)).to.deep.equal(['(service web) has started 25 tasks.']);
  });

  describe('properties over random snapshots', () => {
    const kinds: TaskKind[] = ['healthy', 'pending', 'starting', 'failed1', 'failed2', 'stopping'];
    const arb = fc.record({
      desiredCount: fc.nat(8),
      min: fc.integer({ min: 0, max: 100 }),
      extra: fc.integer({ min: 1, max: 100 }),
      revisions: fc.uniqueArray(fc.integer({ min: 1, max: 4 }), { minLength: 0, maxLength: 3 }),
      replicas: fc.array(fc.nat(8), { minLength: 3, maxLength: 3 }),
      taskKinds: fc.array(fc.array(fc.constantFrom(...kinds), { maxLength: 6 }), { minLength: 3, maxLength: 3 }),
      target: fc.integer({ min: 1, max: 4 }),
      breaker: fc.constantFrom(undefined, { enable: true, rollback: true }, { enable: true, rollback: false }),
    });
    const snapshotOf = (v: {
      desiredCount: number;
      min: number;
      extra: number;
      revisions: number[];
      replicas: number[];
      taskKinds: TaskKind[][];
      target: number;
      breaker?: { enable: boolean; rollback: boolean };
    }) => {
      const svc = service({
        desiredCount: v.desiredCount,
        deploymentConfiguration: {
          minimumHealthyPercent: v.min,
          maximumPercent: Math.max(100, v.min + v.extra),
          ...(v.breaker ? { deploymentCircuitBreaker: v.breaker } : {}),
        },
      });
      const sorted = [...v.revisions].sort((a, b) => a - b);
      const deployments = sorted.map((revision, i) => {
        const rs = replicaSet(svc, revision, v.replicas[i] ?? 0, {
          ageSeconds: 1000 - revision,
          ...(i < sorted.length - 1 ? { state: 'COMPLETED' as const } : {}),
        });
        // The ReplicaSet controller removes surplus pods promptly: at most `replicas` tasks that are not stopping.
        let room = v.replicas[i] ?? 0;
        const kept = (v.taskKinds[i] ?? []).filter((kind) => kind === 'stopping' || room-- > 0);
        return deployment(
          svc,
          rs,
          kept.map((kind, j) => task(rs, `web-${revision}-${j}`, kind)),
        );
      });
      return snapshot({ service: svc, revision: v.target, deployments });
    };

    it('never plans replicas that take the tasks above the maximum or the healthy ones below the minimum by its own doing', () => {
      fc.assert(
        fc.property(arb, (v) => {
          const snap = snapshotOf(v);
          const plan = planService(snap);
          const { minHealthy, maxTasks } = taskBounds(v.desiredCount, deploymentPercents('REPLICA', snap.service.spec.deploymentConfiguration));
          const stopped = new Set(plan.actions.filter((a) => a.verb === 'delete').map((a) => ('object' in a ? a.object.metadata?.uid : '')));
          let occupancyBefore = 0;
          let occupancyAfter = 0;
          let healthyBefore = 0;
          let healthyAfter = 0;
          for (const d of snap.deployments) {
            const live = d.tasks.filter((t) => t.observed.state !== 'STOPPING');
            const kept = live.filter((t) => !stopped.has(t.pod.metadata?.uid));
            const healthy = kept.filter((t) => t.observed.state === 'HEALTHY').length;
            const before = d.live?.spec?.replicas ?? 0;
            const after = replicasAfter(snap, plan.actions, d.name) ?? before;
            occupancyBefore += Math.max(before, live.length);
            occupancyAfter += Math.max(after, kept.length);
            healthyBefore += Math.min(before, live.filter((t) => t.observed.state === 'HEALTHY').length);
            healthyAfter += Math.min(after, healthy);
          }
          const created = plan.actions
            .filter((a) => a.verb === 'create')
            .reduce((sum, a) => sum + ((a as { object: V1ReplicaSet }).object.spec?.replicas ?? 0), 0);
          occupancyAfter += created;
          expect(occupancyAfter).to.be.at.most(Math.max(maxTasks, occupancyBefore));
          expect(healthyAfter).to.be.at.least(Math.min(minHealthy, healthyBefore));
        }),
        { numRuns: 300 },
      );
    });

    it('never has two ReplicaSets for one revision', () => {
      fc.assert(
        fc.property(arb, (v) => {
          const snap = snapshotOf(v);
          const after = applyActions(snap, planService(snap).actions);
          const revisions = after.deployments.map((d) => d.taskDefinition);
          expect(new Set(revisions).size).to.equal(revisions.length);
        }),
        { numRuns: 300 },
      );
    });

    // Two steps at most: an old deployment lowered in one step frees its room for the PRIMARY in the next,
    // once its lowered count is seen (the ReplicaSet controller may act on the new count first otherwise).
    it('plans no write when planning again on the planned result (after at most one more step)', () => {
      fc.assert(
        fc.property(arb, (v) => {
          const snap = snapshotOf(v);
          const first = applyActions(snap, planService(snap).actions);
          const after = applyActions(first, planService(first).actions);
          const again = planService(after);
          expect(verbs(writesOf(after, again.actions))).to.deep.equal([]);
          expect(again.events.filter((e) => e.reason !== 'TaskFailed')).to.deep.equal([]);
        }),
        { numRuns: 300 },
      );
    });
  });
});
