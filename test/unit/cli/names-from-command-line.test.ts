// Input files that leave the name to the command line: `aws ecs create-service --service-name X --cli-input-json`
// and `aws ecs register-task-definition --family X --cli-input-json`. CreateService input is known by its fields
// whether or not it names the service; `--service-name` and `--family` give the name, and without them the
// error names the missing field and the flag.
import { expect } from 'chai';
import { main as importMain } from '../../../operator/src/cli/import.js';
import { main as translateMain } from '../../../operator/src/cli/translate.js';
import { find, fixture, run } from './helpers.js';

const SERVICE = fixture('search.create-service.no-service-name.json');
const DEFINITION = fixture('search-api.register-task-definition.no-family.json');

describe('names given on the command line', () => {
  it('CreateService input without serviceName is recognised as such, and needs --service-name', async () => {
    const result = await run(importMain, ['-f', SERVICE]);
    expect(result.status).to.equal(1);
    expect(result.errors).to.deep.equal([
      `error: ${SERVICE}: serviceName: is required: it names the Service; for CreateService input that leaves it to the command line (aws ecs create-service --service-name NAME --cli-input-json), give --service-name NAME`,
    ]);
  });

  it('RegisterTaskDefinition input without family needs --family', async () => {
    const result = await run(importMain, ['-f', DEFINITION]);
    expect(result.status).to.equal(1);
    expect(result.errors).to.deep.equal([
      `error: ${DEFINITION}: family: is required: it names the TaskDefinition; for RegisterTaskDefinition input that leaves it to the command line (aws ecs register-task-definition --family NAME --cli-input-json), give --family NAME`,
    ]);
  });

  it('--service-name and --family name them, as the AWS CLI would', async () => {
    const result = await run(importMain, ['-f', SERVICE, '-f', DEFINITION, '--service-name', 'search_api', '--family', 'search-api']);
    expect(result.errors.filter((line) => line.startsWith('error:'))).to.deep.equal([]);
    expect(result.status).to.equal(0);
    const service = find(result.objects, 'Service', 'search-api');
    expect(service.spec).to.deep.include({
      serviceName: 'search_api',
      cluster: 'production',
      taskDefinition: 'search-api:31',
      desiredCount: 3,
      healthCheckGracePeriodSeconds: 60,
    });
    expect(service.spec.loadBalancers).to.deep.equal([
      {
        targetGroupArn: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/search-api/6d0ecf831eec9f09',
        containerName: 'search-api',
        containerPort: 9200,
      },
    ]);
    expect(find(result.objects, 'TaskDefinition', 'search-api').spec.family).to.equal('search-api');
  });

  it('translate takes the same flags: the ReplicaSet of revision 31', async () => {
    const result = await run(translateMain, ['-f', SERVICE, '-f', DEFINITION, '--service-name', 'search-api', '--family', 'search-api']);
    expect(result.errors.filter((line) => line.startsWith('error:'))).to.deep.equal([]);
    expect(result.status).to.equal(0);
    expect(find(result.objects, 'ReplicaSet', 'search-api-31').spec.replicas).to.equal(3);
  });

  it('a name in the file is kept over the flag, which is for files that have none', async () => {
    const named = JSON.stringify({ serviceName: 'web', taskDefinition: 'web', desiredCount: 1 });
    const result = await run(importMain, ['-f', 'web.json', '--service-name', 'other'], { 'web.json': named });
    expect(result.objects[0].spec.serviceName).to.equal('web');
  });

  it('RunTask input is still told apart: it has none of the CreateService fields', async () => {
    const result = await run(importMain, ['-f', 'run.json'], {
      'run.json': JSON.stringify({ cluster: 'prod', taskDefinition: 'batch:3', count: 2, overrides: {} }),
    });
    // Read as RunTask input: `count` Tasks of the family, no Service.
    expect(result.errors).to.deep.equal([]);
    expect(result.objects.map((o: { kind: string; metadata: { name: string } }) => `${o.kind} ${o.metadata.name}`)).to.deep.equal([
      'Task batch-1',
      'Task batch-2',
    ]);
  });
});
