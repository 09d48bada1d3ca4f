// ECS awsvpcConfiguration on Kubernetes: a pod gets its IP from the pod network, so the subnets a task names
// can only keep it to their zones, where the Cluster says which zone each subnet is in (spec.subnets). A subnet
// the Cluster does not map has no effect: a warning names it, the same text in `import`, `translate` and the
// Task's or Service's FieldsApplied condition. The security groups and the public IP, which never have an effect
// whatever the Cluster, are rules of not-applied.ts. Pure.
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

/** The zones of the subnets `network` names, as `cluster` maps them, and a warning for each subnet it does not map. */
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
  return { ...(zones.length > 0 ? { zones: zones.sort() } : {}), warnings };
}
