// Placement of one task's pod: ECS constraints and strategies → the scheduling fields of a pod spec.
// Pure: the controller passes the Nodes (and task Pods) when `nodeEvaluated` says the result depends
// on them, and compiles again when they change.
import type { V1Affinity, V1Node, V1Pod, V1TopologySpreadConstraint } from '@kubernetes/client-node';
import type { Issue } from '../issues.js';
import { compileConstraints, type ConstraintSource, type NodeEvaluatedPart } from './compile-constraints.js';
import { compileStrategies, type StrategySource } from './compile-strategies.js';

export interface PlacementInput {
  /** The task definition's constraints (with `fromTaskDefinition`) and the task's or service's. */
  constraints?: readonly ConstraintSource[];
  /** The task's or service's strategies; absent or empty: ECS's default spread over zones, then instances. */
  strategies?: StrategySource;
  /** The Cluster's custom attribute → node label mapping (`spec.attributeLabels`). */
  attributeLabels?: Readonly<Record<string, string>>;
  /** Labels that select the sibling pods: the service's, or for standalone tasks the task group's. */
  selectorLabels: Readonly<Record<string, string>>;
  /** Labels every task pod of the cluster has, narrowing `task:group` to the cluster. */
  clusterLabels?: Readonly<Record<string, string>>;
  /** A scheduler named by the Task, Service or Cluster; overrides the binpack and random profiles. */
  schedulerName?: string;
  /** The cluster's container instances, for what is evaluated on nodes. */
  nodes?: readonly V1Node[];
  /** The cluster's task pods, for `task:group` and `runningTasksCount` evaluated on nodes. */
  pods?: readonly V1Pod[];
}

export interface PlacementResult {
  affinity?: V1Affinity;
  topologySpreadConstraints?: V1TopologySpreadConstraint[];
  schedulerName?: string;
  /** Whether the result depends on `nodes`: compile again when nodes or their labels change. */
  nodeEvaluated: boolean;
  /** Whether the result also depends on `pods`: compile again when task pods come, go or move. */
  podEvaluated: boolean;
  /** The expression parts evaluated on nodes, for status and events. */
  evaluatedParts: NodeEvaluatedPart[];
  warnings: Issue[];
  errors: Issue[];
}

export function compilePlacement(input: PlacementInput): PlacementResult {
  const constraints = compileConstraints(input.constraints ?? [], input);
  const strategies = compileStrategies(input.strategies, input);
  const affinity: V1Affinity = {};
  if (constraints.nodeAffinity) affinity.nodeAffinity = constraints.nodeAffinity;
  if (constraints.podAffinity) affinity.podAffinity = constraints.podAffinity;
  if (constraints.podAntiAffinity) affinity.podAntiAffinity = constraints.podAntiAffinity;
  const result: PlacementResult = {
    nodeEvaluated: constraints.nodeEvaluated.length > 0,
    podEvaluated: constraints.dependsOnPods,
    evaluatedParts: constraints.nodeEvaluated,
    warnings: [...constraints.warnings, ...strategies.warnings],
    errors: [...constraints.errors, ...strategies.errors],
  };
  if (Object.keys(affinity).length > 0) result.affinity = affinity;
  if (strategies.topologySpreadConstraints) result.topologySpreadConstraints = strategies.topologySpreadConstraints;
  if (strategies.schedulerName !== undefined) result.schedulerName = strategies.schedulerName;
  return result;
}

export { compileConstraints, MAX_NODE_SELECTOR_TERMS, MAX_PLACEMENT_CONSTRAINTS } from './compile-constraints.js';
export type { CompiledConstraints, ConstraintContext, ConstraintSource, NodeEvaluatedPart } from './compile-constraints.js';
export { compileStrategies, MAX_PLACEMENT_STRATEGIES } from './compile-strategies.js';
export type { CompiledStrategies, StrategyContext, StrategySource } from './compile-strategies.js';
export { evaluateOnNodes, type EvaluationContext } from './evaluate.js';
export { BUILTIN_ATTRIBUTE_LABELS, NODE_LABELS, attributeLabelKey, attributeLabelValue, groupLabelValue } from './node-labels.js';
export { printQuery } from './query-ast.js';
export type { Condition, QueryExpression, Subject } from './query-ast.js';
export { MAX_EXPRESSION_LENGTH, parseQuery, type ParseResult, type QuerySyntaxError } from './query-parser.js';
export { constraintSources, explainUnplaced, unplacedReasons, type UnplacedInput } from './unplaced.js';
export {
  DEFAULT_SCHEDULER_NAME,
  SCHEDULER_NAMES,
  kubeSchedulerConfiguration,
  schedulerProfiles,
  type KubeSchedulerConfiguration,
  type KubeSchedulerProfile,
} from './scheduler-profiles.js';
