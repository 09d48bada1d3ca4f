// What a Service runs, for `translate`: its first deployment's ReplicaSet (REPLICA), named `<service>-<revision>`
// with desiredCount replicas, or a DaemonSet of the same name (DAEMON), around the pod template that
// translate/workload.ts gives. The Service controller adds its deployment bookkeeping (deployment id, rollout
// counts) on top; until it exposes its own pure construction, this is the shape the CLI shows.
import type { V1DaemonSet, V1ReplicaSet } from '@kubernetes/client-node';
import type { Cluster } from '../api/cluster.js';
import type { Service } from '../api/service.js';
import type { TaskDefinitionSpec } from '../api/taskdefinition.js';
import { LABELS, MANAGED_BY_VALUE } from '../translate/labels.js';
import { toLabelValue } from '../translate/names.js';
import { revisionName } from '../translate/revisions.js';
import { workloadTemplate, type Workload } from '../translate/workload.js';

export interface ServiceWorkload extends Omit<Workload, 'template'> {
  workload?: V1ReplicaSet | V1DaemonSet;
}

export function serviceWorkload(service: Service, cluster: Cluster, spec: TaskDefinitionSpec, family: string, revision: number): ServiceWorkload {
  const name = service.metadata.name ?? '';
  const daemon = service.spec.schedulingStrategy === 'DAEMON';
  const { template, ...rest } = workloadTemplate({
    cluster, spec, family, revision,
    group: `service:${service.spec.serviceName ?? name}`,
    labels: { [LABELS.service]: name },
    selectorLabels: { [LABELS.service]: name },
    placementConstraints: service.spec.placementConstraints ?? [],
    ...(daemon ? {} : { placementStrategy: service.spec.placementStrategy ?? [] }),
    ...(service.spec.schedulerName ? { schedulerName: service.spec.schedulerName } : {}),
    restartPolicy: 'Always',
    propagateTags: service.spec.propagateTags === 'TASK_DEFINITION',
    nodes: [],
    pods: [],
  });
  if (!template) return rest;
  const namespace = service.metadata.namespace;
  const metadata = {
    name: revisionName(name, revision),
    ...(namespace ? { namespace } : {}),
    labels: { [LABELS.managedBy]: MANAGED_BY_VALUE, [LABELS.service]: name, [LABELS.family]: toLabelValue(family), [LABELS.revision]: String(revision) },
  };
  const selector = { matchLabels: { [LABELS.service]: name, [LABELS.templateHash]: template.metadata?.labels?.[LABELS.templateHash] ?? '' } };
  const workload: V1ReplicaSet | V1DaemonSet = daemon
    ? { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata, spec: { selector, template } }
    : { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata, spec: { replicas: service.spec.desiredCount ?? 0, selector, template } };
  return { ...rest, workload };
}
