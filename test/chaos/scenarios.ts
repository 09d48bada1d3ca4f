// The chaos scenarios. Each repetition makes its own Service (and Tasks), injects its faults at random moments of
// a rollout, a scale change or a launch, waits until everything has converged (bounded: a slower convergence is a
// violation), then deletes what it made and checks that nothing it owned is left (bounded too).
import { CoreV1Api, type KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { LABELS } from '../../operator/src/translate/labels.js';
import type { DeploymentPercents } from '../../operator/src/translate/rollout.js';
import {
  apiServerReady,
  type ClusterSite,
  type ComponentCommand,
  componentCommand,
  componentRunning,
  ensureNodes,
  startComponent,
  stopComponent,
} from '../cluster/cluster.js';
import { DEFAULT_NODE_SET } from '../cluster/nodes.js';
import { waitFor } from '../cluster/wait.js';
import type { Fleet } from './fleet.js';
import type { Sampler } from './sampler.js';
import type { Workload } from './workload.js';

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

/** Convergence bounds (ms), stated in the report. */
export const BOUNDS = {
  /** After an operator kill, a freeze, a user's edit, or a spec change. */
  converge: 90_000,
  /** After kube-apiserver comes back (every component relists) or a node is deleted (pod GC waits 40 s first). */
  convergeSlow: 150_000,
  /** Owned ReplicaSets, pods and Services gone after their owner is deleted. */
  orphans: 60_000,
  /** The lease taken over by the other replica after the leader is frozen. */
  takeover: 40_000,
};
/** The operator's lease duration (runtime/leader-election.ts): a frozen leader stays frozen longer than this. */
const LEASE_DURATION_MS = 12_000;

export interface Faults {
  operatorKills: number;
  leaderFreezes: number;
  apiServerRestarts: number;
  userEdits: number;
  nodeFaults: number;
  specEdits: number;
}

export interface ScenarioRecord {
  name: string;
  repetitions: number;
  faults: Faults;
  /** Each convergence's duration, ms. */
  convergence: number[];
  /** Leader freeze only: ms from the freeze until the other replica held the lease. */
  takeovers: number[];
  /**
   * Tasks whose launch a kill interrupted between recording it in status and creating the pod: by design
   * (at most once: a task is never run twice) the next leader reports them STOPPED (TerminationNotice) instead
   * of creating the pod. Settled, not a violation, but counted.
   */
  lostLaunches: string[];
}

/** A seeded random source, so that a run can be repeated (CHAOS_SEED). */
export function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface ChaosContext {
  kc: KubeConfig;
  site: ClusterSite;
  work: Workload;
  fleet: Fleet;
  sampler: Sampler;
  rng: () => number;
  log: (message: string) => void;
}

interface ServiceState {
  name: string;
  revision: number;
  desired: number;
  percents: DeploymentPercents;
}

const PERCENTS: DeploymentPercents[] = [
  { minimumHealthyPercent: 50, maximumPercent: 150 },
  { minimumHealthyPercent: 100, maximumPercent: 200 },
  { minimumHealthyPercent: 50, maximumPercent: 100 },
];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class ScenarioRun {
  readonly record: ScenarioRecord;

  constructor(
    private readonly ctx: ChaosContext,
    name: string,
    repetitions: number,
  ) {
    this.record = {
      name,
      repetitions,
      faults: { operatorKills: 0, leaderFreezes: 0, apiServerRestarts: 0, userEdits: 0, nodeFaults: 0, specEdits: 0 },
      convergence: [],
      takeovers: [],
      lostLaunches: [],
    };
  }

  /** A random pause of up to `ms`: when in the rollout or launch the fault lands. */
  async jitter(ms: number): Promise<void> {
    await sleep(Math.floor(this.ctx.rng() * ms));
  }

  /**
   * Waits until `notConverged` says nothing (undefined), measuring from `since`; past `boundMs` that is a
   * violation, and the wait goes on up to twice the bound so that the run can continue from a settled state.
   */
  async converge(what: string, notConverged: () => Promise<string | undefined>, boundMs: number, since = Date.now()): Promise<void> {
    let last = 'not checked yet';
    const probe = async () => {
      last = (await notConverged().catch((e: unknown) => `unreadable: ${e instanceof Error ? e.message : String(e)}`)) ?? '';
      return last === '' ? true : undefined;
    };
    const remaining = boundMs - (Date.now() - since);
    try {
      await waitFor(what, probe, { timeoutMs: Math.max(remaining, 1_000) });
      this.record.convergence.push(Date.now() - since);
    } catch {
      this.ctx.sampler.violation('convergence', `${what} not converged within ${boundMs / 1000}s; last seen: ${last}`);
      await waitFor(what, probe, { timeoutMs: boundMs }).catch(() => this.ctx.log(`${what} still not converged; going on`));
    }
  }

  async newService(name: string, desired: number): Promise<ServiceState> {
    const percents = PERCENTS[Math.floor(this.ctx.rng() * PERCENTS.length)]!;
    await this.ctx.work.createTaskDefinition(name, 'nginx:1.0');
    await this.ctx.work.createService(name, desired, percents);
    const service = { name, revision: 1, desired, percents };
    await this.settle(service, BOUNDS.converge);
    return service;
  }

  /** Waits for `service` to converge, then its bounds apply at its desired count. */
  async settle(service: ServiceState, boundMs: number, since = Date.now()): Promise<void> {
    await this.converge(
      `Service ${service.name} on revision ${service.revision} with ${service.desired} tasks`,
      () => this.ctx.work.serviceNotConverged(service.name, service.revision, service.desired),
      boundMs,
      since,
    );
    this.ctx.sampler.checkBoundsOf(service.name, service.percents, service.desired);
  }

  /** A new Service, steady, then a rollout under way for up to `jitterMs` when this returns. */
  async midRollout(name: string, jitterMs: number): Promise<ServiceState> {
    const service = await this.newService(name, 4);
    await this.rollout(service);
    await this.jitter(jitterMs);
    return service;
  }

  async rollout(service: ServiceState): Promise<void> {
    service.revision += 1;
    this.record.faults.specEdits += 1;
    await this.ctx.work.setImage(service.name, `nginx:1.${service.revision}`);
  }

  async scale(service: ServiceState, to: number): Promise<void> {
    this.ctx.sampler.checkBoundsOf(service.name, service.percents, service.desired, to);
    service.desired = to;
    this.record.faults.specEdits += 1;
    await this.ctx.work.scale(service.name, to);
  }

  /** Deletes the Service and its TaskDefinition and checks that nothing they owned is left. */
  async remove(service: ServiceState, tasks: string[] = []): Promise<void> {
    this.ctx.sampler.pauseBoundsOf(service.name);
    await this.ctx.work.deleteService(service.name);
    for (const task of tasks) await this.ctx.work.deleteTask(task);
    const left = async () => {
      const all = [...(await this.ctx.work.leftOf('service', service.name)), ...(await Promise.all(tasks.map((t) => this.ctx.work.leftOf('task', t)))).flat()];
      return all.length === 0 ? true : undefined;
    };
    let leftover: string[] = [];
    await waitFor(`Service ${service.name} and its tasks to be gone`, left, {
      timeoutMs: BOUNDS.orphans,
      describe: async () => {
        leftover = [...(await this.ctx.work.leftOf('service', service.name)), ...(await Promise.all(tasks.map((t) => this.ctx.work.leftOf('task', t)))).flat()];
        return leftover.join(', ');
      },
    }).catch(() => this.ctx.sampler.violation('orphan', `left ${BOUNDS.orphans / 1000}s after deleting Service ${service.name}: ${leftover.join(', ')}`));
    await this.ctx.work.deleteTaskDefinition(service.name);
    await waitFor(
      `TaskDefinition ${service.name} to be gone`,
      async () => ((await this.ctx.work.leftOf('taskdefinition', service.name)).length === 0 ? true : undefined),
      {
        timeoutMs: BOUNDS.orphans,
      },
    ).catch(() => this.ctx.sampler.violation('orphan', `TaskDefinition ${service.name} still there ${BOUNDS.orphans / 1000}s after its deletion`));
  }

  /** Kills the leader (three times in four, when one of the running replicas holds the lease) or another replica. */
  async killOperator(): Promise<void> {
    const holder = await this.ctx.fleet.holder();
    const running = this.ctx.fleet.running();
    const leader = running.find((identity) => identity === holder);
    const others = running.filter((identity) => identity !== leader);
    const victim = leader && (this.ctx.rng() < 0.75 || others.length === 0) ? leader : others[Math.floor(this.ctx.rng() * others.length)]!;
    const next = await this.ctx.fleet.kill(victim);
    this.record.faults.operatorKills += 1;
    this.ctx.log(
      `killed ${victim} (${victim === leader ? 'leader' : holder && !leader ? `standby; the lease still names ${holder}` : 'standby'}); started ${next}`,
    );
  }
}

/** The operator SIGKILLed at random moments of a rollout, a scale change and task launches. */
export async function operatorKills(ctx: ChaosContext, repetitions: number): Promise<ScenarioRecord> {
  const run = new ScenarioRun(ctx, 'operator-kills', repetitions);
  for (let i = 0; i < repetitions; i++) {
    const service = await run.newService(`kill-${i}`, 4);
    const tasks: string[] = [];
    // Each action returns how to wait for what it changed, measured from the kill that interrupts it.
    const actions: (() => Promise<(since: number) => Promise<void>>)[] = [
      async () => {
        await run.rollout(service);
        return (since) => run.settle(service, BOUNDS.converge, since);
      },
      async () => {
        await run.scale(service, service.desired === 4 ? 6 : 3);
        return (since) => run.settle(service, BOUNDS.converge, since);
      },
      async () => {
        const launched = [`kill-${i}-task-${tasks.length}`, `kill-${i}-task-${tasks.length + 1}`];
        tasks.push(...launched);
        for (const task of launched) await ctx.work.createTask(task, service.name);
        return async (since) => {
          for (const task of launched) {
            await run.converge(
              `Task ${task} running (or lost at launch)`,
              () => ctx.work.taskNotConverged(task, { lostAtLaunch: true }),
              BOUNDS.converge,
              since,
            );
            const status = (await ctx.work.task(task))?.status;
            if (status?.lastStatus === 'STOPPED') run.record.lostLaunches.push(`${task}: ${status.stopCode ?? ''} ${status.stoppedReason ?? ''}`.trim());
          }
        };
      },
    ];
    actions.sort(() => ctx.rng() - 0.5);
    for (const action of actions) {
      const settle = await action();
      await run.jitter(2_500);
      const killedAt = Date.now();
      await run.killOperator();
      await settle(killedAt);
    }
    await run.remove(service, tasks);
  }
  return run.record;
}

/** The leader frozen (SIGSTOP) mid-rollout for longer than its lease, then thawed (SIGCONT). */
export async function leaderFreeze(ctx: ChaosContext, repetitions: number): Promise<ScenarioRecord> {
  const run = new ScenarioRun(ctx, 'leader-freeze', repetitions);
  for (let i = 0; i < repetitions; i++) {
    const service = await run.midRollout(`freeze-${i}`, 1_500);
    const leader = await ctx.fleet.leader();
    const frozenAt = Date.now();
    ctx.fleet.freeze(leader);
    run.record.faults.leaderFreezes += 1;
    ctx.log(`froze ${leader}`);
    try {
      await waitFor(
        'the other replica to take the lease',
        async () => {
          const holder = await ctx.fleet.holder();
          return holder && holder !== leader ? holder : undefined;
        },
        { timeoutMs: BOUNDS.takeover },
      );
      run.record.takeovers.push(Date.now() - frozenAt);
    } catch {
      ctx.sampler.violation('convergence', `no takeover within ${BOUNDS.takeover / 1000}s of freezing ${leader}`);
    }
    await sleep(Math.max(0, LEASE_DURATION_MS + 3_000 - (Date.now() - frozenAt)));
    ctx.fleet.thaw(leader);
    ctx.log(`thawed ${leader} after ${(Date.now() - frozenAt) / 1000}s`);
    await run.settle(service, BOUNDS.converge, frozenAt);
    await run.remove(service);
  }
  return run.record;
}

/** The control plane components that exit when they lose their leader lease. */
const SUPERVISED = ['kube-controller-manager', 'kube-scheduler'];

/** For `ms`, starts again any of `components` that has exited (their leases outlive the outage by up to 10 s). */
async function supervise(ctx: ChaosContext, components: ComponentCommand[], ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    for (const command of components) {
      if (!componentRunning(ctx.site, command.name)) {
        startComponent(ctx.site, command);
        ctx.log(`${command.name} had exited (its leader lease lost during the outage); started it again`);
      }
    }
    await sleep(1_000);
  }
}

