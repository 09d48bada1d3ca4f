// Deterministic hashing: a pod template must hash the same on every reconcile, or every reconcile
// would start a rollout. Keys are sorted so that object construction order never matters.
import { createHash } from 'node:crypto';
import type { V1PodTemplateSpec } from '@kubernetes/client-node';
import { LABELS } from './labels.js';

/** JSON with object keys sorted at every level; `undefined` members are left out, as JSON.stringify does. */
export function stableStringify(value: unknown): string {
  return JSON.stringify(value, (_key, member: unknown) => {
    if (member === null || typeof member !== 'object' || Array.isArray(member)) return member;
    const record = member as Record<string, unknown>;
    return Object.fromEntries(
      Object.keys(record)
        .sort()
        .map((key) => [key, record[key]]),
    );
  });
}

/** First `length` hex digits of the SHA-256 of `text`. */
export function shortHash(text: string, length = 10): string {
  return createHash('sha256').update(text).digest('hex').slice(0, length);
}

/** Hash of a pod template, ignoring the template-hash label itself so that labelling does not change it. */
export function hashPodTemplate(template: V1PodTemplateSpec): string {
  const { [LABELS.templateHash]: _ignored, ...labels } = template.metadata?.labels ?? {};
  return shortHash(stableStringify({ ...template, metadata: { ...template.metadata, labels } }));
}
