// `ecs-operator import` of batch work: RunTask input becomes Task manifests, EventBridge schedules and rules with
// an ECS target become ScheduledTasks, and what has no equivalent is named in a warning.
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { main } from '../../../operator/src/cli/import.js';
import { fixture, ROOT, run } from './helpers.js';

const SCHEDULE = fixture('nightly-report.get-schedule.json');
const RULE = fixture('cleanup-tmp.describe-rule.json');
const TARGETS = fixture('cleanup-tmp.list-targets-by-rule.json');
const json = (path: string) => JSON.parse(readFileSync(`${ROOT}${path}`, 'utf8'));

describe('ecs-operator import: batch jobs', () => {
  describe('RunTask input (run-task --cli-input-json)', () => {
    it('becomes count Task manifests named after the family, -1 to -N, each the RunTask input less count', async () => {
      const result = await run(main, ['-f', fixture('reindex.run-task.json')]);
      expect(result.status).to.equal(0);
      expect(result.objects.map((o) => `${o.kind}/${o.metadata.name}`)).to.deep.equal(['Task/reindex-1', 'Task/reindex-2', 'Task/reindex-3']);
      const specs = result.objects.map((o) => o.spec);
      expect(specs[1]).to.deep.equal(specs[0]);
      expect(specs[0]).to.deep.equal({
        cluster: 'batch',
        taskDefinition: 'reindex:12',
        launchType: 'FARGATE',
        networkConfiguration: {
          awsvpcConfiguration: { subnets: ['subnet-0a1b2c3d', 'subnet-4e5f6a7b'], securityGroups: ['sg-0123456789abcdef0'], assignPublicIp: 'DISABLED' },
        },
        overrides: { containerOverrides: [{ name: 'indexer', command: ['reindex', '--shard', 'all'], memory: 2048 }] },
        startedBy: 'ops/reindex',
        group: 'family:reindex',
        tags: [{ key: 'ticket', value: 'OPS-1234' }],
        enableECSManagedTags: true,
        propagateTags: 'TASK_DEFINITION',
      });
    });

    it('warns once, not once per Task, about each field the Task resource does not have, and each that has no effect', async () => {
      const result = await run(main, ['-f', fixture('reindex.run-task.json')]);
      expect(result.errors).to.deep.equal([
        "warning: test/fixtures/ecs/reindex.run-task.json: cluster: ECS cluster 'Batch' is the Cluster resource 'batch' (Kubernetes names are lower case)",
        'warning: test/fixtures/ecs/reindex.run-task.json: platformVersion: not a field of the Task resource; left out',
        // Said by the Task controller too (translate/not-applied.ts and the Task's translation), once for the Tasks of the input.
        "warning: test/fixtures/ecs/reindex.run-task.json: launchType: launch type FARGATE is not a capacity here: the tasks run on the Cluster's container instances (its nodes); a capacityProviderStrategy selects among them",
        'warning: test/fixtures/ecs/reindex.run-task.json: networkConfiguration.awsvpcConfiguration.securityGroups: not applied: pods get no security groups; restrict their traffic with NetworkPolicies',
        "warning: test/fixtures/ecs/reindex.run-task.json: networkConfiguration.awsvpcConfiguration.subnets[0]: subnet 'subnet-0a1b2c3d' has no zone in Cluster 'batch' (spec.subnets); it does not keep the tasks to a zone",
        "warning: test/fixtures/ecs/reindex.run-task.json: networkConfiguration.awsvpcConfiguration.subnets[1]: subnet 'subnet-4e5f6a7b' has no zone in Cluster 'batch' (spec.subnets); it does not keep the tasks to a zone",
      ]);
    });

    it('names one Task after the family alone', async () => {
      const result = await run(main, ['-f', 'run.json'], { 'run.json': JSON.stringify({ taskDefinition: 'Nightly_Report', overrides: { cpu: '512' } }) });
      expect(result.objects).to.deep.equal([
        {
          apiVersion: 'ecs.operator.dev/v1alpha1',
          kind: 'Task',
          metadata: { name: 'nightly-report' },
          spec: { taskDefinition: 'Nightly_Report', overrides: { cpu: '512' } },
        },
      ]);
    });

    it('refuses a count RunTask would refuse, naming it', async () => {
      const result = await run(main, ['-f', 'run.json'], { 'run.json': JSON.stringify({ taskDefinition: 'report', count: 11 }) });
      expect(result.status).to.equal(1);
      expect(result.errors).to.deep.equal(['error: run.json: count: must be a whole number from 1 to 10, as RunTask takes it']);
    });
  });

  describe('EventBridge Scheduler (get-schedule output, CreateSchedule input)', () => {
    it('becomes a ScheduledTask: the expression in its zone, the ECS target as RunTask input, Input as the overrides', async () => {
      const result = await run(main, ['-f', SCHEDULE]);
      expect(result.status).to.equal(0);
      expect(result.objects).to.deep.equal([
        {
          apiVersion: 'ecs.operator.dev/v1alpha1',
          kind: 'ScheduledTask',
          metadata: { name: 'nightly-report' },
          spec: {
            scheduleExpression: 'cron(0 2 * * ? *)',
            scheduleExpressionTimezone: 'Europe/Berlin',
            endDate: '2026-12-31T23:00:00Z',
            flexibleTimeWindow: { mode: 'FLEXIBLE', maximumWindowInMinutes: 15 },
            target: {
              cluster: 'reporting',
              taskDefinition: 'nightly-report:7',
              overrides: { containerOverrides: [{ name: 'report', command: ['python', 'report.py', '--day', 'yesterday'] }] },
              launchType: 'FARGATE',
              networkConfiguration: {
                awsvpcConfiguration: { subnets: ['subnet-0a1b2c3d', 'subnet-4e5f6a7b'], securityGroups: ['sg-0123456789abcdef0'], assignPublicIp: 'DISABLED' },
              },
              enableExecuteCommand: false,
              propagateTags: 'TASK_DEFINITION',
              enableECSManagedTags: true,
              tags: [{ key: 'team', value: 'analytics' }],
            },
            retryPolicy: { maximumEventAgeInSeconds: 3600 },
          },
        },
      ]);
    });

    it('names in a warning each field with no equivalent, and leaves out the defaults EventBridge prints', async () => {
      const result = await run(main, ['-f', SCHEDULE]);
      const file = 'test/fixtures/ecs/nightly-report.get-schedule.json';
      expect(result.errors.map((line) => line.replace(/ \(.*\); left out$/, ''))).to.deep.equal([
        `warning: ${file}: Description: has no equivalent in a ScheduledTask`,
        `warning: ${file}: Target.DeadLetterConfig: has no equivalent in a ScheduledTask`,
        `warning: ${file}: Target.RoleArn: has no equivalent in a ScheduledTask`,
        `warning: ${file}: Target.EcsParameters.PlatformVersion: has no equivalent in a ScheduledTask`,
        `warning: ${file}: Target.Arn: ECS cluster 'Reporting' is the Cluster resource 'reporting' (Kubernetes names are lower case)`,
      ]);
      const [scheduled] = result.objects;
      expect(scheduled.spec).not.to.have.any.keys('state');
      expect(scheduled.spec.target).not.to.have.property('count');
      expect(scheduled.spec.retryPolicy).not.to.have.property('maximumRetryAttempts');
    });

    it('reads CreateSchedule input with epoch-second dates, a non-default group and a schedule that deletes itself', async () => {
      const input = {
        Name: 'once',
        GroupName: 'reports',
        ScheduleExpression: 'at(2026-07-01T09:30:00)',
        StartDate: 1782900000,
        ActionAfterCompletion: 'DELETE',
        FlexibleTimeWindow: { Mode: 'OFF' },
        State: 'DISABLED',
        KmsKeyArn: 'arn:aws:kms:us-east-1:123456789012:key/1',
        Target: {
          Arn: 'arn:aws:ecs:us-east-1:123456789012:cluster/default',
          EcsParameters: { TaskDefinitionArn: 'arn:aws:ecs:us-east-1:123456789012:task-definition/report:1', TaskCount: 3 },
        },
      };
      const result = await run(main, ['-f', 'create.json'], { 'create.json': JSON.stringify(input) });
      expect(result.status).to.equal(0);
      expect(result.objects[0].spec).to.deep.equal({
        scheduleExpression: 'at(2026-07-01T09:30:00)',
        state: 'DISABLED',
        startDate: '2026-07-01T10:00:00Z',
        target: { cluster: 'default', taskDefinition: 'report:1', count: 3 },
      });
      expect(result.errors.map((line) => line.split(': has no equivalent')[0])).to.deep.equal([
        'warning: create.json: GroupName',
        'warning: create.json: ActionAfterCompletion',
        'warning: create.json: KmsKeyArn',
      ]);
    });

    it('names the EventBridge field when the ScheduledTask CRD refuses what it became', async () => {
      const schedule = json(SCHEDULE);
      schedule.Target.EcsParameters.TaskCount = 11;
      schedule.Target.Input = JSON.stringify({ containerOverrides: [{ name: 'report', memory: 2 }] });
      const result = await run(main, ['-f', 'schedule.json'], { 'schedule.json': JSON.stringify(schedule) });
      expect(result.status).to.equal(1);
      expect(result.errors.filter((line) => line.startsWith('error'))).to.deep.equal([
        'error: schedule.json: Target.EcsParameters.TaskCount: must be <= 10',
        'error: schedule.json: Target.Input.containerOverrides[0].memory: must be >= 4',
      ]);
    });

    it('refuses a target that is no ECS cluster, and an Input that is not JSON', async () => {
      const lambda = { ...json(SCHEDULE), Target: { Arn: 'arn:aws:lambda:eu-central-1:123456789012:function:report', Input: '{}' } };
      const notEcs = await run(main, ['-f', 'lambda.json'], { 'lambda.json': JSON.stringify(lambda) });
      expect(notEcs.errors).to.deep.equal([
        "error: lambda.json: Target.Arn: 'arn:aws:lambda:eu-central-1:123456789012:function:report' is not an ECS cluster ARN: only targets that run ECS tasks (RunTask) become ScheduledTasks",
      ]);
      const broken = json(SCHEDULE);
      broken.Target.Input = '{"containerOverrides": [';
      const badInput = await run(main, ['-f', 'broken.json'], { 'broken.json': JSON.stringify(broken) });
      expect(badInput.status).to.equal(1);
      expect(badInput.errors.at(-1)).to.match(/^error: broken\.json: Target\.Input: is not JSON: /);
    });
  });

  describe('EventBridge rules (describe-rule and list-targets-by-rule)', () => {
    const cleanup = {
      apiVersion: 'ecs.operator.dev/v1alpha1',
      kind: 'ScheduledTask',
      metadata: { name: 'cleanup-tmp' },
      spec: {
        scheduleExpression: 'rate(6 hours)',
        target: {
          cluster: 'default',
          taskDefinition: 'cleanup:3',
          count: 2,
          overrides: { containerOverrides: [{ name: 'cleaner', environment: [{ name: 'MAX_AGE_HOURS', value: '24' }] }] },
          group: 'cleanup',
          placementConstraints: [{ type: 'distinctInstance' }],
          placementStrategy: [{ type: 'spread', field: 'attribute:ecs.availability-zone' }],
          launchType: 'EC2',
          tags: [{ key: 'team', value: 'platform' }],
        },
        retryPolicy: { maximumRetryAttempts: 3, maximumEventAgeInSeconds: 7200 },
      },
    };

    it('joins the two files into one ScheduledTask per ECS target, and warns about the others', async () => {
      const result = await run(main, ['-f', RULE, '-f', TARGETS]);
      expect(result.status).to.equal(0);
      expect(result.objects).to.deep.equal([cleanup]);
      expect(result.errors).to.deep.equal([
        'warning: test/fixtures/ecs/cleanup-tmp.describe-rule.json: Description: has no equivalent in a ScheduledTask (a ScheduledTask has no description; put it in an annotation if you need it); left out',
        "warning: test/fixtures/ecs/cleanup-tmp.list-targets-by-rule.json: Targets[1].Arn: 'arn:aws:lambda:us-east-1:123456789012:function:notify-cleanup' is not an ECS target; nothing imported for it",
        'warning: test/fixtures/ecs/cleanup-tmp.list-targets-by-rule.json: Targets[0].RoleArn: has no equivalent in a ScheduledTask (the operator starts Tasks with its own permissions; no role is assumed); left out',
      ]);
    });

    it('reads the rule and its targets from one object, or from PutTargets input that names its rule', async () => {
      const combined = await run(main, ['-f', 'rule.json'], { 'rule.json': JSON.stringify({ ...json(RULE), ...json(TARGETS) }) });
      expect(combined.objects).to.deep.equal([cleanup]);
      const twoRules = await run(main, ['-f', 'rules.json', '-f', 'put.json'], {
        'rules.json': JSON.stringify([{ ...json(RULE), Name: 'other', State: 'DISABLED' }, json(RULE)]),
        'put.json': JSON.stringify({ Rule: 'other', Targets: json(TARGETS).Targets.slice(0, 1) }),
      });
      expect(twoRules.status, twoRules.stderr).to.equal(1);
      expect(twoRules.errors.at(-1)).to.include(
        "rules.json: [1].Name: rule 'cleanup-tmp' has no targets: add the output of `aws events list-targets-by-rule --rule cleanup-tmp`",
      );
      const named = await run(main, ['-f', 'rules.json', '-f', 'put.json'], {
        'rules.json': JSON.stringify({ ...json(RULE), Name: 'other', State: 'DISABLED' }),
        'put.json': JSON.stringify({ Rule: 'other', Targets: json(TARGETS).Targets.slice(0, 1) }),
      });
      expect(named.objects.map((o) => [o.metadata.name, o.spec.state])).to.deep.equal([['other', 'DISABLED']]);
    });

    it('names each ScheduledTask after the rule and the target id when a rule has several ECS targets', async () => {
      const [target] = json(TARGETS).Targets;
      const result = await run(main, ['-f', 'rule.json'], {
        'rule.json': JSON.stringify({ ...json(RULE), Targets: [target, { ...target, Id: 'Second_Task' }] }),
      });
      expect(result.objects.map((o) => o.metadata.name)).to.deep.equal(['cleanup-tmp-cleanup-task', 'cleanup-tmp-second-task']);
    });

    it('refuses targets without their rule, and a rule that runs on events', async () => {
      const lonely = await run(main, ['-f', TARGETS]);
      expect(lonely.errors).to.deep.equal([
        'error: test/fixtures/ecs/cleanup-tmp.list-targets-by-rule.json: Targets: cannot tell which rule these targets belong to (0 rules without targets in the input): give one describe-rule output with its list-targets-by-rule output, or PutTargets input that names its Rule',
      ]);
      const { ScheduleExpression: _schedule, ...rule } = json(RULE);
      const onEvents = await run(main, ['-f', 'rule.json', '-f', TARGETS], { 'rule.json': JSON.stringify({ ...rule, EventPattern: '{"source":["aws.s3"]}' }) });
      expect(onEvents.errors).to.deep.equal([
        'error: rule.json: EventPattern: the rule runs on events, not on a schedule: only scheduled rules (ScheduleExpression) become ScheduledTasks',
      ]);
    });
  });
});
