// The TaskDefinition, Task and Cluster controllers on the real API server, with kwok nodes running the pods.
// Every assertion reads real objects back from the API server.
import { expect } from 'chai';
import { PatchStrategy, setHeaderOptions, type V1ControllerRevision } from '@kubernetes/client-node';
import type { Cluster, ContainerInstance } from '../../operator/src/api/cluster.js';
import { ECS_API_VERSION } from '../../operator/src/api/meta.js';
import type { Task } from '../../operator/src/api/task.js';
import type { TaskDefinition, TaskDefinitionSpec } from '../../operator/src/api/taskdefinition.js';
import { startOperator, type RunningOperator } from './harness.js';
import { clients, installCrds, throwawayNamespace, waitFor, waitForUtilization } from './helpers.js';

const { core, apps, custom } = clients();
const group = 'ecs.operator.dev';
const version = 'v1alpha1';
const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

function webSpec(image = 'nginx:1.27', extra: Partial<TaskDefinitionSpec['containerDefinitions'][number]> = {}): TaskDefinitionSpec {
  return {
    containerDefinitions: [{ name: 'web', image, cpu: 256, memory: 512, portMappings: [{ containerPort: 80 }], ...extra }],
  };
}

describe('TaskDefinition, Task and Cluster controllers', function () {
  let namespace: string;
  let removeNamespace: (() => Promise<void>) | undefined;
  let operator: RunningOperator;

  const get = async <T>(plural: string, name: string) => (await custom.getNamespacedCustomObject({ group, version, namespace, plural, name })) as T;
  const create = (plural: string, kind: string, name: string, spec: object) =>
    custom.createNamespacedCustomObject({ group, version, namespace, plural, body: { apiVersion: ECS_API_VERSION, kind, metadata: { name }, spec } });
  const mergePatchSpec = (plural: string, name: string, spec: object) =>
    custom.patchNamespacedCustomObject({ group, version, namespace, plural, name, body: { spec } }, mergePatch);
  const revisions = async (taskDefinition: string): Promise<V1ControllerRevision[]> =>
    (await apps.listNamespacedControllerRevision({ namespace, labelSelector: `ecs.operator.dev/taskdefinition=${taskDefinition}` })).items;

  async function taskUntil(name: string, what: string, done: (t: Task) => boolean, timeoutMs = 60_000): Promise<Task> {
    return waitFor(
      `task ${name} ${what}`,
      async () => {
        const task = await get<Task>('tasks', name);
        return done(task) ? task : undefined;
      },
      { timeoutMs, describe: async () => JSON.stringify((await get<Task>('tasks', name)).status ?? {}) },
    );
  }

  before(async () => {
    await installCrds();
    ({ name: namespace, remove: removeNamespace } = await throwawayNamespace(core, 'ctrl'));
    operator = await startOperator(namespace);
  });
  after(async () => {
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- unset when before() failed
    await operator?.finish();
    await removeNamespace?.();
  });

  describe('TaskDefinition', () => {
    it('registers revision 1, revision 2 on a spec change, and nothing on an identical re-apply', async () => {
      await create('taskdefinitions', 'TaskDefinition', 'web', webSpec());
      const first = await waitFor('revision 1', async () => {
        const td = await get<TaskDefinition>('taskdefinitions', 'web');
        return td.status?.revision === 1 ? td : undefined;
      });
      expect(first.status).to.deep.include({ family: 'web', taskDefinition: 'web:1', status: 'ACTIVE' });
      expect(first.status?.conditions?.find((c) => c.type === 'Valid')?.status).to.equal('True');
      const [revision1] = await revisions('web');
      expect(revision1?.metadata?.name).to.equal('web-1');
      expect((revision1?.data as TaskDefinitionSpec).containerDefinitions[0]?.image).to.equal('nginx:1.27');

      await mergePatchSpec('taskdefinitions', 'web', webSpec('nginx:1.28'));
      await waitFor('revision 2', async () => ((await get<TaskDefinition>('taskdefinitions', 'web')).status?.revision === 2 ? true : undefined));
      expect((await revisions('web')).map((r) => r.metadata?.name).sort()).to.deep.equal(['web-1', 'web-2']);

      // The same spec again: a write the API server takes (a label changes the generation of nothing, so touch the spec identically).
      await mergePatchSpec('taskdefinitions', 'web', webSpec('nginx:1.28'));
      await mergePatchSpec('taskdefinitions', 'web', { inactiveRevisions: [1] });
      const td = await waitFor('revision 1 INACTIVE', async () => {
        const current = await get<TaskDefinition>('taskdefinitions', 'web');
        return current.status?.revisions?.find((r) => r.revision === 1)?.status === 'INACTIVE' ? current : undefined;
      });
      expect(td.status?.revision).to.equal(2);
      expect(await revisions('web')).to.have.length(2);
    });

    it('marks an invalid spec Valid=False naming the field, with an Event, and registers no revision', async () => {
      await create('taskdefinitions', 'TaskDefinition', 'broken', {
        containerDefinitions: [
          { name: 'app', image: 'busybox', memory: 128, dependsOn: [{ containerName: 'helper', condition: 'START' }] },
          { name: 'helper', image: 'busybox', memory: 128, dependsOn: [{ containerName: 'app', condition: 'START' }] },
        ],
      });
      const td = await waitFor('Valid=False', async () => {
        const current = await get<TaskDefinition>('taskdefinitions', 'broken');
        return current.status?.conditions?.find((c) => c.type === 'Valid' && c.status === 'False') ? current : undefined;
      });
      const valid = td.status!.conditions!.find((c) => c.type === 'Valid')!;
      expect(valid.message).to.match(/containerDefinitions\[\d\]\.dependsOn/);
      expect(await revisions('broken')).to.have.length(0);
      const events = await waitFor('a Warning event', async () => {
        const list = (await core.listNamespacedEvent({ namespace, fieldSelector: 'involvedObject.name=broken' })).items;
        return list.some((e) => e.type === 'Warning') ? list : undefined;
      });
      expect(events.find((e) => e.type === 'Warning')?.message).to.match(/dependsOn/);
    });
  });

  describe('Task', () => {
    it('runs a task on a node as one Pod, with the ECS status filled in, in the default Cluster it creates', async () => {
      await create('tasks', 'Task', 'one', { taskDefinition: 'web' });
      const task = await taskUntil('one', 'RUNNING', (t) => t.status?.lastStatus === 'RUNNING');
      const pod = await core.readNamespacedPod({ name: 'one', namespace });
      expect(pod.metadata?.ownerReferences?.[0]).to.deep.include({ kind: 'Task', name: 'one', controller: true });
      expect(pod.spec?.containers[0]?.image).to.equal('nginx:1.28');
      expect(task.status).to.deep.include({
        lastStatus: 'RUNNING',
        desiredStatus: 'RUNNING',
        taskDefinition: 'web:2',
        cluster: 'default',
        containerInstance: pod.spec?.nodeName,
        launchType: 'EC2',
        group: 'family:web',
      });
      expect(task.status?.taskArn).to.equal(`arn:aws:ecs:local:${namespace}:task/default/one`);
      expect(task.status?.startedAt).to.be.a('string');
      expect(task.status?.containers?.[0]).to.deep.include({ name: 'web', lastStatus: 'RUNNING' });
      await get<Cluster>('clusters', 'default');
    });

    it('refuses an INACTIVE revision for a new task, naming the field', async () => {
      await create('tasks', 'Task', 'old', { taskDefinition: 'web:1' });
      const task = await taskUntil('old', 'Valid=False', (t) => t.status?.conditions?.some((c) => c.type === 'Valid' && c.status === 'False') ?? false);
      expect(task.status?.conditions?.find((c) => c.type === 'Valid')?.message).to.match(/^spec\.taskDefinition: .*INACTIVE/);
      expect(await core.listNamespacedPod({ namespace, labelSelector: 'ecs.operator.dev/task=old' }).then((l) => l.items)).to.have.length(0);
    });

    it('stops the task with EssentialContainerExited and the exit code when an essential container exits', async () => {
      await create('taskdefinitions', 'TaskDefinition', 'crashy', {
        containerDefinitions: [
          {
            name: 'app',
            image: 'busybox',
            memory: 128,
            dockerLabels: { 'test.ecs.operator.dev/exit-code': '3', 'test.ecs.operator.dev/exit-container': 'app' },
          },
          { name: 'logger', image: 'busybox', memory: 64, essential: false },
        ],
      });
      await create('tasks', 'Task', 'crash', { taskDefinition: 'crashy' });
      const task = await taskUntil('crash', 'STOPPED', (t) => t.status?.lastStatus === 'STOPPED');
      expect(task.status).to.deep.include({
        stopCode: 'EssentialContainerExited',
        stoppedReason: 'Essential container in task exited',
        desiredStatus: 'STOPPED',
      });
      expect(task.status?.containers?.find((c) => c.name === 'app')).to.deep.include({ lastStatus: 'STOPPED', exitCode: 3 });
      expect(task.status?.containers?.find((c) => c.name === 'logger')?.lastStatus).to.equal('STOPPED');
      expect(task.status?.stoppedAt).to.be.a('string');
    });

    it('stops a task with UserInitiated when desiredStatus is set to STOPPED, and never restarts it', async () => {
      await create('tasks', 'Task', 'manual', { taskDefinition: 'web' });
      await taskUntil('manual', 'RUNNING', (t) => t.status?.lastStatus === 'RUNNING');
      await mergePatchSpec('tasks', 'manual', { desiredStatus: 'STOPPED' });
      const task = await taskUntil('manual', 'STOPPED', (t) => t.status?.lastStatus === 'STOPPED');
      expect(task.status).to.deep.include({ stopCode: 'UserInitiated', stoppedReason: 'Task stopped by user' });
      await waitFor('the pod to be gone', async () =>
        (await core.listNamespacedPod({ namespace, fieldSelector: 'metadata.name=manual' })).items.length === 0 ? true : undefined,
      );
      // The API server itself refuses to run a stopped task again.
      const refused = await mergePatchSpec('tasks', 'manual', { desiredStatus: 'RUNNING' }).then(
        () => false,
        () => true,
      );
      expect(refused).to.equal(true);
    });

    it('stops a task whose image cannot be pulled with TaskFailedToStart', async () => {
      await create('taskdefinitions', 'TaskDefinition', 'unpullable', {
        containerDefinitions: [
          { name: 'app', image: 'example.invalid/none:1', memory: 128, dockerLabels: { 'test.ecs.operator.dev/pull-error': 'not-found' } },
        ],
      });
      await create('tasks', 'Task', 'nopull', { taskDefinition: 'unpullable' });
      const task = await taskUntil('nopull', 'STOPPED', (t) => t.status?.lastStatus === 'STOPPED');
      expect(task.status?.stopCode).to.equal('TaskFailedToStart');
      expect(task.status?.stoppedReason).to.match(/^CannotPullContainerError: /);
    });

    describe('a launched task is never launched twice (issue 11)', () => {
      const podsNamed = async (name: string) => (await core.listNamespacedPod({ namespace, fieldSelector: `metadata.name=${name}` })).items;

      it('a task whose pod is deleted by hand is STOPPED as lost, and its pod is not created again', async () => {
        await create('tasks', 'Task', 'lost', { taskDefinition: 'web' });
        await taskUntil('lost', 'RUNNING', (t) => t.status?.lastStatus === 'RUNNING');
        await core.deleteNamespacedPod({ name: 'lost', namespace, gracePeriodSeconds: 0 });
        const task = await taskUntil('lost', 'STOPPED', (t) => t.status?.lastStatus === 'STOPPED');
        expect(task.status).to.deep.include({ stopCode: 'TerminationNotice', desiredStatus: 'STOPPED' });
        // STOPPED is final: nothing launches it again.
        expect(await podsNamed('lost')).to.have.length(0);
      });

      it('keeps the one pod across an operator restart, and a launch recorded without its pod is never launched again', async function () {
        this.timeout(150_000);
        await create('tasks', 'Task', 'across', { taskDefinition: 'web' });
        // The launch is recorded (PENDING) before the pod is created: wait for the pod itself.
        const [before] = await waitFor('the pod of task across', async () => {
          const pods = await podsNamed('across');
          return pods.length > 0 ? pods : undefined;
        });
        await operator.stop();
        // What a stop between the status write and the pod create leaves: a launch recorded, no pod.
        await create('tasks', 'Task', 'window', { taskDefinition: 'web' });
        await custom.patchNamespacedCustomObjectStatus(
          {
            group,
            version,
            namespace,
            plural: 'tasks',
            name: 'window',
            body: { status: { lastStatus: 'PENDING', desiredStatus: 'RUNNING', taskDefinition: 'web:2' } },
          },
          mergePatch,
        );
        operator = await startOperator(namespace);
        await taskUntil('across', 'RUNNING', (t) => t.status?.lastStatus === 'RUNNING');
        const after = await podsNamed('across');
        expect(
          after.map((p) => p.metadata?.uid),
          'the same single pod',
        ).to.deep.equal([before?.metadata?.uid]);
        const window = await taskUntil('window', 'STOPPED', (t) => t.status?.lastStatus === 'STOPPED');
        expect(window.status?.stopCode).to.equal('TerminationNotice');
        expect(await podsNamed('window'), 'no pod for a launch already recorded').to.have.length(0);
      });
    });
  });

  describe('TaskDefinition deletion', () => {
    it('keeps a deleted TaskDefinition and its revisions while a task uses them, then lets them go', async () => {
      // `<` and `&` in the spec: the API server re-encodes ControllerRevision data on a patch, so nothing may patch revisions.
      await create('taskdefinitions', 'TaskDefinition', 'html', webSpec('nginx:1.27', { command: ['sh', '-c', 'echo "<h1>hi</h1>" > /tmp/x && sleep 1d'] }));
      await waitFor('revision 1', async () => ((await get<TaskDefinition>('taskdefinitions', 'html')).status?.revision === 1 ? true : undefined));
      await create('tasks', 'Task', 'html-user', { taskDefinition: 'html:1' });
      await taskUntil('html-user', 'RUNNING', (t) => t.status?.lastStatus === 'RUNNING');
      await custom.deleteNamespacedCustomObject({ group, version, namespace, plural: 'taskdefinitions', name: 'html' });
      const held = await get<TaskDefinition>('taskdefinitions', 'html');
      expect(held.metadata.deletionTimestamp, 'deleted but held').to.be.a('string');
      expect(held.metadata.finalizers).to.include('ecs.operator.dev/revisions-in-use');
      await waitFor('status DELETE_IN_PROGRESS', async () =>
        (await get<TaskDefinition>('taskdefinitions', 'html')).status?.status === 'DELETE_IN_PROGRESS' ? true : undefined,
      );
      expect(await revisions('html')).to.have.length(1);

      await mergePatchSpec('tasks', 'html-user', { desiredStatus: 'STOPPED' });
      await waitFor(
        'the TaskDefinition and its revision to be gone',
        async () => {
          const td = await custom.getNamespacedCustomObject({ group, version, namespace, plural: 'taskdefinitions', name: 'html' }).then(
            () => true,
            () => false,
          );
          return !td && (await revisions('html')).length === 0 ? true : undefined;
        },
        { timeoutMs: 90_000 },
      );
    });
  });

  describe('Cluster', () => {
    const instanceOf = (cluster: Cluster, node: string): ContainerInstance | undefined => cluster.status?.containerInstances?.find((i) => i.nodeName === node);
    const remaining = (instance: ContainerInstance | undefined, name: string) => instance?.remainingResources?.find((r) => r.name === name)?.integerValue;

    it('counts 6 container instances and updates remaining resources as tasks start and stop', async () => {
      const cluster = await waitFor('6 instances', async () => {
        const c = await get<Cluster>('clusters', 'default');
        return (c.status?.registeredContainerInstancesCount ?? 0) >= 6 ? c : undefined;
      });
      expect(cluster.status?.status).to.equal('ACTIVE');
      const pod = await core.readNamespacedPod({ name: 'one', namespace });
      const node = pod.spec!.nodeName!;
      const instance = instanceOf(cluster, node)!;
      const registered = instance.registeredResources?.find((r) => r.name === 'CPU')?.integerValue ?? 0;
      const registeredMemory = instance.registeredResources?.find((r) => r.name === 'MEMORY')?.integerValue ?? 0;
      // Task "one" reserves 256 CPU units and 512 MiB (other pods of the namespace may share the node).
      expect(remaining(instance, 'CPU')).to.be.at.most(registered - 256);
      expect(remaining(instance, 'MEMORY')).to.be.at.most(registeredMemory - 512);
      const before = { cpu: remaining(instance, 'CPU')!, memory: remaining(instance, 'MEMORY')! };
      expect(instance.runningTasksCount).to.be.at.least(1);

      await mergePatchSpec('tasks', 'one', { desiredStatus: 'STOPPED' });
      const after = await waitFor('resources returned', async () => {
        const c = await get<Cluster>('clusters', 'default');
        const i = instanceOf(c, node);
        return remaining(i, 'CPU') === before.cpu + 256 && remaining(i, 'MEMORY') === before.memory + 512 ? c : undefined;
      });
      expect(after.status?.runningTasksCount).to.be.a('number');
    });

    it('shows a cordoned node DRAINING and ACTIVE again when uncordoned', async () => {
      const node = 'ecs-node-6';
      const setUnschedulable = (unschedulable: boolean) => core.patchNode({ name: node, body: { spec: { unschedulable } } }, mergePatch);
      await setUnschedulable(true);
      try {
        await waitFor('DRAINING', async () => (instanceOf(await get<Cluster>('clusters', 'default'), node)?.status === 'DRAINING' ? true : undefined));
      } finally {
        await setUnschedulable(false);
      }
      await waitFor('ACTIVE', async () => (instanceOf(await get<Cluster>('clusters', 'default'), node)?.status === 'ACTIVE' ? true : undefined));
    });
  });

  describe('restart', () => {
    it('makes zero writes during a minute of steady state after the operator restarts', async function () {
      this.timeout(240_000);
      // Steady includes the metrics: utilization first shows about 30 s after a task starts.
      await waitForUtilization(namespace);
      await operator.stop();
      operator = await startOperator(namespace, { config: { resyncPeriodMs: 5_000 } });
      const seconds = Number(process.env.ECS_STEADY_STATE_SECONDS ?? 60);
      await new Promise((r) => setTimeout(r, seconds * 1000)); // the measurement window itself, not synchronisation
      expect(await operator.writes(), 'API writes after restart').to.equal(0);
      const reconciles = await operator.metrics.reconciles.get();
      expect(
        reconciles.values.reduce((n, v) => n + v.value, 0),
        'reconciles ran (resync every 5 s)',
      ).to.be.greaterThan(10);
    });
  });
});
