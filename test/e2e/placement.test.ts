// Placement on the real kube-scheduler: ECS constraints and strategies of Tasks and Services decide on which
// kwok nodes the pods land. Every assertion reads the pods, Tasks, Services and Events back from the API server.
//
// The shared control plane has 6 nodes, ecs-node-1..6: one m5.large (2 CPU, 8Gi) and one c5.xlarge (4 CPU,
// 8Gi) in each of us-east-1a, us-east-1b and us-east-1c. The Cluster `six` holds exactly those six by name, so
// a node another suite adds for a while is no container instance here. Labels this suite puts on nodes have a
// key of its own namespace and are removed afterwards.
import { expect } from 'chai';
import type { V1Node, V1Pod } from '@kubernetes/client-node';
import type { ClusterSpec } from '../../operator/src/api/cluster.js';
import type { PlacementConstraint, PlacementStrategy } from '../../operator/src/api/placement.js';
import type { ServiceSpec } from '../../operator/src/api/service.js';
import type { TaskSpec } from '../../operator/src/api/task.js';
import type { TaskDefinitionSpec } from '../../operator/src/api/taskdefinition.js';
import { memoryQuantityToMiB } from '../../operator/src/translate/units.js';
import { ecsObjects, group, INSTANCE_TYPE, mergePatch, NODES, version, ZONE } from './ecs-objects.js';
import { startOperator, type RunningOperator } from './harness.js';
import { clients, installCrds, throwawayNamespace, waitFor } from './helpers.js';

const { core, custom } = clients();
const UNPLACED = 'was unable to place a task because no container instance met all of its requirements. Reason: ';

const taskDefinition = (memory: number): TaskDefinitionSpec => ({ containerDefinitions: [{ name: 'app', image: 'busybox', cpu: 32, memory }] });
const memberOf = (expression: string): PlacementConstraint => ({ type: 'memberOf', expression });

