// What the planners of every controller share: the ECS events a plan asks for, and the Valid and Placed
// conditions computed purely (the executor records the events). Pure: no clients, no clock, no context.
import type { KubernetesObject, V1Pod } from '@kubernetes/client-node';
import type { Condition } from '../api/meta.js';
import { setCondition } from '../runtime/conditions.js';

/** An Event a plan asks for; on the reconciled object unless `object` names another (a task's pod). */
export interface PlannedEvent {
  type: 'normal' | 'warning';
  reason: string;
  message: string;
  object?: KubernetesObject;
}

export interface Validity {
  valid: boolean;
  reason: string;
  message: string;
}

export const VALID: Validity = { valid: true, reason: 'Valid', message: '' };

/** Conditions and the events their change is worth. */
export interface ConditionsWithEvents {
  conditions: Condition[];
  events: PlannedEvent[];
}

/** The Valid condition (observedGeneration `generation`); a new or changed refusal is worth a warning Event. */
export function validCondition(conditions: readonly Condition[] | undefined, validity: Validity, generation: number, now: Date): ConditionsWithEvents {
  const before = conditions?.find((c) => c.type === 'Valid');
  const next = setCondition(
    conditions,
    {
      type: 'Valid',
      status: validity.valid ? 'True' : 'False',
      reason: validity.reason,
      message: validity.message,
      observedGeneration: generation,
    },
    now,
  );
  const changed = !validity.valid && (before?.status !== 'False' || before.message !== validity.message);
  return { conditions: next, events: changed ? [{ type: 'warning', reason: validity.reason, message: validity.message }] : [] };
}

/** ECS wording of a task that waits for capacity, with the scheduler's reason. */
export function unplacedMessage(who: string, schedulerMessage: string): string {
  return `${who} was unable to place a task because no container instance met all of its requirements. Reason: ${schedulerMessage}`;
}

/** The scheduler's reason when it cannot place `pod`, if it cannot. */
export function unschedulableReason(pod: V1Pod | undefined): string | undefined {
  const condition = pod?.status?.conditions?.find((c) => c.type === 'PodScheduled');
  return condition?.status === 'False' && condition.reason === 'Unschedulable' ? (condition.message ?? 'no node fits') : undefined;
}

/**
 * Why a task is not placed: the scheduler's reason (`Unschedulable`), or the API server refusing its pod
 * (`FailedCreate`: Pod Security, a quota, a webhook).
 */
export type UnplacedKind = 'Unschedulable' | 'FailedCreate';

/** The Placed condition: False with the reason while a task cannot be placed; an Event when that starts or changes. */
export function placedCondition(
  conditions: readonly Condition[],
  who: string,
  reason: string | undefined,
  now: Date,
  kind: UnplacedKind = 'Unschedulable',
): ConditionsWithEvents {
  const before = conditions.find((c) => c.type === 'Placed');
  const message = !reason ? '' : kind === 'FailedCreate' ? `${who} was unable to create a task's pod. Reason: ${reason}` : unplacedMessage(who, reason);
  const next = setCondition(conditions, { type: 'Placed', status: reason ? 'False' : 'True', reason: reason ? kind : 'Placed', message }, now);
  return {
    conditions: next,
    events: reason && before?.message !== message ? [{ type: 'warning', reason: kind === 'FailedCreate' ? 'FailedCreate' : 'Unplaced', message }] : [],
  };
}

/** Conditions, the status.warnings lines and the events a change of them is worth. */
export interface FieldWarnings extends ConditionsWithEvents {
  warnings: string[];
}

/**
 * The FieldsApplied condition and status.warnings of a Service or Task: False (NotApplied) while its spec sets
 * fields the operator accepts but does not apply (translate/not-applied.ts), naming each; a Warning Event for
 * each warning not in status yet, so that a steady object is told once.
 */
export function fieldsAppliedCondition(
  conditions: readonly Condition[],
  previous: readonly string[] | undefined,
  warnings: readonly string[],
  generation: number,
  now: Date,
): FieldWarnings {
  const next = setCondition(
    conditions,
    {
      type: 'FieldsApplied',
      status: warnings.length > 0 ? 'False' : 'True',
      reason: warnings.length > 0 ? 'NotApplied' : 'Applied',
      message: warnings.join('; '),
      observedGeneration: generation,
    },
    now,
  );
  const told = new Set(previous ?? []);
  const events = warnings.filter((line) => !told.has(line)).map((message): PlannedEvent => ({ type: 'warning', reason: 'NotApplied', message }));
  return { conditions: next, events, warnings: [...warnings] };
}
