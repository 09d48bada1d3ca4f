// ECS fields Kubernetes has no place for. Each becomes a warning naming the field, never a silent drop.
import type { ContainerDefinition, TaskDefinitionSpec } from '../api/taskdefinition.js';
import type { IssueLog } from './issues.js';

interface Unsupported<Subject> {
  field: string;
  present: (subject: Subject) => boolean;
  message: string;
}

export const UNSUPPORTED_CONTAINER_FIELDS: ReadonlyArray<Unsupported<ContainerDefinition>> = [
  {
    field: 'ulimits',
    present: (c) => Boolean(c.ulimits?.length),
    message: 'Kubernetes cannot set ulimits per container; the container runtime defaults of the node apply',
  },
  {
    field: 'linuxParameters.devices',
    present: (c) => Boolean(c.linuxParameters?.devices?.length),
    message: 'host devices are not mapped: Kubernetes exposes devices through device plugins (or a privileged container)',
  },
  {
    field: 'linuxParameters.maxSwap',
    present: (c) => c.linuxParameters?.maxSwap !== undefined,
    message: 'swap is a node setting in Kubernetes (kubelet memorySwap), not a container one',
  },
  {
    field: 'linuxParameters.swappiness',
    present: (c) => c.linuxParameters?.swappiness !== undefined,
    message: 'swappiness is a node setting in Kubernetes, not a container one',
  },
  {
    field: 'disableNetworking',
    present: (c) => c.disableNetworking === true,
    message: 'the containers of a pod share one network; it cannot be turned off for one container',
  },
  {
    field: 'firelensConfiguration',
    present: (c) => c.firelensConfiguration !== undefined,
    message: 'FireLens log routing does not exist in Kubernetes; ship logs with a node log agent (such as a Fluent Bit DaemonSet)',
  },
  {
    field: 'startTimeout',
    present: (c) => c.startTimeout !== undefined,
    message: 'Kubernetes does not give up waiting on a dependency; init containers and startup probes wait as long as they run',
  },
  {
    field: 'credentialSpecs',
    present: (c) => Boolean(c.credentialSpecs?.length),
    message: 'credential specs are not mapped; use securityContext.windowsOptions.gmsaCredentialSpecName on Windows nodes',
  },
  {
    field: 'versionConsistency',
    present: (c) => c.versionConsistency === 'enabled',
    message: 'Kubernetes resolves an image tag on each node; write the image by digest (repo@sha256:...) for identical images in every task',
  },
];

export const UNSUPPORTED_TASK_FIELDS: ReadonlyArray<Unsupported<TaskDefinitionSpec>> = [
  {
    field: 'networkMode',
    present: (t) => t.networkMode === 'none',
    message: 'a pod always has a network: the task gets the pod network where ECS would give it none',
  },
  { field: 'ipcMode', present: (t) => t.ipcMode === 'none', message: 'the containers of a pod always share one IPC namespace; none cannot be expressed' },
  {
    field: 'proxyConfiguration',
    present: (t) => t.proxyConfiguration !== undefined,
    message: 'App Mesh proxy configuration is not applied; use the sidecar injection of a Kubernetes service mesh',
  },
  {
    field: 'inferenceAccelerators',
    present: (t) => Boolean(t.inferenceAccelerators?.length),
    message: 'Elastic Inference accelerators do not exist in Kubernetes',
  },
  { field: 'enableFaultInjection', present: (t) => t.enableFaultInjection === true, message: 'ECS fault injection endpoints do not exist in Kubernetes' },
];

export function warnUnsupported<Subject>(subject: Subject, rules: ReadonlyArray<Unsupported<Subject>>, path: string, log: IssueLog): void {
  for (const rule of rules) {
    if (rule.present(subject)) log.warn(`${path}.${rule.field}`, rule.message);
  }
}
