import { expect } from 'chai';
import type { Volume } from '../../../operator/src/api/taskdefinition.js';
import { containerDefinition, containerOf, paths, podSpecOf, taskSpec, translate } from './helpers.js';

function translateVolume(volume: Volume, specFields = {}) {
  return translate(
    taskSpec({
      volumes: [volume],
      containerDefinitions: [containerDefinition({ mountPoints: [{ sourceVolume: volume.name, containerPath: '/data' }] })],
      ...specFields,
    }),
  );
}

describe('translate/volumes', () => {
  it('host.sourcePath → hostPath', () => {
    const translation = translateVolume({ name: 'docker_sock', host: { sourcePath: '/var/run/docker.sock' } });
    expect(podSpecOf(translation).volumes).to.deep.equal([{ name: 'docker-sock', hostPath: { path: '/var/run/docker.sock' } }]);
    expect(containerOf(translation).volumeMounts).to.deep.equal([{ name: 'docker-sock', mountPath: '/data' }]);
  });

  it('no configuration, a host without sourcePath, or a task-scoped Docker volume → emptyDir', () => {
    for (const volume of [
      { name: 'v' },
      { name: 'v', host: {} },
      { name: 'v', dockerVolumeConfiguration: { scope: 'task' as const, driver: 'local', autoprovision: true } },
    ]) {
      const translation = translateVolume(volume);
      expect(podSpecOf(translation).volumes).to.deep.equal([{ name: 'v', emptyDir: {} }]);
      expect(translation.warnings).to.deep.equal([]);
    }
  });

  it('a shared Docker volume → a PersistentVolumeClaim named after the volume, with a warning, and one more for autoprovision (the claim is not created)', () => {
    const translation = translateVolume({
      name: 'Shared_Cache',
      dockerVolumeConfiguration: { scope: 'shared', autoprovision: true, driver: 'rexray/ebs', driverOpts: { size: '5' } },
    });
    expect(podSpecOf(translation).volumes).to.deep.equal([{ name: 'shared-cache', persistentVolumeClaim: { claimName: 'shared-cache' } }]);
    expect(paths(translation.warnings)).to.deep.equal([
      'spec.volumes[0].dockerVolumeConfiguration.driver',
      'spec.volumes[0].dockerVolumeConfiguration',
      'spec.volumes[0].dockerVolumeConfiguration.scope',
      'spec.volumes[0].dockerVolumeConfiguration.autoprovision',
    ]);
    const existing = translateVolume({ name: 'cache', dockerVolumeConfiguration: { scope: 'shared' } });
    expect(paths(existing.warnings)).to.deep.equal(['spec.volumes[0].dockerVolumeConfiguration.scope']);
  });

  it('EFS → a claim named by file system (and access point); rootDirectory → subPath', () => {
    const plain = translateVolume({
      name: 'efs',
      efsVolumeConfiguration: { fileSystemId: 'fs-0123abcd', rootDirectory: '/app/data', transitEncryption: 'ENABLED' },
    });
    expect(podSpecOf(plain).volumes).to.deep.equal([{ name: 'efs', persistentVolumeClaim: { claimName: 'efs-fs-0123abcd' } }]);
    expect(containerOf(plain).volumeMounts).to.deep.equal([{ name: 'efs', mountPath: '/data', subPath: 'app/data' }]);
    expect(paths(plain.warnings)).to.deep.equal(['spec.volumes[0].efsVolumeConfiguration']);
    const accessPoint = translateVolume({
      name: 'efs',
      efsVolumeConfiguration: { fileSystemId: 'fs-0123abcd', authorizationConfig: { accessPointId: 'fsap-9', iam: 'ENABLED' } },
    });
    expect(podSpecOf(accessPoint).volumes).to.deep.equal([{ name: 'efs', persistentVolumeClaim: { claimName: 'efs-fs-0123abcd-fsap-9' } }]);
    expect(containerOf(accessPoint).volumeMounts).to.deep.equal([{ name: 'efs', mountPath: '/data' }]);
  });

  it('FSx for Windows → a claim with a warning; configuredAtLaunch → a claim named after the volume with a warning', () => {
    const fsx = translateVolume({
      name: 'share',
      fsxWindowsFileServerVolumeConfiguration: {
        fileSystemId: 'fs-1',
        rootDirectory: '\\share\\app',
        authorizationConfig: { credentialsParameter: 'arn', domain: 'corp' },
      },
    });
    expect(podSpecOf(fsx).volumes).to.deep.equal([{ name: 'share', persistentVolumeClaim: { claimName: 'fsx-fs-1' } }]);
    expect(containerOf(fsx).volumeMounts).to.deep.equal([{ name: 'share', mountPath: '/data', subPath: 'share/app' }]);
    expect(paths(fsx.warnings)).to.deep.equal(['spec.volumes[0].fsxWindowsFileServerVolumeConfiguration']);
    const launch = translateVolume({ name: 'ebs', configuredAtLaunch: true });
    expect(podSpecOf(launch).volumes).to.deep.equal([{ name: 'ebs', persistentVolumeClaim: { claimName: 'ebs' } }]);
    expect(paths(launch.warnings)).to.deep.equal(['spec.volumes[0].configuredAtLaunch']);
  });

  it("mountPoints → volumeMounts (readOnly kept); volumesFrom copies the source container's mounts, transitively, read-only where asked", () => {
    const translation = translate(
      taskSpec({
        volumes: [{ name: 'data' }, { name: 'logs' }],
        containerDefinitions: [
          containerDefinition({
            name: 'writer',
            mountPoints: [
              { sourceVolume: 'data', containerPath: '/data' },
              { sourceVolume: 'logs', containerPath: '/logs', readOnly: true },
            ],
          }),
          containerDefinition({
            name: 'reader',
            volumesFrom: [{ sourceContainer: 'writer', readOnly: true }],
            mountPoints: [{ sourceVolume: 'logs', containerPath: '/data' }],
          }),
          containerDefinition({ name: 'third', volumesFrom: [{ sourceContainer: 'reader' }] }),
        ],
      }),
    );
    expect(containerOf(translation, 'writer').volumeMounts).to.deep.equal([
      { name: 'data', mountPath: '/data' },
      { name: 'logs', mountPath: '/logs', readOnly: true },
    ]);
    expect(containerOf(translation, 'reader').volumeMounts).to.deep.equal([
      { name: 'logs', mountPath: '/data' },
      { name: 'logs', mountPath: '/logs', readOnly: true },
    ]);
    expect(containerOf(translation, 'third').volumeMounts).to.deep.equal([
      { name: 'logs', mountPath: '/data' },
      { name: 'logs', mountPath: '/logs', readOnly: true },
    ]);
  });

  it('sharedMemorySize → a memory emptyDir at /dev/shm; tmpfs → memory emptyDirs (mountOptions warn)', () => {
    const translation = translate(
      taskSpec({
        containerDefinitions: [
          containerDefinition({
            linuxParameters: {
              sharedMemorySize: 256,
              tmpfs: [
                { containerPath: '/tmp', size: 64 },
                { containerPath: '/run', size: 1024, mountOptions: ['noexec'] },
              ],
            },
          }),
        ],
      }),
    );
    expect(podSpecOf(translation).volumes).to.deep.equal([
      { name: 'app-shm', emptyDir: { medium: 'Memory', sizeLimit: '256Mi' } },
      { name: 'app-tmpfs-0', emptyDir: { medium: 'Memory', sizeLimit: '64Mi' } },
      { name: 'app-tmpfs-1', emptyDir: { medium: 'Memory', sizeLimit: '1Gi' } },
    ]);
    expect(containerOf(translation).volumeMounts).to.deep.equal([
      { name: 'app-shm', mountPath: '/dev/shm' },
      { name: 'app-tmpfs-0', mountPath: '/tmp' },
      { name: 'app-tmpfs-1', mountPath: '/run' },
    ]);
    expect(paths(translation.warnings)).to.deep.equal(['spec.containerDefinitions[0].linuxParameters.tmpfs[1].mountOptions']);
  });

  it('errors: unknown sourceVolume, unknown sourceContainer, volumesFrom cycle, repeated volume, names that collide in Kubernetes', () => {
    const unknown = translate(
      taskSpec({
        containerDefinitions: [
          containerDefinition({ mountPoints: [{ sourceVolume: 'nope', containerPath: '/x' }], volumesFrom: [{ sourceContainer: 'ghost' }] }),
        ],
      }),
    );
    expect(paths(unknown.errors)).to.deep.equal([
      'spec.containerDefinitions[0].mountPoints[0].sourceVolume',
      'spec.containerDefinitions[0].volumesFrom[0].sourceContainer',
    ]);
    const cycle = translate(
      taskSpec({
        containerDefinitions: [
          containerDefinition({ name: 'a', volumesFrom: [{ sourceContainer: 'b' }] }),
          containerDefinition({ name: 'b', volumesFrom: [{ sourceContainer: 'a' }] }),
        ],
      }),
    );
    expect(cycle.errors).to.deep.equal([{ path: 'spec.containerDefinitions[0].volumesFrom', message: 'volumesFrom cycle: a → b → a' }]);
    const twice = translate(taskSpec({ volumes: [{ name: 'v' }, { name: 'v' }] }));
    expect(paths(twice.errors)).to.deep.equal(['spec.volumes[1].name']);
    const collide = translate(taskSpec({ volumes: [{ name: 'my_vol' }, { name: 'my-vol' }] }));
    expect(collide.errors).to.deep.equal([{ path: 'spec.volumes[1].name', message: 'becomes pod volume "my-vol", as spec.volumes[0].name does; rename one' }]);
  });
});
