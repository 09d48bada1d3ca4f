import { HttpMethod, KubeConfig, RequestContext } from '@kubernetes/client-node';
import { expect } from 'chai';
import { shareConnections, sharedAgents } from '../../../operator/src/runtime/connections.js';

function kubeConfig(user = 'operator'): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'local', server: 'https://127.0.0.1:6443', caData: Buffer.from('ca').toString('base64'), skipTLSVerify: false }],
    users: [
      { name: 'operator', certData: Buffer.from('cert-a').toString('base64'), keyData: Buffer.from('key-a').toString('base64') },
      { name: 'other', certData: Buffer.from('cert-b').toString('base64'), keyData: Buffer.from('key-b').toString('base64') },
    ],
    contexts: [
      { name: 'operator', cluster: 'local', user: 'operator' },
      { name: 'other', cluster: 'local', user: 'other' },
    ],
    currentContext: user,
  });
  return kc;
}

async function dispatcherOf(kc: KubeConfig): Promise<unknown> {
  const ctx = new RequestContext('https://127.0.0.1:6443/api/v1/pods', HttpMethod.GET);
  await kc.applySecurityAuthentication(ctx);
  return ctx.getDispatcher();
}

describe('runtime/connections', () => {
  it('client-node alone builds a new agent (a new TLS connection) for every request', async () => {
    const kc = kubeConfig();
    expect(await dispatcherOf(kc)).to.not.equal(await dispatcherOf(kc));
  });

  it('shared, every request with the same credentials goes through one agent', async () => {
    const kc = shareConnections(kubeConfig());
    const first = await dispatcherOf(kc);
    expect(first).to.not.equal(undefined);
    expect(await dispatcherOf(kc)).to.equal(first);
    expect(await dispatcherOf(shareConnections(kc))).to.equal(first);
    expect(sharedAgents(kc)?.size).to.equal(1);
  });

  it('other credentials get an agent of their own', async () => {
    const kc = shareConnections(kubeConfig());
    const first = await dispatcherOf(kc);
    kc.setCurrentContext('other');
    const second = await dispatcherOf(kc);
    expect(second).to.not.equal(first);
    kc.setCurrentContext('operator');
    expect(await dispatcherOf(kc)).to.equal(first);
    expect(sharedAgents(kc)?.size).to.equal(2);
  });
});
