// Settings of the Cluster a task runs in that change what a task definition may become.
import type { ManagedEBSVolumes } from '../api/cluster.js';

/** What a cluster lets a task do; the Cluster resource's settings. */
export interface ClusterSettings {
  /**
   * The operator's policy lets this namespace's tasks use the host (translate/host-access.ts; default false:
   * every such use is an error). Not the Cluster's to decide: tenants can edit a namespaced Cluster.
   */
  allowHostAccess?: boolean;
  /** The namespace the task runs in, named when host access is refused. */
  namespace?: string;
  /** Allow `privileged: true` containers where host access is allowed (default false: they are an error). */
  allowPrivileged?: boolean;
  /** Extended resource that GPU resourceRequirements request (default `nvidia.com/gpu`). */
  gpuResourceName?: string;
  /** Sysctls outside the Kubernetes safe set that the kubelets allow (`--allowed-unsafe-sysctls`, `*` at the end matches a prefix). */
  allowedUnsafeSysctls?: string[];
  /** The ContainerRestartRules feature is on, so ECS container restart policies can be honoured. */
  containerRestartRules?: boolean;
  /** The StorageClasses of per-task EBS volumes (the Cluster's spec.managedEBSVolumes). */
  managedEBSVolumes?: ManagedEBSVolumes;
}
