// Test helpers: Node and Pod builders, and a reference implementation of how kube-scheduler reads
// required node affinity, so tests can check that compiled affinity picks the nodes it should.
import type { V1Node, V1NodeAffinity, V1NodeSelectorRequirement, V1Pod } from '@kubernetes/client-node';
import type { PlacementConstraint } from '../../../operator/src/api/placement.js';
import type { ConstraintSource } from '../../../operator/src/translate/placement/index.js';

export function node(name: string, labels: Record<string, string> = {}, extra: Partial<V1Node> = {}): V1Node {
  return { ...extra, metadata: { name, labels, ...extra.metadata } };
}

export function pod(nodeName: string, labels: Record<string, string>, phase = 'Running', annotations?: Record<string, string>): V1Pod {
  return { metadata: { labels, ...(annotations ? { annotations } : {}) }, spec: { nodeName, containers: [] }, status: { phase } };
}

export function memberOf(...expressions: string[]): ConstraintSource[] {
  return [{ path: 'spec.placementConstraints', constraints: expressions.map((expression): PlacementConstraint => ({ type: 'memberOf', expression })) }];
}

/** Go's strconv.ParseInt on a label value, as the scheduler does for Gt and Lt. */
function parseInt64(value: string): bigint | undefined {
  if (!/^[+-]?\d+$/.test(value)) return undefined;
  const n = BigInt(value);
  return n >= -(2n ** 63n) && n < 2n ** 63n ? n : undefined;
}

function matchesRequirement(requirement: V1NodeSelectorRequirement, value: string | undefined): boolean {
  const values = requirement.values ?? [];
  switch (requirement.operator) {
    case 'In':
      return value !== undefined && values.includes(value);
    case 'NotIn':
      return value === undefined || !values.includes(value);
    case 'Exists':
      return value !== undefined;
    case 'DoesNotExist':
      return value === undefined;
    case 'Gt':
    case 'Lt': {
      const actual = value === undefined ? undefined : parseInt64(value);
      const bound = BigInt(values[0]!);
      if (actual === undefined) return false;
      return requirement.operator === 'Gt' ? actual > bound : actual < bound;
    }
    default:
      throw new Error(`operator ${requirement.operator}`);
  }
}

/** Names of the nodes that required node affinity admits, sorted. */
export function admittedNodes(nodeAffinity: V1NodeAffinity | undefined, nodes: readonly V1Node[]): string[] {
  const terms = nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  return nodes
    .filter((n) => {
      if (terms === undefined) return true;
      return terms.some((term) => {
        const expressions = term.matchExpressions ?? [];
        const fields = term.matchFields ?? [];
        if (expressions.length === 0 && fields.length === 0) return false;
        for (const field of fields) {
          if (field.key !== 'metadata.name' || field.values?.length !== 1) throw new Error('invalid matchFields');
        }
        return expressions.every((r) => matchesRequirement(r, n.metadata?.labels?.[r.key])) && fields.every((r) => matchesRequirement(r, n.metadata?.name));
      });
    })
    .map((n) => n.metadata?.name ?? '')
    .sort();
}
