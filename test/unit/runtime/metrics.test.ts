import { expect } from 'chai';
import { Metrics, type UtilizationSource } from '../../../operator/src/runtime/metrics.js';

describe('runtime/metrics', () => {
  it("exposes each Service's and Cluster's utilization from their status at every scrape, and forgets deleted ones", async () => {
    const metrics = new Metrics();
    let services: UtilizationSource[] = [
      { metadata: { namespace: 'shop', name: 'web' }, status: { cpuUtilization: 61.5, memoryUtilization: 40 } },
      { metadata: { namespace: 'shop', name: 'idle' }, status: {} },
    ];
    metrics.trackUtilization('service', () => services);
    metrics.trackUtilization('cluster', () => [{ metadata: { namespace: 'shop', name: 'default' }, status: { cpuUtilization: 4.25 } }]);
    const text = await metrics.registry.metrics();
    expect(text).to.include('ecs_operator_service_cpu_utilization_percent{namespace="shop",service="web"} 61.5');
    expect(text).to.include('ecs_operator_service_memory_utilization_percent{namespace="shop",service="web"} 40');
    expect(text).to.include('ecs_operator_cluster_cpu_utilization_percent{namespace="shop",cluster="default"} 4.25');
    expect(text, 'no series for a figure the status does not have').not.to.match(/service="idle"|cluster_memory_utilization_percent\{/);
    services = [];
    expect(await metrics.registry.metrics()).not.to.include('service="web"');
  });
});
