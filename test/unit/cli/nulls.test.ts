// JSON and YAML `null` means "not set", as ECS reads it and as the API server prunes it from fields that are not
// nullable: import and translate drop nulls at any depth before anything checks the input. A null item of a list
// is no value at all, and an error naming its index.
import { expect } from 'chai';
import { main as importMain } from '../../../operator/src/cli/import.js';
import { main as translateMain } from '../../../operator/src/cli/translate.js';
import { find, fixture, run } from './helpers.js';

const CONSOLE_EXPORT = fixture('orders-api.console-export.json');

describe('null in the input', () => {
  it('a console export full of nulls imports as if they were absent', async () => {
    const result = await run(importMain, ['-f', CONSOLE_EXPORT]);
    expect(result.stderr).to.equal('');
    expect(result.status).to.equal(0);
    const [td] = result.objects;
    expect(td.spec).not.to.have.any.keys('taskRoleArn', 'pidMode', 'ipcMode', 'proxyConfiguration', 'ephemeralStorage', 'inferenceAccelerators');
    const [container] = td.spec.containerDefinitions;
    expect(container).to.deep.equal({
      name: 'orders-api',
      image: '210987654321.dkr.ecr.eu-west-1.amazonaws.com/orders-api:2024.11.3',
      memoryReservation: 512,
      portMappings: [{ containerPort: 8080, name: 'orders-api-8080-tcp', appProtocol: 'http' }],
      essential: true,
      environment: [
        { name: 'SPRING_PROFILES_ACTIVE', value: 'prod' },
        { name: 'SERVER_PORT', value: '8080' },
      ],
      secrets: [{ name: 'DB_PASSWORD', valueFrom: 'arn:aws:secretsmanager:eu-west-1:210987654321:secret:orders/db-AbCdEf' }],
      logConfiguration: {
        logDriver: 'awslogs',
        options: { 'awslogs-group': '/ecs/orders-api', 'awslogs-region': 'eu-west-1', 'awslogs-stream-prefix': 'ecs' },
      },
    });
  });

  it('translate reads the same export: the pod template, without a ServiceAccount for the absent task role', async () => {
    const result = await run(translateMain, ['-f', CONSOLE_EXPORT]);
    expect(result.errors.filter((line) => line.startsWith('error:'))).to.deep.equal([]);
    expect(result.status).to.equal(0);
    const template = find(result.objects, 'PodTemplate', 'orders-api-14');
    expect(template.template.spec.containers.map((c: any) => c.name)).to.deep.equal(['orders-api']);
    expect(template.template.spec.serviceAccountName).to.equal(undefined);
    expect(result.objects.filter((o) => o.kind === 'ServiceAccount')).to.deep.equal([]);
  });

  it('`field: null` in a YAML manifest is not set, as the API server prunes it', async () => {
    const manifest = [
      'apiVersion: ecs.operator.dev/v1alpha1',
      'kind: TaskDefinition',
      'metadata: {name: web, labels: null}',
      'spec:',
      '  family: web',
      '  taskRoleArn: null',
      '  cpu: "256"',
      '  memory: null',
      '  containerDefinitions:',
      '    - {name: app, image: "nginx:1.27", memory: 256, healthCheck: null, environment: [{name: A, value: "1"}], dependsOn: null}',
    ].join('\n');
    const result = await run(translateMain, ['-f', 'web.yaml'], { 'web.yaml': manifest });
    expect(result.errors).to.deep.equal([]);
    const template = find(result.objects, 'PodTemplate', 'web-1');
    expect(template.template.spec.containers[0].env).to.deep.equal([{ name: 'A', value: '1' }]);
    expect(template.template.spec.containers[0].livenessProbe).to.equal(undefined);
  });

  it('a null item of a list is an error naming its index, in JSON and in YAML', async () => {
    const json = JSON.stringify({
      family: 'web',
      containerDefinitions: [{ name: 'app', image: 'nginx', memory: 256, portMappings: [{ containerPort: 80 }, null] }],
    });
    const imported = await run(importMain, ['-f', 'web.json'], { 'web.json': json });
    expect(imported.status).to.equal(1);
    expect(imported.errors).to.deep.equal(['error: web.json: containerDefinitions[0].portMappings[1]: is null; a list item needs a value (remove it)']);
    const yaml = 'apiVersion: ecs.operator.dev/v1alpha1\nkind: TaskDefinition\nmetadata: {name: web}\nspec: {family: web, containerDefinitions: [null]}\n';
    const translated = await run(translateMain, ['-f', 'web.yaml'], { 'web.yaml': yaml });
    expect(translated.status).to.equal(1);
    expect(translated.errors).to.deep.equal(['error: web.yaml: spec.containerDefinitions[0]: is null; a list item needs a value (remove it)']);
  });
});
