// Installs the CRDs of crds/ into a cluster, as `kubectl apply --server-side -f crds/` would, and waits until
// the API server serves them. Used by the demo and the end-to-end tests.
import { readFileSync, readdirSync } from 'node:fs';
import { ApiextensionsV1Api, CustomObjectsApi, type KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { waitFor } from './wait.js';

const CRD_DIR = new URL('../../crds/', import.meta.url);

/** The CRDs of other projects that tests need served (written from their documented APIs; no controller of theirs runs). */
export const FIXTURE_CRD_DIR = new URL('../fixtures/crds/', import.meta.url);

/** Server-side applies every CRD file of `dir` (the operator's by default) and waits until each is Established; returns the file names. */
export async function installCrds(kc: KubeConfig, dir: URL = CRD_DIR): Promise<string[]> {
  const custom = kc.makeApiClient(CustomObjectsApi);
  const extensions = kc.makeApiClient(ApiextensionsV1Api);
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort();
  for (const file of files) {
    // Applied as plain JSON: client-node's typed CRD model would drop the x-kubernetes-* keys it does not map.
    const crd = parse(readFileSync(new URL(file, dir), 'utf8')) as { metadata: { name: string } };
    const { name } = crd.metadata;
    await custom.patchClusterCustomObject(
      { group: 'apiextensions.k8s.io', version: 'v1', plural: 'customresourcedefinitions', name, body: crd, fieldManager: 'ecs-operator-crds', force: true },
      setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply),
    );
    await waitFor(
      `CRD ${name} Established`,
      async () => {
        const current = await extensions.readCustomResourceDefinition({ name });
        return current.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True') ? true : undefined;
      },
      { timeoutMs: 30_000 },
    );
  }
  return files;
}
