// A field the operator accepts but does not apply is said alike by `ecs-operator import`, by `ecs-operator
// translate` and by the controllers' plans (status.warnings, the FieldsApplied condition, Warning Events): the same
// words at the same field, for the same input. The controllers' input is the manifest import wrote. Beside the
// rules, a subnet the Cluster does not map to a zone (a warning of the Service's or Task's own translation).
import { expect } from 'chai';
import type { Service } from '../../operator/src/api/service.js';
import type { Task } from '../../operator/src/api/task.js';
import { main as importMain } from '../../operator/src/cli/import.js';
import { main as translateMain } from '../../operator/src/cli/translate.js';
import { SERVICE_FINALIZER } from '../../operator/src/controllers/service/plan.js';
import { planService } from '../../operator/src/controllers/service/plan.js';
import { planTask } from '../../operator/src/controllers/task/plan.js';
import { serviceFieldWarnings, TGB_NOT_SERVED } from '../../operator/src/translate/not-applied.js';
import { run } from './cli/helpers.js';
import { NAMESPACE, snapshot as serviceSnapshot } from './controllers/service/fixtures.js';
import { snapshot as taskSnapshot } from './controllers/task/helpers.js';

const TARGET_GROUP = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/web/0123456789abcdef';
const definition = JSON.stringify({
  family: 'web',
  containerDefinitions: [{ name: 'web', image: 'nginx:1.27', memory: 128, portMappings: [{ containerPort: 80, name: 'http' }] }],
});
const createService = JSON.stringify({
  serviceName: 'web',
  taskDefinition: 'web',
  desiredCount: 2,
  launchType: 'FARGATE',
  enableExecuteCommand: true,
  deploymentConfiguration: { alarms: { alarmNames: ['cpu-high'], enable: true, rollback: true } },
  loadBalancers: [
    { targetGroupArn: TARGET_GROUP, containerName: 'web', containerPort: 80 },
    { loadBalancerName: 'classic-web', containerName: 'web', containerPort: 80 },
  ],
  serviceRegistries: [{ registryArn: 'arn:aws:servicediscovery:eu-west-1:123456789012:service/srv-0123456789', containerName: 'web', containerPort: 80 }],
  networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-0aaa'], securityGroups: ['sg-0bbb'], assignPublicIp: 'ENABLED' } },
});
const runTask = JSON.stringify({
  taskDefinition: 'web',
  cluster: 'default',
  launchType: 'FARGATE',
  enableExecuteCommand: true,
  networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-0aaa'], securityGroups: ['sg-0bbb'] } },
});

/** `path: message` of each warning line of a CLI run about `file`, the path from the resource (`spec.x`) as the controllers give it. */
function cliWarnings(lines: readonly string[], file: string): string[] {
  return lines
    .filter((line) => line.startsWith(`warning: ${file}: `))
    .map((line) => line.slice(`warning: ${file}: `.length))
    .map((line) => (line.startsWith('spec.') ? line : `spec.${line}`));
}

async function imported(file: string, text: string, flags: string[] = []): Promise<{ object: any; warnings: string[] }> {
  const result = await run(importMain, ['-f', file, ...flags], { [file]: text });
  expect(result.status).to.equal(0);
  return { object: result.objects[0], warnings: cliWarnings(result.errors, file) };
}

/** translate's warnings about the Service's file and the Task's. */
async function translated(flags: string[] = []): Promise<{ service: string[]; task: string[] }> {
  const result = await run(translateMain, ['-f', 'service.json', '-f', 'task.json', '-f', 'td.json', ...flags], {
    'service.json': createService,
    'task.json': runTask,
    'td.json': definition,
  });
  expect(result.status, result.stderr).to.equal(0);
  return { service: cliWarnings(result.errors, 'service.json'), task: cliWarnings(result.errors, 'task.json') };
}

