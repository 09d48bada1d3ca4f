// Pure: a TaskDefinition's snapshot → the one write that converges it next, its status and Events.
//
// Every distinct valid spec becomes the next immutable revision (a ControllerRevision owned by the
// TaskDefinition); re-applying the latest spec makes none, and numbers are never reused. A finalizer keeps a
// deleted TaskDefinition (DELETE_IN_PROGRESS, as ECS says) while a Task or Service still uses a revision.
//
// One write per plan, because each changes what the next is computed from: a revision create is followed by
// the status once the cache shows the revision (with its registration time); the finalizer write changes the
// TaskDefinition's resourceVersion, which the status write that follows must carry.
import type { V1ControllerRevision } from '@kubernetes/client-node';
import type { TaskDefinitionStatus } from '../../api/taskdefinition.js';
import { sameJson } from '../../runtime/apply.js';
import { checkTaskDefinition } from '../../translate/template.js';
import {
  familyOf,
  REVISIONS_IN_USE_FINALIZER,
  REVISION_LABELS,
  registeredSpec,
  revisionName,
  revisionNumber,
  revisionObject,
  revisionStatus,
  specHash,
  taskDefinitionArn,
} from '../../translate/revisions.js';
import { type PlannedEvent, VALID, validCondition, type Validity } from '../plan-common.js';
import type { TaskDefinitionSnapshot } from './observe.js';

export type TaskDefinitionAction =
  | { type: 'createRevision'; revision: V1ControllerRevision }
  | { type: 'setFinalizer'; present: boolean }
  | { type: 'writeStatus'; status: TaskDefinitionStatus };

export interface TaskDefinitionPlan {
  actions: TaskDefinitionAction[];
  events: PlannedEvent[];
  requeueAfterMs?: number;
}

/** How often a deleted TaskDefinition whose revisions are in use looks again (uses end without an event here). */
export const IN_USE_RECHECK_MS = 30_000;

/**
 * Whether the spec translates whatever Cluster runs it (what a Cluster forbids, such as privileged containers,
 * is the Task's or Service's to report); warnings go to status, the first error to the Valid condition.
 */
export function checkSpec(snapshot: TaskDefinitionSnapshot): { validity: Validity; warnings: string[] } {
  const { td, familyRegisteredBy } = snapshot;
  if (familyRegisteredBy !== undefined) {
    const message = `spec.family: family '${familyOf(td)}' is already registered by TaskDefinition '${familyRegisteredBy}'`;
    return { validity: { valid: false, reason: 'FamilyConflict', message }, warnings: [] };
  }
  const translation = checkTaskDefinition(registeredSpec(td));
  const warnings = translation.warnings.map((w) => `${w.path}: ${w.message}`);
  const [first] = translation.errors;
  if (!first) return { validity: VALID, warnings };
  const more = translation.errors.length > 1 ? ` (and ${translation.errors.length - 1} more)` : '';
  return { validity: { valid: false, reason: 'InvalidSpec', message: `${first.path}: ${first.message}${more}` }, warnings };
}

export function planTaskDefinition(snapshot: TaskDefinitionSnapshot, now: Date): TaskDefinitionPlan {
  const { td } = snapshot;
  const hasFinalizer = td.metadata.finalizers?.includes(REVISIONS_IN_USE_FINALIZER) ?? false;
  if (td.metadata.deletionTimestamp) {
    if (snapshot.inUse.size === 0) return { actions: hasFinalizer ? [{ type: 'setFinalizer', present: false }] : [], events: [] };
    const previous = td.status ?? {};
    const deleting: TaskDefinitionStatus = {
      ...previous,
      status: 'DELETE_IN_PROGRESS',
      revisions: (previous.revisions ?? []).map((r) => ({ ...r, status: 'DELETE_IN_PROGRESS' })),
    };
    return { actions: statusWrite(snapshot, deleting), events: [], requeueAfterMs: IN_USE_RECHECK_MS };
  }

  const namespace = td.metadata.namespace ?? '';
  const family = familyOf(td);
  const live = snapshot.revisions.filter((r) => !r.metadata?.deletionTimestamp).sort((a, b) => revisionNumber(a) - revisionNumber(b));
  const latest = live.at(-1);
  const { validity, warnings } = checkSpec(snapshot);
  const previous = td.status ?? {};
  // Revision numbers are never reused: the next one follows every number seen, in the cache and in status.
  const highest = Math.max(previous.revision ?? 0, ...snapshot.revisions.map(revisionNumber));
  if (validity.valid && latest?.metadata?.labels?.[REVISION_LABELS.specHash] !== specHash(registeredSpec(td))) {
    const next = highest + 1;
    return {
      actions: [{ type: 'createRevision', revision: revisionObject(td, next) }],
      events: [{ type: 'normal', reason: 'RevisionRegistered', message: `registered revision ${family}:${next}` }],
    };
  }
  if (live.length > 0 && !hasFinalizer) return { actions: [{ type: 'setFinalizer', present: true }], events: [] };

  const valid = validCondition(previous.conditions, validity, td.metadata.generation ?? 0, now);
  const status: TaskDefinitionStatus = {
    observedGeneration: td.metadata.generation ?? 0,
    family,
    revisions: live.map((r) => ({
      revision: revisionNumber(r),
      status: revisionStatus(td, revisionNumber(r)),
      controllerRevision: r.metadata?.name ?? revisionName(td.metadata.name ?? '', revisionNumber(r)),
      ...(r.metadata?.creationTimestamp ? { registeredAt: new Date(r.metadata.creationTimestamp).toISOString() } : {}),
    })),
    warnings,
    conditions: valid.conditions,
  };
  if (latest) {
    const number = revisionNumber(latest);
    Object.assign(status, {
      revision: Math.max(number, highest),
      taskDefinition: `${family}:${number}`,
      taskDefinitionArn: taskDefinitionArn(namespace, family, number),
      status: revisionStatus(td, number),
    });
  }
  return { actions: statusWrite(snapshot, status), events: valid.events };
}

function statusWrite(snapshot: TaskDefinitionSnapshot, status: TaskDefinitionStatus): TaskDefinitionAction[] {
  return sameJson(snapshot.td.status ?? {}, status) ? [] : [{ type: 'writeStatus', status }];
}
