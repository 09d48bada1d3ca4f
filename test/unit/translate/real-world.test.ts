// A real-world task definition, as `aws ecs describe-task-definition` prints it, translated end to end:
// every container keeps its image, command, ports, environment, resources and health check.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import type { V1Container } from '@kubernetes/client-node';
import type { TaskDefinitionSpec } from '../../../operator/src/api/taskdefinition.js';
import {
  ANNOTATIONS,
  containerCpuMillicores,
  mibToQuantity,
  millicoresToQuantity,
  taskDefinitionToPodTemplate,
} from '../../../operator/src/translate/index.js';
import { paths } from './helpers.js';

const fixture = JSON.parse(readFileSync(new URL('../../fixtures/ecs/storefront-web.describe-task-definition.json', import.meta.url), 'utf8')) as {
  taskDefinition: TaskDefinitionSpec & Record<string, unknown>;
};

/** What `ecs-operator import` drops: the fields ECS fills in and nobody registers. */
const READ_ONLY_FIELDS = ['taskDefinitionArn', 'revision', 'status', 'requiresAttributes', 'compatibilities', 'registeredAt', 'registeredBy'];
const spec = Object.fromEntries(Object.entries(fixture.taskDefinition).filter(([key]) => !READ_ONLY_FIELDS.includes(key))) as unknown as TaskDefinitionSpec;

describe('translate: a real-world task definition (storefront-web, nginx + app + migration)', () => {
  const translation = taskDefinitionToPodTemplate({ spec, family: 'storefront-web', revision: 14 });
  const podSpec = translation.template?.spec;
  const byName = new Map<string, V1Container>(
    [...(podSpec?.initContainers ?? []), ...(podSpec?.containers ?? [])].map((container) => [container.name, container]),
  );

  it('translates without errors, warning only where Kubernetes differs', () => {
    expect(translation.errors).to.deep.equal([]);
    expect(paths(translation.warnings)).to.deep.equal([
      'spec.volumes[1].efsVolumeConfiguration',
      'spec.containerDefinitions[1].ulimits',
      'spec.containerDefinitions[0].logConfiguration',
      'spec.containerDefinitions[1].logConfiguration',
      'spec.containerDefinitions[2].logConfiguration',
    ]);
  });

  it('starts the migration, then the app (nginx waits for it to be healthy), then nginx', () => {
    expect(podSpec?.initContainers?.map(({ name, restartPolicy }) => [name, restartPolicy])).to.deep.equal([
      ['migrate', undefined],
      ['app', 'Always'],
    ]);
    expect(podSpec?.containers.map(({ name }) => name)).to.deep.equal(['nginx']);
    expect(translation.template?.metadata?.annotations?.[ANNOTATIONS.essentialContainers]).to.equal('["nginx","app"]');
  });

  for (const [index, definition] of spec.containerDefinitions.entries()) {
    describe(`containerDefinitions[${index}] ${definition.name}`, () => {
      const container = () => byName.get(definition.name)!;

      it('keeps image, entryPoint and command', () => {
        expect(container().image).to.equal(definition.image);
        expect(container().command).to.deep.equal(definition.entryPoint);
        expect(container().args).to.deep.equal(definition.command);
      });

      it('keeps ports (awsvpc: no host ports)', () => {
        expect(container().ports ?? []).to.deep.equal(
          (definition.portMappings ?? []).map((mapping) => ({ name: mapping.name, containerPort: mapping.containerPort, protocol: 'TCP' })),
        );
      });

      it('keeps environment, and secrets as Secret key references', () => {
        const env = container().env ?? [];
        expect(env.filter(({ value }) => value !== undefined)).to.deep.equal(definition.environment);
        expect(env.filter(({ valueFrom }) => valueFrom).map(({ name }) => name)).to.deep.equal((definition.secrets ?? []).map(({ name }) => name));
      });

      it('keeps cpu as a request, memory as limit, memoryReservation as request', () => {
        const { cpu, memory, memoryReservation } = definition;
        const requests = { ...(cpu ? { cpu: millicoresToQuantity(containerCpuMillicores(cpu)) } : {}), memory: mibToQuantity((memoryReservation ?? memory)!) };
        expect(container().resources).to.deep.equal({ requests, ...(memory ? { limits: { memory: mibToQuantity(memory) } } : {}) });
      });

      it('keeps the health check timing', () => {
        const { healthCheck } = definition;
        if (!healthCheck) return expect(container().livenessProbe).to.equal(undefined);
        expect(container().livenessProbe).to.deep.include({
          periodSeconds: healthCheck.interval,
          timeoutSeconds: healthCheck.timeout,
          failureThreshold: healthCheck.retries,
        });
        const [kind, ...rest] = healthCheck.command;
        expect(container().livenessProbe?.exec?.command).to.deep.equal(kind === 'CMD' ? rest : ['/bin/sh', '-c', rest.join(' ')]);
        expect(container().startupProbe?.failureThreshold).to.equal(
          (healthCheck.retries ?? 3) + Math.ceil((healthCheck.startPeriod ?? 0) / (healthCheck.interval ?? 30)),
        );
      });
    });
  }

  it('gives the pod the task size, platform, role, grace period and volumes', () => {
    expect(podSpec).to.deep.include({
      restartPolicy: 'Never',
      enableServiceLinks: false,
      terminationGracePeriodSeconds: 60,
      shareProcessNamespace: true,
      nodeSelector: { 'kubernetes.io/arch': 'arm64', 'kubernetes.io/os': 'linux' },
      os: { name: 'linux' },
      serviceAccountName: 'storefront-web-task',
      resources: { requests: { cpu: '1', memory: '2Gi' }, limits: { cpu: '1', memory: '2Gi' } },
      volumes: [
        { name: 'static-assets', emptyDir: {} },
        { name: 'nginx-conf', persistentVolumeClaim: { claimName: 'efs-fs-0a1b2c3d4e5f67890' } },
      ],
    });
    expect(byName.get('nginx')?.volumeMounts).to.deep.equal([
      { name: 'static-assets', mountPath: '/usr/share/nginx/html/static', readOnly: true },
      { name: 'nginx-conf', mountPath: '/etc/nginx/conf.d', subPath: 'nginx/conf.d', readOnly: true },
    ]);
    expect(translation.extraObjects.map(({ metadata }) => metadata?.annotations)).to.deep.equal([
      { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::123456789012:role/storefront-web-task' },
    ]);
  });

  it('reads the describe-task-definition output as it is, reporting the read-only fields as unknown', () => {
    const raw = taskDefinitionToPodTemplate({ spec: fixture.taskDefinition, family: 'storefront-web', revision: 14 });
    expect(raw.errors).to.deep.equal([]);
    expect(paths(raw.warnings).filter((path) => !paths(translation.warnings).includes(path))).to.deep.equal(READ_ONLY_FIELDS.map((field) => `spec.${field}`));
  });
});
