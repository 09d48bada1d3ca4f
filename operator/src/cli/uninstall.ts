// `ecs-operator uninstall`: what is left to do once the operator is gone (helm uninstall, or its Deployment
// deleted). The operator holds finalizers on some of its objects (a Service drains its tasks first; a
// TaskDefinition stays while a revision of it runs); with no operator to release them, deleting such an object,
// or its namespace, would wait forever in Terminating. This takes every `ecs.operator.dev/` finalizer off the
// ECS objects, so that a later delete completes at once and the garbage collector removes their children. It
// refuses while an operator still holds its leader Lease (it would put them back), unless forced.
import type { Command } from 'commander';
import { CoordinationV1Api, CustomObjectsApi, KubeConfig, PatchStrategy, setHeaderOptions, type V1Lease } from '@kubernetes/client-node';
import { ECS_KINDS } from '../api/index.js';
import { ECS_GROUP, ECS_VERSION } from '../api/meta.js';
import { statusCodeOf } from '../runtime/clients.js';
import { DEFAULT_LEADER_ELECTION_TIMING } from '../runtime/leader-election.js';
import type { CommandRegistration } from './main.js';

/** The finalizers of the operator's own: every one in its API group. */
export function isOperatorFinalizer(finalizer: string): boolean {
  return finalizer.startsWith(`${ECS_GROUP}/`);
}

/** A Lease of `name` renewed within its duration at `now`: some operator replica still leads. */
export function leaseHeld(lease: Pick<V1Lease, 'spec'>, now: Date): boolean {
  const renewed = lease.spec?.renewTime ?? lease.spec?.acquireTime;
  if (!renewed || !lease.spec?.holderIdentity) return false;
  const durationMs = (lease.spec.leaseDurationSeconds ?? DEFAULT_LEADER_ELECTION_TIMING.leaseDurationMs / 1000) * 1000;
  return new Date(renewed).getTime() + durationMs > now.getTime();
}

export interface UninstallOptions {
  /** One namespace; all namespaces when absent. */
  namespace?: string;
  /** The operator's leader Lease name (`--leader-election-id` of `run`). */
  leaseName?: string;
  /** Proceed although a Lease says an operator still leads. */
  force?: boolean;
}

export interface UninstallResult {
  /** `kind namespace/name` of each object a finalizer was taken from. */
  released: string[];
}

interface Listed {
  metadata: { name: string; namespace: string; resourceVersion?: string; finalizers?: string[] };
}

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

export async function uninstall(
  kc: KubeConfig,
  { namespace, leaseName = 'ecs-operator-leader', force = false }: UninstallOptions = {},
): Promise<UninstallResult> {
  const custom = kc.makeApiClient(CustomObjectsApi);
  if (!force) {
    const leases = (await kc.makeApiClient(CoordinationV1Api).listLeaseForAllNamespaces({ fieldSelector: `metadata.name=${leaseName}` })).items;
    const held = leases.find((lease) => leaseHeld(lease, new Date()));
    if (held) {
      throw new Error(
        `an operator still leads (Lease ${held.metadata?.namespace}/${leaseName} held by ${held.spec?.holderIdentity}); ` +
          'uninstall it first (helm uninstall) or pass --force',
      );
    }
  }
  const released: string[] = [];
  for (const { kind, plural } of Object.values(ECS_KINDS)) {
    const coordinates = { group: ECS_GROUP, version: ECS_VERSION, plural };
    const listed = (await (namespace ? custom.listNamespacedCustomObject({ ...coordinates, namespace }) : custom.listClusterCustomObject(coordinates))) as {
      items: Listed[];
    };
    for (const { metadata } of listed.items) {
      const finalizers = metadata.finalizers ?? [];
      if (!finalizers.some(isOperatorFinalizer)) continue;
      const body = { metadata: { finalizers: finalizers.filter((f) => !isOperatorFinalizer(f)), resourceVersion: metadata.resourceVersion } };
      try {
        await custom.patchNamespacedCustomObject({ ...coordinates, namespace: metadata.namespace, name: metadata.name, body }, mergePatch);
      } catch (error) {
        // Gone meanwhile: nothing to release. Changed meanwhile (409): run the command again.
        if (statusCodeOf(error) === 404) continue;
        throw error;
      }
      released.push(`${kind} ${metadata.namespace}/${metadata.name}`);
    }
  }
  return { released };
}

export const registerUninstall: CommandRegistration = (program: Command) => {
  program
    .command('uninstall')
    .description('after the operator is removed: take its finalizers off the ECS objects, so deleting them (or their namespace) never hangs')
    .option('--kubeconfig <path>', 'kubeconfig file (default: KUBECONFIG, ~/.kube/config, in-cluster)')
    .option('-n, --namespace <name>', 'one namespace (default: all namespaces)')
    .option('--leader-election-id <name>', "the operator's leader Lease name", 'ecs-operator-leader')
    .option('--force', 'proceed even though a replica of the operator still holds its Lease')
    .action(async (options: { kubeconfig?: string; namespace?: string; leaderElectionId: string; force?: boolean }) => {
      const kc = new KubeConfig();
      if (options.kubeconfig) kc.loadFromFile(options.kubeconfig);
      else kc.loadFromDefault();
      const { released } = await uninstall(kc, { namespace: options.namespace, leaseName: options.leaderElectionId, force: options.force === true });
      for (const object of released) process.stdout.write(`released ${object}\n`);
      process.stdout.write(`${released.length} objects released; deleting them no longer waits for the operator\n`);
    });
};
