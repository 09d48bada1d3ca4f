// TaskDefinition controller: every distinct spec becomes the next immutable revision (a ControllerRevision
// owned by the TaskDefinition); re-applying the latest spec makes none. Status lists the revisions, the
// latest `family:revision`, translation warnings and the Valid condition. Revisions in use by a Task or
// Service outlive their TaskDefinition: a finalizer keeps each until nothing uses it.
import { PatchStrategy, setHeaderOptions, type V1ControllerRevision } from '@kubernetes/client-node';
import { ECS_GROUP, ECS_VERSION } from '../api/meta.js';
import type { TaskDefinition, TaskDefinitionStatus } from '../api/taskdefinition.js';
import { toLabelValue } from '../translate/names.js';
import { statusCodeOf } from '../runtime/clients.js';
import { Controller, type ReconcileContext } from '../runtime/controller.js';
import { Expectations } from '../runtime/expectations.js';
import { RESOURCES } from '../runtime/informer.js';
import { keyOf } from '../runtime/keys.js';
import { LABELS } from '../translate/labels.js';
import { checkTaskDefinition } from '../translate/template.js';
import {
  familyOf, parseTaskDefinitionReference, REVISIONS_IN_USE_FINALIZER, REVISION_LABELS, registeredSpec, revisionName, revisionNumber, revisionObject, revisionStatus, specHash, taskDefinitionArn,
} from '../translate/revisions.js';
import { byAge, setValid, VALID, type Validity } from './common.js';
import type { OperatorContext } from './context.js';

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

