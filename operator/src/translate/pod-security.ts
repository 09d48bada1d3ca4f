// Pod Security `restricted` where the task definition allows it. Every generated pod meets `baseline` (host
// access is the operator's policy, host-access.ts). `restricted` asks in addition for what only the task
// definition can say: every container running as a non-root numeric user, dropping ALL capabilities (adding at
// most NET_BIND_SERVICE), with no-new-privileges, and only volume types that reach nothing of the node. When a
// translated pod says all of that, the two fields left are ones ECS implies and are added here:
// - seccompProfile RuntimeDefault: ECS containers run under Docker's default seccomp profile (the runtime's default
//   is the same profile), unless privileged, which such a pod is not;
// - runAsNonRoot: true: every container's user is an explicit non-zero uid already.
// Pods that do not qualify are left as they were (and as before), so an upgrade of the operator rolls no Service
// whose task definition does not ask for all of it. Pure: a pod spec in, a pod spec out.
import type { V1Container, V1PodSpec, V1Volume } from '@kubernetes/client-node';
import { SAFE_SYSCTLS } from './process.js';

/** Volume sources `restricted` allows. */
const RESTRICTED_VOLUME_SOURCES: ReadonlySet<string> = new Set([
  'configMap',
  'csi',
  'downwardAPI',
  'emptyDir',
  'ephemeral',
  'persistentVolumeClaim',
  'projected',
  'secret',
]);

function volumeAllowed(volume: V1Volume): boolean {
  return Object.keys(volume).every((key) => key === 'name' || RESTRICTED_VOLUME_SOURCES.has(key));
}

/** What keeps `container` from `restricted`, other than seccomp and runAsNonRoot; undefined: nothing. */
export function containerRestrictedGap(container: V1Container, podRunAsUser: number | undefined): string | undefined {
  const context = container.securityContext ?? {};
  const user = context.runAsUser ?? podRunAsUser;
  if (user === undefined || user === 0) return 'no non-root numeric user';
  if (context.privileged) return 'privileged';
  if (context.allowPrivilegeEscalation !== false) return 'no no-new-privileges';
  const drop = (context.capabilities?.drop ?? []).map((name) => name.toUpperCase());
  if (!drop.includes('ALL')) return 'capabilities not dropped (ALL)';
  if ((context.capabilities?.add ?? []).some((name) => name.toUpperCase() !== 'NET_BIND_SERVICE')) return 'capabilities added beyond NET_BIND_SERVICE';
  if (context.seccompProfile && context.seccompProfile.type !== 'RuntimeDefault' && context.seccompProfile.type !== 'Localhost') return 'seccomp unconfined';
  if (context.appArmorProfile?.type === 'Unconfined') return 'AppArmor unconfined';
  if (context.seLinuxOptions?.user || context.seLinuxOptions?.role) return 'an SELinux user or role';
  if ((container.ports ?? []).some((port) => (port.hostPort ?? 0) !== 0)) return 'a host port';
  return undefined;
}

/** What keeps `pod` from `restricted`, other than seccomp and runAsNonRoot; undefined: nothing. */
export function restrictedGap(pod: V1PodSpec): string | undefined {
  if (pod.hostNetwork || pod.hostPID || pod.hostIPC) return 'a host namespace';
  if ((pod.volumes ?? []).some((volume) => !volumeAllowed(volume))) return 'a volume type restricted does not allow';
  if ((pod.securityContext?.sysctls ?? []).some(({ name }) => !SAFE_SYSCTLS.has(name))) return 'an unsafe sysctl';
  const podUser = pod.securityContext?.runAsUser;
  for (const container of [...(pod.initContainers ?? []), ...pod.containers]) {
    const gap = containerRestrictedGap(container, podUser);
    if (gap) return `container ${container.name}: ${gap}`;
  }
  return undefined;
}

/** `pod` with the fields ECS implies for `restricted` when its task definition allows it; `pod` itself otherwise. */
export function restrictedWhereAllowed(pod: V1PodSpec): V1PodSpec {
  if (restrictedGap(pod) !== undefined) return pod;
  return { ...pod, securityContext: { ...pod.securityContext, runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } } };
}
