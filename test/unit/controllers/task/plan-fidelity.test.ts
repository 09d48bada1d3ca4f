// The Task planner with what the task asks beyond its revision: a capacity provider (recorded in status, refused
// when the Cluster does not have it) and fields that have no effect (status.warnings, the FieldsApplied condition and
// a Warning Event, as for every field not applied: translate/not-applied.ts).
import { expect } from 'chai';
import type { Cluster } from '../../../../operator/src/api/cluster.js';
import { planTask } from '../../../../operator/src/controllers/task/plan.js';
import { createdPod, defaultCluster, snapshot, task, taskDefinition } from './helpers.js';

const withProviders: Cluster = { ...defaultCluster, spec: { capacityProviders: ['FARGATE', 'FARGATE_SPOT'] } };
const network = { awsvpcConfiguration: { subnets: ['subnet-x'], securityGroups: ['sg-1'] } };

describe('Task planner: capacity providers and fields without effect', () => {
  it('records the capacity provider the task runs on, from its pod', () => {
    const launch = planTask(snapshot({ task: task({ capacityProviderStrategy: [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }] }), cluster: withProviders }));
    const pod = createdPod(launch)!;
    expect(launch.status.capacityProviderName).to.equal('FARGATE_SPOT');
    // As ECS reports a task of a Fargate provider.
    expect(launch.status.launchType).to.equal('FARGATE');
    const observed = planTask(
      snapshot({ task: task({ capacityProviderStrategy: [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }] }, launch.status), cluster: withProviders, pod }),
    );
    expect(observed.status.capacityProviderName).to.equal('FARGATE_SPOT');
  });

  it('refuses a provider the Cluster does not have: Valid=False naming the field, no pod', () => {
    const plan = planTask(snapshot({ task: task({ capacityProviderStrategy: [{ capacityProvider: 'MY_ASG', weight: 1 }] }), cluster: withProviders }));
    expect(createdPod(plan)).to.equal(undefined);
    expect(plan.status.conditions?.find((c) => c.type === 'Valid')).to.deep.include({
      status: 'False',
      message:
        "spec.capacityProviderStrategy[0].capacityProvider: capacity provider 'MY_ASG' is not one of Cluster 'default' (spec.capacityProviders, spec.capacityProviderNodes); ECS refuses it",
    });
  });

  it('names the fields without effect in status.warnings, FieldsApplied and one Event each, kept after the launch', () => {
    const launch = planTask(snapshot({ task: task({ networkConfiguration: network }) }));
    const warnings = [
      'spec.networkConfiguration.awsvpcConfiguration.securityGroups: not applied: pods get no security groups; restrict their traffic with NetworkPolicies',
      "spec.networkConfiguration.awsvpcConfiguration.subnets[0]: subnet 'subnet-x' has no zone in Cluster 'default' (spec.subnets); it does not keep the tasks to a zone",
    ];
    expect(launch.status.warnings).to.deep.equal(warnings);
    expect(launch.status.conditions?.find((c) => c.type === 'FieldsApplied')).to.deep.include({
      status: 'False',
      reason: 'NotApplied',
      message: warnings.join('; '),
    });
    expect(launch.events.filter((e) => e.reason === 'NotApplied')).to.deep.equal(
      warnings.map((message) => ({ type: 'warning', reason: 'NotApplied', message })),
    );
    const again = planTask(snapshot({ task: task({ networkConfiguration: network }, launch.status), pod: createdPod(launch)! }));
    expect(again.status.warnings).to.deep.equal(warnings);
    expect(again.events.filter((e) => e.reason === 'NotApplied')).to.deep.equal([]);
  });

  it('says FieldsApplied True, with no warnings, when every field applies', () => {
    const { status } = planTask(snapshot());
    expect(status.warnings).to.deep.equal([]);
    expect(status.conditions?.find((c) => c.type === 'FieldsApplied')).to.deep.include({ status: 'True', reason: 'Applied' });
  });

  it("leaves the task definition's warnings to the TaskDefinition's status", () => {
    const td = taskDefinition({ containerDefinitions: [{ name: 'app', image: 'nginx', memory: 64, logConfiguration: { logDriver: 'awslogs' } }] });
    const { status } = planTask(snapshot({}, td));
    expect(status.warnings).to.deep.equal([]);
    expect(status.conditions?.find((c) => c.type === 'FieldsApplied')?.status).to.equal('True');
  });
});
