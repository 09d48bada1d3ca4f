import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { expect } from 'chai';
import { WriteFence, WritesFencedError, describeRequest, makeApiClients } from '../../../operator/src/runtime/clients.js';
import { unreachableKubeConfig } from './fake-informer.js';

describe('runtime/clients', () => {
  it('names requests by verb and resource as the API server does', () => {
    const cases: Array<[string, string, string, string]> = [
      ['GET', '/api/v1/namespaces/ns/pods', 'list', 'pods'],
      ['GET', '/api/v1/namespaces/ns/pods?watch=true&resourceVersion=5', 'watch', 'pods'],
      ['GET', '/api/v1/namespaces/ns/pods/p', 'get', 'pods'],
      ['GET', '/api/v1/nodes', 'list', 'nodes'],
      ['GET', '/api/v1/namespaces/ns', 'get', 'namespaces'],
      ['PATCH', '/apis/apps/v1/namespaces/ns/replicasets/web-3', 'patch', 'replicasets.apps'],
      ['PATCH', '/apis/ecs.operator.dev/v1alpha1/namespaces/ns/tasks/t/status', 'patch', 'tasks.ecs.operator.dev/status'],
      ['PUT', '/apis/coordination.k8s.io/v1/namespaces/ops/leases/l', 'update', 'leases.coordination.k8s.io'],
      ['POST', '/api/v1/namespaces/ns/events', 'create', 'events'],
      ['DELETE', '/api/v1/namespaces/ns/pods/p', 'delete', 'pods'],
      ['DELETE', '/api/v1/namespaces/ns/pods', 'deletecollection', 'pods'],
      ['GET', '/apis/apps/v1', 'list', ''],
    ];
    for (const [method, path, verb, resource] of cases) {
      expect(describeRequest(method, `https://api:6443${path}`), `${method} ${path}`).to.deep.equal({ verb, resource });
    }
  });

  it('reports each request before it is sent', async () => {
    const seen: string[] = [];
    const { core } = makeApiClients(unreachableKubeConfig(), { onRequest: (verb, resource) => seen.push(`${verb} ${resource}`) });
    await core.listNamespacedPod({ namespace: 'ns' }).catch(() => undefined);
    expect(seen).to.deep.equal(['list pods']);
  });

  it('refuses writes while the fence is closed, without sending them, and lets reads through', async () => {
    const fence = new WriteFence(false);
    const seen: string[] = [];
    const { core } = makeApiClients(unreachableKubeConfig(), { fence, onRequest: (verb) => seen.push(verb) });
    const write = core.createNamespacedConfigMap({ namespace: 'ns', body: { metadata: { name: 'c' } } });
    await write.then(
      () => expect.fail('the write went through'),
      (error: unknown) => expect(error).to.be.instanceOf(WritesFencedError),
    );
    expect(seen).to.deep.equal([]);
    const read = await core.readNamespacedConfigMap({ name: 'c', namespace: 'ns' }).catch((error: unknown) => error);
    expect(read).to.not.be.instanceOf(WritesFencedError);
    expect(seen).to.deep.equal(['get']);
    fence.open();
    const opened = await core.createNamespacedConfigMap({ namespace: 'ns', body: { metadata: { name: 'c' } } }).catch((error: unknown) => error);
    expect(opened, 'sent (and failed to connect)').to.not.be.instanceOf(WritesFencedError);
  });

  it('checks the fence again where the request is handed to a connection: a lease lost after the first check sends nothing', async () => {
    let received = 0;
    const server = createServer((_request, response) => {
      received += 1;
      response.writeHead(201, { 'content-type': 'application/json' }).end('{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'c', server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, skipTLSVerify: true }],
      users: [{ name: 'u', token: 't' }],
      contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
      currentContext: 'x',
    });
    try {
      let now = 0;
      let freeze = false;
      const fence = new WriteFence(false, { monotonic: () => now });
      fence.open(1_000);
      // Runs right after the middleware's check passed: as if the process froze past its deadline there.
      const { core } = makeApiClients(kc, { fence, onRequest: () => (now = freeze ? 5_000 : now) });
      await core.createNamespacedConfigMap({ namespace: 'ns', body: { metadata: { name: 'c' } } });
      expect(received, 'sent while the lease holds').to.equal(1);
      freeze = true;
      const error = await core.createNamespacedConfigMap({ namespace: 'ns', body: { metadata: { name: 'c' } } }).then(
        () => expect.fail('the write went through'),
        (e: unknown) => e,
      );
      const causes: unknown[] = [];
      for (let e = error; e instanceof Error; e = e.cause) causes.push(e);
      expect(
        causes.some((e) => e instanceof WritesFencedError),
        String(error),
      ).to.equal(true);
      expect(received, 'nothing sent after the lease ran out').to.equal(1);

      // Past the hand-over to the connection too: the last check is where the request is about to be written.
      let checks = 0;
      const late = new WriteFence(false, { monotonic: () => (++checks >= 3 ? 5_000 : 0) });
      late.open(1_000);
      const stale = makeApiClients(kc, { fence: late }).core;
      const refused = await stale.createNamespacedConfigMap({ namespace: 'ns', body: { metadata: { name: 'c' } } }).catch((e: unknown) => e);
      const chain: unknown[] = [];
      for (let e = refused; e instanceof Error; e = e.cause) chain.push(e);
      expect(checks, 'checked in the middleware, at the dispatch and before the write').to.equal(3);
      expect(
        chain.some((e) => e instanceof WritesFencedError),
        String(refused),
      ).to.equal(true);
      expect(received, 'nothing sent').to.equal(1);
    } finally {
      server.close();
    }
  });
});
