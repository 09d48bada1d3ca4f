// Helpers of the end-to-end tests: the cluster's clients, throwaway namespaces, and waiting on conditions.
import { randomBytes } from 'node:crypto';
import { AppsV1Api, CoreV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import type { Cluster } from '../../operator/src/api/cluster.js';
import type { Service } from '../../operator/src/api/service.js';
import { uninstall } from '../../operator/src/cli/uninstall.js';
import { LABELS } from '../../operator/src/translate/labels.js';
import { metricsUnavailable } from '../cluster/cluster.js';
import { installCrds as installCrdsWith } from '../cluster/crds.js';
import { waitFor } from '../cluster/wait.js';

export function kubeConfig(): KubeConfig {
  if (!process.env.KUBECONFIG) throw new Error('KUBECONFIG must point at a running control plane (npm run test:e2e sets it)');
  const kc = new KubeConfig();
  kc.loadFromDefault();
  return kc;
}

export interface Clients {
  kc: KubeConfig;
  core: CoreV1Api;
  apps: AppsV1Api;
  custom: CustomObjectsApi;
}

export function clients(kc = kubeConfig()): Clients {
  return { kc, core: kc.makeApiClient(CoreV1Api), apps: kc.makeApiClient(AppsV1Api), custom: kc.makeApiClient(CustomObjectsApi) };
}

/**
 * Creates a namespace with a unique name; the returned function deletes it (see `removeNamespace`). Pod Security
 * admission enforces `podSecurity` there (default baseline), so every pod the operator generates in a test is
 * proven to meet that standard; a test whose task definitions ask for host access says so.
 */
export async function throwawayNamespace(
  core: CoreV1Api,
  prefix: string,
  { podSecurity = 'baseline' }: { podSecurity?: 'baseline' | 'restricted' | 'privileged' } = {},
): Promise<{ name: string; remove: () => Promise<void> }> {
  const name = `${prefix}-${randomBytes(3).toString('hex')}`;
  const labels = { 'ecs.operator.dev/test': 'true', 'pod-security.kubernetes.io/enforce': podSecurity };
  await core.createNamespace({ body: { metadata: { name, labels } } });
  return { name, remove: () => removeNamespace(name) };
}

/**
 * Deletes a test namespace and waits until it is gone. The operator's finalizers (a Service draining its tasks,
 * a revision in use) are released by the operator while it runs; a suite that stopped it first would leave the
 * namespace Terminating for good, so after a grace period they are released as `ecs-operator uninstall` does.
 */
export async function removeNamespace(name: string, graceMs = 20_000): Promise<void> {
  const { core } = clients();
  await core.deleteNamespace({ name }).catch(() => undefined);
  const gone = async () =>
    await core.readNamespace({ name }).then(
      () => undefined,
      () => true,
    );
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (await gone()) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  // As an admin would once the operator is gone: `ecs-operator uninstall` for this namespace.
  await uninstall(kubeConfig(), { namespace: name, force: true });
  await waitFor(`namespace ${name} to be deleted`, async () => ((await gone()) ? true : undefined), { timeoutMs: 60_000 });
}

export { waitFor } from '../cluster/wait.js';

/** Server-side applies the four CRDs of crds/ and waits until each is Established. */
export const installCrds = (kc = kubeConfig()): Promise<string[]> => installCrdsWith(kc);

/**
 * Where metrics-server runs, waits until the namespace's utilization figures have first shown: each Service with
 * RUNNING tasks, and each container instance of its `default` Cluster that runs one of its pods. They first show
 * about 30 s after a task starts, so a test that measures a steady state starts after this.
 */
export async function waitForUtilization(namespace: string, kc = kubeConfig()): Promise<void> {
  if (await metricsUnavailable(kc, 0)) return;
  const { core, custom } = clients(kc);
  const ecs = { group: 'ecs.operator.dev', version: 'v1alpha1', namespace };
  await waitFor(
    `the utilization of the Services and container instances running the tasks of ${namespace} to show`,
    async () => {
      const services = ((await custom.listNamespacedCustomObject({ ...ecs, plural: 'services' })) as { items: Service[] }).items;
      const clusters = ((await custom.listNamespacedCustomObject({ ...ecs, plural: 'clusters' })) as { items: Cluster[] }).items;
      const instances = clusters.flatMap((c) => c.status?.containerInstances ?? []);
      const running = (await core.listNamespacedPod({ namespace })).items.filter((p) => p.status?.phase === 'Running' && !p.metadata?.deletionTimestamp);
      const servicesShown = services.every(
        (s) => s.status?.cpuUtilization !== undefined || !running.some((p) => p.metadata?.labels?.[LABELS.service] === s.metadata.name),
      );
      const instancesShown = running.every((p) => instances.find((i) => i.nodeName === p.spec?.nodeName)?.cpuUtilization !== undefined);
      return servicesShown && instancesShown ? true : undefined;
    },
    { timeoutMs: 90_000 },
  );
}
