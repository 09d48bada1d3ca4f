// TaskDefinition revisions: each distinct spec is one immutable revision, stored as a ControllerRevision
// owned by the TaskDefinition (`web` revision 3 → ControllerRevision `web-3`). Pure: naming, hashing,
// the revision object, and how an ECS task definition reference resolves against the revisions there are.
import type { V1ControllerRevision } from '@kubernetes/client-node';
import { ECS_API_VERSION, ECS_GROUP } from '../api/meta.js';
import type { TaskDefinition, TaskDefinitionRevisionStatus, TaskDefinitionSpec } from '../api/taskdefinition.js';
import { shortHash, stableStringify } from './hash.js';
import { LABELS, MANAGED_BY_VALUE } from './labels.js';
import { toLabelValue } from './names.js';

export const REVISION_LABELS = {
  /** Name of the TaskDefinition resource a revision belongs to. */
  taskDefinition: `${ECS_GROUP}/taskdefinition`,
  /** Hash of the revision's spec: an identical spec never makes a second revision. */
  specHash: `${ECS_GROUP}/spec-hash`,
} as const;

/**
 * Keeps a deleted TaskDefinition (and so, through owner references, its revisions) until no Task or Service
 * uses any of its revisions. It sits on the TaskDefinition, not on the ControllerRevisions: the API server
 * re-encodes a ControllerRevision's data on every patch, and data holding `<`, `>` or `&` then counts as
 * changed, so a finalizer there could never be removed.
 */
export const REVISIONS_IN_USE_FINALIZER = `${ECS_GROUP}/revisions-in-use`;

/** The family of a TaskDefinition: `spec.family`, else the resource's name. */
export function familyOf(td: Pick<TaskDefinition, 'metadata' | 'spec'>): string {
  return td.spec.family || td.metadata.name || '';
}

/** The ECS registration a revision holds: the spec without the fields that manage revisions. */
export function registeredSpec(td: Pick<TaskDefinition, 'metadata' | 'spec'>): TaskDefinitionSpec {
  const { inactiveRevisions: _inactive, ...spec } = td.spec;
  return { ...spec, family: familyOf(td) };
}

export function specHash(spec: TaskDefinitionSpec): string {
  return shortHash(stableStringify(spec), 16);
}

export function revisionName(taskDefinitionName: string, revision: number): string {
  return `${taskDefinitionName}-${revision}`;
}

/** The immutable ControllerRevision of revision `revision` of `td`. */
export function revisionObject(td: TaskDefinition, revision: number): V1ControllerRevision {
  const spec = registeredSpec(td);
  const name = td.metadata.name ?? '';
  return {
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    metadata: {
      name: revisionName(name, revision),
      namespace: td.metadata.namespace,
      labels: {
        [LABELS.managedBy]: MANAGED_BY_VALUE,
        [LABELS.family]: toLabelValue(spec.family ?? name),
        [LABELS.revision]: String(revision),
        [REVISION_LABELS.taskDefinition]: name,
        [REVISION_LABELS.specHash]: specHash(spec),
      },
      ownerReferences: [
        {
          apiVersion: ECS_API_VERSION,
          kind: 'TaskDefinition',
          name,
          uid: td.metadata.uid ?? '',
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    revision,
    data: spec,
  };
}

export function revisionNumber(revision: V1ControllerRevision): number {
  return revision.revision;
}

export function revisionSpec(revision: V1ControllerRevision): TaskDefinitionSpec {
  return revision.data as TaskDefinitionSpec;
}

export function revisionStatus(td: Pick<TaskDefinition, 'spec'> | undefined, revision: number): TaskDefinitionRevisionStatus {
  return td?.spec.inactiveRevisions?.includes(revision) ? 'INACTIVE' : 'ACTIVE';
}

export interface TaskDefinitionReference {
  family: string;
  revision?: number;
}

const ARN = /^arn:aws[a-z-]*:ecs:[^:]*:[^:]*:task-definition\/([A-Za-z0-9_-]{1,255}):(\d+)$/;
const FAMILY = /^([A-Za-z0-9_-]{1,255})(?::(\d+))?$/;

/** Parses `family`, `family:revision` or a task definition ARN; undefined when it is none of them. */
export function parseTaskDefinitionReference(reference: string): TaskDefinitionReference | undefined {
  const match = ARN.exec(reference) ?? FAMILY.exec(reference);
  if (!match?.[1]) return undefined;
  return match[2] ? { family: match[1], revision: Number(match[2]) } : { family: match[1] };
}

export type Resolution = { ok: true; revision: V1ControllerRevision; number: number; family: string } | { ok: false; reason: string };

/**
 * Which revision a reference names among `revisions` (those of the reference's family): `family:N` that
 * revision, ACTIVE or not (running work may keep an INACTIVE one); plain `family` the latest ACTIVE one.
 * `forNewWork` refuses INACTIVE revisions, as RunTask and CreateService do.
 */
export function resolveRevision(
  reference: string,
  revisions: readonly V1ControllerRevision[],
  td: Pick<TaskDefinition, 'spec' | 'metadata'> | undefined,
  { forNewWork }: { forNewWork: boolean },
): Resolution {
  const parsed = parseTaskDefinitionReference(reference);
  if (!parsed) return { ok: false, reason: `'${reference}' is not a task definition reference (family, family:revision or an ARN)` };
  const live = revisions.filter((r) => !r.metadata?.deletionTimestamp);
  const byNumber = [...live].sort((a, b) => revisionNumber(b) - revisionNumber(a));
  if (parsed.revision === undefined) {
    const latest = byNumber.find((r) => !r.metadata?.deletionTimestamp && revisionStatus(td, revisionNumber(r)) === 'ACTIVE');
    if (!latest) return { ok: false, reason: `task definition family '${parsed.family}' has no ACTIVE revision` };
    return { ok: true, revision: latest, number: revisionNumber(latest), family: parsed.family };
  }
  const found = byNumber.find((r) => revisionNumber(r) === parsed.revision);
  if (!found) return { ok: false, reason: `task definition '${parsed.family}:${parsed.revision}' does not exist` };
  if (forNewWork && (revisionStatus(td, parsed.revision) === 'INACTIVE' || td?.metadata.deletionTimestamp)) {
    return { ok: false, reason: `task definition '${parsed.family}:${parsed.revision}' is INACTIVE: new tasks may not use it` };
  }
  return { ok: true, revision: found, number: parsed.revision, family: parsed.family };
}

/** The ARN of revision `revision` of `family`, in the namespace as the account. */
export function taskDefinitionArn(namespace: string, family: string, revision: number): string {
  return `arn:aws:ecs:local:${namespace}:task-definition/${family}:${revision}`;
}
