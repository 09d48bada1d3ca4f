// The operator under chaos: two replicas of `bin/ecs-operator run` with leader election, as the chart's
// Deployment runs them (its RBAC, its Lease). Each incarnation gets a new identity (as a new pod gets a new
// name) and its own ServiceAccount token, whose id the API server's audit log records with every request it
// sends: that is how audit.ts tells which replica sent a write. A replica we kill is started again at once, as
// its Deployment would; one that exits without our signal is a violation ("the operator never exits on its own").
import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CoordinationV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import type { ChartRbac } from '../e2e/chart-rbac.js';
import { startReplica } from '../e2e/operator-replica.js';
import { waitFor } from '../cluster/wait.js';

interface Replica {
  identity: string;
  slot: string;
  child: ChildProcess;
  /** Set before we signal it: its exit is then ours. */
  signalled: boolean;
  exited: boolean;
}

export interface UnexpectedExit {
  identity: string;
  code: number | null;
  signal: string | null;
}

/** The `jti` claim of a service account token (the audit log's credential id is `JTI=<jti>`). */
function tokenId(token: string): string {
  const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { jti?: string };
  if (!payload.jti) throw new Error('the service account token has no jti claim');
  return payload.jti;
}

export class Fleet {
  private readonly replicas = new Map<string, Replica>();
  private generation = 0;
  /** Token id → replica identity, for every incarnation started. */
  readonly identities = new Map<string, string>();
  readonly unexpectedExits: UnexpectedExit[] = [];
  kills = 0;
  freezes = 0;
  private readonly coordination: CoordinationV1Api;
  private readonly core: CoreV1Api;

  constructor(
    private readonly admin: KubeConfig,
    private readonly rbac: ChartRbac,
    private readonly namespace: string,
    private readonly logDir: string,
  ) {
    this.coordination = admin.makeApiClient(CoordinationV1Api);
    this.core = admin.makeApiClient(CoreV1Api);
  }

  /** A kubeconfig file with a fresh token of the chart's ServiceAccount. */
  private async kubeconfigFor(identity: string): Promise<{ path: string; jti: string }> {
    const [, saNamespace, saName] = /^system:serviceaccount:([^:]+):(.+)$/.exec(this.rbac.user) ?? [];
    const request = await this.core.createNamespacedServiceAccountToken({
      name: saName!,
      namespace: saNamespace!,
      body: { spec: { audiences: [], expirationSeconds: 4 * 3600 } },
    });
    const token = request.status?.token;
    if (!token) throw new Error('the TokenRequest returned no token');
    const kc = new KubeConfig();
    const cluster = this.admin.getCurrentCluster()!;
    kc.loadFromOptions({
      clusters: [cluster],
      users: [{ name: identity, token }],
      contexts: [{ name: identity, cluster: cluster.name, user: identity }],
      currentContext: identity,
    });
    const path = join(this.logDir, `${identity}.kubeconfig`);
    writeFileSync(path, kc.exportConfig(), { mode: 0o600 });
    return { path, jti: tokenId(token) };
  }

  /** Starts the next incarnation of `slot` (a, b). */
  async start(slot: string): Promise<string> {
    this.generation += 1;
    const identity = `replica-${slot}-${this.generation}`;
    const { path, jti } = await this.kubeconfigFor(identity);
    this.identities.set(jti, identity);
    const child = startReplica({ identity, kubeconfig: path, namespace: this.namespace, lease: this.rbac.lease, logDir: this.logDir });
    const replica: Replica = { identity, slot, child, signalled: false, exited: false };
    this.replicas.set(slot, replica);
    child.once('exit', (code, signal) => {
      replica.exited = true;
      if (!replica.signalled) {
        this.unexpectedExits.push({ identity, code, signal });
        // As the Deployment would: a replica that died on its own is replaced, and the run goes on.
        // (The API server may be down: its token request is retried until it answers.)
        if (this.replicas.get(slot) === replica) {
          void waitFor(`a replacement for ${identity}`, () => this.start(slot).catch(() => undefined), { timeoutMs: 300_000 }).catch(() => undefined);
        }
      }
    });
    return identity;
  }

  async holder(): Promise<string | undefined> {
    const lease = await this.coordination.readNamespacedLease(this.rbac.lease).catch(() => undefined);
    return lease?.spec?.holderIdentity ?? undefined;
  }

  /** Waits until some live replica of the fleet holds the lease, and returns its identity. */
  async leader(timeoutMs = 60_000): Promise<string> {
    return waitFor(
      'a replica to hold the lease',
      async () => {
        const holder = await this.holder();
        return [...this.replicas.values()].some((r) => r.identity === holder && !r.exited) ? holder : undefined;
      },
      { timeoutMs },
    );
  }

  private byIdentity(identity: string): Replica {
    const replica = [...this.replicas.values()].find((r) => r.identity === identity);
    if (!replica) throw new Error(`no running replica ${identity}`);
    return replica;
  }

  /** The identities of the replicas running now. */
  running(): string[] {
    return [...this.replicas.values()].filter((r) => !r.exited).map((r) => r.identity);
  }

  /** SIGKILL, then the same slot starts again as a new incarnation; returns the new identity. */
  async kill(identity: string): Promise<string> {
    const replica = this.byIdentity(identity);
    replica.signalled = true;
    const exited = new Promise((resolve) => (replica.exited ? resolve(undefined) : replica.child.once('exit', resolve)));
    replica.child.kill('SIGKILL');
    await exited;
    this.kills += 1;
    return this.start(replica.slot);
  }

  /** SIGSTOP: the process is frozen, its timers and sockets with it. */
  freeze(identity: string): void {
    this.byIdentity(identity).child.kill('SIGSTOP');
    this.freezes += 1;
  }

  thaw(identity: string): void {
    this.byIdentity(identity).child.kill('SIGCONT');
  }

  /** SIGTERM to every replica (a rolling shutdown), then SIGKILL to any still running after 20 s. */
  async stop(): Promise<void> {
    await Promise.all(
      [...this.replicas.values()].map(async (replica) => {
        replica.signalled = true;
        if (replica.exited) return;
        const exited = new Promise((resolve) => replica.child.once('exit', resolve));
        replica.child.kill('SIGCONT');
        replica.child.kill('SIGTERM');
        const killer = setTimeout(() => replica.child.kill('SIGKILL'), 20_000);
        await exited;
        clearTimeout(killer);
      }),
    );
  }
}
