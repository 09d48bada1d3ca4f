// `ecs-operator import`, in-process: what AWS CLI JSON becomes, field by field, and what is left out.
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { parseAllDocuments } from 'yaml';
import { main } from '../../../operator/src/cli/import.js';
import { find, fixture, ROOT, run } from './helpers.js';

const STOREFRONT = fixture('storefront-web.describe-task-definition.json');
const READ_ONLY = ['taskDefinitionArn', 'revision', 'status', 'requiresAttributes', 'compatibilities', 'registeredAt', 'registeredBy', 'deregisteredAt'];

describe('ecs-operator import', () => {
  describe('describe-task-definition output ({taskDefinition, tags})', () => {
    it('becomes one TaskDefinition named after the family, without read-only fields or filled-in defaults', async () => {
      const result = await run(main, ['-f', STOREFRONT]);
      expect(result.status).to.equal(0);
      expect(result.stderr).to.equal('');
      expect(result.objects).to.have.length(1);
      const [td] = result.objects;
      expect(td.apiVersion).to.equal('ecs.operator.dev/v1alpha1');
      expect(td.kind).to.equal('TaskDefinition');
      expect(td.metadata).to.deep.equal({ name: 'storefront-web' });
      expect(Object.keys(td.spec)).to.deep.equal([
        'family',
        'containerDefinitions',
        'taskRoleArn',
        'executionRoleArn',
        'networkMode',
        'volumes',
        'runtimePlatform',
        'requiresCompatibilities',
        'cpu',
        'memory',
        'tags',
      ]);
      for (const key of READ_ONLY) expect(td.spec).not.to.have.property(key);
      expect(td.spec.tags).to.deep.equal([{ key: 'team', value: 'storefront' }]);
      expect(td.spec.cpu).to.equal('1024');
      expect(td.spec.volumes).to.deep.equal([
        { name: 'static-assets', host: {} },
        { name: 'nginx-conf', efsVolumeConfiguration: { fileSystemId: 'fs-0a1b2c3d4e5f67890', rootDirectory: '/nginx/conf.d', transitEncryption: 'ENABLED' } },
      ]);
    });

    it('keeps each container as registered, less empty lists, protocol tcp and awsvpc host ports', async () => {
      const [td] = (await run(main, ['-f', STOREFRONT])).objects;
      const original = JSON.parse(readFileSync(`${ROOT}${STOREFRONT}`, 'utf8')).taskDefinition.containerDefinitions;
      expect(td.spec.containerDefinitions.map((c: any) => c.name)).to.deep.equal(['nginx', 'app', 'migrate']);
      const [nginx] = td.spec.containerDefinitions;
      expect(nginx.portMappings).to.deep.equal([{ containerPort: 80, name: 'nginx-80-tcp', appProtocol: 'http' }]);
      expect(nginx).not.to.have.any.keys('volumesFrom', 'systemControls');
      expect(nginx.logConfiguration).to.deep.equal({
        logDriver: 'awslogs',
        options: { 'awslogs-group': '/ecs/storefront-web', 'awslogs-region': 'us-east-1', 'awslogs-stream-prefix': 'nginx' },
      });
      for (const [index, container] of td.spec.containerDefinitions.entries()) {
        for (const key of [
          'image',
          'entryPoint',
          'command',
          'environment',
          'secrets',
          'healthCheck',
          'memory',
          'memoryReservation',
          'cpu',
          'dependsOn',
          'user',
        ]) {
          const expected = original[index][key];
          const filledIn = (Array.isArray(expected) && expected.length === 0) || (key === 'cpu' && expected === 0);
          expect(container[key], `${container.name}.${key}`).to.deep.equal(filledIn ? undefined : expected);
        }
      }
    });

    it('reads the task definition without its wrapper the same way', async () => {
      const wrapped = (await run(main, ['-f', STOREFRONT])).objects[0];
      const { taskDefinition } = JSON.parse(readFileSync(`${ROOT}${STOREFRONT}`, 'utf8'));
      const bare = await run(main, ['-f', 'bare.json'], { 'bare.json': JSON.stringify(taskDefinition) });
      expect(bare.status).to.equal(0);
      const { tags: _tags, ...specWithoutTags } = wrapped.spec;
      expect(bare.objects[0].spec).to.deep.equal(specWithoutTags);
    });
  });

  it('RegisterTaskDefinition input: a DNS name from the family, which spec.family keeps; numbers as the CRD strings; cpu 0 and dynamic host ports left out', async () => {
    const result = await run(main, ['-f', fixture('billing-worker.register-task-definition.json')]);
    expect(result.status).to.equal(0);
    expect(result.objects).to.deep.equal([
      {
        apiVersion: 'ecs.operator.dev/v1alpha1',
        kind: 'TaskDefinition',
        metadata: { name: 'billing-worker' },
        spec: {
          family: 'billing_worker',
          containerDefinitions: [
            {
              name: 'worker',
              image: '123456789012.dkr.ecr.us-east-1.amazonaws.com/billing-worker:5.2.0',
              memoryReservation: 384,
              essential: true,
              command: ['bundle', 'exec', 'sidekiq', '-q', 'billing'],
              portMappings: [{ containerPort: 9394, name: 'metrics' }],
              environment: [
                { name: 'RAILS_ENV', value: 'production' },
                { name: 'SIDEKIQ_CONCURRENCY', value: '10' },
              ],
              secrets: [{ name: 'REDIS_URL', valueFrom: '/billing/prod/redis_url' }],
              stopTimeout: 120,
            },
          ],
          taskRoleArn: 'arn:aws:iam::123456789012:role/billing-worker',
          networkMode: 'bridge',
          cpu: '512',
          memory: '1024',
          tags: [{ key: 'team', value: 'billing' }],
        },
      },
    ]);
  });

  describe('describe-services output ({services, failures})', () => {
    it('becomes one Service per service: ARNs to names, task definition ARN to family:revision, status and history left out', async () => {
      const result = await run(main, ['-f', fixture('web.describe-services.json')]);
      expect(result.status).to.equal(0);
      expect(result.objects.map((o) => `${o.kind}/${o.metadata.name}`)).to.deep.equal(['Service/web', 'Service/node-exporter']);
      expect(find(result.objects, 'Service', 'web').spec).to.deep.equal({
        serviceName: 'web',
        cluster: 'production',
        taskDefinition: 'web:3',
        desiredCount: 3,
        deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: true }, maximumPercent: 200, minimumHealthyPercent: 100 },
        loadBalancers: [
          { targetGroupArn: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/0123456789abcdef', containerName: 'nginx', containerPort: 80 },
        ],
        launchType: 'EC2',
        placementStrategy: [
          { type: 'spread', field: 'attribute:ecs.availability-zone' },
          { type: 'binpack', field: 'memory' },
        ],
        networkConfiguration: {
          awsvpcConfiguration: { subnets: ['subnet-0a1b2c3d', 'subnet-4e5f6a7b'], securityGroups: ['sg-0123abcd'], assignPublicIp: 'DISABLED' },
        },
        healthCheckGracePeriodSeconds: 30,
        schedulingStrategy: 'REPLICA',
        deploymentController: { type: 'ECS' },
        propagateTags: 'SERVICE',
        enableECSManagedTags: true,
        enableExecuteCommand: false,
      });
    });

    it('leaves out the desiredCount ECS counted for a DAEMON service', async () => {
      const daemon = find((await run(main, ['-f', fixture('web.describe-services.json')])).objects, 'Service', 'node-exporter');
      expect(daemon.spec).not.to.have.property('desiredCount');
      expect(daemon.spec.schedulingStrategy).to.equal('DAEMON');
      expect(daemon.spec.taskDefinition).to.equal('node-exporter:12');
      expect(daemon.spec.placementConstraints).to.deep.equal([{ type: 'memberOf', expression: 'attribute:ecs.os-type == linux' }]);
    });

    it('warns, with the field path, about each ECS field the Service resource does not have, and each that has no effect', async () => {
      const result = await run(main, ['-f', fixture('web.describe-services.json')]);
      expect(result.errors).to.deep.equal([
        'warning: test/fixtures/ecs/web.describe-services.json: services[0].availabilityZoneRebalancing: not a field of the Service resource; left out',
        'warning: test/fixtures/ecs/web.describe-services.json: services[0].networkConfiguration.awsvpcConfiguration.securityGroups: not applied: pods get no security groups; restrict their traffic with NetworkPolicies',
        "warning: test/fixtures/ecs/web.describe-services.json: services[0].networkConfiguration.awsvpcConfiguration.subnets[0]: subnet 'subnet-0a1b2c3d' has no zone in Cluster 'production' (spec.subnets); it does not keep the tasks to a zone",
        "warning: test/fixtures/ecs/web.describe-services.json: services[0].networkConfiguration.awsvpcConfiguration.subnets[1]: subnet 'subnet-4e5f6a7b' has no zone in Cluster 'production' (spec.subnets); it does not keep the tasks to a zone",
      ]);
    });

    it('reports the services ECS could not describe', async () => {
      const json = JSON.stringify({
        services: [{ serviceName: 'api', taskDefinition: 'api:1', desiredCount: 1 }],
        failures: [{ arn: 'arn:aws:ecs:us-east-1:1:service/prod/gone', reason: 'MISSING' }],
      });
      const result = await run(main, ['-f', 'services.json'], { 'services.json': json });
      expect(result.status).to.equal(0);
      expect(result.errors).to.deep.equal([
        'warning: services.json: failures[0]: ECS could not describe arn:aws:ecs:us-east-1:1:service/prod/gone (MISSING); nothing imported for it',
      ]);
    });
  });

  it('CreateService input: the cluster becomes a Cluster resource name, with a warning where it had to change', async () => {
    const result = await run(main, ['-f', fixture('billing-worker.create-service.json')]);
    expect(result.status).to.equal(0);
    expect(result.objects).to.deep.equal([
      {
        apiVersion: 'ecs.operator.dev/v1alpha1',
        kind: 'Service',
        metadata: { name: 'billing-worker' },
        spec: {
          serviceName: 'billing_worker',
          cluster: 'prod-cluster',
          taskDefinition: 'billing_worker:7',
          desiredCount: 2,
          deploymentConfiguration: { maximumPercent: 150, minimumHealthyPercent: 50 },
          launchType: 'EC2',
          placementConstraints: [{ type: 'distinctInstance' }],
          placementStrategy: [{ type: 'spread', field: 'attribute:ecs.availability-zone' }],
          schedulingStrategy: 'REPLICA',
          propagateTags: 'TASK_DEFINITION',
          enableECSManagedTags: true,
          tags: [{ key: 'team', value: 'billing' }],
        },
      },
    ]);
    expect(result.errors).to.deep.equal([
      "warning: test/fixtures/ecs/billing-worker.create-service.json: cluster: ECS cluster 'Prod_Cluster' is the Cluster resource 'prod-cluster' (Kubernetes names are lower case)",
    ]);
  });

  it('reads several files, sets the namespace with -n, and writes one file per resource with -o', async () => {
    const result = await run(main, ['-f', STOREFRONT, '-f', fixture('web.describe-services.json'), '-n', 'shop', '-o', 'out']);
    expect(result.status).to.equal(0);
    expect([...result.written.keys()]).to.deep.equal(['out/storefront-web.taskdefinition.yaml', 'out/web.service.yaml', 'out/node-exporter.service.yaml']);
    expect(result.stdout).to.equal('out/storefront-web.taskdefinition.yaml\nout/web.service.yaml\nout/node-exporter.service.yaml\n');
    for (const text of result.written.values()) {
      const documents = parseAllDocuments(text);
      expect(documents).to.have.length(1);
      expect((documents as any)[0].toJS().metadata.namespace).to.equal('shop');
    }
  });

  describe('examples/import', () => {
    const SOURCE = 'examples/import/web.describe-task-definition.json';

    it('regenerating gives the committed web.taskdefinition.yaml', async () => {
      const result = await run(main, ['-f', SOURCE]);
      expect(result.status).to.equal(0);
      expect(result.stdout).to.equal(readFileSync(`${ROOT}examples/import/web.taskdefinition.yaml`, 'utf8'));
    });

    it('is the TaskDefinition of examples/web-service.yaml', async () => {
      const [imported] = (await run(main, ['-f', SOURCE])).objects;
      const example = parseAllDocuments(readFileSync(`${ROOT}examples/web-service.yaml`, 'utf8'))
        .map((d: any) => d.toJS())
        .find((o: any) => o.kind === 'TaskDefinition');
      // The example adds only its Argo CD sync wave.
      expect(imported).to.deep.equal({ ...example, metadata: { name: example.metadata.name } });
    });
  });
});
