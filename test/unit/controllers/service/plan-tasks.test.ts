import { expect } from 'chai';
import fc from 'fast-check';
import { failedTaskStops, taskReports } from '../../../../operator/src/controllers/service/plan-tasks.js';
import type { ObservedTask } from '../../../../operator/src/controllers/service/snapshot.js';
import { replicaSet, service, task } from './fixtures.js';

const rs = replicaSet(service(), 1, 3);
const at = (t: ObservedTask, iso: string): ObservedTask => ({ ...t, pod: { ...t.pod, metadata: { ...t.pod.metadata, creationTimestamp: new Date(iso) } } });

describe('Service task planning', () => {
  describe('reported tasks', () => {
    it('names each started task once, telling apart tasks created in the same second by name', () => {
      const a = at(task(rs, 'a', 'healthy'), '2026-11-30T12:00:00Z');
      const b = at(task(rs, 'b', 'healthy'), '2026-11-30T12:00:01Z');
      const first = taskReports([a, b], undefined, []);
      expect(first.started).to.deep.equal(['a', 'b']);
      expect(first.reported).to.deep.equal({ startedThrough: '2026-11-30T12:00:01.000Z', startedAtThrough: ['b'] });
      // c appears later with the same creation second as b.
      const c = at(task(rs, 'c', 'pending'), '2026-11-30T12:00:01Z');
      const second = taskReports([a, b, c], first.reported, []);
      expect(second.started).to.deep.equal(['c']);
      expect(second.reported.startedAtThrough).to.deep.equal(['b', 'c']);
      expect(taskReports([a, b, c], second.reported, []).started).to.deep.equal([]);
    });

    it('names a stopping task once, forgets names of gone pods with its next report, and does not repeat one stopped by the plan', () => {
      const s = task(rs, 's', 'stopping');
      const f = task(rs, 'f', 'failed1');
      const first = taskReports([s, f], undefined, ['f']);
      expect(first.stopped).to.deep.equal(['f', 's']);
      const deletedF = { ...f, pod: { ...f.pod, metadata: { ...f.pod.metadata, deletionTimestamp: new Date() } } };
      expect(taskReports([s, deletedF], first.reported, []).stopped).to.deep.equal([]);
      // A restart before the delete went through: the plan stops f again, but it was reported.
      expect(taskReports([s, f], first.reported, ['f']).stopped).to.deep.equal([]);
      // A pod's going alone changes nothing (no status write for it); the next report drops its name.
      expect(taskReports([], first.reported, []).reported.stopped).to.deep.equal(['f', 's']);
      expect(taskReports([task(rs, 'n', 'stopping')], first.reported, []).reported.stopped).to.deep.equal(['n']);
    });

    it('keeps its record bounded by the tasks that exist and the tasks of one second (property)', () => {
      fc.assert(
        fc.property(fc.array(fc.record({ second: fc.nat(5), stopping: fc.boolean() }), { maxLength: 20 }), (specs) => {
          const tasks = specs.map((x, i) =>
            at(task(rs, `t${i}`, x.stopping ? 'stopping' : 'healthy'), new Date(Date.UTC(2026, 10, 30, 12, 0, x.second)).toISOString()),
          );
          const once = taskReports(tasks, undefined, []);
          const twice = taskReports(tasks, once.reported, []);
          expect(twice.started).to.deep.equal([]);
          expect(twice.stopped).to.deep.equal([]);
          expect((once.reported.stopped ?? []).length).to.be.at.most(tasks.length);
          expect((once.reported.startedAtThrough ?? []).length).to.be.at.most(tasks.length);
        }),
      );
    });
  });

  describe('failed task stops', () => {
    it('counts a failure once, and forgets the uid of a gone pod when it counts the next', () => {
      const f = task(rs, 'f', 'failed2');
      const first = failedTaskStops(new Map([['d', [f]]]), {}, 3, true, Date.now());
      expect(first.stop.map((t) => t.pod.metadata?.name)).to.deep.equal(['f']);
      expect(first.failures.get('d')).to.deep.equal({ failedTasks: 1, countedFailedTasks: ['pod-f'] });
      const previous = {
        deployments: [
          { id: 'd', status: 'PRIMARY' as const, taskDefinition: 'web:1', desiredCount: 1, pendingCount: 0, runningCount: 0, ...first.failures.get('d')! },
        ],
      };
      expect(failedTaskStops(new Map([['d', [f]]]), previous, 3, true, Date.now()).failures.get('d')).to.deep.equal({
        failedTasks: 1,
        countedFailedTasks: ['pod-f'],
      });
      // The pod gone: its uid stays until the next failure is counted, so its going costs no status write.
      expect(failedTaskStops(new Map([['d', []]]), previous, 3, true, Date.now()).failures.get('d')).to.deep.equal({
        failedTasks: 1,
        countedFailedTasks: ['pod-f'],
      });
      const g = task(rs, 'g', 'failed1');
      expect(failedTaskStops(new Map([['d', [g]]]), previous, 3, true, Date.now()).failures.get('d')).to.deep.equal({
        failedTasks: 2,
        countedFailedTasks: ['pod-g'],
      });
    });

    it('without a circuit breaker waits ever longer before replacing failures past the threshold', () => {
      const f = task(rs, 'f', 'failed1', 1);
      const previous = {
        deployments: [{ id: 'd', status: 'PRIMARY' as const, taskDefinition: 'web:1', desiredCount: 1, pendingCount: 0, runningCount: 0, failedTasks: 3 }],
      };
      const plan = failedTaskStops(new Map([['d', [f]]]), previous, 3, false, Date.parse('2026-11-30T12:00:00Z'));
      expect(plan.stop).to.deep.equal([]);
      expect(plan.nextDueMs).to.be.greaterThan(0);
    });

    it('does not count a task stopped by its node (no circuit breaker stage)', () => {
      const evicted: ObservedTask = { ...task(rs, 'e', 'failed1'), observed: { state: 'FAILED', lastStatus: 'STOPPED', failure: { reason: 'evicted' } } };
      expect(failedTaskStops(new Map([['d', [evicted]]]), {}, 3, true, Date.now()).failures.get('d')?.failedTasks).to.equal(0);
    });
  });
});