/** kube-apiserver killed mid-rollout and started again a few seconds later: every watch breaks. */
export async function apiServerRestarts(ctx: ChaosContext, repetitions: number): Promise<ScenarioRecord> {
  const run = new ScenarioRun(ctx, 'apiserver-restart', repetitions);
  for (let i = 0; i < repetitions; i++) {
    const service = await run.midRollout(`apiserver-${i}`, 2_000);
    // kube-controller-manager and kube-scheduler exit when they cannot renew their own leases (10 s): as the
    // kubelet would restart those static pods, the run starts again any that exited.
    const supervised = SUPERVISED.map((name) => componentCommand(ctx.site, name));
    const stopped = await stopComponent(ctx.site, 'kube-apiserver');
    const downMs = 3_000 + Math.floor(ctx.rng() * 5_000);
    ctx.log(`kube-apiserver stopped for ${downMs / 1000}s`);
    try {
      await sleep(downMs);
    } finally {
      stopped.start();
    }
    const restartedAt = Date.now();
    await waitFor('kube-apiserver to be ready again', async () => ((await apiServerReady(ctx.kc)) ? true : undefined), { timeoutMs: 60_000 });
    run.record.faults.apiServerRestarts += 1;
    ctx.log(`kube-apiserver ready ${(Date.now() - restartedAt) / 1000}s after its restart`);
    await supervise(ctx, supervised, 20_000);
    await run.settle(service, BOUNDS.convergeSlow, restartedAt);
    await run.remove(service);
  }
  return run.record;
}

