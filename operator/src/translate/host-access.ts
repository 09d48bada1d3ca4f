// What of a task definition reaches into the node rather than the pod: privileged containers, the host's
// network, PID and IPC namespaces, host ports, hostPath volumes, capabilities beyond the set Pod Security
// `baseline` allows, and security options that lift the node's confinement (AppArmor unconfined, SELinux user,
// role or a type other than the container ones): what `baseline` refuses, so that generated pods meet it.
// A namespaced Cluster is the tenant's to edit, so only the operator's own policy (`run
// --allow-host-access-namespaces`, which tenants cannot change) lets a namespace's tasks use any of it; the
// Cluster's allowPrivileged can only narrow it further. Pure: the policy arrives as a ClusterSettings field.
import type { TaskDefinitionSpec } from '../api/taskdefinition.js';
import { containerPath, volumePath, type Issue } from './issues.js';
import { capabilityName } from './security.js';

/** Which namespaces' tasks may use the host: names, or `*` for every namespace. Empty: none (the default). */
export interface HostAccessPolicy {
  namespaces: readonly string[];
}

export const NO_HOST_ACCESS: HostAccessPolicy = { namespaces: [] };

/** The flag that sets the policy, named in refusals so that a user knows whom to ask. */
export const HOST_ACCESS_FLAG = '--allow-host-access-namespaces';

export function hostAccessAllowed(policy: HostAccessPolicy, namespace: string | undefined): boolean {
  return policy.namespaces.includes('*') || (namespace !== undefined && policy.namespaces.includes(namespace));
}

/** Capabilities Pod Security `baseline` lets a container add (Docker's default set without NET_RAW). */
const BASELINE_CAPABILITIES: ReadonlySet<string> = new Set([
  'AUDIT_WRITE',
  'CHOWN',
  'DAC_OVERRIDE',
  'FOWNER',
  'FSETID',
  'KILL',
  'MKNOD',
  'NET_BIND_SERVICE',
  'SETFCAP',
  'SETGID',
  'SETPCAP',
  'SETUID',
  'SYS_CHROOT',
]);

/** SELinux types Pod Security `baseline` allows. */
const BASELINE_SELINUX_TYPES: ReadonlySet<string> = new Set(['container_t', 'container_init_t', 'container_kvm_t', 'container_engine_t']);

/** What a Docker security option lifts of the node's confinement, as security.ts applies it; undefined: nothing. */
function unconfinement(option: string): string | undefined {
  const [kind = '', field = '', ...value] = option.split(/[:=]/);
  if (kind === 'apparmor' && field === 'unconfined') return 'an unconfined AppArmor profile';
  if (kind === 'label' && (field === 'user' || field === 'role') && value.length > 0) return `an SELinux ${field}`;
  if (kind === 'label' && field === 'type' && value.length > 0 && !BASELINE_SELINUX_TYPES.has(value.join(':'))) return `the SELinux type ${value.join(':')}`;
  return undefined;
}

/** Every use of the host in `spec`, each at its field (paths from the revision, `spec.…`), in field order. */
export function hostAccessUses(spec: TaskDefinitionSpec): Issue[] {
  const uses: Issue[] = [];
  if (spec.networkMode === 'host') uses.push({ path: 'spec.networkMode', message: 'host networking' });
  if (spec.pidMode === 'host') uses.push({ path: 'spec.pidMode', message: "the host's PID namespace" });
  if (spec.ipcMode === 'host') uses.push({ path: 'spec.ipcMode', message: "the host's IPC namespace" });
  (spec.volumes ?? []).forEach((volume, index) => {
    if (volume.host?.sourcePath) uses.push({ path: `${volumePath(index)}.host.sourcePath`, message: 'a hostPath volume' });
  });
  spec.containerDefinitions.forEach((definition, index) => {
    const path = containerPath(index);
    if (definition.privileged) uses.push({ path: `${path}.privileged`, message: 'a privileged container' });
    const added = (definition.linuxParameters?.capabilities?.add ?? []).map(capabilityName).filter((name) => !BASELINE_CAPABILITIES.has(name));
    if (added.length > 0)
      uses.push({ path: `${path}.linuxParameters.capabilities.add`, message: `capabilities beyond the baseline set (${added.join(', ')})` });
    (definition.dockerSecurityOptions ?? []).forEach((option, optionIndex) => {
      const lifted = unconfinement(option);
      if (lifted) uses.push({ path: `${path}.dockerSecurityOptions[${optionIndex}]`, message: lifted });
    });
    (definition.portMappings ?? []).forEach((mapping, portIndex) => {
      // Host networking is refused above; under bridge a non-zero hostPort binds a port of the node.
      if ((spec.networkMode ?? 'bridge') === 'bridge' && mapping.hostPort) {
        uses.push({ path: `${path}.portMappings[${portIndex}].hostPort`, message: 'a port of the node' });
      }
    });
  });
  return uses;
}

/** The refusals of every host use when the policy does not allow host access in `namespace`. */
export function hostAccessRefusals(spec: TaskDefinitionSpec, allowed: boolean, namespace: string | undefined): Issue[] {
  if (allowed) return [];
  const where = namespace ? `in namespace ${namespace}` : 'here';
  return hostAccessUses(spec).map(({ path, message }) => ({
    path,
    message: `${message} is not allowed ${where} by the operator's policy (${HOST_ACCESS_FLAG})`,
  }));
}
