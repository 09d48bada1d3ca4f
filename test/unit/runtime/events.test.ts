import type { CoreV1Event, KubernetesObject } from '@kubernetes/client-node';
import { expect } from 'chai';
import type { ApiClients } from '../../../operator/src/runtime/clients.js';
import { KubeEventRecorder } from '../../../operator/src/runtime/events.js';
import { Metrics } from '../../../operator/src/runtime/metrics.js';
import { FakeClock } from './fake-clock.js';

/** A core API holding Events in memory, answering creates and merge patches as the API server would. */
function eventStore() {
  const events = new Map<string, CoreV1Event>();
  const requests: string[] = [];
  let failWith: Error | undefined;
  const core = {
    async createNamespacedEvent({ namespace, body }: { namespace: string; body: CoreV1Event }) {
      requests.push('create');
      if (failWith) throw failWith;
      events.set(`${namespace}/${body.metadata.name}`, structuredClone(body));
      return body;
    },
    async patchNamespacedEvent({ name, namespace, body }: { name: string; namespace: string; body: Partial<CoreV1Event> }) {
      requests.push('patch');
      if (failWith) throw failWith;
      const event = events.get(`${namespace}/${name}`);
      if (!event) throw Object.assign(new Error('not found'), { code: 404 });
      Object.assign(event, body);
      return event;
    },
  };
  return {
    clients: { core } as unknown as ApiClients,
    events,
    requests,
    fail: (error: Error | undefined) => (failWith = error),
  };
}

const task: KubernetesObject = {
  apiVersion: 'ecs.operator.dev/v1alpha1',
  kind: 'Task',
  metadata: { name: 'web', namespace: 'team', uid: 'uid-1', resourceVersion: '42' },
};

describe('runtime/events', () => {
  it('writes a core/v1 Event naming the object, reason, message and reporting component', async () => {
    const store = eventStore();
    const recorder = new KubeEventRecorder(store.clients, { clock: new FakeClock(Date.UTC(2025, 0, 1)), instance: 'pod-a' });
    await recorder.record(task, 'Warning', 'TaskFailedToStart', 'image not found');
    const [event] = [...store.events.values()];
    expect(event).to.deep.include({
      type: 'Warning',
      reason: 'TaskFailedToStart',
      message: 'image not found',
      count: 1,
      reportingComponent: 'ecs-operator',
      reportingInstance: 'pod-a',
      source: { component: 'ecs-operator', host: 'pod-a' },
      involvedObject: { apiVersion: 'ecs.operator.dev/v1alpha1', kind: 'Task', name: 'web', namespace: 'team', uid: 'uid-1', resourceVersion: '42' },
    });
    expect(event?.metadata.namespace).to.equal('team');
    expect(event?.metadata.name).to.match(/^web\.[0-9a-f]+$/);
    expect(event?.firstTimestamp?.toISOString()).to.equal('2025-01-01T00:00:00.000Z');
  });

  it('aggregates repeats into one Event by count and lastTimestamp, even when recorded at once', async () => {
    const store = eventStore();
    const clock = new FakeClock();
    const recorder = new KubeEventRecorder(store.clients, { clock });
    await Promise.all([1, 2, 3].map(() => recorder.record(task, 'Normal', 'Started', 'task started')));
    await clock.advance(60_000);
    await recorder.record(task, 'Normal', 'Started', 'task started');
    expect(store.requests).to.deep.equal(['create', 'patch', 'patch', 'patch']);
    expect(store.events.size).to.equal(1);
    const [event] = [...store.events.values()];
    expect(event?.count).to.equal(4);
    expect(event?.lastTimestamp).to.equal(new Date(clock.now()).toISOString());
  });

  it('writes a separate Event for another message, reason or object', async () => {
    const store = eventStore();
    const recorder = new KubeEventRecorder(store.clients, { clock: new FakeClock() });
    await recorder.record(task, 'Normal', 'Started', 'a');
    await recorder.record(task, 'Normal', 'Started', 'b');
    await recorder.record(task, 'Normal', 'Stopped', 'a');
    await recorder.record({ ...task, metadata: { ...task.metadata, name: 'db', uid: 'uid-2' } }, 'Normal', 'Started', 'a');
    expect(store.events.size).to.equal(4);
  });

  it('puts events of cluster-scoped objects in the default namespace', async () => {
    const store = eventStore();
    const recorder = new KubeEventRecorder(store.clients, { clock: new FakeClock() });
    await recorder.record({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1', uid: 'n' } }, 'Normal', 'Draining', 'cordoned');
    expect([...store.events.keys()][0]).to.match(/^default\/n1\./);
  });

  it('writes a new Event when the aggregated one has expired', async () => {
    const store = eventStore();
    const recorder = new KubeEventRecorder(store.clients, { clock: new FakeClock() });
    await recorder.record(task, 'Normal', 'Started', 'a');
    store.events.clear();
    await recorder.record(task, 'Normal', 'Started', 'a');
    expect(store.requests).to.deep.equal(['create', 'patch', 'create']);
    expect(store.events.size).to.equal(1);
  });

  it('never throws into the caller: failures are logged and counted', async () => {
    const store = eventStore();
    const metrics = new Metrics();
    const recorder = new KubeEventRecorder(store.clients, { clock: new FakeClock(), metrics });
    store.fail(Object.assign(new Error('forbidden'), { code: 403 }));
    await recorder.record(task, 'Warning', 'Oops', 'x');
    recorder.warning(task, 'Oops', 'y');
    await recorder.flush();
    expect(await metrics.value('ecs_operator_event_write_failures_total')).to.equal(2);
    store.fail(undefined);
    await recorder.record(task, 'Warning', 'Oops', 'x');
    expect(store.events.size).to.equal(1);
  });
});
