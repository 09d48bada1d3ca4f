// kube-scheduler profiles for the ECS strategies that are scoring rather than constraints. One
// definition, rendered by the local control plane and the Helm chart alike, so that pods name
// profiles that exist.

export const SCHEDULER_NAMES = {
  binpackCpu: 'ecs-binpack-cpu',
  binpackMemory: 'ecs-binpack-memory',
  random: 'ecs-random',
} as const;

export const DEFAULT_SCHEDULER_NAME = 'default-scheduler';

/** The parts of kubescheduler.config.k8s.io/v1 these profiles use. */
export interface SchedulerPlugin {
  name: string;
  weight?: number;
}

export interface KubeSchedulerProfile {
  schedulerName: string;
  plugins?: { score?: { enabled?: SchedulerPlugin[]; disabled?: SchedulerPlugin[] } };
  pluginConfig?: { name: string; args: Record<string, unknown> }[];
}

export interface KubeSchedulerConfiguration {
  apiVersion: 'kubescheduler.config.k8s.io/v1';
  kind: 'KubeSchedulerConfiguration';
  profiles: KubeSchedulerProfile[];
}

/**
 * The cluster-wide default spreading of PodTopologySpread (over hosts and zones, for pods of a
 * ReplicaSet) would pull against binpack and random; these profiles spread only where a pod asks.
 */
const ONLY_EXPLICIT_SPREAD = { name: 'PodTopologySpread', args: { defaultingType: 'List', defaultConstraints: [] } };

/**
 * binpack: MostAllocated scoring on one resource prefers the node with the least of it left;
 * NodeResourcesBalancedAllocation, which prefers evenly used nodes, is turned off.
 */
function binpackProfile(schedulerName: string, resource: 'cpu' | 'memory'): KubeSchedulerProfile {
  return {
    schedulerName,
    plugins: { score: { disabled: [{ name: 'NodeResourcesBalancedAllocation' }] } },
    pluginConfig: [
      { name: 'NodeResourcesFit', args: { scoringStrategy: { type: 'MostAllocated', resources: [{ name: resource, weight: 1 }] } } },
      ONLY_EXPLICIT_SPREAD,
    ],
  };
}

/**
 * random: with every score plugin off, all feasible nodes tie and kube-scheduler picks one of them
 * at random. PodTopologySpread stays on so that a spread strategy listed before random still counts.
 */
function randomProfile(): KubeSchedulerProfile {
  return {
    schedulerName: SCHEDULER_NAMES.random,
    plugins: { score: { disabled: [{ name: '*' }], enabled: [{ name: 'PodTopologySpread', weight: 2 }] } },
    pluginConfig: [ONLY_EXPLICIT_SPREAD],
  };
}

/** The ECS strategy profiles, in a stable order. */
export function schedulerProfiles(): KubeSchedulerProfile[] {
  return [binpackProfile(SCHEDULER_NAMES.binpackCpu, 'cpu'), binpackProfile(SCHEDULER_NAMES.binpackMemory, 'memory'), randomProfile()];
}

/**
 * A KubeSchedulerConfiguration with the ECS profiles, and the default profile first unless the
 * scheduler runs beside another one that serves `default-scheduler`. Deployment settings
 * (leaderElection, clientConnection) are the caller's to add.
 */
export function kubeSchedulerConfiguration(options: { includeDefaultProfile?: boolean } = {}): KubeSchedulerConfiguration {
  const defaults = options.includeDefaultProfile === false ? [] : [{ schedulerName: DEFAULT_SCHEDULER_NAME }];
  return {
    apiVersion: 'kubescheduler.config.k8s.io/v1',
    kind: 'KubeSchedulerConfiguration',
    profiles: [...defaults, ...schedulerProfiles()],
  };
}
