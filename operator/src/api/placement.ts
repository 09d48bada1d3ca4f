// ECS placement constraints and strategies, as the ECS API spells them.

export type PlacementConstraintType = 'memberOf' | 'distinctInstance';

/** `memberOf` carries a cluster query language expression; `distinctInstance` has none. */
export interface PlacementConstraint {
  type: PlacementConstraintType;
  expression?: string;
}

export type PlacementStrategyType = 'spread' | 'binpack' | 'random';

/** spread: field `instanceId`, `host` or `attribute:NAME`; binpack: `cpu` or `memory`; random: no field. */
export interface PlacementStrategy {
  type: PlacementStrategyType;
  field?: string;
}
