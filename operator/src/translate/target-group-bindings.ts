// loadBalancers[].targetGroupArn → a TargetGroupBinding of the AWS Load Balancer Controller (elbv2.k8s.aws/v1beta1),
// one per target group, bound to the core Service that service discovery makes for the Service's tasks (the
// port of the load balancer's containerPort). That controller then registers the tasks' pod IPs in the existing
// target group (targetType ip: the core Service is a ClusterIP one, so no node port), and the migrated service
// joins its ALB or NLB with no DNS change. Pure: the Service controller creates these where the kind is served,
// and `ecs-operator translate` prints them; where it is not served, translate/not-applied.ts says how traffic
// reaches the tasks instead.
import type { KubernetesObject, V1OwnerReference } from '@kubernetes/client-node';
import type { Service } from '../api/service.js';
import { shortHash } from './hash.js';
import { LABELS, MANAGED_BY_VALUE } from './labels.js';
import { toLabelValue, toShortDnsLabel } from './names.js';
import { discoveryServiceName } from './service-discovery.js';

export const TARGET_GROUP_BINDING = { group: 'elbv2.k8s.aws', version: 'v1beta1', kind: 'TargetGroupBinding', plural: 'targetgroupbindings' } as const;
export const TARGET_GROUP_BINDING_API_VERSION = `${TARGET_GROUP_BINDING.group}/${TARGET_GROUP_BINDING.version}`;

export interface TargetGroupBinding extends KubernetesObject {
  spec: {
    targetGroupARN: string;
    targetType: 'ip' | 'instance';
    serviceRef: { name: string; port: number | string };
  };
}

/** `arn:aws:elasticloadbalancing:REGION:ACCOUNT:targetgroup/NAME/ID` → NAME (else the whole text). */
function targetGroupName(arn: string): string {
  const match = /targetgroup\/([^/]+)/.exec(arn);
  return match?.[1] ?? arn;
}

/** The binding's name: the Service's and the target group's, with a hash of the ARN (two groups may share a name). */
export function targetGroupBindingName(resourceName: string, targetGroupArn: string): string {
  return `${toShortDnsLabel(`${discoveryServiceName(resourceName)}-${targetGroupName(targetGroupArn)}`, 52)}-${shortHash(targetGroupArn, 10)}`;
}

/**
 * The TargetGroupBindings of a Service: one per distinct targetGroupArn of its loadBalancers, onto the core Service
 * of its discovery at the containerPort (which is that Service's port number, see service-discovery.ts).
 */
export function targetGroupBindings(service: Pick<Service, 'metadata' | 'spec'>, ownerReferences: readonly V1OwnerReference[] = []): TargetGroupBinding[] {
  const resourceName = service.metadata.name ?? '';
  const seen = new Set<string>();
  const { namespace } = service.metadata;
  return (service.spec.loadBalancers ?? []).flatMap((lb) => {
    if (!lb.targetGroupArn || seen.has(lb.targetGroupArn)) return [];
    seen.add(lb.targetGroupArn);
    return [
      {
        apiVersion: TARGET_GROUP_BINDING_API_VERSION,
        kind: TARGET_GROUP_BINDING.kind,
        metadata: {
          name: targetGroupBindingName(resourceName, lb.targetGroupArn),
          ...(namespace ? { namespace } : {}),
          labels: { [LABELS.managedBy]: MANAGED_BY_VALUE, [LABELS.service]: toLabelValue(resourceName) },
          ...(ownerReferences.length > 0 ? { ownerReferences: [...ownerReferences] } : {}),
        },
        spec: { targetGroupARN: lb.targetGroupArn, targetType: 'ip', serviceRef: { name: discoveryServiceName(resourceName), port: lb.containerPort } },
      },
    ];
  });
}
