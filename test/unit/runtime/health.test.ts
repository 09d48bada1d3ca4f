import { expect } from 'chai';
import { parseListenAddress, startHealthServer } from '../../../operator/src/runtime/health.js';
import { Metrics } from '../../../operator/src/runtime/metrics.js';

describe('runtime/health', () => {
  it('parses listen addresses', () => {
    expect(parseListenAddress(':8080')).to.deep.equal({ port: 8080 });
    expect(parseListenAddress('127.0.0.1:0')).to.deep.equal({ host: '127.0.0.1', port: 0 });
    expect(parseListenAddress('[::1]:9090')).to.deep.equal({ host: '::1', port: 9090 });
    expect(() => parseListenAddress('localhost')).to.throw(/--metrics-addr/);
    expect(() => parseListenAddress(':99999')).to.throw(/--metrics-addr/);
  });

  it('answers /readyz 503 with the reasons until ready, and serves the metrics registry', async () => {
    const metrics = new Metrics();
    metrics.apiRequests.inc({ verb: 'patch', resource: 'pods' });
    let problems = ['informer /api/v1/pods has not synced'];
    const server = await startHealthServer('127.0.0.1:0', metrics, () => problems);
    try {
      const url = (path: string) => `http://127.0.0.1:${server.port}${path}`;
      const notReady = await fetch(url('/readyz'));
      expect(notReady.status).to.equal(503);
      expect(await notReady.text()).to.contain('has not synced');
      problems = [];
      expect((await fetch(url('/readyz'))).status).to.equal(200);
      expect((await fetch(url('/healthz'))).status).to.equal(200);
      const scrape = await fetch(url('/metrics'));
      expect(scrape.headers.get('content-type')).to.contain('text/plain');
      expect(await scrape.text()).to.contain('ecs_operator_api_requests_total{verb="patch",resource="pods"} 1');
    } finally {
      await server.close();
    }
  });
});