function servicePlanWarnings(manifest: Service, served: boolean): { status: string[]; condition: string; events: string[] } {
  const service: Service = {
    ...manifest,
    metadata: { ...manifest.metadata, namespace: NAMESPACE, uid: 'svc-uid', generation: 1, finalizers: [SERVICE_FINALIZER] },
  };
  const plan = planService({ ...serviceSnapshot({ service, revision: 1 }), targetGroupBindingServed: served });
  const status = plan.actions.find((a) => a.verb === 'status');
  if (status?.verb !== 'status') throw new Error('the plan writes no status');
  return {
    status: status.status.warnings ?? [],
    condition: status.status.conditions?.find((c) => c.type === 'FieldsApplied')?.message ?? '',
    events: plan.events.filter((e) => e.reason === 'NotApplied').map((e) => e.message),
  };
}

describe('fields accepted but not applied: import, translate and the controllers say the same', () => {
  for (const served of [true, false]) {
    const flags = served ? [] : ['--no-target-group-binding'];
    it(`a Service, ${served ? 'where TargetGroupBindings are served' : 'where they are not (--no-target-group-binding)'}`, async () => {
      const { object, warnings: fromImport } = await imported('service.json', createService, flags);
      const fromTranslate = (await translated(flags)).service;
      const fromController = servicePlanWarnings(object as Service, served);

      expect(fromController.status).to.have.length(served ? 8 : 9);
      expect(fromController.status.at(-1)).to.match(/^spec\.networkConfiguration\.awsvpcConfiguration\.subnets\[0\]: subnet 'subnet-0aaa' has no zone/);
      expect(fromController.status.some((line) => line.startsWith('spec.loadBalancers[0].targetGroupArn: '))).to.equal(!served);
      expect(fromImport).to.deep.equal(fromController.status);
      expect(fromTranslate).to.deep.equal(fromController.status);
      expect(fromController.condition).to.equal(fromController.status.join('; '));
      expect(fromController.events).to.deep.equal(fromController.status);
    });
  }

  it('a Task', async () => {
    const { object, warnings: fromImport } = await imported('task.json', runTask);
    const task = object as Task;
    const plan = planTask(taskSnapshot({ task: { ...task, metadata: { ...task.metadata, namespace: NAMESPACE, generation: 1 } } }));
    const fromController = plan.status.warnings ?? [];
    expect(fromController).to.have.length(4);
    expect(fromImport).to.deep.equal(fromController);
    expect((await translated()).task).to.deep.equal(fromController);
    expect(plan.status.conditions?.find((c) => c.type === 'FieldsApplied')).to.deep.include({ status: 'False', reason: 'NotApplied' });
    expect(plan.events.filter((e) => e.reason === 'NotApplied').map((e) => e.message)).to.deep.equal(fromController);
  });

  it('a steady Service is told once: no Event for a warning its status holds already', () => {
    const first = servicePlanWarnings(
      JSON.parse(JSON.stringify({ apiVersion: 'ecs.operator.dev/v1alpha1', kind: 'Service', metadata: { name: 'web' }, spec: JSON.parse(createService) })),
      false,
    );
    const service: Service = {
      apiVersion: 'ecs.operator.dev/v1alpha1',
      kind: 'Service',
      metadata: { name: 'web', namespace: NAMESPACE, uid: 'svc-uid', generation: 1, finalizers: [SERVICE_FINALIZER] },
      spec: { ...JSON.parse(createService), taskDefinition: 'web' },
      status: { warnings: first.status },
    };
    const plan = planService({ ...serviceSnapshot({ service, revision: 1 }), targetGroupBindingServed: false });
    expect(plan.events.filter((e) => e.reason === 'NotApplied')).to.deep.equal([]);
  });

  it('the targetGroupArn warning says how traffic reaches the tasks instead', () => {
    const [issue] = serviceFieldWarnings(
      {
        metadata: { name: 'web' },
        spec: { taskDefinition: 'web', loadBalancers: [{ targetGroupArn: TARGET_GROUP, containerName: 'web', containerPort: 80 }] },
      },
      { targetGroupBinding: false },
    );
    expect(issue).to.deep.equal({
      path: 'spec.loadBalancers[0].targetGroupArn',
      message: `${TGB_NOT_SERVED}; traffic reaches the tasks through the ClusterIP Service 'web' (port 80)`,
    });
  });
});
