// Helpers of the end-to-end tests: the cluster's clients, throwaway namespaces, and waiting on conditions.
import { randomBytes } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import {
  ApiextensionsV1Api, AppsV1Api, CoreV1Api, CustomObjectsApi, KubeConfig, PatchStrategy, setHeaderOptions,
} from '@kubernetes/client-node';
import { parse } from 'yaml';

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

/** Creates a namespace with a unique name; the returned function deletes it. */
export async function throwawayNamespace(core: CoreV1Api, prefix: string): Promise<{ name: string; remove: () => Promise<void> }> {
  const name = `${prefix}-${randomBytes(3).toString('hex')}`;
  await core.createNamespace({ body: { metadata: { name, labels: { 'ecs.operator.dev/test': 'true' } } } });
  return { name, remove: async () => void (await core.deleteNamespace({ name }).catch(() => undefined)) };
}

/**
 * Polls `probe` until it returns a value other than undefined, and returns that value.
 * On timeout the error names what was awaited and the last value `describe` gives, so a failure explains itself.
 */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  { timeoutMs = 60_000, describe }: { timeoutMs?: number; describe?: () => Promise<string> } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 100; ; delay = Math.min(delay * 2, 1000)) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) {
      const state = describe ? `; last seen: ${await describe()}` : '';
      throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}${state}`);
    }
    await new Promise((r) => setTimeout(r, delay));
  }
}

const CRD_DIR = new URL('../../crds/', import.meta.url);

/** Server-side applies the four CRDs of crds/ and waits until each is Established. */
export async function installCrds(kc = kubeConfig()): Promise<string[]> {
  const { custom } = clients(kc);
  const extensions = kc.makeApiClient(ApiextensionsV1Api);
  const files = readdirSync(CRD_DIR).filter((f) => f.endsWith('.yaml')).sort();
  for (const file of files) {
    // Applied as plain JSON: client-node's typed CRD model would drop the x-kubernetes-* keys it does not map.
    const crd = parse(readFileSync(new URL(file, CRD_DIR), 'utf8')) as { metadata: { name: string } };
    const { name } = crd.metadata;
    await custom.patchClusterCustomObject(
      { group: 'apiextensions.k8s.io', version: 'v1', plural: 'customresourcedefinitions', name, body: crd, fieldManager: 'ecs-operator-e2e', force: true },
      setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply),
    );
    await waitFor(`${name} Established`, async () => {
      const current = await extensions.readCustomResourceDefinition({ name });
      return current.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True') ? true : undefined;
    });
  }
  return files;
}
