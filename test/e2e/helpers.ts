// Helpers of the end-to-end tests: the cluster's clients, throwaway namespaces, and waiting on conditions.
import { randomBytes } from 'node:crypto';
import { AppsV1Api, CoreV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { installCrds as installCrdsWith } from '../cluster/crds.js';

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

/** Server-side applies the four CRDs of crds/ and waits until each is Established. */
export const installCrds = (kc = kubeConfig()): Promise<string[]> => installCrdsWith(kc);
