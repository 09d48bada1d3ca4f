// Pod networking from ECS: networkMode host → hostNetwork (awsvpc and bridge → the pod network);
// hostname → pod hostname; extraHosts → hostAliases grouped by IP; links → hostAliases of 127.0.0.1
// (in a pod the linked container is on localhost); dnsServers → dnsPolicy None with those nameservers;
// dnsSearchDomains → dnsConfig searches (merged with the cluster's when no servers are given).
import type { V1HostAlias, V1PodSpec } from '@kubernetes/client-node';
import type { ContainerDefinition, TaskDefinitionSpec } from '../api/taskdefinition.js';
import { containerPath, type IssueLog } from './issues.js';
import { toDnsLabel, toDnsSubdomain } from './names.js';
import { unionOf, warnDiffering } from './pod-wide.js';

type PodNetwork = Pick<V1PodSpec, 'hostNetwork' | 'hostname' | 'hostAliases' | 'dnsPolicy' | 'dnsConfig'>;

const MAX_NAMESERVERS = 3;
const MAX_SEARCHES = 32;
const LOCALHOST = '127.0.0.1';

function podHostname(spec: TaskDefinitionSpec, log: IssueLog): string | undefined {
  const definitions = spec.containerDefinitions;
  const index = definitions.findIndex((definition) => definition.hostname);
  const hostname = definitions[index]?.hostname;
  if (!hostname) return undefined;
  const path = `${containerPath(index)}.hostname`;
  warnDiffering(definitions, 'hostname', (definition) => definition.hostname, `"${hostname}" is used`, log);
  if (spec.networkMode === 'host') {
    log.warn(path, "not set: with host networking the pod has the node's hostname");
    return undefined;
  }
  if (toDnsLabel(hostname) !== hostname) {
    log.warn(path, `${JSON.stringify(hostname)} is not a DNS label (a-z, 0-9, -, at most 63), which a pod hostname must be; not set`);
    return undefined;
  }
  return hostname;
}

/** `name` or `name:alias` of ECS links, as host names. */
function linkHostnames(definition: ContainerDefinition): string[] {
  return (definition.links ?? []).flatMap((link) => link.split(':'));
}

function hostAliases(definitions: readonly ContainerDefinition[], log: IssueLog): V1HostAlias[] {
  const byIp = new Map<string, string[]>();
  const add = (ip: string, hostname: string, path: string) => {
    const valid = toDnsSubdomain(hostname);
    if (valid !== hostname.toLowerCase())
      log.warn(path, `${JSON.stringify(hostname)} is not a valid host name for /etc/hosts in Kubernetes; written as ${JSON.stringify(valid)}`);
    const names = byIp.get(ip) ?? [];
    if (valid && !names.includes(valid)) names.push(valid);
    byIp.set(ip, names);
  };
  definitions.forEach((definition, index) => {
    (definition.extraHosts ?? []).forEach(({ hostname, ipAddress }, entry) =>
      add(ipAddress, hostname, `${containerPath(index)}.extraHosts[${entry}].hostname`),
    );
    linkHostnames(definition).forEach((hostname) => add(LOCALHOST, hostname, `${containerPath(index)}.links`));
  });
  return [...byIp].filter(([, hostnames]) => hostnames.length > 0).map(([ip, hostnames]) => ({ ip, hostnames }));
}

function dnsSettings(definitions: readonly ContainerDefinition[], log: IssueLog): Pick<V1PodSpec, 'dnsPolicy' | 'dnsConfig'> {
  const nameservers = unionOf(definitions, (definition) => definition.dnsServers);
  const searches = unionOf(definitions, (definition) => definition.dnsSearchDomains);
  warnDiffering(definitions, 'dnsServers', (definition) => definition.dnsServers, 'the servers of all containers are used together', log);
  warnDiffering(definitions, 'dnsSearchDomains', (definition) => definition.dnsSearchDomains, 'the domains of all containers are searched together', log);
  const overLimit = (field: 'dnsServers' | 'dnsSearchDomains', count: number, max: number) => {
    if (count > max)
      log.error(
        `${containerPath(definitions.findIndex((definition) => definition[field]?.length))}.${field}`,
        `the task's containers name ${count} in all, and a pod takes at most ${max}`,
      );
  };
  overLimit('dnsServers', nameservers.length, MAX_NAMESERVERS);
  overLimit('dnsSearchDomains', searches.length, MAX_SEARCHES);
  if (nameservers.length > 0) return { dnsPolicy: 'None', dnsConfig: { nameservers, ...(searches.length > 0 ? { searches } : {}) } };
  return searches.length > 0 ? { dnsConfig: { searches } } : {};
}

export function podNetwork(spec: TaskDefinitionSpec, log: IssueLog): PodNetwork {
  const hostname = podHostname(spec, log);
  const aliases = hostAliases(spec.containerDefinitions, log);
  return {
    ...(spec.networkMode === 'host' ? { hostNetwork: true } : {}),
    ...(hostname ? { hostname } : {}),
    ...(aliases.length > 0 ? { hostAliases: aliases } : {}),
    ...dnsSettings(spec.containerDefinitions, log),
  };
}
