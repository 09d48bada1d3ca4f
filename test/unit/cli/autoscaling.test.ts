// Application Auto Scaling JSON through `import` and `translate`: the HorizontalPodAutoscaler of each ECS service,
// from describe-* output or Register/Put input, targets and policies paired across files.
import { expect } from 'chai';
import { main as importMain } from '../../../operator/src/cli/import.js';
import { main as translateMain } from '../../../operator/src/cli/translate.js';
import { find, fixture, run } from './helpers.js';

const aws = (name: string) => `test/fixtures/aws/${name}`;
const WEB = ['-f', aws('web.describe-scalable-targets.json'), '-f', aws('web.describe-scaling-policies.json')];
const BILLING = ['-f', aws('billing-worker.register-scalable-target.json'), '-f', aws('billing-worker.put-scaling-policy.json')];

describe('ecs-operator import: Application Auto Scaling JSON', () => {
  it('describe-scalable-targets + describe-scaling-policies: one HPA over the Service, CPU and memory utilization targets, cooldowns as windows', async () => {
    const result = await run(importMain, WEB);
    expect(result.status).to.equal(0);
    expect(result.objects).to.have.length(1);
    const hpa = find(result.objects, 'HorizontalPodAutoscaler', 'web');
    expect(hpa.apiVersion).to.equal('autoscaling/v2');
    expect(hpa.spec).to.deep.equal({
      scaleTargetRef: { apiVersion: 'ecs.operator.dev/v1alpha1', kind: 'Service', name: 'web' },
      minReplicas: 2,
      maxReplicas: 10,
      metrics: [
        { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 60 } } },
        { type: 'Resource', resource: { name: 'memory', target: { type: 'Utilization', averageUtilization: 75 } } },
      ],
      behavior: { scaleUp: { stabilizationWindowSeconds: 60 }, scaleDown: { stabilizationWindowSeconds: 120 } },
    });
    expect(result.errors).to.have.length(3);
    expect(result.errors[0]).to.match(
      /^warning: test\/fixtures\/aws\/web.describe-scalable-targets.json: ScalableTargets\[1\].ResourceId: .*table\/orders.*skipped$/,
    );
    expect(result.errors[1]).to.match(
      /ScalingPolicies\[2\]\.TargetTrackingScalingPolicyConfiguration\.PredefinedMetricSpecification\.PredefinedMetricType: policy 'web-requests' tracks "ALBRequestCountPerTarget"/,
    );
    expect(result.errors[2]).to.match(/ScalingPolicies\[3\]\.PolicyType: step scaling policy 'web-step-out' is not translated/);
  });

  it('RegisterScalableTarget + PutScalingPolicy input: DisableScaleIn is a scale-down that allows nothing; -n places the HPA', async () => {
    const result = await run(importMain, [...BILLING, '-n', 'apps']);
    expect(result.status).to.equal(0);
    expect(result.stderr).to.equal('');
    const hpa = find(result.objects, 'HorizontalPodAutoscaler', 'billing-worker');
    expect(hpa.metadata).to.deep.equal({ name: 'billing-worker', namespace: 'apps' });
    expect(hpa.spec.scaleTargetRef.name).to.equal('billing-worker');
    expect([hpa.spec.minReplicas, hpa.spec.maxReplicas]).to.deep.equal([1, 4]);
    expect(hpa.spec.behavior).to.deep.equal({ scaleUp: { stabilizationWindowSeconds: 30 }, scaleDown: { selectPolicy: 'Disabled' } });
  });

  it('imports the Service and its HPA together, each to its own file with -o', async () => {
    const result = await run(importMain, ['-f', fixture('billing-worker.create-service.json'), ...BILLING, '-o', 'out']);
    expect(result.status).to.equal(0);
    expect([...result.written.keys()]).to.deep.equal(['out/billing-worker.service.yaml', 'out/billing-worker.horizontalpodautoscaler.yaml']);
  });

  it('names scheduled actions with what to use instead', async () => {
    const result = await run(importMain, [...WEB, '-f', aws('web.describe-scheduled-actions.json')]);
    expect(result.status).to.equal(0);
    expect(result.errors[0]).to.equal(
      "warning: test/fixtures/aws/web.describe-scheduled-actions.json: ScheduledActions[0]: scheduled action 'web-business-hours' is not translated: " +
        "use a CronJob that patches the HorizontalPodAutoscaler's minReplicas/maxReplicas at those times (or KEDA's cron scaler)",
    );
  });

  it('refuses a policy whose scalable target is not in the input, naming the file and field', async () => {
    const result = await run(importMain, ['-f', aws('billing-worker.put-scaling-policy.json')]);
    expect(result.status).to.equal(1);
    expect(result.objects).to.deep.equal([]);
    expect(result.errors).to.deep.equal([
      'error: test/fixtures/aws/billing-worker.put-scaling-policy.json: ResourceId: no scalable target for service/Prod_Cluster/billing_worker in the input, ' +
        'so no MinCapacity/MaxCapacity: give the output of describe-scalable-targets (or RegisterScalableTarget input) with -f',
    ]);
  });

  it('refuses a list that is not a list', async () => {
    const result = await run(importMain, ['-f', 'policies.json'], { 'policies.json': JSON.stringify({ ScalingPolicies: {} }) });
    expect(result.status).to.equal(1);
    expect(result.errors).to.deep.equal(['error: policies.json: ScalingPolicies: expected a list']);
  });
});

describe('ecs-operator translate: Application Auto Scaling JSON', () => {
  it("prints the HPA after the Service's ReplicaSet", async () => {
    const result = await run(translateMain, [
      '-f',
      fixture('billing-worker.create-service.json'),
      '-f',
      fixture('billing-worker.register-task-definition.json'),
      ...BILLING,
    ]);
    expect(result.status, result.stderr).to.equal(0);
    const kinds = result.objects.map((o) => o.kind);
    expect(kinds).to.include('ReplicaSet');
    expect(kinds.at(-1)).to.equal('HorizontalPodAutoscaler');
    expect(find(result.objects, 'HorizontalPodAutoscaler', 'billing-worker').spec.scaleTargetRef).to.deep.equal({
      apiVersion: 'ecs.operator.dev/v1alpha1',
      kind: 'Service',
      name: 'billing-worker',
    });
  });

  it('prints the HPA of auto scaling JSON alone', async () => {
    const result = await run(translateMain, WEB);
    expect(result.status).to.equal(0);
    expect(result.objects.map((o) => `${o.kind}/${o.metadata.name}`)).to.deep.equal(['HorizontalPodAutoscaler/web']);
  });
});
