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

/** The Placed condition: False with the scheduler's reason while a task cannot be placed; an Event when that starts or changes. */
export function placedCondition(conditions: readonly Condition[], who: string, reason: string | undefined, now: Date): ConditionsWithEvents {
  const before = conditions.find((c) => c.type === 'Placed');
  const message = reason ? unplacedMessage(who, reason) : '';
  const next = setCondition(conditions, { type: 'Placed', status: reason ? 'False' : 'True', reason: reason ? 'Unschedulable' : 'Placed', message }, now);
  return { conditions: next, events: reason && before?.message !== message ? [{ type: 'warning', reason: 'Unplaced', message }] : [] };
}

/**
 * The Warnings condition: True, naming each of the resource's own fields that has no effect (`path: message; ...`),
 * while there are such fields, and absent otherwise; a new or changed list is worth a warning Event. The texts are
 * translate's, the ones `import` and `translate` print. Warnings about its task definition's fields (`web:3 spec...`)
 * are the TaskDefinition's to report, in its status, and are left out here.
 */
export function warningsCondition(
  conditions: readonly Condition[],
  warnings: readonly { path: string; message: string }[],
  generation: number,
  now: Date,
): ConditionsWithEvents {
  const before = conditions.find((c) => c.type === 'Warnings');
  const own = warnings.filter(({ path }) => path.startsWith('spec.'));
  if (own.length === 0) return { conditions: conditions.filter((c) => c !== before), events: [] };
  const message = own.map(({ path, message: text }) => `${path}: ${text}`).join('; ');
  const next = setCondition(conditions, { type: 'Warnings', status: 'True', reason: 'FieldsNotApplied', message, observedGeneration: generation }, now);
  return { conditions: next, events: before?.message === message ? [] : [{ type: 'warning', reason: 'FieldsNotApplied', message }] };
}
