// Bad input ends with status 1 and one `error:` line per problem, each naming the file and the field (or, for
// syntax errors, the line); never a stack trace. Then the real binary, as a subprocess, for the same promise.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { main as importMain } from '../../../operator/src/cli/import.js';
import { main as translateMain } from '../../../operator/src/cli/translate.js';
import { ROOT, run } from './helpers.js';

const HEADER = 'apiVersion: ecs.operator.dev/v1alpha1\n';
const taskDefinition = (spec: string, name = 'web') => `${HEADER}kind: TaskDefinition\nmetadata: {name: ${name}}\nspec:\n${spec}`;
const GOOD_CONTAINERS = '  containerDefinitions: [{name: web, image: nginx, memory: 128}]\n';
const describe_ = (containers: unknown[]) =>
  JSON.stringify({
    taskDefinition: { family: 'web', taskDefinitionArn: 'arn:aws:ecs:us-east-1:1:task-definition/web:2', revision: 2, containerDefinitions: containers },
  });

interface Case {
  what: string;
  command?: 'import' | 'translate';
  files: Record<string, string>;
  /** The whole first error line. */
  error: string;
}

const CASES: Case[] = [
  {
    what: 'malformed JSON',
    files: { 'web.json': '{"taskDefinition": {"family": "web",}}' },
    error: 'error: web.json: malformed JSON: Expected double-quoted property name in JSON at position 36 (line 1 column 37)',
  },
  {
    what: 'malformed YAML',
    files: { 'web.yaml': `${HEADER}kind: TaskDefinition\nmetadata:\n  name: web\n spec: {}\n` },
    error: 'error: web.yaml: line 5, column 1: malformed YAML: All mapping items must start at the same column',
  },
  {
    what: 'an unknown kind in the ecs.operator.dev group',
    files: { 'web.yaml': `${HEADER}kind: TaskDef\nmetadata: {name: web}\nspec: {}\n` },
    error: "error: web.yaml: TaskDef web: kind: unknown kind 'TaskDef' in ecs.operator.dev (expected Cluster, TaskDefinition, Task, Service, ScheduledTask)",
  },
  {
    what: 'an unknown version',
    files: { 'web.yaml': 'apiVersion: ecs.operator.dev/v1\nkind: Task\nmetadata: {name: web}\nspec: {taskDefinition: web}\n' },
    error: "error: web.yaml: Task web: apiVersion: unknown version 'ecs.operator.dev/v1' (ecs-operator serves ecs.operator.dev/v1alpha1)",
  },
  {
    what: 'a manifest without a kind',
    files: { 'web.yaml': `${HEADER}metadata: {name: web}\nspec: {}\n` },
    error: 'error: web.yaml: web: kind: is required in a Kubernetes manifest',
  },
  {
    what: 'a string where the CRD wants an integer',
    files: { 'web.yaml': taskDefinition('  containerDefinitions: [{name: web, image: nginx, memory: 512MiB}]\n') },
    error: 'error: web.yaml: TaskDefinition web: spec.containerDefinitions[0].memory: must be integer',
  },
  {
    what: 'a required field left out',
    files: { 'web.yaml': taskDefinition('  containerDefinitions: [{name: web, memory: 128}]\n') },
    error: 'error: web.yaml: TaskDefinition web: spec.containerDefinitions[0].image: is required',
  },
  {
    what: 'a misspelt field',
    files: { 'web.yaml': taskDefinition('  containerDefinitions: [{name: web, image: nginx, memory: 128, portMapping: [{containerPort: 80}]}]\n') },
    error: 'error: web.yaml: TaskDefinition web: spec.containerDefinitions[0].portMapping: unknown field (the TaskDefinition CRD has no such field)',
  },
  {
    what: 'a value outside an enum',
    files: { 'web.yaml': taskDefinition(`  networkMode: vpc\n${GOOD_CONTAINERS}`) },
    error: 'error: web.yaml: TaskDefinition web: spec.networkMode: must be equal to one of the allowed values: bridge, host, awsvpc, none',
  },
  {
    what: 'a resource name the API server refuses',
    files: { 'web.yaml': taskDefinition(GOOD_CONTAINERS, 'Web_App') },
    error: 'error: web.yaml: TaskDefinition Web_App: metadata.name: must match pattern "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"',
  },
  {
    what: 'a negative desiredCount',
    files: { 'svc.yaml': `${HEADER}kind: Service\nmetadata: {name: web}\nspec: {taskDefinition: web, desiredCount: -1}\n` },
    error: 'error: svc.yaml: Service web: spec.desiredCount: must be >= 0',
  },
  {
    what: 'dependsOn an unknown container (translation)',
    files: {
      'web.yaml': taskDefinition('  containerDefinitions: [{name: web, image: nginx, memory: 128, dependsOn: [{containerName: db, condition: START}]}]\n'),
    },
    error: 'error: web.yaml: TaskDefinition web: spec.containerDefinitions[0].dependsOn[0].containerName: no container named "db" in this task definition',
  },
  {
    what: 'containers that need more cpu than the task has (translation)',
    files: { 'web.yaml': taskDefinition('  cpu: "256"\n  containerDefinitions: [{name: web, image: nginx, memory: 128, cpu: 512}]\n') },
    error: "error: web.yaml: TaskDefinition web: spec.cpu: the containers' cpu adds up to 512 units, more than the task's 256",
  },
  {
    what: 'a Task whose family is in no input file',
    files: { 'task.yaml': `${HEADER}kind: Task\nmetadata: {name: once}\nspec: {taskDefinition: "batch:2"}\n` },
    error: "error: task.yaml: Task once: spec.taskDefinition: no TaskDefinition of family 'batch' in the input; give its file with -f",
  },
  {
    what: 'an override of a container the task definition does not have',
    files: {
      'all.yaml': `${taskDefinition(GOOD_CONTAINERS)}---\n${HEADER}kind: Task\nmetadata: {name: once}\nspec:\n  taskDefinition: web\n  overrides: {containerOverrides: [{name: worker, command: [run]}]}\n`,
    },
    error: 'error: all.yaml: Task once: spec.overrides.containerOverrides[0].name: no container named "worker" in the task definition',
  },
  {
    what: 'an override that breaks the task memory (reported at the task definition, for the task)',
    files: {
      'all.yaml': `${taskDefinition(`  memory: "512"\n${GOOD_CONTAINERS}`)}---\n${HEADER}kind: Task\nmetadata: {name: once}\nspec:\n  taskDefinition: web\n  overrides: {containerOverrides: [{name: web, memory: 1024}]}\n`,
    },
    error: "error: all.yaml: TaskDefinition web: spec.memory: the containers reserve 1024 MiB in all, more than the task's 512 (as Task once runs it)",
  },
  {
    what: 'a family defined twice',
    files: { 'a.yaml': taskDefinition(GOOD_CONTAINERS), 'b.yaml': taskDefinition(`  family: web\n${GOOD_CONTAINERS}`, 'web-copy') },
    error: "error: b.yaml: TaskDefinition web-copy: spec.family: family 'web' is defined twice: also in a.yaml (TaskDefinition web)",
  },
  {
    what: 'a pinned revision the input does not hold',
    files: {
      'web.json': describe_([{ name: 'web', image: 'nginx', memory: 128 }]),
      'svc.yaml': `${HEADER}kind: Service\nmetadata: {name: web}\nspec: {taskDefinition: "web:1", desiredCount: 1}\n`,
    },
    error: "error: svc.yaml: Service web: spec.taskDefinition: 'web:1' is not in the input: web.json holds revision 2 of 'web'",
  },
  {
    what: 'ECS JSON with a bad field, named by its path in the JSON',
    files: { 'web.json': describe_([{ name: 'web', image: 'nginx', memory: 'lots' }]) },
    error: 'error: web.json: taskDefinition.containerDefinitions[0].memory: must be integer',
  },
  {
    what: 'ECS JSON of an unknown shape',
    files: { 'tasks.json': JSON.stringify({ tasks: [{ taskArn: 'arn:aws:ecs:us-east-1:1:task/x' }] }) },
    error:
      'error: tasks.json: not ECS JSON that ecs-operator reads: expected the output of describe-task-definition or describe-services, RegisterTaskDefinition, CreateService or RunTask input (taskDefinition, containerDefinitions, services, serviceName or desiredCount), or an EventBridge schedule or rule with an ECS target (ScheduleExpression with Target or Targets)',
  },
  {
    what: 'a bare list of container definitions (Terraform container_definitions), told apart from other unknown JSON',
    files: { 'containers.json': JSON.stringify([{ name: 'web', image: 'nginx:1.27', memory: 256 }]) },
    error:
      'error: containers.json: [0]: this looks like a container definition of a list, as Terraform\'s container_definitions holds them; ecs-operator reads whole task definitions: write {"family": "NAME", "containerDefinitions": [the list]}',
  },
  {
    what: 'import of a manifest',
    command: 'import',
    files: { 'web.yaml': taskDefinition(GOOD_CONTAINERS) },
    error: 'error: web.yaml: is a Kubernetes manifest already; import reads ECS JSON (translate reads both)',
  },
  {
    what: 'import of a service whose desiredCount is not a number',
    command: 'import',
    files: { 'svc.json': JSON.stringify({ services: [{ serviceName: 'web', taskDefinition: 'web:1', desiredCount: '3' }] }) },
    error: 'error: svc.json: services[0].desiredCount: must be integer',
  },
  {
    what: 'import of a task definition without a family',
    command: 'import',
    files: { 'td.json': JSON.stringify({ containerDefinitions: [{ name: 'web', image: 'nginx', memory: 128 }] }) },
    error:
      'error: td.json: family: is required: it names the TaskDefinition; for RegisterTaskDefinition input that leaves it to the command line (aws ecs register-task-definition --family NAME --cli-input-json), give --family NAME',
  },
  {
    what: 'a file that does not exist',
    files: {},
    error: 'error: missing.yaml: cannot read: no such file',
  },
];

