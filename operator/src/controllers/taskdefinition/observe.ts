// One snapshot of what a TaskDefinition's plan depends on, from the informer caches only: the TaskDefinition,
// its revisions, which of their numbers some Task, Service, ReplicaSet or Pod still uses, and the older
// TaskDefinition that registers the same family, if any.
import type { V1ControllerRevision } from '@kubernetes/client-node';
import type { TaskDefinition } from '../../api/taskdefinition.js';
import { RESOURCES } from '../../runtime/informer.js';
import { LABELS } from '../../translate/labels.js';
import { familyOf, REVISION_LABELS, revisionNumber } from '../../translate/revisions.js';
import { byAge } from '../common.js';
import type { OperatorContext } from '../context.js';
import { byTaskDefinitionFamily, type FamilyLookups } from '../indexes.js';

export interface TaskDefinitionSnapshot {
  td: TaskDefinition;
  /** The revisions this TaskDefinition registered (labelled with its name), finalizing ones included. */
  revisions: V1ControllerRevision[];
  /** Numbers of its revisions still in use. */
  inUse: ReadonlySet<number>;
  /** The name of the older TaskDefinition of the namespace that registers the same family, if another does. */
  familyRegisteredBy?: string;
}

/** Whether some Task, Service, ReplicaSet or Pod of the namespace still uses revision `number` of `family`. */
function revisionInUse(ofFamily: FamilyLookups, namespace: string, family: string, number: number): boolean {
  const reference = `${family}:${number}`;
  const ofRevision = (o: { metadata?: { labels?: Record<string, string> } }) => o.metadata?.labels?.[LABELS.revision] === String(number);
  const tasks = ofFamily
    .tasks(namespace, family)
    .some((t) => t.status?.lastStatus !== 'STOPPED' && (t.status?.taskDefinition === reference || t.spec.taskDefinition === reference));
  const services = ofFamily.services(namespace, family).some((s) => s.spec.taskDefinition === reference);
  const replicaSets = ofFamily.replicaSets(namespace, family).some((rs) => ofRevision(rs) && (rs.spec?.replicas ?? 0) > 0);
  const pods = ofFamily.pods(namespace, family).some((p) => ofRevision(p) && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed');
  return tasks || services || replicaSets || pods;
}

/** The snapshot of TaskDefinition `namespace/name`; undefined when it is gone. */
export function observeTaskDefinition(context: OperatorContext, namespace: string, name: string): TaskDefinitionSnapshot | undefined {
  const taskDefinitions = context.informers.for(RESOURCES.taskDefinitions);
  const td = taskDefinitions.get(name, namespace);
  if (!td) return undefined;
  const family = familyOf(td);
  const revisions = context.informers
    .for(RESOURCES.controllerRevisions)
    .list(namespace)
    .filter((r) => r.metadata?.labels?.[REVISION_LABELS.taskDefinition] === name);
  const ofFamily = byTaskDefinitionFamily(context.informers);
  const inUse = new Set(revisions.map(revisionNumber).filter((n) => revisionInUse(ofFamily, namespace, family, n)));
  const registrar = ofFamily
    .taskDefinitions(namespace, family)
    .filter((other) => !other.metadata.deletionTimestamp)
    .sort(byAge)[0];
  return {
    td,
    revisions,
    inUse,
    ...(registrar && registrar.metadata.uid !== td.metadata.uid ? { familyRegisteredBy: registrar.metadata.name ?? '' } : {}),
  };
}
