// Per-task EBS volumes: a volume configured at launch with a Service's or Task's volumeConfigurations entry is a
// generic ephemeral volume of the pod (a claim per task), its size the storage request and its volume type the
// StorageClass the Cluster names; what a claim cannot say is a warning naming the field.
import { expect } from 'chai';
import type { Cluster } from '../../../operator/src/api/cluster.js';
import type { Service } from '../../../operator/src/api/service.js';
import type { Task, TaskVolumeConfiguration } from '../../../operator/src/api/task.js';
import type { TaskDefinitionSpec } from '../../../operator/src/api/taskdefinition.js';
import { storageClassFor } from '../../../operator/src/translate/ebs-volumes.js';
import { serviceTarget } from '../../../operator/src/translate/service-workload.js';
import { taskPod } from '../../../operator/src/translate/workload.js';

const definition: TaskDefinitionSpec = {
  family: 'db',
  containerDefinitions: [{ name: 'db', image: 'postgres:17', memory: 512, mountPoints: [{ sourceVolume: 'data', containerPath: '/var/lib/postgresql' }] }],
  volumes: [{ name: 'data', configuredAtLaunch: true }],
};
const cluster = (spec: Cluster['spec'] = {}): Cluster => ({ apiVersion: 'ecs.operator.dev/v1alpha1', kind: 'Cluster', metadata: { name: 'default' }, spec });
const MAPPED = cluster({ managedEBSVolumes: { storageClasses: { gp3: 'ebs-gp3', io2: 'ebs-io2' }, defaultStorageClass: 'ebs-any' } });

function serviceWith(volumeConfigurations: TaskVolumeConfiguration[], on = MAPPED) {
  const service: Service = {
    apiVersion: 'ecs.operator.dev/v1alpha1',
    kind: 'Service',
    metadata: { name: 'db', namespace: 'ns', uid: 'u' },
    spec: { taskDefinition: 'db', desiredCount: 2, volumeConfigurations },
  };
  return serviceTarget({ service, cluster: on, strategy: 'REPLICA', spec: definition, family: 'db', revision: 1, nodes: [], pods: [] });
}

describe('per-task EBS volumes (volumeConfigurations)', () => {
  describe('the StorageClass of a volume type', () => {
    const storage = { storageClasses: { gp3: 'fast', io2: 'iops' }, defaultStorageClass: 'standard' };
    it('is the Cluster’s class for the type', () => expect(storageClassFor('io2', storage)).to.equal('iops'));
    it('is the class of gp3 when no type is given, as ECS defaults to gp3', () => expect(storageClassFor(undefined, storage)).to.equal('fast'));
    it('is the Cluster’s default class for a type it does not list', () => expect(storageClassFor('st1', storage)).to.equal('standard'));
    it('is none (the Kubernetes default StorageClass) without a mapping', () => expect(storageClassFor('gp3', undefined)).to.equal(undefined));
  });

  it('gives each task of a Service its own claim: a generic ephemeral volume with the size and the mapped class', () => {
    const { target, warnings } = serviceWith([
      { name: 'data', managedEBSVolume: { sizeInGiB: 20, volumeType: 'io2', roleArn: 'arn:aws:iam::1:role/ecs-infra' } },
    ]);
    const volume = target?.template.spec?.volumes?.find((v) => v.name === 'data');
    expect(volume).to.deep.equal({
      name: 'data',
      ephemeral: {
        volumeClaimTemplate: {
          metadata: { labels: { 'app.kubernetes.io/managed-by': 'ecs-operator' } },
          spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'ebs-io2', resources: { requests: { storage: '20Gi' } } },
        },
      },
    });
    expect(target?.template.spec?.containers[0]?.volumeMounts).to.deep.include({ name: 'data', mountPath: '/var/lib/postgresql' });
    expect(warnings.map((w) => w.path)).to.deep.equal(['spec.volumeConfigurations[0].managedEBSVolume.roleArn']);
  });

  it('warns where the claim cannot carry a setting, naming the field and the StorageClass that decides it', () => {
    const { warnings } = serviceWith([
      { name: 'data', managedEBSVolume: { sizeInGiB: 20, iops: 3000, throughput: 125, encrypted: true, filesystemType: 'xfs', snapshotId: 'snap-1' } },
    ]);
    expect(warnings).to.deep.include({
      path: 'spec.volumeConfigurations[0].managedEBSVolume.filesystemType',
      message:
        "xfs is not set by the claim: StorageClass 'ebs-gp3' decides the filesystem (its parameter csi.storage.k8s.io/fstype; the EBS CSI driver's default is ext4)",
    });
    expect(warnings.map((w) => w.path)).to.include.members([
      'spec.volumeConfigurations[0].managedEBSVolume.iops',
      'spec.volumeConfigurations[0].managedEBSVolume.throughput',
      'spec.volumeConfigurations[0].managedEBSVolume.encrypted',
      'spec.volumeConfigurations[0].managedEBSVolume.snapshotId',
    ]);
  });

  it('says when the Cluster maps the volume type to no StorageClass', () => {
    const { target, warnings } = serviceWith([{ name: 'data', managedEBSVolume: { sizeInGiB: 5, volumeType: 'st1' } }], cluster());
    expect(target?.template.spec?.volumes?.[0]?.ephemeral?.volumeClaimTemplate?.spec.storageClassName).to.equal(undefined);
    expect(warnings.map((w) => w.path)).to.deep.equal(['spec.volumeConfigurations[0].managedEBSVolume.volumeType']);
  });

  it('refuses a configuration of a volume that is not configured at launch, and one without a size', () => {
    expect(serviceWith([{ name: 'logs', managedEBSVolume: { sizeInGiB: 5 } }]).error).to.deep.equal({
      path: 'spec.volumeConfigurations[0].name',
      message: 'the task definition has no volume "logs" with configuredAtLaunch true',
    });
    expect(serviceWith([{ name: 'data', managedEBSVolume: { volumeType: 'gp3' } }]).error?.path).to.equal(
      'spec.volumeConfigurations[0].managedEBSVolume.sizeInGiB',
    );
  });

  it('without a configuration, mounts the claim named after the volume, as before, with a warning at the task definition', () => {
    const { target, warnings } = serviceWith([]);
    expect(target?.template.spec?.volumes?.[0]).to.deep.equal({ name: 'data', persistentVolumeClaim: { claimName: 'data' } });
    expect(warnings.map((w) => w.path)).to.deep.equal(['db:1 spec.volumes[0].configuredAtLaunch']);
  });

  it('gives a Task its own claim too', () => {
    const task: Task = {
      apiVersion: 'ecs.operator.dev/v1alpha1',
      kind: 'Task',
      metadata: { name: 'migrate', namespace: 'ns' },
      spec: {
        taskDefinition: 'db',
        volumeConfigurations: [{ name: 'data', managedEBSVolume: { sizeInGiB: 1, terminationPolicy: { deleteOnTermination: false } } }],
      },
    };
    const { pod, warnings } = taskPod({ task, cluster: MAPPED, spec: definition, family: 'db', revision: 1, nodes: [], pods: [] });
    expect(pod?.spec?.volumes?.[0]?.ephemeral?.volumeClaimTemplate?.spec).to.deep.include({
      storageClassName: 'ebs-gp3',
      resources: { requests: { storage: '1Gi' } },
    });
    expect(warnings.map((w) => w.path)).to.deep.equal(['spec.volumeConfigurations[0].managedEBSVolume.terminationPolicy.deleteOnTermination']);
  });
});
