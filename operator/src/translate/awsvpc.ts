// ECS awsvpcConfiguration on Kubernetes: a pod gets its IP from the pod network, so the subnets a task names
// can only keep it to their zones, where the Cluster says which zone each subnet is in (spec.subnets). A subnet
// the Cluster does not map, the security groups and the public IP have no effect: each is named in a warning,
// the same text in `import`, `translate` and the Task's or Service's status. Pure.
import type { Cluster } from '../api/cluster.js';
import type { NetworkConfiguration } from '../api/task.js';
import type { Issue } from './issues.js';

export const ZONE_LABEL = 'topology.kubernetes.io/zone';

const PATH = 'spec.networkConfiguration.awsvpcConfiguration';

export interface SubnetPlacement {
  /** The zones the task is kept to; absent when no subnet it names is mapped. */
  zones?: string[];
  warnings: Issue[];
}

/** The zones of the subnets `network` names, as `cluster` maps them, and the warnings for what has no effect. */
export function subnetPlacement(network: NetworkConfiguration | undefined, cluster: Cluster): SubnetPlacement {
  const vpc = network?.awsvpcConfiguration;
  if (!vpc) return { warnings: [] };
  const clusterName = cluster.metadata.name ?? '';
  const zoneOf = new Map((cluster.spec.subnets ?? []).map((s) => [s.subnetId, s.availabilityZone]));
  const warnings: Issue[] = [];
  const zones: string[] = [];
  vpc.subnets.forEach((subnet, index) => {
    const zone = zoneOf.get(subnet);
    if (zone === undefined) {
      warnings.push({
        path: `${PATH}.subnets[${index}]`,
        message: `subnet '${subnet}' has no zone in Cluster '${clusterName}' (spec.subnets); it does not keep the tasks to a zone`,
      });
    } else if (!zones.includes(zone)) zones.push(zone);
  });
  if (vpc.securityGroups?.length) {
    warnings.push({
      path: `${PATH}.securityGroups`,
      message: 'not applied: pods get no security groups; restrict their traffic with NetworkPolicies',
    });
  }
  if (vpc.assignPublicIp === 'ENABLED') {
    warnings.push({ path: `${PATH}.assignPublicIp`, message: 'not applied: pods get an IP of the pod network, never a public one' });
  }
  return { ...(zones.length > 0 ? { zones: zones.sort() } : {}), warnings };
}
