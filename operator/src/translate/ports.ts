// ECS portMappings → container ports. Every container of a pod shares one network namespace, as
// under awsvpc. Host ports:
// - host: the container listens on the node itself; hostPort = containerPort (Kubernetes requires it);
// - bridge: hostPort only where the mapping sets a non-zero one (0 or none is a dynamic port, which a
//   pod does not need: it has its own address);
// - awsvpc, none: never (describe-task-definition fills hostPort = containerPort under awsvpc).
import type { V1ContainerPort } from '@kubernetes/client-node';
import type { NetworkMode, PortMapping } from '../api/taskdefinition.js';
import type { IssueLog } from './issues.js';
import { isPortName } from './names.js';

function hostPortOf(mapping: PortMapping, containerPort: number, networkMode: NetworkMode): number | undefined {
  if (networkMode === 'host') return containerPort;
  if (networkMode === 'bridge' && mapping.hostPort) return mapping.hostPort;
  return undefined;
}

function portName(mapping: PortMapping, path: string, log: IssueLog): string | undefined {
  if (mapping.name === undefined) return undefined;
  if (isPortName(mapping.name)) return mapping.name;
  log.warn(
    `${path}.name`,
    `${JSON.stringify(mapping.name)} is not a valid Kubernetes port name (at most 15 of a-z, 0-9 and -, with a letter), so the port has no name`,
  );
  return undefined;
}

export function portMappingsToContainerPorts(mappings: readonly PortMapping[], networkMode: NetworkMode, path: string, log: IssueLog): V1ContainerPort[] {
  return mappings.flatMap((mapping, index) => {
    const mappingPath = `${path}.portMappings[${index}]`;
    const { containerPort } = mapping;
    if (containerPort === undefined) {
      if (mapping.containerPortRange)
        log.warn(
          `${mappingPath}.containerPortRange`,
          `port range ${mapping.containerPortRange} is not declared: Kubernetes container ports are single ports (the container may still listen on them)`,
        );
      return [];
    }
    const name = portName(mapping, mappingPath, log);
    const hostPort = hostPortOf(mapping, containerPort, networkMode);
    return [
      {
        ...(name ? { name } : {}),
        containerPort,
        ...(hostPort ? { hostPort } : {}),
        protocol: (mapping.protocol ?? 'tcp').toUpperCase(),
      },
    ];
  });
}
