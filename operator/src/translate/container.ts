// One ECS container definition → one Kubernetes container. What a container becomes depends on its
// role (dependencies.ts): probes only where Kubernetes runs them, restartPolicy Always for sidecars.
import type { V1Container, V1VolumeMount } from '@kubernetes/client-node';
import type { ContainerDefinition, NetworkMode } from '../api/taskdefinition.js';
import { isEssential } from './container-names.js';
import type { ContainerRole } from './dependencies.js';
import { containerEnvironment } from './environment.js';
import type { IssueLog } from './issues.js';
import { portMappingsToContainerPorts } from './ports.js';
import { healthCheckProbe, startupProbe } from './probes.js';
import { containerResources, DEFAULT_GPU_RESOURCE } from './resources.js';
import { containerSecurityContext } from './security.js';
import type { ClusterSettings } from './settings.js';
import { UNSUPPORTED_CONTAINER_FIELDS, warnUnsupported } from './unsupported.js';

export interface ContainerContext {
  /** Kubernetes container name. */
  name: string;
  /** Field path of the definition. */
  path: string;
  role: ContainerRole;
  /** Others wait for this container to be HEALTHY. */
  awaitedHealthy: boolean;
  networkMode: NetworkMode;
  cluster: ClusterSettings;
  volumeMounts: V1VolumeMount[];
  ephemeralStorageMiB?: number;
  log: IssueLog;
}

type Probes = Pick<V1Container, 'readinessProbe' | 'livenessProbe' | 'startupProbe'>;

/**
 * Readiness only for essential containers (task health comes from them alone), liveness for all,
 * a startup probe for a start period or for a sidecar others wait on to be HEALTHY. Init containers
 * that run to completion take no probes (dependencies.ts warns).
 */
function containerProbes(definition: ContainerDefinition, context: ContainerContext): Probes {
  const { healthCheck } = definition;
  if (!healthCheck || context.role === 'job') return {};
  const probe = healthCheckProbe(healthCheck, `${context.path}.healthCheck`, context.log);
  if (!probe) return {};
  const gatesOthers = context.role === 'sidecar' && context.awaitedHealthy;
  return {
    ...(isEssential(definition) ? { readinessProbe: probe } : {}),
    livenessProbe: probe,
    ...(healthCheck.startPeriod || gatesOthers ? { startupProbe: startupProbe(healthCheck, probe) } : {}),
  };
}

type Restart = Pick<V1Container, 'restartPolicy' | 'restartPolicyRules'>;

/**
 * Sidecars restart always (that is what makes them sidecars). An ECS restart policy on a main container
 * maps to the ContainerRestartRules feature: restart on every exit, or on every exit code but the ignored ones.
 */
function containerRestart(definition: ContainerDefinition, context: ContainerContext): Restart {
  if (context.role === 'sidecar') return { restartPolicy: 'Always' };
  const policy = definition.restartPolicy;
  const path = `${context.path}.restartPolicy`;
  if (!policy?.enabled) return {};
  if (context.role === 'job') {
    context.log.warn(path, 'not applied: this container runs as an init container, which must succeed once');
    return {};
  }
  if (!context.cluster.containerRestartRules) {
    context.log.warn(
      path,
      'not applied: restarting a container in place needs the Kubernetes ContainerRestartRules feature, which the Cluster settings do not enable',
    );
    return {};
  }
  if (policy.restartAttemptPeriod !== undefined) {
    context.log.warn(`${path}.restartAttemptPeriod`, 'Kubernetes restarts with an exponential back-off instead of a minimum run time');
  }
  const ignored = [...(policy.ignoredExitCodes ?? [])].sort((a, b) => a - b);
  if (ignored.length === 0) return { restartPolicy: 'Always' };
  return { restartPolicy: 'Never', restartPolicyRules: [{ action: 'Restart', exitCodes: { operator: 'NotIn', values: ignored } }] };
}

export function containerDefinitionToContainer(definition: ContainerDefinition, context: ContainerContext): V1Container {
  const { path, log } = context;
  warnUnsupported(definition, UNSUPPORTED_CONTAINER_FIELDS, path, log);
  const ports = portMappingsToContainerPorts(definition.portMappings ?? [], context.networkMode, path, log);
  const resources = containerResources(
    definition,
    { gpuResource: context.cluster.gpuResourceName ?? DEFAULT_GPU_RESOURCE, ephemeralStorageMiB: context.ephemeralStorageMiB },
    path,
    log,
  );
  const securityContext = containerSecurityContext(definition, context.cluster.allowPrivileged === true, path, log);
  return {
    name: context.name,
    image: definition.image,
    ...(definition.entryPoint ? { command: [...definition.entryPoint] } : {}),
    ...(definition.command ? { args: [...definition.command] } : {}),
    ...containerEnvironment(definition, path, log),
    ...(ports.length > 0 ? { ports } : {}),
    ...(resources ? { resources } : {}),
    ...(securityContext ? { securityContext } : {}),
    ...(context.volumeMounts.length > 0 ? { volumeMounts: context.volumeMounts } : {}),
    ...(definition.workingDirectory ? { workingDir: definition.workingDirectory } : {}),
    ...(definition.interactive ? { stdin: true } : {}),
    ...(definition.pseudoTerminal ? { tty: true } : {}),
    ...containerProbes(definition, context),
    ...containerRestart(definition, context),
  };
}
