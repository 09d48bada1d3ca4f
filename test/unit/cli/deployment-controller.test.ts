// A Service whose deploymentController is CODE_DEPLOY or EXTERNAL: the Service controller refuses it
// (DeploymentControllerNotSupported), so translate refuses it with the controller's words and import warns.
import { expect } from 'chai';
import { main as importMain } from '../../../operator/src/cli/import.js';
import { main as translateMain } from '../../../operator/src/cli/translate.js';
import { run } from './helpers.js';

const definition = JSON.stringify({
  family: 'checkout',
  containerDefinitions: [{ name: 'app', image: 'nginx:1.27', memory: 256, portMappings: [{ containerPort: 80 }] }],
});
const service = (type: string) =>
  JSON.stringify({
    serviceName: 'checkout',
    taskDefinition: 'checkout:1',
    desiredCount: 2,
    deploymentController: { type },
    loadBalancers: [
      {
        targetGroupArn: 'arn:aws:elasticloadbalancing:us-west-2:345678901234:targetgroup/checkout-blue/0123456789abcdef',
        containerName: 'app',
        containerPort: 80,
      },
    ],
  });

describe('deploymentController other than ECS', () => {
  for (const type of ['CODE_DEPLOY', 'EXTERNAL']) {
    it(`${type}: translate refuses the Service as the controller does, with its message`, async () => {
      const result = await run(translateMain, ['-f', 'service.json', '-f', 'td.json'], { 'service.json': service(type), 'td.json': definition });
      expect(result.status).to.equal(1);
      expect(result.stdout).to.equal('');
      expect(result.errors).to.deep.equal([`error: service.json: deploymentController.type: ${type} is not implemented; only ECS rolling updates are`]);
    });
  }

  it('import writes the Service and warns with the same words', async () => {
    const result = await run(importMain, ['-f', 'service.json'], { 'service.json': service('CODE_DEPLOY') });
    expect(result.status).to.equal(0);
    expect(result.objects[0].spec.deploymentController).to.deep.equal({ type: 'CODE_DEPLOY' });
    expect(result.errors).to.deep.equal(['warning: service.json: deploymentController.type: CODE_DEPLOY is not implemented; only ECS rolling updates are']);
  });

  it('ECS, written or not, translates', async () => {
    const result = await run(translateMain, ['-f', 'service.json', '-f', 'td.json'], { 'service.json': service('ECS'), 'td.json': definition });
    expect(result.status).to.equal(0);
    expect(result.objects.map((o) => o.kind)).to.include('ReplicaSet');
  });
});
