// A Service's target groups as TargetGroupBindings: planned only where the kind is served, created with the
// Service as controller, left alone when converged, deleted when the spec drops their target group, never taken
// over from someone else; `ecs-operator translate` prints them unless told the kind is not served.
import { expect } from 'chai';
import { main as translateMain } from '../../../../operator/src/cli/translate.js';
import { planTargetGroupBindings } from '../../../../operator/src/controllers/service/target-group-bindings.js';
import { withAppliedHash } from '../../../../operator/src/runtime/apply.js';
import { targetGroupBindingName, targetGroupBindings } from '../../../../operator/src/translate/target-group-bindings.js';
import { run } from '../../cli/helpers.js';
import { service, snapshot } from './fixtures.js';

const ARN = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/web/0123456789abcdef';
const OTHER = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/web-old/fedcba9876543210';
const withTargetGroup = (arn = ARN) => service({ loadBalancers: [{ targetGroupArn: arn, containerName: 'web', containerPort: 80 }] });
const owner = (svc = withTargetGroup()) => [
  { apiVersion: 'ecs.operator.dev/v1alpha1', kind: 'Service', name: 'web', uid: svc.metadata.uid ?? '', controller: true, blockOwnerDeletion: true },
];

describe('TargetGroupBindings of a Service', () => {
  it('plans none where the kind is not served', () => {
    expect(planTargetGroupBindings({ ...snapshot({ service: withTargetGroup(), revision: 1 }), targetGroupBindingServed: false }).actions).to.deep.equal([]);
  });

  it('creates one per target group, controlled by the Service, onto the core Service at the container port', () => {
    const svc = withTargetGroup();
    const { actions, validity } = planTargetGroupBindings({ ...snapshot({ service: svc, revision: 1 }), targetGroupBindingServed: true });
    expect(validity.valid).to.equal(true);
    expect(actions).to.have.length(1);
    const [action] = actions;
    expect(action?.verb).to.equal('create');
    const object = action?.verb === 'create' ? (action.object as any) : undefined;
    expect(object.metadata.name).to.equal(targetGroupBindingName('web', ARN));
    expect(object.metadata.ownerReferences).to.deep.equal(owner(svc));
    expect(object.spec).to.deep.equal({ targetGroupARN: ARN, targetType: 'ip', serviceRef: { name: 'web', port: 80 } });
  });

  it('writes nothing when the bindings are as planned, and deletes the one whose target group is gone', () => {
    const svc = withTargetGroup();
    const live = targetGroupBindings(svc, owner(svc)).map((b) => ({ ...withAppliedHash(b), metadata: { ...withAppliedHash(b).metadata, uid: 'tgb-1' } }));
    expect(
      planTargetGroupBindings({ ...snapshot({ service: svc, revision: 1 }), targetGroupBindingServed: true, targetGroupBindings: live }).actions,
    ).to.deep.equal([]);
    const moved = withTargetGroup(OTHER);
    const { actions } = planTargetGroupBindings({ ...snapshot({ service: moved, revision: 1 }), targetGroupBindingServed: true, targetGroupBindings: live });
    expect(actions.map((a) => `${a.verb} ${'object' in a ? a.object.metadata?.name : ''}`)).to.deep.equal([
      `create ${targetGroupBindingName('web', OTHER)}`,
      `delete ${targetGroupBindingName('web', ARN)}`,
    ]);
  });

  it('never takes over a binding of that name that is not its own', () => {
    const svc = withTargetGroup();
    const [foreign] = targetGroupBindings(svc);
    const { actions, validity } = planTargetGroupBindings({
      ...snapshot({ service: svc, revision: 1 }),
      targetGroupBindingServed: true,
      taken: [{ kind: 'TargetGroupBinding', name: foreign?.metadata?.name ?? '' }],
    });
    expect(actions).to.deep.equal([]);
    expect(validity).to.deep.include({ valid: false, reason: 'TargetGroupBindingNameTaken' });
  });

  it('translate prints them by default, and warns instead with --no-target-group-binding', async () => {
    const files = {
      'td.json': JSON.stringify({ family: 'web', containerDefinitions: [{ name: 'web', image: 'nginx', memory: 64, portMappings: [{ containerPort: 80 }] }] }),
      'svc.json': JSON.stringify({
        serviceName: 'web',
        taskDefinition: 'web',
        desiredCount: 1,
        loadBalancers: [{ targetGroupArn: ARN, containerName: 'web', containerPort: 80 }],
      }),
    };
    const served = await run(translateMain, ['-f', 'td.json', '-f', 'svc.json'], files);
    expect(served.objects.filter((o) => o.kind === 'TargetGroupBinding').map((o) => o.spec)).to.deep.equal([
      { targetGroupARN: ARN, targetType: 'ip', serviceRef: { name: 'web', port: 80 } },
    ]);
    expect(served.errors).to.deep.equal([]);
    const absent = await run(translateMain, ['-f', 'td.json', '-f', 'svc.json', '--no-target-group-binding'], files);
    expect(absent.objects.filter((o) => o.kind === 'TargetGroupBinding')).to.deep.equal([]);
    expect(absent.errors).to.deep.equal([
      "warning: svc.json: loadBalancers[0].targetGroupArn: the TargetGroupBinding kind (elbv2.k8s.aws/v1beta1, the AWS Load Balancer Controller) is not served in this cluster, so the target group is not joined; traffic reaches the tasks through the ClusterIP Service 'web' (port 80)",
    ]);
  });
});