describe('ecs-operator import and translate: bad input', () => {
  for (const { what, command = 'translate', files, error } of CASES) {
    it(`${command}: ${what}`, async () => {
      const names = Object.keys(files);
      const argv = (names.length > 0 ? names : ['missing.yaml']).flatMap((name) => ['-f', name]);
      const result = await run(command === 'import' ? importMain : translateMain, argv, files);
      expect(result.status).to.equal(1);
      expect(result.stdout).to.equal('');
      expect(result.errors[0]).to.equal(error);
      for (const line of result.errors) expect(line).to.match(/^(error|warning): \S+: /);
    });
  }

  it('reports every problem of every file, one line each', async () => {
    const files = {
      'a.yaml': taskDefinition('  containerDefinitions: [{name: web, image: nginx, memory: -1, cpu: x}]\n'),
      'b.json': JSON.stringify({ family: 'b', containerDefinitions: [{ name: 'b', image: 'busybox', memory: 64 }], networkMode: 'vpc' }),
    };
    const result = await run(translateMain, ['-f', 'a.yaml', '-f', 'b.json'], files);
    expect(result.status).to.equal(1);
    expect(result.errors).to.deep.equal([
      'error: a.yaml: TaskDefinition web: spec.containerDefinitions[0].cpu: must be integer',
      'error: a.yaml: TaskDefinition web: spec.containerDefinitions[0].memory: must be >= 4',
      'error: b.json: networkMode: must be equal to one of the allowed values: bridge, host, awsvpc, none',
    ]);
  });

  it("a usage error (no -f) is commander's one line, status 1", async () => {
    const result = await run(translateMain, []);
    expect(result.status).to.equal(1);
    expect(result.errors[0]).to.equal("error: required option '-f, --filename <file>' not specified");
  });
});

