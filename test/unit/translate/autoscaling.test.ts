// Application Auto Scaling of an ECS service → its HorizontalPodAutoscaler, field by field, and what is refused.
import { expect } from 'chai';
import { horizontalPodAutoscalers, parseServiceResourceId, type AutoScalingInput, type Located } from '../../../operator/src/translate/autoscaling.js';

const ID = 'service/production/Web_App';

function target(fields: Record<string, unknown> = {}): Located {
  return {
    file: 'targets.json',
    path: 'ScalableTargets[0]',
    value: { ServiceNamespace: 'ecs', ResourceId: ID, ScalableDimension: 'ecs:service:DesiredCount', MinCapacity: 2, MaxCapacity: 8, ...fields },
  };
}

function trackingPolicy(name: string, metric: string, target: number, config: Record<string, unknown> = {}, index = 0): Located {
  return {
    file: 'policies.json',
    path: `ScalingPolicies[${index}]`,
    value: {
      PolicyName: name,
      ServiceNamespace: 'ecs',
      ResourceId: ID,
      ScalableDimension: 'ecs:service:DesiredCount',
      PolicyType: 'TargetTrackingScaling',
      TargetTrackingScalingPolicyConfiguration: { TargetValue: target, PredefinedMetricSpecification: { PredefinedMetricType: metric }, ...config },
    },
  };
}

function translate(input: Partial<AutoScalingInput>) {
  return horizontalPodAutoscalers({ targets: [], policies: [], scheduledActions: [], ...input });
}

