// ECS service discovery → core Kubernetes Services (ClusterIP) that select a service's tasks, so that other
// tasks reach them by DNS name. Pure: the Service controller applies what this returns.
//  - loadBalancers[] and serviceRegistries[]: one Service named after the ECS Service resource, one port per
//    distinct container port named there (`containerName` + `containerPort`, or a registry's `port`).
//  - serviceConnectConfiguration.services[] (when enabled): one Service per entry, named `discoveryName`
//    (default: the portName), with a port per clientAlias (default: the container port) onto the named port.
// Ports target the container port by its name where it has a valid one (so every revision that names the
// port is reached), else by number. Services of one name are merged.
import type { V1ServicePort } from '@kubernetes/client-node';
import type { ServiceSpec } from '../api/service.js';
import type { PortMapping, TaskDefinitionSpec } from '../api/taskdefinition.js';
import type { Issue } from './issues.js';
import { isPortName, toDnsLabel } from './names.js';

export interface DiscoveryService {
  name: string;
  ports: V1ServicePort[];
}

export interface Discovery {
  services: DiscoveryService[];
  errors: Issue[];
}

/** A Service name (DNS-1035 label: starts with a letter) from any text. */
export function discoveryServiceName(text: string): string {
  const label = toDnsLabel(text);
  return /^[a-z]/.test(label) ? label : toDnsLabel(`svc-${label}`);
}

interface FoundPort {
  mapping: PortMapping;
  containerPort: number;
}

function mappings(spec: TaskDefinitionSpec, containerName?: string): FoundPort[] {
  return spec.containerDefinitions
    .filter((c) => containerName === undefined || c.name === containerName)
    .flatMap((c) =>
      (c.portMappings ?? []).flatMap((mapping) => (mapping.containerPort === undefined ? [] : [{ mapping, containerPort: mapping.containerPort }])),
    );
}

/**
 * A port mapping's appProtocol as a Service port's (what ingress controllers, gateways and meshes read): `http`
 * is the IANA name; HTTP/2 and gRPC without TLS are `kubernetes.io/h2c`, the standard value for HTTP/2 over
 * cleartext (ECS's Service Connect proxy speaks them to the container unencrypted too).
 */
export const SERVICE_APP_PROTOCOLS = { http: 'http', http2: 'kubernetes.io/h2c', grpc: 'kubernetes.io/h2c' } as const;

function servicePort(found: FoundPort, port: number, name: string): V1ServicePort {
  const named = found.mapping.name !== undefined && isPortName(found.mapping.name);
  const appProtocol = found.mapping.appProtocol ? SERVICE_APP_PROTOCOLS[found.mapping.appProtocol] : undefined;
  return {
    name,
    port,
    protocol: (found.mapping.protocol ?? 'tcp').toUpperCase(),
    ...(appProtocol ? { appProtocol } : {}),
    targetPort: named && found.mapping.name ? found.mapping.name : found.containerPort,
  };
}

export function discoveryServices(resourceName: string, spec: ServiceSpec, taskDefinition: TaskDefinitionSpec): Discovery {
  const errors: Issue[] = [];
  const byName = new Map<string, V1ServicePort[]>();
  const add = (name: string, port: V1ServicePort) => {
    const ports = byName.get(name) ?? [];
    if (!ports.some((p) => p.port === port.port && p.protocol === port.protocol)) ports.push(port);
    byName.set(name, ports);
  };

  const main = discoveryServiceName(resourceName);
  const targets = [
    ...(spec.loadBalancers ?? []).map((lb, i) => ({ path: `spec.loadBalancers[${i}]`, containerName: lb.containerName, containerPort: lb.containerPort })),
    ...(spec.serviceRegistries ?? []).map((r, i) => ({
      path: `spec.serviceRegistries[${i}]`,
      containerName: r.containerName,
      containerPort: r.containerPort ?? r.port,
    })),
  ];
  for (const { path, containerName, containerPort } of targets) {
    if (containerPort === undefined) {
      errors.push({ path, message: 'names no containerPort (or port): no port of the task to reach' });
      continue;
    }
    const found = mappings(taskDefinition, containerName).find((m) => m.containerPort === containerPort);
    if (!found) {
      const where = containerName ? `container '${containerName}'` : 'any container';
      errors.push({ path, message: `${where} of the task definition maps no containerPort ${containerPort}` });
      continue;
    }
    add(main, servicePort(found, containerPort, `${found.mapping.protocol ?? 'tcp'}-${containerPort}`));
  }

  const connect = spec.serviceConnectConfiguration;
  if (connect?.enabled) {
    (connect.services ?? []).forEach((entry, i) => {
      const path = `spec.serviceConnectConfiguration.services[${i}]`;
      const found = mappings(taskDefinition).find((m) => m.mapping.name === entry.portName);
      if (!found) {
        errors.push({ path: `${path}.portName`, message: `no portMappings[].name '${entry.portName}' in the task definition` });
        return;
      }
      const name = discoveryServiceName(entry.discoveryName ?? entry.portName);
      const aliases = entry.clientAliases?.length ? entry.clientAliases.map((a) => a.port) : [found.containerPort];
      for (const port of aliases) add(name, servicePort(found, port, `${toDnsLabel(entry.portName) || 'port'}-${port}`.slice(0, 63)));
    });
  }
  const services = [...byName].map(([name, ports]) => ({ name, ports })).sort((a, b) => a.name.localeCompare(b.name));
  return { services, errors };
}