describe('bin/ecs-operator translate as a subprocess', function () {
  this.timeout(60_000);
  const directory = mkdtempSync(join(tmpdir(), 'ecs-operator-cli-'));
  const binary = join(ROOT, 'bin/ecs-operator');

  function ecsOperator(...args: string[]) {
    return spawnSync(binary, args, { cwd: directory, encoding: 'utf8' });
  }

  it('prints one error line and exits 1 on a malformed file, with no stack trace', () => {
    writeFileSync(join(directory, 'web.json'), '{"taskDefinition": ');
    const result = ecsOperator('translate', '-f', 'web.json');
    expect(result.status).to.equal(1);
    expect(result.stdout).to.equal('');
    expect(result.stderr).to.equal('error: web.json: malformed JSON: Unexpected end of JSON input\n');
  });

  it('prints the field path of a schema violation and exits 1, with no stack trace', () => {
    writeFileSync(join(directory, 'web.yaml'), taskDefinition('  containerDefinitions: [{name: web, image: nginx, memory: lots}]\n'));
    const result = ecsOperator('translate', '-f', 'web.yaml');
    expect(result.status).to.equal(1);
    expect(result.stderr).to.equal('error: web.yaml: TaskDefinition web: spec.containerDefinitions[0].memory: must be integer\n');
    expect(result.stderr).not.to.match(/\n\s+at /);
  });

  it('translates an example, objects on stdout and warnings on stderr, status 0', () => {
    const result = ecsOperator('translate', '-f', join(ROOT, 'examples/web-service.yaml'));
    expect(result.status).to.equal(0);
    expect(result.stdout).to.match(/^apiVersion: apps\/v1\nkind: ReplicaSet\n/);
    expect(result.stderr).to.match(/^warning: \S+web-service.yaml: TaskDefinition web: spec.containerDefinitions\[0\].logConfiguration: /);
  });
});
