// Process and kernel namespaces: pidMode host → hostPID; pidMode task or any container's
// linuxParameters.initProcessEnabled → shareProcessNamespace (the pod's pause process is PID 1 and
// reaps zombies, which is what the init process is for); ipcMode host → hostIPC (task: the pod already
// shares IPC); systemControls → pod sysctls: the Kubernetes safe set always, others only where the
// cluster's kubelets allow them.
import type { V1PodSpec, V1Sysctl } from '@kubernetes/client-node';
import type { TaskDefinitionSpec } from '../api/taskdefinition.js';
import { containerPath, type IssueLog } from './issues.js';
import type { ClusterSettings } from './settings.js';

/** Sysctls Kubernetes allows in every pod (the kubelet's safe set). */
export const SAFE_SYSCTLS: ReadonlySet<string> = new Set([
  'kernel.shm_rmid_forced',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range',
  'net.ipv4.ip_unprivileged_port_start',
  'net.ipv4.ip_local_reserved_ports',
  'net.ipv4.tcp_keepalive_time',
  'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_keepalive_intvl',
  'net.ipv4.tcp_keepalive_probes',
  'net.ipv4.tcp_rmem',
  'net.ipv4.tcp_wmem',
]);

type PodProcess = Pick<V1PodSpec, 'hostPID' | 'hostIPC' | 'shareProcessNamespace'> & { sysctls?: V1Sysctl[] };

function sysctlAllowed(name: string, allowed: readonly string[]): boolean {
  return SAFE_SYSCTLS.has(name) || allowed.some((pattern) => (pattern.endsWith('*') ? name.startsWith(pattern.slice(0, -1)) : name === pattern));
}

/** Why a sysctl cannot be set in this pod, or undefined when it can. */
function sysctlRefusal(name: string, spec: TaskDefinitionSpec, cluster: ClusterSettings): string | undefined {
  const network = name.startsWith('net.');
  if (network && spec.networkMode === 'host') return "with host networking it would change the node's network stack";
  if (!network && spec.ipcMode === 'host') return "with the host IPC namespace it would change the node's";
  if (!sysctlAllowed(name, cluster.allowedUnsafeSysctls ?? []))
    return 'it is outside the Kubernetes safe set and the Cluster does not list it as allowed by the kubelets';
  return undefined;
}

/** The first value of each sysctl over all containers: Kubernetes sets them once for the pod. */
function sysctls(spec: TaskDefinitionSpec, cluster: ClusterSettings, log: IssueLog): V1Sysctl[] {
  const byName = new Map<string, string>();
  spec.containerDefinitions.forEach((definition, index) =>
    (definition.systemControls ?? []).forEach(({ namespace, value }, entry) => {
      const path = `${containerPath(index)}.systemControls[${entry}]`;
      if (!namespace || value === undefined) return;
      const earlier = byName.get(namespace);
      if (earlier !== undefined) {
        if (earlier !== value) log.warn(path, `${namespace} is ${earlier} for an earlier container, and the pod has one value; ${value} is not set`);
        return;
      }
      const refusal = sysctlRefusal(namespace, spec, cluster);
      if (refusal) log.warn(path, `${namespace} not set: ${refusal}`);
      else byName.set(namespace, value);
    }),
  );
  return [...byName].map(([name, value]) => ({ name, value }));
}

function sharesProcesses(spec: TaskDefinitionSpec, log: IssueLog): boolean {
  const initIndex = spec.containerDefinitions.findIndex((definition) => definition.linuxParameters?.initProcessEnabled);
  if (spec.pidMode === 'host') {
    if (initIndex >= 0)
      log.warn(
        `${containerPath(initIndex)}.linuxParameters.initProcessEnabled`,
        'not applied: the task uses the host PID namespace, which cannot be combined with a shared pod one',
      );
    return false;
  }
  return spec.pidMode === 'task' || initIndex >= 0;
}

export function podProcess(spec: TaskDefinitionSpec, cluster: ClusterSettings, log: IssueLog): PodProcess {
  const sysctlList = sysctls(spec, cluster, log);
  return {
    ...(spec.pidMode === 'host' ? { hostPID: true } : {}),
    ...(sharesProcesses(spec, log) ? { shareProcessNamespace: true } : {}),
    ...(spec.ipcMode === 'host' ? { hostIPC: true } : {}),
    ...(sysctlList.length > 0 ? { sysctls: sysctlList } : {}),
  };
}
