// The core Services of a Service's discovery (translate/service-discovery.ts): created when missing (a POST,
// which never takes over an object of that name), applied when this Service controls them, removed when the
// spec no longer names them. A name someone else holds is never written to: Valid=False ServiceNameTaken.
import type { TaskDefinitionSpec } from '../../api/taskdefinition.js';
import { serviceDiscoveryObjects } from '../../translate/service-workload.js';
import { controllerReference, isControlledBy } from '../common.js';
import { VALID, type Validity } from '../plan-common.js';
import { applyIfChanged, nameOf, type ServiceAction, type ServiceSnapshot } from './snapshot.js';

export function planDiscovery(snapshot: ServiceSnapshot, spec: TaskDefinitionSpec): { actions: ServiceAction[]; validity: Validity } {
  const { service } = snapshot;
  const { services: desired, errors } = serviceDiscoveryObjects(service, spec, [controllerReference(service)]);
  const owned = snapshot.coreServices.filter((s) => isControlledBy(s, service));
  const actions: ServiceAction[] = [];
  let taken: string | undefined;
  for (const object of desired) {
    const name = nameOf(object);
    const live = snapshot.coreServices.find((s) => nameOf(s) === name);
    if (snapshot.taken.some((t) => t.kind === 'Service' && t.name === name) || (live && !isControlledBy(live, service))) {
      taken ??= name;
      continue;
    }
    actions.push(...(live ? applyIfChanged(object, live) : [{ verb: 'create' as const, object }]));
  }
  for (const stale of owned.filter((s) => !desired.some((d) => nameOf(d) === nameOf(s)))) actions.push({ verb: 'delete', object: stale });
  const [first] = errors;
  const validity: Validity = taken
    ? {
        valid: false,
        reason: 'ServiceNameTaken',
        message: `spec: a core Service named '${taken}' exists and does not belong to this Service; it is left alone`,
      }
    : first
      ? { valid: false, reason: 'InvalidServiceDiscovery', message: `${first.path}: ${first.message}` }
      : VALID;
  return { actions, validity };
}