describe('translate/autoscaling', () => {
  it('reads service/<cluster>/<service> resource ids, and nothing else', () => {
    expect(parseServiceResourceId('service/prod/web')).to.deep.equal({ cluster: 'prod', service: 'web' });
    expect(['table/orders', 'service/web', 'service/a/b/c', 42].map(parseServiceResourceId)).to.deep.equal([undefined, undefined, undefined, undefined]);
  });

  it('makes an HPA over the ecs-operator Service with the bounds, utilization targets and cooldowns', () => {
    const { autoscalers, warnings, errors } = translate({
      targets: [target()],
      policies: [
        trackingPolicy('cpu', 'ECSServiceAverageCPUUtilization', 60, { ScaleOutCooldown: 45, ScaleInCooldown: 90 }),
        trackingPolicy('memory', 'ECSServiceAverageMemoryUtilization', 75, { ScaleOutCooldown: 45, ScaleInCooldown: 90 }, 1),
      ],
    });
    expect(errors).to.deep.equal([]);
    expect(warnings).to.deep.equal([]);
    expect(autoscalers).to.deep.equal([
      {
        apiVersion: 'autoscaling/v2',
        kind: 'HorizontalPodAutoscaler',
        metadata: { name: 'web-app' },
        spec: {
          scaleTargetRef: { apiVersion: 'ecs.operator.dev/v1alpha1', kind: 'Service', name: 'web-app' },
          minReplicas: 2,
          maxReplicas: 8,
          metrics: [
            { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 60 } } },
            { type: 'Resource', resource: { name: 'memory', target: { type: 'Utilization', averageUtilization: 75 } } },
          ],
          behavior: { scaleUp: { stabilizationWindowSeconds: 45 }, scaleDown: { stabilizationWindowSeconds: 90 } },
        },
      },
    ]);
  });

  it('uses the ECS default cooldown of 300 s when a policy gives none, and rounds a fractional target with a warning', () => {
    const { autoscalers, warnings } = translate({ targets: [target()], policies: [trackingPolicy('cpu', 'ECSServiceAverageCPUUtilization', 62.5)] });
    expect(autoscalers[0]!.spec.behavior).to.deep.equal({ scaleUp: { stabilizationWindowSeconds: 300 }, scaleDown: { stabilizationWindowSeconds: 300 } });
    expect(autoscalers[0]!.spec.metrics![0]!.resource!.target.averageUtilization).to.equal(63);
    expect(warnings.map((w) => w.path)).to.deep.equal(['ScalingPolicies[0].TargetTrackingScalingPolicyConfiguration.TargetValue']);
  });

  it('turns DisableScaleIn on every policy, and suspended dynamic scaling, into a direction that allows nothing', () => {
    const disabled = translate({ targets: [target()], policies: [trackingPolicy('cpu', 'ECSServiceAverageCPUUtilization', 50, { DisableScaleIn: true })] });
    expect(disabled.autoscalers[0]!.spec.behavior!.scaleDown).to.deep.equal({ selectPolicy: 'Disabled' });
    expect(disabled.autoscalers[0]!.spec.behavior!.scaleUp).to.deep.equal({ stabilizationWindowSeconds: 300 });
    const suspended = translate({
      targets: [target({ SuspendedState: { DynamicScalingInSuspended: false, DynamicScalingOutSuspended: true } })],
      policies: [trackingPolicy('cpu', 'ECSServiceAverageCPUUtilization', 50)],
    });
    expect(suspended.autoscalers[0]!.spec.behavior).to.deep.equal({ scaleUp: { selectPolicy: 'Disabled' }, scaleDown: { stabilizationWindowSeconds: 300 } });
  });

  it('warns when only some policies disable scale-in, or their cooldowns differ, and keeps the longest window', () => {
    const { autoscalers, warnings } = translate({
      targets: [target()],
      policies: [
        trackingPolicy('cpu', 'ECSServiceAverageCPUUtilization', 50, { DisableScaleIn: true, ScaleInCooldown: 60 }),
        trackingPolicy('memory', 'ECSServiceAverageMemoryUtilization', 70, { ScaleInCooldown: 600 }, 1),
      ],
    });
    expect(autoscalers[0]!.spec.behavior!.scaleDown).to.deep.equal({ stabilizationWindowSeconds: 600 });
    expect(warnings.map((w) => w.message).join('\n'))
      .to.match(/different cooldowns/)
      .and.match(/DisableScaleIn is set on some policies only/);
  });

  it('names step scaling, ALBRequestCountPerTarget, customized metrics and scheduled actions with what to use instead', () => {
    const step: Located = {
      file: 'policies.json',
      path: 'ScalingPolicies[2]',
      value: { PolicyName: 'step', ResourceId: ID, PolicyType: 'StepScaling', StepScalingPolicyConfiguration: {} },
    };
    const custom: Located = {
      file: 'policies.json',
      path: 'ScalingPolicies[3]',
      value: {
        PolicyName: 'queue',
        ResourceId: ID,
        PolicyType: 'TargetTrackingScaling',
        TargetTrackingScalingPolicyConfiguration: { TargetValue: 10, CustomizedMetricSpecification: { MetricName: 'Backlog' } },
      },
    };
    const { autoscalers, warnings } = translate({
      targets: [target()],
      policies: [trackingPolicy('cpu', 'ECSServiceAverageCPUUtilization', 50), trackingPolicy('alb', 'ALBRequestCountPerTarget', 1000, {}, 1), step, custom],
      scheduledActions: [{ file: 'scheduled.json', path: 'ScheduledActions[0]', value: { ScheduledActionName: 'mornings', ResourceId: ID } }],
    });
    expect(autoscalers[0]!.spec.metrics).to.have.length(1);
    const byPath = Object.fromEntries(warnings.map((w) => [`${w.file} ${w.path}`, w.message]));
    expect(byPath['scheduled.json ScheduledActions[0]']).to.match(/'mornings' is not translated: use a CronJob/);
    expect(byPath['policies.json ScalingPolicies[1].TargetTrackingScalingPolicyConfiguration.PredefinedMetricSpecification.PredefinedMetricType']).to.match(
      /ALBRequestCountPerTarget.*Object or External metric/,
    );
    expect(byPath['policies.json ScalingPolicies[2].PolicyType']).to.match(
      /step scaling policy 'step' is not translated: write it as a target tracking policy/,
    );
    expect(byPath['policies.json ScalingPolicies[3].TargetTrackingScalingPolicyConfiguration.CustomizedMetricSpecification']).to.match(
      /'queue' tracks a CloudWatch metric.*metrics adapter/,
    );
  });

  it('writes no HPA for a target without a CPU or memory policy, and skips what is not an ECS service', () => {
    const other: Located = {
      file: 'targets.json',
      path: 'ScalableTargets[1]',
      value: {
        ServiceNamespace: 'dynamodb',
        ResourceId: 'table/orders',
        ScalableDimension: 'dynamodb:table:ReadCapacityUnits',
        MinCapacity: 1,
        MaxCapacity: 5,
      },
    };
    const { autoscalers, warnings, errors } = translate({ targets: [target(), other] });
    expect(autoscalers).to.deep.equal([]);
    expect(errors).to.deep.equal([]);
    expect(warnings.map((w) => w.path)).to.deep.equal(['ScalableTargets[1].ResourceId', 'ScalableTargets[0]']);
  });

  it('raises minReplicas 0 to 1 with a warning (an HPA does not scale to zero)', () => {
    const { autoscalers, warnings } = translate({
      targets: [target({ MinCapacity: 0 })],
      policies: [trackingPolicy('cpu', 'ECSServiceAverageCPUUtilization', 50)],
    });
    expect(autoscalers[0]!.spec.minReplicas).to.equal(1);
    expect(warnings[0]!.path).to.equal('ScalableTargets[0].MinCapacity');
  });

  it('refuses bad capacities, a policy without a target and a target given twice, naming the field', () => {
    const { autoscalers, errors } = translate({
      targets: [target({ MaxCapacity: 1, MinCapacity: 3 }), { ...target(), path: 'again' }, target({ ResourceId: 'service/production/api', MinCapacity: '2' })],
      policies: [
        trackingPolicy('cpu', 'ECSServiceAverageCPUUtilization', 50, { ScaleInCooldown: -1 }),
        trackingPolicy('memory', 'ECSServiceAverageMemoryUtilization', 0, {}, 1),
        {
          ...trackingPolicy('orphan', 'ECSServiceAverageCPUUtilization', 50, {}, 2),
          value: { ...trackingPolicy('orphan', 'ECSServiceAverageCPUUtilization', 50).value, ResourceId: 'service/production/batch' },
        },
      ],
    });
    expect(autoscalers).to.deep.equal([]);
    expect(errors.map((e) => `${e.file} ${e.path}`)).to.deep.equal([
      'targets.json ScalableTargets[0].MaxCapacity',
      'targets.json again.ResourceId',
      'targets.json ScalableTargets[0].MinCapacity',
      'policies.json ScalingPolicies[2].ResourceId',
    ]);
    expect(errors[0]!.message).to.match(/at least MinCapacity \(3\)/);
    expect(errors[3]!.message).to.match(/no scalable target for service\/production\/batch/);
  });

  it('refuses a bad cooldown or target value of a policy on a valid target', () => {
    const { autoscalers, errors } = translate({
      targets: [target()],
      policies: [
        trackingPolicy('cpu', 'ECSServiceAverageCPUUtilization', 50, { ScaleInCooldown: 1.5 }),
        trackingPolicy('memory', 'ECSServiceAverageMemoryUtilization', 0, {}, 1),
      ],
    });
    expect(autoscalers).to.deep.equal([]);
    expect(errors.map((e) => e.path)).to.deep.equal([
      'ScalingPolicies[0].TargetTrackingScalingPolicyConfiguration.ScaleInCooldown',
      'ScalingPolicies[1].TargetTrackingScalingPolicyConfiguration.TargetValue',
    ]);
  });
});