/** Users scale, edit and delete what the operator owns, and edit specs in the middle of a rollout. */
export async function userEdits(ctx: ChaosContext, repetitions: number): Promise<ScenarioRecord> {
  const run = new ScenarioRun(ctx, 'user-edits', repetitions);
  const { work, sampler } = ctx;
  for (let i = 0; i < repetitions; i++) {
    const service = await run.newService(`edit-${i}`, 4);
    const primaryRs = async () => (await work.replicaSets(service.name)).find((rs) => rs.metadata?.labels?.[LABELS.revision] === String(service.revision))!;

    // A ReplicaSet scaled by hand: the operator scales it back.
    sampler.pauseBoundsOf(service.name);
    let rs = await primaryRs();
    await work.apps.patchNamespacedReplicaSet(
      { namespace: work.namespace, name: rs.metadata!.name!, body: { spec: { replicas: service.desired + 3 } } },
      mergePatch,
    );
    run.record.faults.userEdits += 1;
    await run.settle(service, BOUNDS.converge);

    // Pods deleted by hand: replaced.
    sampler.pauseBoundsOf(service.name);
    const pods = (await work.pods(`${LABELS.service}=${service.name}`)).slice(0, 2);
    for (const pod of pods) await work.core.deleteNamespacedPod({ namespace: work.namespace, name: pod.metadata!.name! });
    run.record.faults.userEdits += 1;
    await run.settle(service, BOUNDS.converge);

    // The owned ReplicaSet's template edited: the operator puts its own back.
    sampler.pauseBoundsOf(service.name);
    rs = await primaryRs();
    const image = rs.spec!.template!.spec!.containers[0]!.image;
    const container = rs.spec!.template!.spec!.containers[0]!.name;
    await work.apps.patchNamespacedReplicaSet(
      {
        namespace: work.namespace,
        name: rs.metadata!.name!,
        body: { spec: { template: { metadata: { labels: { edited: 'by-hand' } }, spec: { containers: [{ name: container, image: 'busybox:edited' }] } } } },
      },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
    run.record.faults.userEdits += 1;
    await run.converge(
      `ReplicaSet ${rs.metadata!.name} template restored`,
      async () => {
        const now = await primaryRs();
        const current = now.spec?.template?.spec?.containers[0]?.image;
        return current === image ? undefined : `image ${current}`;
      },
      BOUNDS.converge,
    );
    await run.settle(service, BOUNDS.converge);

    // Specs edited in the middle of a rollout: a second revision and a scale change before the first finishes.
    await run.rollout(service);
    await run.jitter(1_500);
    await run.rollout(service);
    await run.scale(service, service.desired + 2);
    await run.settle(service, BOUNDS.converge);
    await run.remove(service);
  }
  return run.record;
}

/** A node with tasks cordoned during a rollout, and a node with tasks deleted. */
export async function nodeFaults(ctx: ChaosContext, repetitions: number): Promise<ScenarioRecord> {
  const run = new ScenarioRun(ctx, 'node-faults', repetitions);
  const { work, sampler } = ctx;
  const core = ctx.kc.makeApiClient(CoreV1Api);
  const busiestNode = async (selector: string) => {
    const counts = new Map<string, number>();
    for (const pod of await work.pods(selector)) {
      const node = pod.spec?.nodeName;
      if (node) counts.set(node, (counts.get(node) ?? 0) + 1);
    }
    return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
  };
  for (let i = 0; i < repetitions; i++) {
    const service = await run.newService(`node-${i}`, 6);
    const tasks = [`node-${i}-task-0`, `node-${i}-task-1`];
    for (const task of tasks) await work.createTask(task, service.name);
    for (const task of tasks) await run.converge(`Task ${task} running`, () => work.taskNotConverged(task), BOUNDS.converge);

    // Cordoned during a rollout: its tasks keep running, new ones go elsewhere.
    const cordoned = (await busiestNode(`${LABELS.service}=${service.name}`))!;
    await core.patchNode({ name: cordoned, body: { spec: { unschedulable: true } } }, mergePatch);
    run.record.faults.nodeFaults += 1;
    ctx.log(`cordoned ${cordoned}`);
    await run.rollout(service);
    await run.settle(service, BOUNDS.converge);
    const onCordoned = (await work.pods(`${LABELS.service}=${service.name}`)).filter((p) => p.spec?.nodeName === cordoned);
    if (onCordoned.length > 0) ctx.log(`warning: ${onCordoned.length} new tasks on cordoned node ${cordoned}`);
    await core.patchNode({ name: cordoned, body: { spec: { unschedulable: false } } }, mergePatch);

    // Deleted with tasks on it: the Service replaces them; a standalone Task there stops (ECS never restarts one).
    // Converged only once no task is left on the node that is gone (the pod garbage collector removes them).
    const deleted = (await busiestNode(`${LABELS.managedBy}=ecs-operator`))!;
    const stranded = (await work.pods(`${LABELS.managedBy}=ecs-operator`)).filter((p) => p.spec?.nodeName === deleted).length;
    sampler.pauseBoundsOf(service.name);
    const deletedAt = Date.now();
    await core.deleteNode({ name: deleted });
    run.record.faults.nodeFaults += 1;
    ctx.log(`deleted node ${deleted} with ${stranded} tasks on it`);
    await run.converge(
      `no task left on deleted node ${deleted}`,
      async () => {
        const left = (await work.pods(`${LABELS.managedBy}=ecs-operator`)).filter((p) => p.spec?.nodeName === deleted).length;
        return left === 0 ? undefined : `${left} tasks`;
      },
      BOUNDS.convergeSlow,
      deletedAt,
    );
    await run.settle(service, BOUNDS.convergeSlow, deletedAt);
    for (const task of tasks) await run.converge(`Task ${task} settled`, () => work.taskNotConverged(task, { mayStop: true }), BOUNDS.convergeSlow, deletedAt);
    await ensureNodes(ctx.kc, DEFAULT_NODE_SET);
    await run.remove(service, tasks);
  }
  return run.record;
}
