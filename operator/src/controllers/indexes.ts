// Indexes on the shared informers, by which controllers look up the objects an event or a reconcile concerns
// instead of scanning a whole cache each time: pods and ReplicaSets by the uid of their controller, pods by
// node, Tasks, Services, TaskDefinitions and the pods and ReplicaSets of a family by task definition family,
// Tasks, Services and task pods by cluster. Each function adds its index to the shared informer (the same
// index function every time, so any number of controllers share one index) and returns the lookup.
import type { KubernetesObject, V1Pod, V1ReplicaSet } from '@kubernetes/client-node';
import type { Service } from '../api/service.js';
import type { Task } from '../api/task.js';
import type { TaskDefinition } from '../api/taskdefinition.js';
import { controllerOf } from '../runtime/controller.js';
import { type IndexFunction, type InformerFactory, RESOURCES, type SharedInformer } from '../runtime/informer.js';
import { keyOf } from '../runtime/keys.js';
import { LABELS } from '../translate/labels.js';
import { toLabelValue } from '../translate/names.js';
import { familyOf, parseTaskDefinitionReference } from '../translate/revisions.js';
import { clusterNameOf } from '../translate/workload.js';

/** A lookup in one index: the cached objects filed under `value`. */
export type IndexLookup<T> = (value: string) => T[];

function indexed<T extends KubernetesObject>(informer: SharedInformer<T>, name: string, values: IndexFunction<T>): IndexLookup<T> {
  informer.addIndex(name, values);
  return (value) => informer.byIndex(name, value);
}

const byControllerUid: IndexFunction<KubernetesObject> = (obj) => {
  const uid = controllerOf(obj)?.uid;
  return uid ? [uid] : [];
};

const byNodeName: IndexFunction<V1Pod> = (pod) => (pod.spec?.nodeName ? [pod.spec.nodeName] : []);

/** `namespace/family` of a task definition reference (`family`, `family:3`, an ARN), none if it is not one. */
function familyKeys(namespace: string | undefined, ...references: Array<string | undefined>): string[] {
  const families = references.flatMap((reference) => parseTaskDefinitionReference(reference ?? '')?.family ?? []);
  return [...new Set(families)].map((family) => keyOf(family, namespace));
}

const taskFamilies: IndexFunction<Task> = (t) => familyKeys(t.metadata.namespace, t.spec.taskDefinition, t.status?.taskDefinition);
const serviceFamilies: IndexFunction<Service> = (s) => familyKeys(s.metadata.namespace, s.spec.taskDefinition);
const taskDefinitionFamilies: IndexFunction<TaskDefinition> = (td) => [keyOf(familyOf(td), td.metadata.namespace)];
/** Pods and ReplicaSets carry their family as a label value (`toLabelValue(family)`). */
const familyLabels: IndexFunction<KubernetesObject> = (obj) => {
  const label = obj.metadata?.labels?.[LABELS.family];
  return label ? [keyOf(label, obj.metadata?.namespace)] : [];
};

/** Clusters are filed by label value, which task pods carry; lookups of Tasks and Services compare names exactly. */
const clusterOfSpec: IndexFunction<Task | Service> = (obj) => [keyOf(toLabelValue(clusterNameOf(obj.spec)), obj.metadata.namespace)];
const clusterLabels: IndexFunction<V1Pod> = (pod) => {
  const label = pod.metadata?.labels?.[LABELS.cluster];
  return label ? [keyOf(label, pod.metadata?.namespace)] : [];
};

/** Pods by the uid of their controller (a Task, a ReplicaSet). */
export function podsByOwnerUid(informers: InformerFactory): IndexLookup<V1Pod> {
  return indexed(informers.for(RESOURCES.pods), 'controllerUid', byControllerUid);
}

/** ReplicaSets by the uid of their controller (a Service). */
export function replicaSetsByOwnerUid(informers: InformerFactory): IndexLookup<V1ReplicaSet> {
  return indexed(informers.for(RESOURCES.replicaSets), 'controllerUid', byControllerUid);
}

/** Pods bound to a node, by node name. */
export function podsByNode(informers: InformerFactory): IndexLookup<V1Pod> {
  return indexed(informers.for(RESOURCES.pods), 'nodeName', byNodeName);
}

export interface FamilyLookups {
  /** Tasks whose spec or status refers to the family. */
  tasks(namespace: string, family: string): Task[];
  services(namespace: string, family: string): Service[];
  taskDefinitions(namespace: string, family: string): TaskDefinition[];
  /** Pods and ReplicaSets labelled with the family. */
  pods(namespace: string, family: string): V1Pod[];
  replicaSets(namespace: string, family: string): V1ReplicaSet[];
}

/** The objects of a namespace that belong to, or refer to, a task definition family. */
export function byTaskDefinitionFamily(informers: InformerFactory): FamilyLookups {
  const tasks = indexed(informers.for(RESOURCES.tasks), 'family', taskFamilies);
  const services = indexed(informers.for(RESOURCES.services), 'family', serviceFamilies);
  const taskDefinitions = indexed(informers.for(RESOURCES.taskDefinitions), 'family', taskDefinitionFamilies);
  const pods = indexed(informers.for(RESOURCES.pods), 'familyLabel', familyLabels);
  const replicaSets = indexed(informers.for(RESOURCES.replicaSets), 'familyLabel', familyLabels);
  return {
    tasks: (namespace, family) => tasks(keyOf(family, namespace)),
    services: (namespace, family) => services(keyOf(family, namespace)),
    taskDefinitions: (namespace, family) => taskDefinitions(keyOf(family, namespace)),
    pods: (namespace, family) => pods(keyOf(toLabelValue(family), namespace)),
    replicaSets: (namespace, family) => replicaSets(keyOf(toLabelValue(family), namespace)),
  };
}

export interface ClusterLookups {
  tasks(namespace: string, cluster: string): Task[];
  services(namespace: string, cluster: string): Service[];
  /** The pods labelled as the cluster's tasks (standalone and service tasks). */
  pods(namespace: string, cluster: string): V1Pod[];
}

/** The Tasks, Services and task pods of a cluster. */
export function byCluster(informers: InformerFactory): ClusterLookups {
  const tasks = indexed(informers.for(RESOURCES.tasks), 'cluster', clusterOfSpec);
  const services = indexed(informers.for(RESOURCES.services), 'cluster', clusterOfSpec);
  const pods = indexed(informers.for(RESOURCES.pods), 'clusterLabel', clusterLabels);
  const key = (namespace: string, cluster: string) => keyOf(toLabelValue(cluster), namespace);
  return {
    tasks: (namespace, cluster) => tasks(key(namespace, cluster)).filter((t) => clusterNameOf(t.spec) === cluster),
    services: (namespace, cluster) => services(key(namespace, cluster)).filter((s) => clusterNameOf(s.spec) === cluster),
    pods: (namespace, cluster) => pods(key(namespace, cluster)),
  };
}

/** Services by the label value their tasks' pods carry (`ecs.operator.dev/service`), per namespace. */
export function servicesByPodLabel(informers: InformerFactory): (namespace: string, label: string) => Service[] {
  const lookup = indexed(informers.for(RESOURCES.services), 'podLabel', (s: Service) => [keyOf(toLabelValue(s.metadata.name ?? ''), s.metadata.namespace)]);
  return (namespace, label) => lookup(keyOf(label, namespace));
}
