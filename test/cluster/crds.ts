// Installs the CRDs of crds/ into a cluster, as `kubectl apply --server-side -f crds/` would, and waits until
// the API server serves them. Used by the demo and the end-to-end tests.
import { readFileSync, readdirSync } from 'node:fs';
import { ApiextensionsV1Api, CustomObjectsApi, type KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { parse } from 'yaml';

const CRD_DIR = new URL('../../crds/', import.meta.url);

async function waitEstablished(extensions: ApiextensionsV1Api, name: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const crd = await extensions.readCustomResourceDefinition({ name });
    if (crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True')) return;
    if (Date.now() > deadline) throw new Error(`CRD ${name} not Established after ${timeoutMs / 1000}s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Server-side applies every CRD file and waits until each is Established; returns the file names. */
export async function installCrds(kc: KubeConfig): Promise<string[]> {
  const custom = kc.makeApiClient(CustomObjectsApi);
  const extensions = kc.makeApiClient(ApiextensionsV1Api);
  const files = readdirSync(CRD_DIR).filter((f) => f.endsWith('.yaml')).sort();
  for (const file of files) {
    // Applied as plain JSON: client-node's typed CRD model would drop the x-kubernetes-* keys it does not map.
    const crd = parse(readFileSync(new URL(file, CRD_DIR), 'utf8')) as { metadata: { name: string } };
    const { name } = crd.metadata;
    await custom.patchClusterCustomObject(
      { group: 'apiextensions.k8s.io', version: 'v1', plural: 'customresourcedefinitions', name, body: crd, fieldManager: 'ecs-operator-crds', force: true },
      setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply),
    );
    await waitEstablished(extensions, name);
  }
  return files;
}