describe('Placement on the real scheduler', function () {
  let namespace: string;
  let removeNamespace: (() => Promise<void>) | undefined;
  let operator: RunningOperator;
  /** A node label key of this run's own, for custom attributes. */
  let stackLabel: string;
  const nodes = new Map<string, V1Node>();

  const { create, getTask, getService, podsOf, eventsOf, taskUntil } = ecsObjects(() => namespace);
  const labelNode = (name: string, value: string | null) => core.patchNode({ name, body: { metadata: { labels: { [stackLabel]: value } } } }, mergePatch);
  const label = (node: string | undefined, key: string) => nodes.get(node ?? '')?.metadata?.labels?.[key];

  /** Creates the Tasks `prefix-1` ... `prefix-count`; the names. */
  async function runTasks(prefix: string, count: number, spec: Partial<TaskSpec>): Promise<string[]> {
    const names = Array.from({ length: count }, (_, i) => `${prefix}-${i + 1}`);
    for (const name of names) await create('tasks', 'Task', name, { taskDefinition: 'small', cluster: 'six', ...spec });
    return names;
  }

  /** Waits until every task runs; the node of each, in order. */
  async function nodesOfRunning(names: readonly string[]): Promise<string[]> {
    const placed: string[] = [];
    for (const name of names) placed.push((await taskUntil(name, 'RUNNING', (t) => t.status?.lastStatus === 'RUNNING')).status?.containerInstance ?? '');
    return placed;
  }

  /** Waits until the Task's Placed condition is False; the message. */
  async function unplacedMessage(name: string): Promise<string> {
    const task = await taskUntil(name, 'Placed=False', (t) => t.status?.conditions?.some((c) => c.type === 'Placed' && c.status === 'False') ?? false);
    expect(task.status?.lastStatus).to.equal('PENDING');
    return task.status?.conditions?.find((c) => c.type === 'Placed')?.message ?? '';
  }

  /** Deletes every Task of the namespace and waits until their pods are gone, so the next test finds free nodes. */
  async function clearTasks(): Promise<void> {
    await custom.deleteCollectionNamespacedCustomObject({ group, version, namespace, plural: 'tasks' });
    await waitFor(
      "the tasks' pods gone",
      async () => ((await core.listNamespacedPod({ namespace, labelSelector: 'ecs.operator.dev/task' })).items.length === 0 ? true : undefined),
      { timeoutMs: 90_000 },
    );
  }

  /** Deletes a Service and waits until its pods are gone. */
  async function removeService(name: string): Promise<void> {
    await custom.deleteNamespacedCustomObject({ group, version, namespace, plural: 'services', name });
    await waitFor(`service ${name}'s pods gone`, async () => ((await podsOf(`ecs.operator.dev/service=${name}`)).length === 0 ? true : undefined), {
      timeoutMs: 90_000,
    });
  }

  /** Waits until `count` pods of the service run; the pods. */
  async function runningPodsOf(service: string, count: number): Promise<V1Pod[]> {
    return waitFor(
      `${count} running tasks of service ${service}`,
      async () => {
        const pods = (await podsOf(`ecs.operator.dev/service=${service}`)).filter((p) => p.status?.phase === 'Running');
        return pods.length === count ? pods : undefined;
      },
      { timeoutMs: 90_000 },
    );
  }

  /** Memory (MiB) not yet requested on each of the six nodes, by the pods of every namespace. */
  async function freeMemory(): Promise<Map<string, number>> {
    const free = new Map(NODES.map((n) => [n, memoryQuantityToMiB(nodes.get(n)?.status?.allocatable?.memory ?? '0') ?? 0]));
    for (const pod of (await core.listPodForAllNamespaces()).items) {
      const node = pod.spec?.nodeName;
      if (!node || !free.has(node) || pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') continue;
      const requested = (pod.spec?.containers ?? []).reduce((sum, c) => sum + (memoryQuantityToMiB(c.resources?.requests?.memory ?? '0') ?? 0), 0);
      free.set(node, free.get(node)! - requested);
    }
    return free;
  }

  before(async () => {
    await installCrds();
    ({ name: namespace, remove: removeNamespace } = await throwawayNamespace(core, 'place'));
    stackLabel = `${namespace}.e2e.ecs.operator.dev/stack`;
    for (const node of (await core.listNode()).items) nodes.set(node.metadata?.name ?? '', node);
    expect([...nodes.keys()]).to.include.members(NODES);
    operator = await startOperator(namespace);
    await create('clusters', 'Cluster', 'six', {
      nodeSelector: { matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: NODES }] },
      attributeLabels: { stack: stackLabel },
    } satisfies ClusterSpec);
    await create('taskdefinitions', 'TaskDefinition', 'small', taskDefinition(64));
    await create('taskdefinitions', 'TaskDefinition', 'big', taskDefinition(2048));
  });
  after(async () => {
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- unset when before() failed
    await operator?.finish();
    for (const node of NODES) await labelNode(node, null).catch(() => undefined);
    await removeNamespace?.();
  });

  describe('memberOf constraints', () => {
    afterEach(() => clearTasks());

    const cases: Array<{ expression: string; admits: (node: string) => boolean }> = [
      { expression: 'attribute:ecs.availability-zone in [us-east-1a, us-east-1b]', admits: (n) => ['us-east-1a', 'us-east-1b'].includes(label(n, ZONE) ?? '') },
      { expression: 'attribute:ecs.instance-type == c5.xlarge', admits: (n) => label(n, INSTANCE_TYPE) === 'c5.xlarge' },
      { expression: 'attribute:ecs.instance-type != c5.xlarge', admits: (n) => label(n, INSTANCE_TYPE) === 'm5.large' },
      {
        expression: 'attribute:ecs.instance-type == m5.large and attribute:ecs.availability-zone != us-east-1a',
        admits: (n) => label(n, INSTANCE_TYPE) === 'm5.large' && label(n, ZONE) !== 'us-east-1a',
      },
      {
        expression: 'attribute:ecs.availability-zone == us-east-1c or attribute:ecs.instance-type == c5.xlarge',
        admits: (n) => label(n, ZONE) === 'us-east-1c' || label(n, INSTANCE_TYPE) === 'c5.xlarge',
      },
      { expression: 'not(attribute:ecs.availability-zone in [us-east-1a, us-east-1b])', admits: (n) => label(n, ZONE) === 'us-east-1c' },
    ];

    it('lands tasks only on the nodes an expression admits, and on each of them', async () => {
      const runs = [];
      for (const [i, { expression, admits }] of cases.entries()) {
        const matching = NODES.filter(admits);
        // Twice as many tasks as matching nodes: the default spread over zones and instances would use the others.
        const names = await runTasks(`expr${i}`, 2 * matching.length, { group: `expr${i}`, placementConstraints: [memberOf(expression)] });
        runs.push({ expression, matching, names });
      }
      for (const { expression, matching, names } of runs) {
        const placed = await nodesOfRunning(names);
        expect(
          placed.filter((n) => !matching.includes(n)),
          `tasks of '${expression}' on nodes it does not admit`,
        ).to.deep.equal([]);
        expect(new Set(placed), `nodes used by '${expression}'`).to.have.keys(matching);
      }
    });

    it("combines the task definition's constraints with the task's (both must hold)", async () => {
      await create('taskdefinitions', 'TaskDefinition', 'zonal', {
        ...taskDefinition(64),
        placementConstraints: [memberOf('attribute:ecs.availability-zone == us-east-1b')],
      } satisfies TaskDefinitionSpec);
      const names = await runTasks('both', 4, { taskDefinition: 'zonal', placementConstraints: [memberOf('attribute:ecs.instance-type == c5.xlarge')] });
      const placed = await nodesOfRunning(names);
      const expected = NODES.filter((n) => label(n, ZONE) === 'us-east-1b' && label(n, INSTANCE_TYPE) === 'c5.xlarge');
      expect(expected).to.have.length(1);
      expect(new Set(placed)).to.have.keys(expected);
    });

    it("maps a custom attribute through the Cluster's attributeLabels: ==, exists, !exists", async () => {
      await labelNode('ecs-node-2', 'blue');
      await labelNode('ecs-node-5', 'green');
      try {
        const blue = await runTasks('blue', 3, { group: 'blue', placementConstraints: [memberOf('attribute:stack == blue')] });
        const any = await runTasks('stacked', 4, { group: 'stacked', placementConstraints: [memberOf('attribute:stack exists')] });
        const missing = await runTasks('unstacked', 4, { group: 'unstacked', placementConstraints: [memberOf('attribute:stack !exists')] });
        expect(new Set(await nodesOfRunning(blue))).to.have.keys('ecs-node-2');
        expect(new Set(await nodesOfRunning(any))).to.have.keys('ecs-node-2', 'ecs-node-5');
        const elsewhere = await nodesOfRunning(missing);
        expect(elsewhere.filter((n) => n === 'ecs-node-2' || n === 'ecs-node-5')).to.deep.equal([]);
      } finally {
        await labelNode('ecs-node-2', null);
        await labelNode('ecs-node-5', null);
      }
    });

    it("places a service's tasks only where its constraints and its task definition's hold; one that nothing meets waits, in ECS wording", async () => {
      await create('taskdefinitions', 'TaskDefinition', 'not-1a', {
        ...taskDefinition(64),
        placementConstraints: [memberOf('attribute:ecs.availability-zone != us-east-1a')],
      } satisfies TaskDefinitionSpec);
      await create('services', 'Service', 'compute', {
        taskDefinition: 'not-1a',
        cluster: 'six',
        desiredCount: 4,
        placementConstraints: [memberOf('attribute:ecs.instance-type == c5.xlarge')],
      } satisfies ServiceSpec);
      const pods = await runningPodsOf('compute', 4);
      const expected = NODES.filter((n) => label(n, ZONE) !== 'us-east-1a' && label(n, INSTANCE_TYPE) === 'c5.xlarge');
      expect(new Set(pods.map((p) => p.spec?.nodeName))).to.have.keys(expected);
      await removeService('compute');

      await create('services', 'Service', 'nowhere', {
        taskDefinition: 'small',
        cluster: 'six',
        desiredCount: 2,
        placementConstraints: [memberOf('attribute:ecs.instance-type == t2.nano')],
      } satisfies ServiceSpec);
      const svc = await waitFor(
        'the service Placed=False',
        async () => {
          const current = await getService('nowhere');
          return current.status?.conditions?.some((c) => c.type === 'Placed' && c.status === 'False') && current.status.pendingCount === 2
            ? current
            : undefined;
        },
        { describe: async () => JSON.stringify((await getService('nowhere')).status ?? {}) },
      );
      expect(svc.status?.runningCount).to.equal(0);
      expect(svc.status?.conditions?.find((c) => c.type === 'Placed')?.message).to.contain(`(service nowhere) ${UNPLACED}`);
      await removeService('nowhere');
    });

    it('keeps a task whose constraint no node meets PENDING, with Placed=False and an Event naming the constraint', async () => {
      const expression = 'attribute:ecs.instance-type == t2.nano';
      const [name] = await runTasks('nowhere', 1, { placementConstraints: [memberOf(expression)] });
      const message = await unplacedMessage(name!);
      expect(message).to.contain(`(task ${name}) ${UNPLACED}`);
      expect(message).to.contain("didn't match Pod's node affinity/selector");
      expect(message).to.contain(expression);
      const events = await waitFor('an Unplaced event', async () => {
        const list = (await eventsOf(name!)).filter((e) => e.reason === 'Unplaced');
        return list.length > 0 ? list : undefined;
      });
      expect(events[0]).to.deep.include({ type: 'Warning', message });
      // Still waiting, not failed: ECS keeps such a task PENDING.
      expect((await getTask(name!)).status?.lastStatus).to.equal('PENDING');
    });
  });

  describe('container instance and scheduler name', () => {
    afterEach(() => clearTasks());

    it('runs a task started on a named container instance (StartTask) there', async () => {
      const names = await runTasks('start', 3, { containerInstance: 'ecs-node-4' });
      expect(await nodesOfRunning(names)).to.deep.equal(['ecs-node-4', 'ecs-node-4', 'ecs-node-4']);
    });

    it("gives the pod the schedulerName a Task names, or else its Cluster's", async () => {
      const [custom] = await runTasks('own-scheduler', 1, {
        schedulerName: 'third-party-scheduler',
        placementStrategy: [{ type: 'binpack', field: 'memory' }],
      });
      const pod = await waitFor('the pod', async () => (await podsOf(`ecs.operator.dev/task=${custom}`))[0]);
      expect(pod.spec?.schedulerName).to.equal('third-party-scheduler');

      await create('clusters', 'Cluster', 'random', {
        nodeSelector: { matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: NODES }] },
        schedulerName: 'ecs-random',
      } satisfies ClusterSpec);
      const names = await runTasks('by-cluster', 2, { cluster: 'random' });
      await nodesOfRunning(names);
      for (const name of names) {
        const [p] = await podsOf(`ecs.operator.dev/task=${name}`);
        expect(p?.spec?.schedulerName).to.equal('ecs-random');
      }
    });
  });

  describe('strategies', () => {
    afterEach(() => clearTasks());

    it('binpack(memory) fills one node before using the next, where the default strategy spreads the same tasks', async () => {
      // ECS default (no strategy): spread over zones, then instances. 6 tasks of 2 GiB → one per node.
      const spread = await runTasks('spread', 6, { taskDefinition: 'big', group: 'spread' });
      const spreadNodes = await nodesOfRunning(spread);
      expect(new Set(spreadNodes), 'default strategy: one task per node').to.have.lengthOf(6);
      await clearTasks();

      // binpack(memory): each task goes to the node with the least memory left that still fits it. kube-scheduler
      // scores in whole percent of the node's memory, so nodes closer than that (82 MiB of 8 GiB) tie.
      const packed: string[] = [];
      const tie = 8192 / 100;
      for (let i = 1; i <= 6; i++) {
        const free = await freeMemory();
        const fitting = [...free.entries()].filter(([, mib]) => mib >= 2048);
        const least = Math.min(...fitting.map(([, mib]) => mib));
        const [name] = await runTasks(`packed${i}`, 1, { taskDefinition: 'big', group: 'packed', placementStrategy: [{ type: 'binpack', field: 'memory' }] });
        const [node] = await nodesOfRunning([name!]);
        expect(free.get(node!)! - least, `task ${i} on ${node} (free MiB before: ${JSON.stringify(Object.fromEntries(free))})`).to.be.within(0, tie);
        packed.push(node!);
      }
      const perNode = packed.reduce((m, n) => m.set(n, (m.get(n) ?? 0) + 1), new Map<string, number>());
      expect(Math.max(...perNode.values()), `binpack: ${JSON.stringify(Object.fromEntries(perNode))}`).to.be.at.least(3);
      expect(perNode.size, 'binpack uses fewer nodes than the spread').to.be.below(new Set(spreadNodes).size);
      const [pod] = await podsOf('ecs.operator.dev/task=packed1-1');
      expect(pod?.spec?.schedulerName).to.equal('ecs-binpack-memory');
    });

    it('spread(attribute:ecs.availability-zone) puts a 9-task service 3 in each zone', async () => {
      await create('services', 'Service', 'zones', {
        taskDefinition: 'small',
        cluster: 'six',
        desiredCount: 9,
        placementStrategy: [{ type: 'spread', field: 'attribute:ecs.availability-zone' }] satisfies PlacementStrategy[],
      } satisfies ServiceSpec);
      const pods = await runningPodsOf('zones', 9);
      const perZone = pods.reduce(
        (m, p) => m.set(label(p.spec?.nodeName, ZONE) ?? '?', (m.get(label(p.spec?.nodeName, ZONE) ?? '?') ?? 0) + 1),
        new Map<string, number>(),
      );
      expect(Object.fromEntries(perZone)).to.deep.equal({ 'us-east-1a': 3, 'us-east-1b': 3, 'us-east-1c': 3 });
      await removeService('zones');
    });

    it('spread for standalone tasks balances over zones by task group', async () => {
      const names = await runTasks('grouped', 6, { group: 'grouped', placementStrategy: [{ type: 'spread', field: 'attribute:ecs.availability-zone' }] });
      const zones = (await nodesOfRunning(names)).map((n) => label(n, ZONE));
      const perZone = zones.reduce((m, z) => m.set(z ?? '?', (m.get(z ?? '?') ?? 0) + 1), new Map<string, number>());
      expect(Object.fromEntries(perZone)).to.deep.equal({ 'us-east-1a': 2, 'us-east-1b': 2, 'us-east-1c': 2 });
    });
  });

  describe('distinctInstance', () => {
    it('runs a 7-task service one per node on 6 nodes; the 7th stays PENDING and the service says why', async () => {
      await create('services', 'Service', 'distinct', {
        taskDefinition: 'small',
        cluster: 'six',
        desiredCount: 7,
        placementConstraints: [{ type: 'distinctInstance' }],
      } satisfies ServiceSpec);
      const { running, pending } = await waitFor(
        '6 running and 1 unschedulable task',
        async () => {
          const pods = await podsOf('ecs.operator.dev/service=distinct');
          const run = pods.filter((p) => p.status?.phase === 'Running');
          const wait = pods.filter((p) => p.status?.conditions?.some((c) => c.type === 'PodScheduled' && c.reason === 'Unschedulable'));
          return run.length === 6 && wait.length === 1 ? { running: run, pending: wait } : undefined;
        },
        { timeoutMs: 90_000 },
      );
      expect(new Set(running.map((p) => p.spec?.nodeName))).to.have.keys(NODES);
      expect(pending[0]?.spec?.nodeName).to.equal(undefined);

      const svc = await waitFor(
        'the service Placed=False with 6 running and 1 pending',
        async () => {
          const s = await getService('distinct');
          const unplaced = s.status?.conditions?.some((c) => c.type === 'Placed' && c.status === 'False');
          return unplaced && s.status?.runningCount === 6 && s.status.pendingCount === 1 ? s : undefined;
        },
        { describe: async () => JSON.stringify((await getService('distinct')).status ?? {}) },
      );
      const placed = svc.status?.conditions?.find((c) => c.type === 'Placed');
      expect(placed?.message).to.contain(`(service distinct) ${UNPLACED}`);
      expect(placed?.message).to.contain('distinctInstance');
      expect(placed?.message).to.match(/anti-affinity/);
      expect(svc.status?.events?.map((e) => e.message)).to.include(placed?.message);
      // The Event is recorded after the status write that carries the same message.
      await waitFor('the Unplaced Warning Event', async () =>
        (await eventsOf('distinct')).some((e) => e.type === 'Warning' && e.message === placed?.message) ? true : undefined,
      );
      await removeService('distinct');
    });

    it('runs 7 standalone tasks of one group one per node; the 7th is PENDING with the reason in ECS wording', async () => {
      const names = await runTasks('apart', 7, { group: 'apart', placementConstraints: [{ type: 'distinctInstance' }] });
      const outcome = await waitFor(
        '6 RUNNING and 1 PENDING task',
        async () => {
          const tasks = await Promise.all(names.map(getTask));
          const run = tasks.filter((t) => t.status?.lastStatus === 'RUNNING');
          const wait = tasks.filter((t) => t.status?.conditions?.some((c) => c.type === 'Placed' && c.status === 'False'));
          return run.length === 6 && wait.length === 1 ? { run, wait } : undefined;
        },
        { timeoutMs: 90_000 },
      );
      expect(new Set(outcome.run.map((t) => t.status?.containerInstance))).to.have.keys(NODES);
      const waiting = outcome.wait[0]!;
      expect(waiting.status?.lastStatus).to.equal('PENDING');
      const message = waiting.status?.conditions?.find((c) => c.type === 'Placed')?.message;
      expect(message).to.contain(`(task ${waiting.metadata.name}) ${UNPLACED}`);
      expect(message).to.contain('distinctInstance');
      await clearTasks();
    });
  });

  describe('expressions evaluated on nodes', () => {
    afterEach(() => clearTasks());

    it('places a PENDING task once a node is relabelled to match its =~ constraint, without stopping it', async () => {
      const expression = 'attribute:stack =~ gre+n';
      const [name] = await runTasks('pattern', 1, { placementConstraints: [memberOf(expression)] });
      const message = await unplacedMessage(name!);
      expect(message).to.contain(expression);
      const before = (await podsOf(`ecs.operator.dev/task=${name}`))[0] as V1Pod;

      await labelNode('ecs-node-3', 'green');
      try {
        const task = await taskUntil(name!, 'RUNNING', (t) => t.status?.lastStatus === 'RUNNING');
        expect(task.status?.containerInstance).to.equal('ecs-node-3');
        expect(task.status?.stopCode).to.equal(undefined);
        const after = (await podsOf(`ecs.operator.dev/task=${name}`))[0];
        expect(after?.metadata?.uid, 'the unscheduled pod was created again').to.not.equal(before.metadata?.uid);
        expect(task.status?.conditions?.find((c) => c.type === 'Placed')?.status).to.equal('True');
      } finally {
        await labelNode('ecs-node-3', null);
      }
    });

    it('places a waiting service task once a node is relabelled to match its =~ constraint', async () => {
      const expression = 'attribute:stack =~ gre+n';
      await create('services', 'Service', 'patterned', {
        taskDefinition: 'small',
        cluster: 'six',
        desiredCount: 1,
        placementConstraints: [memberOf(expression)],
      } satisfies ServiceSpec);
      const waiting = await waitFor('the service task to wait, unschedulable', async () => {
        const pods = await podsOf('ecs.operator.dev/service=patterned');
        return pods.length === 1 && pods[0]?.status?.conditions?.some((c) => c.type === 'PodScheduled' && c.reason === 'Unschedulable') ? pods[0] : undefined;
      });
      await labelNode('ecs-node-3', 'green');
      try {
        const [running] = await runningPodsOf('patterned', 1);
        expect(running?.spec?.nodeName).to.equal('ecs-node-3');
        expect(running?.metadata?.uid, 'the waiting pod was replaced').to.not.equal(waiting.metadata?.uid);
      } finally {
        await labelNode('ecs-node-3', null);
        await removeService('patterned');
      }
    });
  });
});
