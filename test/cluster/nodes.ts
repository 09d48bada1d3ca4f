// The simulated node set of the local control plane: which kwok nodes exist, with what zones,
// instance types, architectures, capacities and labels. Pure: configuration in, Node objects out.
import { readFileSync } from 'node:fs';
import type { V1Node } from '@kubernetes/client-node';
import { parse } from 'yaml';

/** One group of identical simulated nodes. */
export interface NodeGroup {
  /** How many nodes of this shape (default 1). */
  count?: number;
  zone: string;
  instanceType: string;
  /** Kubernetes architecture name (default amd64). */
  arch?: string;
  /** Kubernetes OS name (default linux). */
  os?: string;
  /** CPU cores as a Kubernetes quantity, e.g. "2". */
  cpu: string;
  /** Memory as a Kubernetes quantity, e.g. "8Gi". */
  memory: string;
  /** Pods per node (default 110). */
  pods?: number;
  labels?: Record<string, string>;
}

export interface NodeSetConfig {
  /** Region label of every node (default us-east-1). */
  region?: string;
  /** Node names are `${namePrefix}${index}`, counting from 1 (default ecs-node-). */
  namePrefix?: string;
  groups: NodeGroup[];
}

/** 6 nodes over 3 zones and 2 instance types: one m5.large and one c5.xlarge in each zone. */
export const DEFAULT_NODE_SET: NodeSetConfig = {
  region: 'us-east-1',
  namePrefix: 'ecs-node-',
  groups: ['us-east-1a', 'us-east-1b', 'us-east-1c'].flatMap((zone) => [
    { zone, instanceType: 'm5.large', cpu: '2', memory: '8Gi' },
    { zone, instanceType: 'c5.xlarge', cpu: '4', memory: '8Gi' },
  ]),
};

/** Marks a node as simulated, so that kwok manages it (and nothing else does). */
export const KWOK_NODE_ANNOTATION = 'kwok.x-k8s.io/node';

/** Reads a node set from a YAML or JSON file, checking the fields a mistake would break. */
export function loadNodeSet(path: string): NodeSetConfig {
  const config = parse(readFileSync(path, 'utf8')) as NodeSetConfig | null;
  if (!config || !Array.isArray(config.groups) || config.groups.length === 0) {
    throw new Error(`${path}: groups: expected a non-empty list of node groups`);
  }
  config.groups.forEach((group, i) => {
    for (const field of ['zone', 'instanceType', 'cpu', 'memory'] as const) {
      if (typeof group[field] !== 'string' || group[field] === '') {
        throw new Error(`${path}: groups[${i}].${field}: expected a non-empty string`);
      }
    }
  });
  return config;
}

/** The Node objects of a node set, named `${namePrefix}1` ... in group order. */
export function nodeSetToNodes(config: NodeSetConfig): V1Node[] {
  const prefix = config.namePrefix ?? 'ecs-node-';
  let index = 0;
  return config.groups.flatMap((group) =>
    Array.from({ length: group.count ?? 1 }, () => simulatedNode(`${prefix}${++index}`, group, config.region ?? 'us-east-1')),
  );
}

/** One simulated node with the well-known labels a cloud node carries. */
export function simulatedNode(name: string, group: NodeGroup, region = 'us-east-1'): V1Node {
  const arch = group.arch ?? 'amd64';
  const os = group.os ?? 'linux';
  const resources = { cpu: group.cpu, memory: group.memory, pods: String(group.pods ?? 110), 'ephemeral-storage': '100Gi' };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      annotations: {
        [KWOK_NODE_ANNOTATION]: 'fake',
        'node.alpha.kubernetes.io/ttl': '0',
        // metrics-server scrapes this path of the node's "kubelet" (kwok serves every node's on one port).
        'metrics.k8s.io/resource-metrics-path': `/metrics/nodes/${name}/metrics/resource`,
      },
      labels: {
        'kubernetes.io/hostname': name,
        'kubernetes.io/arch': arch,
        'kubernetes.io/os': os,
        'topology.kubernetes.io/region': region,
        'topology.kubernetes.io/zone': group.zone,
        'node.kubernetes.io/instance-type': group.instanceType,
        type: 'kwok',
        ...group.labels,
      },
    },
    spec: {},
    status: {
      capacity: resources,
      allocatable: resources,
      nodeInfo: {
        architecture: arch,
        operatingSystem: os,
        bootID: '',
        containerRuntimeVersion: '',
        kernelVersion: '',
        kubeProxyVersion: '',
        kubeletVersion: '',
        machineID: '',
        osImage: '',
        systemUUID: '',
      },
    },
  };
}