/** Whether some Task, Service, ReplicaSet or Pod of the namespace still uses revision `number` of `family`. */
function revisionInUse(context: OperatorContext, namespace: string, family: string, number: number): boolean {
  const reference = `${family}:${number}`;
  const label = toLabelValue(family);
  const labelled = (o: { metadata?: { labels?: Record<string, string> } }) =>
    o.metadata?.labels?.[LABELS.family] === label && o.metadata.labels[LABELS.revision] === String(number);
  const tasks = context.informers.for(RESOURCES.tasks).list(namespace)
    .some((t) => t.status?.lastStatus !== 'STOPPED' && (t.status?.taskDefinition === reference || t.spec.taskDefinition === reference));
  const services = context.informers.for(RESOURCES.services).list(namespace).some((s) => s.spec.taskDefinition === reference);
  const replicaSets = context.informers.for(RESOURCES.replicaSets).list(namespace).some((rs) => labelled(rs) && (rs.spec?.replicas ?? 0) > 0);
  const pods = context.informers.for(RESOURCES.pods).list(namespace)
    .some((p) => labelled(p) && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed');
  return tasks || services || replicaSets || pods;
}

/** Whether any revision of `td` is still used. */
function anyRevisionInUse(context: OperatorContext, td: TaskDefinition, revisions: readonly V1ControllerRevision[]): boolean {
  return revisions.some((r) => revisionInUse(context, td.metadata.namespace ?? '', familyOf(td), revisionNumber(r)));
}

/** Sets or removes the finalizer that keeps a deleted TaskDefinition while its revisions are in use. */
async function setFinalizer(context: OperatorContext, td: TaskDefinition, present: boolean): Promise<void> {
  const finalizers = td.metadata.finalizers ?? [];
  if (finalizers.includes(REVISIONS_IN_USE_FINALIZER) === present) return;
  const next = present ? [...finalizers, REVISIONS_IN_USE_FINALIZER] : finalizers.filter((f) => f !== REVISIONS_IN_USE_FINALIZER);
  await context.clients.custom
    .patchNamespacedCustomObject(
      {
        group: ECS_GROUP, version: ECS_VERSION, namespace: td.metadata.namespace ?? '', plural: 'taskdefinitions', name: td.metadata.name ?? '',
        body: { metadata: { finalizers: next, resourceVersion: td.metadata.resourceVersion } },
      },
      mergePatch,
    )
    .catch((error: unknown) => {
      if (statusCodeOf(error) !== 404) throw error;
    });
}

/** A family another, older TaskDefinition of the namespace already registers. */
function familyConflict(context: OperatorContext, td: TaskDefinition): Validity | undefined {
  const family = familyOf(td);
  const owner = context.informers.for(RESOURCES.taskDefinitions).list(td.metadata.namespace)
    .filter((other) => familyOf(other) === family && !other.metadata.deletionTimestamp)
    .sort(byAge)[0];
  if (!owner || owner.metadata.uid === td.metadata.uid) return undefined;
  return {
    valid: false,
    reason: 'FamilyConflict',
    message: `spec.family: family '${family}' is already registered by TaskDefinition '${owner.metadata.name}'`,
  };
}

/**
 * Whether the spec translates whatever Cluster runs it (what a Cluster forbids, such as privileged containers,
 * is the Task's or Service's to report); warnings go to status, the first error to the Valid condition.
 */
function checkSpec(td: TaskDefinition): { validity: Validity; warnings: string[] } {
  const translation = checkTaskDefinition(registeredSpec(td));
  const warnings = translation.warnings.map((w) => `${w.path}: ${w.message}`);
  const [first] = translation.errors;
  if (!first) return { validity: VALID, warnings };
  const more = translation.errors.length > 1 ? ` (and ${translation.errors.length - 1} more)` : '';
  return { validity: { valid: false, reason: 'InvalidSpec', message: `${first.path}: ${first.message}${more}` }, warnings };
}

export function createTaskDefinitionController(context: OperatorContext): Controller {
  const taskDefinitions = context.informers.for(RESOURCES.taskDefinitions);
  const revisions = context.informers.for(RESOURCES.controllerRevisions);
  const expectations = new Expectations({ clock: context.clock });
  expectations.observe(revisions);

  const revisionsOf = (namespace: string, name: string) =>
    revisions.list(namespace).filter((r) => r.metadata?.labels?.[REVISION_LABELS.taskDefinition] === name);

  async function reconcile({ namespace = '', name, key, log }: ReconcileContext) {
    const td = taskDefinitions.get(name, namespace);
    const own = revisionsOf(namespace, name);
    if (!td) return undefined;
    if (td.metadata.deletionTimestamp) {
      // DELETE_IN_PROGRESS, as ECS says: no new work may use it; gone once nothing uses its revisions.
      if (anyRevisionInUse(context, td, own)) {
        const previous = td.status ?? {};
        const deleting: TaskDefinitionStatus = {
          ...previous,
          status: 'DELETE_IN_PROGRESS',
          revisions: (previous.revisions ?? []).map((r) => ({ ...r, status: 'DELETE_IN_PROGRESS' })),
        };
        await context.applier.applyStatus(RESOURCES.taskDefinitions, td, deleting);
        return { requeueAfterMs: 30_000 };
      }
      await setFinalizer(context, td, false);
      return undefined;
    }
    const family = familyOf(td);
    const live = own.filter((r) => !r.metadata?.deletionTimestamp).sort((a, b) => revisionNumber(a) - revisionNumber(b));
    const latest = live.at(-1);
    const conflict = familyConflict(context, td);
    const { validity, warnings } = conflict ? { validity: conflict, warnings: [] } : checkSpec(td);
    const previous = td.status ?? {};
    // Revision numbers are never reused: the next one follows every number seen, in the cache and in status.
    const highest = Math.max(previous.revision ?? 0, ...own.map(revisionNumber));

    let created: V1ControllerRevision | undefined;
    const hash = specHash(registeredSpec(td));
    if (validity.valid && latest?.metadata?.labels?.[REVISION_LABELS.specHash] !== hash && expectations.satisfied(key)) {
      const next = highest + 1;
      const body = revisionObject(td, next);
      const child = keyOf(body.metadata!.name!, namespace);
      // Expected before the request: the watch may deliver the new object before the response is read.
      expectations.expectCreation(key, child);
      try {
        created = await context.clients.apps.createNamespacedControllerRevision({ namespace, body });
        context.events.normal(td, 'RevisionRegistered', `registered revision ${family}:${next}`);
        log.info('registered revision', { revision: next });
      } catch (error) {
        expectations.creationObserved(child);
        if (statusCodeOf(error) !== 409) throw error;
        log.info('revision exists already; waiting for the cache', { revision: next });
        return { requeueAfterMs: 1000 };
      }
    }

    const all = created ? [...live, created] : live;
    const newest = all.at(-1);
    const status: TaskDefinitionStatus = {
      observedGeneration: td.metadata.generation ?? 0,
      family,
      revisions: all.map((r) => ({
        revision: revisionNumber(r),
        status: revisionStatus(td, revisionNumber(r)),
        controllerRevision: r.metadata?.name ?? revisionName(name, revisionNumber(r)),
        ...(r.metadata?.creationTimestamp ? { registeredAt: new Date(r.metadata.creationTimestamp).toISOString() } : {}),
      })),
      warnings,
      conditions: setValid(context, td, previous.conditions, validity),
    };
    if (newest) {
      const number = revisionNumber(newest);
      Object.assign(status, {
        revision: Math.max(number, highest),
        taskDefinition: `${family}:${number}`,
        taskDefinitionArn: taskDefinitionArn(namespace, family, number),
        status: revisionStatus(td, number),
      });
    }
    if (all.length > 0) await setFinalizer(context, td, true);
    await context.applier.applyStatus(RESOURCES.taskDefinitions, td, status);
    return undefined;
  }

  const controller = new Controller(
    { name: 'taskdefinition', primary: taskDefinitions, reconcile, concurrency: context.settings.concurrency, resyncPeriodMs: context.settings.resyncPeriodMs },
    { log: context.log, metrics: context.metrics, clock: context.clock },
  );
  // Revisions (created, deleted, finalizing) concern their TaskDefinition, even after it is gone.
  controller.watch(revisions, (r) => {
    const owner = r.metadata?.labels?.[REVISION_LABELS.taskDefinition];
    return owner ? keyOf(owner, r.metadata?.namespace) : undefined;
  });
  // A deleted TaskDefinition waits for the Tasks and Services of its family to let go of its revisions.
  const deletedOfFamily = (namespace: string | undefined, reference: string | undefined) => {
    const family = parseTaskDefinitionReference(reference ?? '')?.family;
    return taskDefinitions.list(namespace)
      .filter((td) => td.metadata.deletionTimestamp && familyOf(td) === family)
      .map((td) => keyOf(td.metadata.name ?? '', td.metadata.namespace));
  };
  controller.watch(context.informers.for(RESOURCES.tasks), (t) => deletedOfFamily(t.metadata.namespace, t.status?.taskDefinition ?? t.spec.taskDefinition));
  controller.watch(context.informers.for(RESOURCES.services), (s) => deletedOfFamily(s.metadata.namespace, s.spec.taskDefinition));
  // A TaskDefinition whose family another one releases may become valid.
  controller.watch(taskDefinitions, (td) =>
    taskDefinitions.list(td.metadata.namespace).filter((other) => familyOf(other) === familyOf(td)).map((o) => keyOf(o.metadata.name ?? '', o.metadata.namespace)));
  return controller;
}
