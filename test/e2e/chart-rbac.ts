// The chart's RBAC on the real API server, for running the operator with exactly the permissions a Helm install
// gives it: applies the ServiceAccount, (Cluster)Roles and bindings `helm template` renders, and returns a
// KubeConfig that impersonates that ServiceAccount (client-node sends Impersonate-User for a user's `as`). A
// permission the chart lacks then fails the operator's request with 403, as it would in a real install.
import { randomBytes } from 'node:crypto';
import { AuthorizationV1Api, KubeConfig, type KubernetesObject, KubernetesObjectApi, PatchStrategy, type User } from '@kubernetes/client-node';
import { renderChart } from './chart-helm.js';
import { kubeConfig, waitFor } from './helpers.js';

const RBAC_KINDS = new Set(['ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding']);
const FIELD_MANAGER = 'ecs-operator-e2e';

export interface ChartRbac {
  /** Acts as the chart's ServiceAccount; pass it to the operator under test. */
  kubeConfig: KubeConfig;
  /** `system:serviceaccount:NAMESPACE:NAME`. */
  user: string;
  /** The Lease the chart lets this ServiceAccount hold (its Role names it): the operator's leader election settings. */
  lease: { namespace: string; name: string };
  /** The objects applied. */
  objects: KubernetesObject[];
  /** Deletes what was applied (cluster-scoped objects outlive the namespaces, so call it). */
  remove(): Promise<void>;
}

export interface ChartRbacOptions {
  /** The release namespace: the ServiceAccount and the Lease Role live here. It must exist. */
  namespace: string;
  /** Namespaced mode (Roles only): the one namespace the operator watches; it must exist. */
  watchNamespace?: string;
  /** Unique by default, since ClusterRoles are cluster-wide and suites run side by side. */
  release?: string;
  /** The administrator's kubeConfig that applies the RBAC objects and from which the impersonating one is made. */
  admin?: KubeConfig;
}

/** `admin`'s kubeconfig with every user acting as `user`. */
export function impersonating(admin: KubeConfig, user: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: admin.clusters,
    users: admin.users.map((u): User => ({ ...u, impersonateUser: user })),
    contexts: admin.contexts,
    currentContext: admin.getCurrentContext(),
  });
  return kc;
}

/** Whether `kc`'s user may do `verb` on `resource` (in `namespace`), as the API server's authorizer decides. */
export async function allowed(kc: KubeConfig, verb: string, resource: string, group = '', namespace?: string): Promise<boolean> {
  const review = await kc.makeApiClient(AuthorizationV1Api).createSelfSubjectAccessReview({
    body: { spec: { resourceAttributes: { verb, resource, group, ...(namespace ? { namespace } : {}) } } },
  });
  return review.status?.allowed === true;
}

/** Applies the chart's RBAC for a release in `namespace` and returns a KubeConfig acting as its ServiceAccount. */
export async function applyChartRbac(options: ChartRbacOptions): Promise<ChartRbac> {
  const { namespace, watchNamespace, admin = kubeConfig() } = options;
  const release = options.release ?? `rbac-${randomBytes(3).toString('hex')}`;
  const rendered = await renderChart({ release, namespace, values: { watchNamespace: watchNamespace ?? '' } });
  const objects = rendered.filter((o) => RBAC_KINDS.has(o.kind ?? ''));
  const api = admin.makeApiClient(KubernetesObjectApi);
  for (const object of objects) await api.patch(object, undefined, undefined, FIELD_MANAGER, true, PatchStrategy.ServerSideApply);

  const account = objects.find((o) => o.kind === 'ServiceAccount');
  if (!account?.metadata?.name) throw new Error('the chart rendered no ServiceAccount');
  const user = `system:serviceaccount:${namespace}:${account.metadata.name}`;
  const leaseRule = (
    objects.find((o) => o.kind === 'Role' && o.metadata?.name?.endsWith('-leader-election')) as
      (KubernetesObject & { rules: { resourceNames?: string[] }[] }) | undefined
  )?.rules.find((r) => r.resourceNames)?.resourceNames?.[0];
  if (!leaseRule) throw new Error('the chart rendered no leader-election Role');

  const kc = impersonating(admin, user);
  // The RBAC authorizer reads bindings from its own cache: wait until the new ones count.
  await waitFor(
    `the chart's RBAC to apply to ${user}`,
    async () => (await allowed(kc, 'list', 'tasks', 'ecs.operator.dev', watchNamespace ?? namespace)) || undefined,
  );
  return {
    kubeConfig: kc,
    user,
    lease: { namespace, name: leaseRule },
    objects,
    async remove() {
      for (const object of [...objects].reverse()) {
        await api.delete(object).catch((error: unknown) => {
          if ((error as { code?: number }).code !== 404) throw error;
        });
      }
    },
  };
}
