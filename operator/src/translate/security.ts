// Container securityContext from ECS: linuxParameters.capabilities (upper case, without CAP_),
// privileged (only where the Cluster allows it), readonlyRootFilesystem, user (numeric uid and gid
// only: names need the image's /etc/passwd), dockerSecurityOptions (no-new-privileges, apparmor:,
// label: SELinux parts).
import type { V1SecurityContext } from '@kubernetes/client-node';
import type { ContainerDefinition } from '../api/taskdefinition.js';
import type { IssueLog } from './issues.js';

export function capabilityName(name: string): string {
  return name.trim().toUpperCase().replace(/^CAP_/, '');
}

function capabilities(definition: ContainerDefinition): V1SecurityContext['capabilities'] {
  const { add, drop } = definition.linuxParameters?.capabilities ?? {};
  if (!add?.length && !drop?.length) return undefined;
  return { ...(add?.length ? { add: add.map(capabilityName) } : {}), ...(drop?.length ? { drop: drop.map(capabilityName) } : {}) };
}

/** `uid`, `uid:gid`: numeric parts become runAsUser/runAsGroup; names are a warning. */
function userIds(user: string, path: string, log: IssueLog): Pick<V1SecurityContext, 'runAsUser' | 'runAsGroup'> {
  const [uid = '', gid] = user.split(':');
  const numeric = (part: string | undefined) => (part !== undefined && /^[0-9]+$/.test(part) ? Number(part) : undefined);
  const names = [numeric(uid) === undefined && uid, gid !== undefined && numeric(gid) === undefined && gid].filter(Boolean);
  if (names.length > 0) log.warn(path, `${names.join(' and ')} cannot be set by name (Kubernetes needs numeric ids); the image's default applies`);
  return {
    ...(numeric(uid) === undefined ? {} : { runAsUser: numeric(uid) }),
    ...(numeric(gid) === undefined ? {} : { runAsGroup: numeric(gid) }),
  };
}

const SELINUX_FIELDS = new Set(['user', 'role', 'type', 'level']);

/** Folds one Docker security option into the context; false when it has no Kubernetes form. */
function applySecurityOption(option: string, context: V1SecurityContext): boolean {
  const [kind = '', ...rest] = option.split(/[:=]/);
  const value = rest.join(':');
  if (option === 'no-new-privileges' || option === 'no-new-privileges:true') {
    context.allowPrivilegeEscalation = false;
    return true;
  }
  if (kind === 'apparmor' && value) {
    context.appArmorProfile =
      value === 'unconfined'
        ? { type: 'Unconfined' }
        : value === 'docker-default'
          ? { type: 'RuntimeDefault' }
          : { type: 'Localhost', localhostProfile: value };
    return true;
  }
  const [field = '', ...fieldValue] = rest;
  if (kind === 'label' && SELINUX_FIELDS.has(field) && fieldValue.length > 0) {
    context.seLinuxOptions = { ...context.seLinuxOptions, [field]: fieldValue.join(':') };
    return true;
  }
  return false;
}

function securityOptions(definition: ContainerDefinition, path: string, log: IssueLog): V1SecurityContext {
  const context: V1SecurityContext = {};
  (definition.dockerSecurityOptions ?? []).forEach((option, index) => {
    if (!applySecurityOption(option, context))
      log.warn(`${path}.dockerSecurityOptions[${index}]`, `${JSON.stringify(option)} has no Kubernetes security context equivalent; not applied`);
  });
  return context;
}

export function containerSecurityContext(
  definition: ContainerDefinition,
  allowPrivileged: boolean,
  path: string,
  log: IssueLog,
): V1SecurityContext | undefined {
  const context: V1SecurityContext = {
    ...securityOptions(definition, path, log),
    ...(definition.user ? userIds(definition.user, `${path}.user`, log) : {}),
  };
  const caps = capabilities(definition);
  if (caps) context.capabilities = caps;
  if (definition.privileged) {
    if (allowPrivileged) context.privileged = true;
    else log.error(`${path}.privileged`, 'privileged containers are not allowed in this cluster (the Cluster does not allow them)');
  }
  if (definition.readonlyRootFilesystem) context.readOnlyRootFilesystem = true;
  return Object.keys(context).length > 0 ? context : undefined;
}
