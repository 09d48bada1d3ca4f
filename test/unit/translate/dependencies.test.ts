import { expect } from 'chai';
import type { ContainerDefinition } from '../../../operator/src/api/taskdefinition.js';
import { ANNOTATIONS } from '../../../operator/src/translate/index.js';
import { containerDefinition, paths, podSpecOf, taskSpec, translate } from './helpers.js';

const healthCheck = { command: ['CMD', '/healthz'] };

function translateContainers(...definitions: ContainerDefinition[]) {
  return translate(taskSpec({ containerDefinitions: definitions }));
}

function names(containers: ReadonlyArray<{ name: string }> | undefined): string[] {
  return (containers ?? []).map(({ name }) => name);
}

describe('translate/dependencies: essential and dependsOn', () => {
  it('without dependsOn every container is a main container, in order', () => {
    const spec = podSpecOf(translateContainers(containerDefinition({ name: 'a' }), containerDefinition({ name: 'b' })));
    expect(spec.initContainers).to.equal(undefined);
    expect(names(spec.containers)).to.deep.equal(['a', 'b']);
  });

  it('SUCCESS and COMPLETE targets become init containers that run to completion, START and HEALTHY targets native sidecars', () => {
    const translation = translateContainers(
      containerDefinition({
        name: 'app',
        dependsOn: [
          { containerName: 'migrate', condition: 'SUCCESS' },
          { containerName: 'envoy', condition: 'HEALTHY' },
          { containerName: 'log', condition: 'START' },
        ],
      }),
      containerDefinition({ name: 'log', essential: false }),
      containerDefinition({ name: 'envoy', healthCheck, dependsOn: [{ containerName: 'fetch', condition: 'COMPLETE' }] }),
      containerDefinition({ name: 'migrate', essential: false }),
      containerDefinition({ name: 'fetch', essential: false }),
    );
    const spec = podSpecOf(translation);
    expect(names(spec.initContainers)).to.deep.equal(['log', 'migrate', 'fetch', 'envoy']);
    expect(names(spec.containers)).to.deep.equal(['app']);
    const [log, migrate, fetch, envoy] = spec.initContainers ?? [];
    expect([log?.restartPolicy, migrate?.restartPolicy, fetch?.restartPolicy, envoy?.restartPolicy]).to.deep.equal(['Always', undefined, undefined, 'Always']);
    expect(envoy?.startupProbe).to.deep.equal({ exec: { command: ['/healthz'] }, periodSeconds: 30, timeoutSeconds: 5, failureThreshold: 3 });
    expect(envoy?.readinessProbe).to.deep.equal(envoy?.startupProbe);
    expect(translation.warnings).to.deep.equal([
      {
        path: 'spec.containerDefinitions[2].dependsOn[0].condition',
        message: 'COMPLETE runs "fetch" as an init container, which must exit 0: a non-zero exit fails the task where ECS would go on',
      },
    ]);
  });

  it('records the essential containers (Kubernetes names) for the task controller', () => {
    const translation = translateContainers(
      containerDefinition({ name: 'Web_1' }),
      containerDefinition({ name: 'agent', essential: false }),
      containerDefinition({ name: 'b' }),
    );
    expect(translation.template?.metadata?.annotations?.[ANNOTATIONS.essentialContainers]).to.equal('["web-1","b"]');
    expect(translation.template?.metadata?.annotations?.[ANNOTATIONS.containerNames]).to.equal('{"web-1":"Web_1"}');
  });

  it('an init container takes no probes: its health check is a warning', () => {
    const translation = translateContainers(
      containerDefinition({ name: 'app', dependsOn: [{ containerName: 'job', condition: 'SUCCESS' }] }),
      containerDefinition({ name: 'job', essential: false, healthCheck }),
    );
    expect(podSpecOf(translation).initContainers?.[0]?.livenessProbe).to.equal(undefined);
    expect(paths(translation.warnings)).to.deep.equal(['spec.containerDefinitions[1].healthCheck']);
  });

  it('START on a container others wait on to exit is met once it has exited (a warning)', () => {
    const translation = translateContainers(
      containerDefinition({ name: 'a', dependsOn: [{ containerName: 'job', condition: 'SUCCESS' }] }),
      containerDefinition({ name: 'b', dependsOn: [{ containerName: 'job', condition: 'START' }] }),
      containerDefinition({ name: 'job', essential: false }),
    );
    expect(names(podSpecOf(translation).initContainers)).to.deep.equal(['job']);
    expect(paths(translation.warnings)).to.deep.equal(['spec.containerDefinitions[1].dependsOn[0].condition']);
  });

  it('warns when an essential container is a sidecar and every main container is non-essential', () => {
    const translation = translateContainers(
      containerDefinition({ name: 'server' }),
      containerDefinition({ name: 'probe', essential: false, dependsOn: [{ containerName: 'server', condition: 'START' }] }),
    );
    expect(paths(translation.warnings)).to.deep.equal(['spec.containerDefinitions[0].essential']);
  });

  it('errors: unknown container, cycle, COMPLETE on an essential container, HEALTHY without a health check', () => {
    const unknown = translateContainers(containerDefinition({ dependsOn: [{ containerName: 'ghost', condition: 'START' }] }));
    expect(unknown.errors).to.deep.equal([
      { path: 'spec.containerDefinitions[0].dependsOn[0].containerName', message: 'no container named "ghost" in this task definition' },
    ]);
    const cycle = translateContainers(
      containerDefinition({ name: 'a', dependsOn: [{ containerName: 'b', condition: 'START' }] }),
      containerDefinition({ name: 'b', dependsOn: [{ containerName: 'c', condition: 'START' }] }),
      containerDefinition({ name: 'c', dependsOn: [{ containerName: 'a', condition: 'START' }] }),
    );
    expect(cycle.errors).to.deep.equal([{ path: 'spec.containerDefinitions[0].dependsOn[0].containerName', message: 'dependsOn cycle: a → b → c → a' }]);
    const self = translateContainers(containerDefinition({ name: 'a', dependsOn: [{ containerName: 'a', condition: 'START' }] }));
    expect(self.errors).to.deep.equal([{ path: 'spec.containerDefinitions[0].dependsOn[0].containerName', message: 'dependsOn cycle: a → a' }]);
    const essential = translateContainers(
      containerDefinition({ name: 'a', dependsOn: [{ containerName: 'b', condition: 'COMPLETE' }] }),
      containerDefinition({ name: 'b' }),
    );
    expect(paths(essential.errors)).to.deep.equal(['spec.containerDefinitions[0].dependsOn[0].condition']);
    const healthy = translateContainers(
      containerDefinition({ name: 'a', dependsOn: [{ containerName: 'b', condition: 'HEALTHY' }] }),
      containerDefinition({ name: 'b' }),
    );
    expect(healthy.errors).to.deep.equal([
      { path: 'spec.containerDefinitions[0].dependsOn[0].condition', message: 'HEALTHY needs a healthCheck on "b", which has none' },
    ]);
  });
});
