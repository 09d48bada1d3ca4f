// Order and cycles in the small graphs of a task definition (dependsOn, volumesFrom). Nodes are
// container indices; `needs[i]` lists the nodes node i needs first.

export type Needs = ReadonlyArray<ReadonlyArray<number>>;

/** A cycle as the nodes along it, first node repeated at the end (`[0, 2, 0]`), or undefined. */
export function findCycle(needs: Needs): number[] | undefined {
  const state: Array<'open' | 'done' | undefined> = [];
  const trail: number[] = [];
  const visit = (node: number): number[] | undefined => {
    if (state[node] === 'done') return undefined;
    if (state[node] === 'open') return [...trail.slice(trail.indexOf(node)), node];
    state[node] = 'open';
    trail.push(node);
    for (const next of needs[node] ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    trail.pop();
    state[node] = 'done';
    return undefined;
  };
  for (let node = 0; node < needs.length; node += 1) {
    const cycle = visit(node);
    if (cycle) return cycle;
  }
  return undefined;
}

/**
 * `nodes` ordered so that each comes after what it needs (Kahn's algorithm); among nodes ready at the
 * same time the lower index comes first, so the order is deterministic. Needs outside `nodes` are
 * ignored; nodes caught in a cycle come last in index order.
 */
export function topologicalOrder(needs: Needs, nodes: readonly number[]): number[] {
  const members = new Set(nodes);
  const pending = new Map(nodes.map((node) => [node, new Set((needs[node] ?? []).filter((need) => members.has(need) && need !== node))]));
  const order: number[] = [];
  for (;;) {
    const ready = [...pending]
      .filter(([, waiting]) => waiting.size === 0)
      .map(([node]) => node)
      .sort((a, b) => a - b)[0];
    if (ready === undefined) break;
    order.push(ready);
    pending.delete(ready);
    for (const waiting of pending.values()) waiting.delete(ready);
  }
  return [...order, ...[...pending.keys()].sort((a, b) => a - b)];
}
