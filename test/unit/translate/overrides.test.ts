import { expect } from 'chai';
import { applyOverrides } from '../../../operator/src/translate/index.js';
import { containerDefinition, containerOf, paths, podSpecOf, taskSpec, translate } from './helpers.js';

describe('translate/overrides: RunTask overrides', () => {
  const spec = taskSpec({
    cpu: '1024',
    memory: '2048',
    containerDefinitions: [
      containerDefinition({
        command: ['serve'],
        environment: [
          { name: 'MODE', value: 'web' },
          { name: 'PORT', value: '80' },
        ],
        cpu: 256,
        resourceRequirements: [{ type: 'GPU', value: '1' }],
      }),
      containerDefinition({ name: 'sidecar', memory: 128 }),
    ],
  });

  it('replaces command, cpu, memory; merges environment by name; replaces resourceRequirements by type; replaces task sizes', () => {
    const { spec: result, errors } = applyOverrides(spec, {
      cpu: '2048',
      memory: '4 GB',
      taskRoleArn: 'arn:aws:iam::123456789012:role/Batch',
      containerOverrides: [
        {
          name: 'app',
          command: ['migrate', '--all'],
          environment: [
            { name: 'MODE', value: 'batch' },
            { name: 'DEBUG', value: '1' },
          ],
          cpu: 1024,
          memory: 1024,
          memoryReservation: 512,
          resourceRequirements: [{ type: 'GPU', value: '2' }],
        },
      ],
    });
    expect(errors).to.deep.equal([]);
    expect(result.cpu).to.equal('2048');
    expect(result.memory).to.equal('4 GB');
    expect(result.taskRoleArn).to.equal('arn:aws:iam::123456789012:role/Batch');
    expect(result.containerDefinitions[0]).to.deep.equal(
      containerDefinition({
        command: ['migrate', '--all'],
        environment: [
          { name: 'MODE', value: 'batch' },
          { name: 'PORT', value: '80' },
          { name: 'DEBUG', value: '1' },
        ],
        cpu: 1024,
        memory: 1024,
        memoryReservation: 512,
        resourceRequirements: [{ type: 'GPU', value: '2' }],
      }),
    );
    expect(result.containerDefinitions[1]).to.equal(spec.containerDefinitions[1]);
  });

  it('never changes its input', () => {
    const before = JSON.stringify(spec);
    applyOverrides(spec, { containerOverrides: [{ name: 'app', environment: [{ name: 'X', value: '1' }] }] });
    expect(JSON.stringify(spec)).to.equal(before);
  });

  it('names unknown and repeated containers', () => {
    const { errors } = applyOverrides(spec, { containerOverrides: [{ name: 'ghost' }, { name: 'app' }, { name: 'app' }] });
    expect(errors).to.deep.equal([
      { path: 'overrides.containerOverrides[0].name', message: 'no container named "ghost" in the task definition' },
      { path: 'overrides.containerOverrides[2].name', message: 'container "app" is overridden twice' },
    ]);
  });

  it('is applied before translation, so overridden values are translated and checked', () => {
    const translation = translate(spec, { overrides: { containerOverrides: [{ name: 'app', command: ['run-job'], cpu: 512 }], memory: '3072' } });
    expect(containerOf(translation).args).to.deep.equal(['run-job']);
    expect(containerOf(translation).resources?.requests?.cpu).to.equal('500m');
    expect(podSpecOf(translation).resources?.limits?.memory).to.equal('3Gi');
    const tooBig = translate(spec, { overrides: { containerOverrides: [{ name: 'app', cpu: 4096 }] } });
    expect(paths(tooBig.errors)).to.deep.equal(['spec.cpu']);
    const badShape = translate(spec, { overrides: { containerOverrides: [{ name: 'app', cpu: 'lots' as never }] } });
    expect(paths(badShape.errors)).to.deep.equal(['overrides.containerOverrides[0].cpu']);
  });
});
