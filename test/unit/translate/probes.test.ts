import { expect } from 'chai';
import { containerDefinition, paths, taskSpec, translate, translateContainer } from './helpers.js';

describe('translate/probes: healthCheck', () => {
  it('CMD-SHELL → /bin/sh -c exec readiness and liveness probes with the ECS defaults 30/5/3', () => {
    const { container } = translateContainer({ healthCheck: { command: ['CMD-SHELL', 'curl -f http://localhost/ || exit 1'] } });
    const probe = { exec: { command: ['/bin/sh', '-c', 'curl -f http://localhost/ || exit 1'] }, periodSeconds: 30, timeoutSeconds: 5, failureThreshold: 3 };
    expect(container.readinessProbe).to.deep.equal(probe);
    expect(container.livenessProbe).to.deep.equal(probe);
    expect(container.startupProbe).to.equal(undefined);
  });

  it('CMD → the argv itself, with the given interval, timeout and retries', () => {
    const { container } = translateContainer({ healthCheck: { command: ['CMD', '/bin/check', '--quick'], interval: 10, timeout: 2, retries: 5 } });
    expect(container.livenessProbe).to.deep.equal({ exec: { command: ['/bin/check', '--quick'] }, periodSeconds: 10, timeoutSeconds: 2, failureThreshold: 5 });
  });

  it('startPeriod → a startup probe allowing ceil(startPeriod / interval) more failures', () => {
    const { container } = translateContainer({ healthCheck: { command: ['CMD', 'true'], interval: 10, retries: 3, startPeriod: 45 } });
    expect(container.startupProbe).to.deep.equal({ exec: { command: ['true'] }, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 8 });
  });

  it('a non-essential container gets no readiness probe: task health comes from essential containers only', () => {
    const translation = translate(
      taskSpec({
        containerDefinitions: [containerDefinition(), containerDefinition({ name: 'agent', essential: false, healthCheck: { command: ['CMD', 'true'] } })],
      }),
    );
    const agent = translation.template?.spec?.containers[1];
    expect(agent?.readinessProbe).to.equal(undefined);
    expect(agent?.livenessProbe).to.deep.equal({ exec: { command: ['true'] }, periodSeconds: 30, timeoutSeconds: 5, failureThreshold: 3 });
  });

  it('NONE disables the check; any other first word is an error naming the field', () => {
    expect(translateContainer({ healthCheck: { command: ['NONE'] } }).container.livenessProbe).to.equal(undefined);
    const bad = translate(taskSpec({ containerDefinitions: [containerDefinition({ healthCheck: { command: ['curl', 'localhost'] } })] }));
    expect(paths(bad.errors)).to.deep.equal(['spec.containerDefinitions[0].healthCheck.command']);
    const empty = translate(taskSpec({ containerDefinitions: [containerDefinition({ healthCheck: { command: ['CMD'] } })] }));
    expect(paths(empty.errors)).to.deep.equal(['spec.containerDefinitions[0].healthCheck.command']);
  });
});
