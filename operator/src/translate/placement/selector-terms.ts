// Required node affinity in disjunctive normal form, as an algebra: terms (every requirement of a
// term must hold) of which any one may hold, combined with `allOf` and `anyOf` under a size limit.
import type { V1Node, V1NodeSelectorRequirement, V1NodeSelectorTerm } from '@kubernetes/client-node';
import { stableStringify } from '../hash.js';
import { NODE_LABELS } from './node-labels.js';

/** A nodeSelectorTerm in the making: every requirement must hold. */
export interface Term {
  expressions: V1NodeSelectorRequirement[];
  fields: V1NodeSelectorRequirement[];
}

/** Disjunctive normal form: any term may hold. `[]` holds nowhere; a term without requirements everywhere. */
export type Terms = Term[];

export const ANYWHERE: Terms = [{ expressions: [], fields: [] }];
export const NOWHERE: Terms = [];
const NODE_NAME_FIELD = 'metadata.name';

export function requirement(key: string, operator: string, values?: string[]): V1NodeSelectorRequirement {
  return values === undefined ? { key, operator } : { key, operator, values };
}

export const label = (key: string, operator: string, values?: string[]): Term => ({ expressions: [requirement(key, operator, values)], fields: [] });
export const nodeName = (operator: 'In' | 'NotIn', name: string): Term => ({ expressions: [], fields: [requirement(NODE_NAME_FIELD, operator, [name])] });

export function unique<T>(items: readonly T[]): T[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    const key = stableStringify(item);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export function isEverywhere(terms: Terms): boolean {
  return terms.some((term) => term.expressions.length === 0 && term.fields.length === 0);
}

export function anyOf(a: Terms, b: Terms, limit: number): Terms | undefined {
  if (isEverywhere(a) || isEverywhere(b)) return ANYWHERE;
  const terms = unique([...a, ...b]);
  return terms.length > limit ? undefined : terms;
}

export function allOf(a: Terms, b: Terms, limit: number): Terms | undefined {
  if (a.length * b.length > limit) return undefined;
  return unique(a.flatMap((x) => b.map((y) => ({ expressions: unique([...x.expressions, ...y.expressions]), fields: unique([...x.fields, ...y.fields]) }))));
}

/**
 * Terms that select exactly `matching` among `nodes`: one hostname label requirement for the nodes
 * whose hostname label no other node shares, and a node name term for each of the others.
 */
export function nodeSetTerms(matching: readonly V1Node[], nodes: readonly V1Node[]): Terms {
  const hostname = (node: V1Node) => node.metadata?.labels?.[NODE_LABELS.hostname];
  const others = new Set(nodes.filter((node) => !matching.includes(node)).map(hostname));
  const byHostname = matching.filter((node) => hostname(node) !== undefined && !others.has(hostname(node)));
  const byName = matching.filter((node) => !byHostname.includes(node));
  const hostnames = [...new Set(byHostname.map((node) => hostname(node)!))].sort();
  return [
    ...(hostnames.length > 0 ? [label(NODE_LABELS.hostname, 'In', hostnames)] : []),
    ...byName
      .map((node) => node.metadata?.name ?? '')
      .sort()
      .map((name) => nodeName('In', name)),
  ];
}

/** A term no node satisfies, for constraints nothing can meet: the pod stays Pending, as ECS keeps the task. */
const UNSATISFIABLE: Term = {
  expressions: [requirement(NODE_LABELS.hostname, 'Exists'), requirement(NODE_LABELS.hostname, 'DoesNotExist')],
  fields: [],
};

/** The Kubernetes form; no terms at all becomes a term no node satisfies, so the pod stays Pending. */
export function toNodeSelectorTerms(terms: Terms): V1NodeSelectorTerm[] {
  return (terms.length === 0 ? [UNSATISFIABLE] : terms).map((term) => ({
    ...(term.expressions.length > 0 ? { matchExpressions: term.expressions } : {}),
    ...(term.fields.length > 0 ? { matchFields: term.fields } : {}),
  }));
}
