// Stand-ins for the API server in unit tests: a list and watch endpoint driven by hand, to run real
// SharedInformers, and a kubeconfig that leads nowhere.
import { KubeConfig, type KubernetesListObject, type KubernetesObject } from '@kubernetes/client-node';
import type { ApiClients } from '../../../operator/src/runtime/clients.js';
import type { ResourceType, Watcher } from '../../../operator/src/runtime/informer.js';

type Callback = Parameters<Watcher['watch']>[2];
type Done = Parameters<Watcher['watch']>[3];

/** A watch endpoint the test drives: it records each watch and lets the test send events or break it. */
export class FakeWatcher implements Watcher {
  readonly watches: Array<{ path: string; query: Record<string, unknown>; send: Callback; end: Done }> = [];
  /** While set, every watch fails at once, as one to an API server that cannot be reached. */
  refuse = false;

  async watch(path: string, query: Record<string, unknown>, send: Callback, end: Done): Promise<AbortController> {
    this.watches.push({ path, query: { ...query }, send, end });
    if (this.refuse) end(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
    return new AbortController();
  }

  get last() {
    const watch = this.watches.at(-1);
    if (!watch) throw new Error('no watch started');
    return watch;
  }
}

export const obj = (name: string, resourceVersion: string, namespace = 'ns'): KubernetesObject => ({
  apiVersion: 'test/v1',
  kind: 'Thing',
  metadata: { name, namespace, resourceVersion },
});

/** A resource whose list answers come from the test: each call takes the next answer (an error is thrown). */
export function scriptedResource(answers: Array<KubernetesObject[] | Error>, model?: string): ResourceType & { calls: number } {
  const resource = {
    apiVersion: 'test/v1',
    kind: 'Thing',
    plural: 'things',
    namespaced: true,
    calls: 0,
    ...(model ? { model } : {}),
    async list(): Promise<KubernetesListObject<KubernetesObject>> {
      const answer = answers[Math.min(resource.calls++, answers.length - 1)];
      if (answer instanceof Error) throw answer;
      const items = answer ?? [];
      const rv = String(Math.max(0, ...items.map((item) => Number(item.metadata?.resourceVersion ?? 0))));
      return { metadata: { resourceVersion: rv }, items };
    },
  };
  return resource;
}

/** Informers in these tests never reach for a client: the resource lists and the watcher watches. */
export const noClients = {} as ApiClients;

/** A kubeconfig for a server nobody listens on: a request that gets past the client's middleware fails to connect. */
export function unreachableKubeConfig(): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: 'https://127.0.0.1:1', skipTLSVerify: true }],
    users: [{ name: 'u', token: 't' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  return kc;
}
