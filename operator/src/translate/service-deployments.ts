// What names a Service's deployments and what they say: ReplicaSet names, ECS deployment ids, the ECS
// wording of service events and the latest-100 event list. Pure and deterministic, so a restarted
// operator finds the same names and ids, and a converged service writes the same status.
//
// Names: the deployment of revision N of service `web` is ReplicaSet `web-N`. A forced new deployment
// (spec.forceNewDeployment set) of the same revision is `web-N-<hash>`, the hash being the first 6 hex
// digits of SHA-256 of the token: each token value names one deployment, setting the token back to a
// previous value names that deployment again. Names too long for Kubernetes are cut and suffixed with a
// hash of the whole (toDnsSubdomain's rule).
import type { ServiceEvent } from '../api/service.js';
import type { CapacityProviderStrategyItem } from '../api/cluster.js';
import { shortHash, stableStringify } from './hash.js';
import { toDnsLabel, toDnsSubdomain } from './names.js';

/** How many events a Service's status keeps, as ECS does. */
export const MAX_SERVICE_EVENTS = 100;

/** Room a ReplicaSet name leaves for the `-xxxxx` the ReplicaSet controller appends to pod names. */
const REPLICA_SET_NAME_MAX = 253 - 6;

export function forceTokenSuffix(token: string | number | undefined): string | undefined {
  if (token === undefined || token === '') return undefined;
  return shortHash(String(token), 6);
}

/**
 * The deployment of revision `revision` of a service, for the current forceNewDeployment token and capacity
 * provider strategy: the name of its ReplicaSet, or with a strategy the prefix of its ReplicaSets (one per
 * provider, `providerReplicaSetNames`). A strategy adds the first 6 hex digits of a hash of it, so that another
 * strategy is another deployment, as UpdateService starts one for it.
 */
export function replicaSetName(
  serviceName: string,
  revision: number,
  forceToken?: string | number,
  strategy?: readonly CapacityProviderStrategyItem[],
): string {
  const suffix = forceTokenSuffix(forceToken);
  const base = suffix ? `${serviceName}-${revision}-${suffix}` : `${serviceName}-${revision}`;
  return fitReplicaSetName(strategy?.length ? `${base}-${shortHash(stableStringify(strategy), 6)}` : base);
}

/** The ReplicaSet of each provider of a deployment, `web-3-1a2b3c-fargate-spot`, unique even where names sanitise alike. */
export function providerReplicaSetNames(deploymentName: string, providers: readonly string[]): string[] {
  const slugs = providers.map((provider) => toDnsLabel(provider));
  return providers.map((provider, index) => {
    const slug = slugs[index] ?? '';
    const unique = slugs.indexOf(slug) === index && slugs.lastIndexOf(slug) === index;
    return fitReplicaSetName(`${deploymentName}-${unique ? slug : `${slug}-${shortHash(provider, 4)}`}`);
  });
}

function fitReplicaSetName(name: string): string {
  if (name.length <= REPLICA_SET_NAME_MAX) return name;
  const hash = shortHash(name, 8);
  return `${toDnsSubdomain(name)
    .slice(0, REPLICA_SET_NAME_MAX - hash.length - 1)
    .replace(/[-.]+$/, '')}-${hash}`;
}

/**
 * The ECS deployment id of a service's deployment: `ecs-svc/` and 19 digits from a hash of the service's
 * uid and the deployment's ReplicaSet name, so it is fixed before the ReplicaSet exists, the same after
 * a restart, and different for a service deleted and created again under the same name.
 */
export function deploymentId(serviceUid: string, replicaSet: string): string {
  return `ecs-svc/${deploymentDigits(serviceUid, replicaSet)}`;
}

function deploymentDigits(serviceUid: string, replicaSet: string): string {
  const value = BigInt(`0x${shortHash(`${serviceUid}/${replicaSet}`, 16)}`) % 10n ** 19n;
  return value.toString().padStart(19, '0');
}

/** The deployment id as a label value (`/` is not allowed in one): its digits. */
export function deploymentLabelValue(id: string): string {
  return id.slice(id.indexOf('/') + 1);
}

/** ECS service event messages, word for word. */
export const serviceMessages = {
  started: (service: string, tasks: readonly string[]) => `(service ${service}) has started ${tasks.length} tasks: ${taskList(tasks)}.`,
  stopped: (service: string, tasks: readonly string[]) => `(service ${service}) has stopped ${tasks.length} running tasks: ${taskList(tasks)}.`,
  deploymentCompleted: (service: string, id: string) => `(service ${service}) (deployment ${id}) deployment completed.`,
  deploymentFailed: (service: string, id: string, reason: string) => `(service ${service}) (deployment ${id}) deployment failed: ${reason}.`,
  rollingBack: (service: string, id: string) => `(service ${service}) rolling back to deployment ${id}.`,
  steadyState: (service: string) => `(service ${service}) has reached a steady state.`,
  unableToStart: (service: string) => `(service ${service}) is unable to consistently start tasks successfully.`,
};

/** ECS rolloutStateReason texts. */
export const rolloutReasons = {
  inProgress: (id: string) => `ECS deployment ${id} in progress.`,
  completed: (id: string) => `ECS deployment ${id} completed.`,
  failed: (stage: 1 | 2) => `ECS deployment circuit breaker: ${stage === 1 ? 'tasks failed to start' : 'tasks failed health checks'}.`,
  rollingBack: (id: string) => `ECS deployment circuit breaker: rolling back to deploymentId ${id}.`,
  stalled: (min: number, max: number, desired: number) =>
    `ECS deployment cannot replace a task: minimumHealthyPercent ${min} and maximumPercent ${max} of desiredCount ${desired} leave no room.`,
};

function taskList(tasks: readonly string[]): string {
  return tasks.map((task) => `(task ${task})`).join(' ');
}

/** A uuid-shaped event id from what the event is, so recomputing an event gives the same id. */
export function serviceEventId(serviceUid: string, createdAt: string, message: string, index: number): string {
  const h = shortHash(`${serviceUid}\n${createdAt}\n${index}\n${message}`, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** `previous` with `messages` added at `createdAt`, newest first, at most MAX_SERVICE_EVENTS. */
export function addServiceEvents(
  previous: readonly ServiceEvent[] | undefined,
  messages: readonly string[],
  createdAt: string,
  serviceUid: string,
): ServiceEvent[] {
  const added = messages.map((message, index) => ({ id: serviceEventId(serviceUid, createdAt, message, index), createdAt, message })).reverse();
  return [...added, ...(previous ?? [])].slice(0, MAX_SERVICE_EVENTS);
}
