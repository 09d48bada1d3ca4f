// Kubernetes conditions as the API conventions define them: one entry per type, lastTransitionTime changes
// only when the status does, so a reconcile that observes the same state writes the same conditions.
import type { Condition } from '../api/meta.js';

/** A condition as a reconcile computes it; the transition time is worked out by setCondition. */
export type ConditionUpdate = Omit<Condition, 'lastTransitionTime'>;

/** RFC 3339 with whole seconds, as metav1.Time writes it. */
export function conditionTime(at: Date): string {
  return at.toISOString().replace(/\.\d+Z$/, 'Z');
}

export function findCondition(conditions: readonly Condition[] | undefined, type: string): Condition | undefined {
  return conditions?.find((condition) => condition.type === type);
}

export function isConditionTrue(conditions: readonly Condition[] | undefined, type: string): boolean {
  return findCondition(conditions, type)?.status === 'True';
}

/**
 * The conditions with `update` merged in: an existing condition of the same type is replaced in place (keeping
 * its lastTransitionTime when the status is unchanged), a new type is appended. The input is not modified.
 */
export function setCondition(conditions: readonly Condition[] | undefined, update: ConditionUpdate, now = new Date()): Condition[] {
  const existing = findCondition(conditions, update.type);
  const lastTransitionTime = existing && existing.status === update.status ? existing.lastTransitionTime : conditionTime(now);
  const next: Condition = { ...update, lastTransitionTime };
  if (next.observedGeneration === undefined) delete next.observedGeneration;
  if (!existing) return [...(conditions ?? []), next];
  return (conditions ?? []).map((condition) => (condition === existing ? next : condition));
}

/** setCondition for several updates at once. */
export function setConditions(conditions: readonly Condition[] | undefined, updates: readonly ConditionUpdate[], now = new Date()): Condition[] {
  return updates.reduce<Condition[]>((merged, update) => setCondition(merged, update, now), [...(conditions ?? [])]);
}
