// ECS placement constraints → required node affinity, pod affinity and pod anti-affinity.
//
// All constraints (task definition and task or service) must hold, so their expressions are one
// conjunction. In negation normal form, each top-level conjunct goes one of three ways:
// - a lone `task:group` condition becomes a required pod (anti-)affinity term on the hostname;
// - what node selector requirements can say becomes disjunctive normal form: `or` as separate
//   nodeSelectorTerms, `and` within a term, every conjunct multiplied into every term;
// - the rest (patterns, agent facts, task groups under `or`, expressions that expand past
//   MAX_NODE_SELECTOR_TERMS terms) is evaluated against the current nodes, and the matching nodes
//   are named in every term, so the controller must recompile when nodes or task pods change.
import type { V1LabelSelector, V1Node, V1NodeAffinity, V1PodAffinity, V1PodAffinityTerm, V1PodAntiAffinity } from '@kubernetes/client-node';
import type { PlacementConstraint } from '../../api/placement.js';
import { IssueLog, type Issue } from '../issues.js';
import { LABELS } from '../labels.js';
import { isLabelValue, toDnsSubdomain } from '../names.js';
import { isInteger, nodesMatchingAll, patternError, type EvaluationContext } from './evaluate.js';
import { NODE_LABELS, attributeLabelKey, attributeLabelValue, groupLabelValue } from './node-labels.js';
import { conjuncts, literals, toNormalForm, toQuery, type Literal, type NormalForm } from './normal-form.js';
import { printQuery, type Comparison, type Condition, type QueryOperator } from './query-ast.js';
import { parseQuery } from './query-parser.js';
import {
  ANYWHERE,
  NOWHERE,
  allOf,
  anyOf,
  isEverywhere,
  label,
  nodeName,
  nodeSetTerms,
  requirement,
  toNodeSelectorTerms,
  unique,
  type Terms,
} from './selector-terms.js';

/** ECS allows at most 10 constraints on a task, its task definition's included. */
export const MAX_PLACEMENT_CONSTRAINTS = 10;
/** A conjunct whose normal form needs more nodeSelectorTerms than this is evaluated on nodes instead. */
export const MAX_NODE_SELECTOR_TERMS = 32;

export interface ConstraintSource {
  /** Where the list is in the resource, e.g. `spec.placementConstraints`; issues name `PATH[i].expression`. */
  path: string;
  constraints: readonly PlacementConstraint[];
  /** A task definition's constraints, where ECS refuses distinctInstance. */
  fromTaskDefinition?: boolean;
}

export interface ConstraintContext extends EvaluationContext {
  /** Labels of the sibling pods distinctInstance keeps apart: the service's, or the task group's. */
  selectorLabels: Readonly<Record<string, string>>;
  /** Labels every task pod of the cluster has, added to `task:group` selectors (e.g. the cluster label). */
  clusterLabels?: Readonly<Record<string, string>>;
  /** The cluster's container instances, for what is evaluated on nodes. Absent: no node qualifies yet. */
  nodes?: readonly V1Node[];
}

/** A conjunct of a constraint's expression that was evaluated against nodes. */
export interface NodeEvaluatedPart {
  path: string;
  expression: string;
}

export interface CompiledConstraints {
  nodeAffinity?: V1NodeAffinity;
  podAffinity?: V1PodAffinity;
  podAntiAffinity?: V1PodAntiAffinity;
  /** Parts evaluated on `nodes`: recompile when nodes (or, with `dependsOnPods`, task pods) change. */
  nodeEvaluated: NodeEvaluatedPart[];
  /** Whether the evaluated parts look at task pods (`task:group`, `runningTasksCount`). */
  dependsOnPods: boolean;
  warnings: Issue[];
  errors: Issue[];
}

function conditionValues(condition: Condition): string[] {
  if (condition.type === 'membership') return condition.values;
  return condition.type === 'comparison' ? [condition.value] : [];
}

const isNodeName = (name: string) => name !== '' && toDnsSubdomain(name) === name;

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
/** The Gt/Lt requirement for an ordering on an integer, as ECS operators on label values. */
function ordering(operator: string, n: bigint): { operator: 'Gt' | 'Lt'; bound: bigint } | undefined {
  switch (operator) {
    case '>':
      return { operator: 'Gt', bound: n };
    case '>=':
      return { operator: 'Gt', bound: n - 1n };
    case '<':
      return { operator: 'Lt', bound: n };
    case '<=':
      return { operator: 'Lt', bound: n + 1n };
    default:
      return undefined;
  }
}

/**
 * An attribute condition as terms, or undefined when labels cannot say it. Values that are no label
 * value can be on no node. A negated condition also holds where the label is missing.
 */
function attributeTerms(condition: Condition, name: string, key: string, negated: boolean): Terms | undefined {
  const spelled = (values: string[]) => [...new Set(values.map((v) => attributeLabelValue(name, v)))].filter(isLabelValue);
  const present = label(key, 'Exists');
  const missing = label(key, 'DoesNotExist');
  const among = (values: string[]): Terms => (values.length === 0 ? NOWHERE : [label(key, 'In', values)]);
  const notAmong = (values: string[]): Terms => (values.length === 0 ? ANYWHERE : [label(key, 'NotIn', values)]);
  const presentNotAmong = (values: string[]): Terms =>
    values.length === 0 ? [present] : [{ expressions: [...present.expressions, requirement(key, 'NotIn', values)], fields: [] }];
  switch (condition.operator) {
    case 'exists':
    case '!exists':
      return (condition.operator === 'exists') !== negated ? [present] : [missing];
    case '==':
    case 'in': {
      const values = spelled(conditionValues(condition));
      return negated ? notAmong(values) : among(values);
    }
    case '!=':
    case '!in': {
      const values = spelled(conditionValues(condition));
      return negated ? [missing, ...among(values)] : presentNotAmong(values);
    }
    case '=~':
    case '!~':
      return undefined;
    default:
      return orderingTerms(condition, key, negated);
  }
}

/**
 * `>`, `>=`, `<`, `<=` compare integers only, as Gt and Lt do: other arguments hold nowhere. The
 * negation holds on labels that are no integer, which no requirement can say, so it is evaluated.
 */
function orderingTerms(condition: Comparison, key: string, negated: boolean): Terms | undefined {
  if (!isInteger(condition.value)) return negated ? ANYWHERE : NOWHERE;
  const bound = ordering(condition.operator, BigInt(condition.value));
  if (negated || bound === undefined || bound.bound < INT64_MIN || bound.bound > INT64_MAX) return undefined;
  return [label(key, bound.operator, [String(bound.bound)])];
}

/** An ec2InstanceId condition on the node name; matchFields takes one name per requirement. */
function instanceIdTerms(condition: Condition, negated: boolean): Terms | undefined {
  const names = (values: string[]) => [...new Set(values)].filter(isNodeName);
  switch (condition.operator) {
    case 'exists':
    case '!exists':
      return (condition.operator === 'exists') !== negated ? ANYWHERE : NOWHERE;
    case '==':
    case 'in':
    case '!=':
    case '!in': {
      const values = names(conditionValues(condition));
      const wanted = (condition.operator === '==' || condition.operator === 'in') !== negated;
      if (wanted) return values.map((name) => nodeName('In', name));
      return [{ expressions: [], fields: values.flatMap((name) => nodeName('NotIn', name).fields) }];
    }
    default:
      return undefined;
  }
}

function literalTerms(literal: Literal, context: ConstraintContext): Terms | undefined {
  const { condition, negated } = literal;
  const { subject } = condition;
  if (subject.type === 'ec2InstanceId') return instanceIdTerms(condition, negated);
  if (subject.type !== 'attribute') return undefined;
  const key = attributeLabelKey(subject.name, context.attributeLabels);
  return key.ok ? attributeTerms(condition, subject.name, key.key, negated) : undefined;
}

type FormTerms = { terms: Terms } | { evaluate: 'inexpressible' | 'too-large' };

function formTerms(form: NormalForm, context: ConstraintContext): FormTerms {
  if (form.type === 'literal') {
    const terms = literalTerms(form, context);
    return terms === undefined ? { evaluate: 'inexpressible' } : { terms };
  }
  const combine = form.type === 'and' ? allOf : anyOf;
  let terms = form.type === 'and' ? ANYWHERE : NOWHERE;
  for (const operand of form.operands) {
    const part = formTerms(operand, context);
    if (!('terms' in part)) return part;
    const next = combine(terms, part.terms, MAX_NODE_SELECTOR_TERMS);
    if (next === undefined) return { evaluate: 'too-large' };
    terms = next;
  }
  return { terms };
}

/** Operators that ask whether a group is on the instance (true) or that none is (false). */
const GROUP_PRESENCE: Readonly<Partial<Record<QueryOperator, boolean>>> = {
  '==': true,
  in: true,
  exists: true,
  '!=': false,
  '!in': false,
  '!exists': false,
};

/** A lone task:group condition as a pod (anti-)affinity term; undefined for patterns and orderings. */
function taskGroupTerm(literal: Literal, context: ConstraintContext): { kind: 'affinity' | 'antiAffinity'; term: V1PodAffinityTerm } | undefined {
  const { condition, negated } = literal;
  const positive = GROUP_PRESENCE[condition.operator];
  if (positive === undefined) return undefined;
  const selector: V1LabelSelector = {
    matchExpressions: [
      condition.type === 'existence'
        ? { key: LABELS.group, operator: 'Exists' }
        : { key: LABELS.group, operator: 'In', values: [...new Set(conditionValues(condition).map(groupLabelValue))] },
    ],
  };
  if (context.clusterLabels !== undefined && Object.keys(context.clusterLabels).length > 0) {
    selector.matchLabels = { ...context.clusterLabels };
  }
  return { kind: positive !== negated ? 'affinity' : 'antiAffinity', term: { labelSelector: selector, topologyKey: NODE_LABELS.hostname } };
}

interface Conjunct {
  form: NormalForm;
  path: string;
}

/** Parses the memberOf expressions and checks every constraint; the conjuncts of the valid expressions. */
function readConstraints(sources: readonly ConstraintSource[], context: ConstraintContext, log: IssueLog) {
  const conjunctList: Conjunct[] = [];
  let distinctInstance = false;
  let count = 0;
  for (const source of sources) {
    source.constraints.forEach((constraint, index) => {
      const path = `${source.path}[${index}]`;
      if (++count === MAX_PLACEMENT_CONSTRAINTS + 1) {
        log.error(path, `a task takes at most ${MAX_PLACEMENT_CONSTRAINTS} placement constraints, its task definition's included`);
      }
      switch (constraint.type) {
        case 'distinctInstance':
          if (source.fromTaskDefinition) log.error(`${path}.type`, 'distinctInstance is not allowed in a task definition; set it on the task or service');
          if (constraint.expression !== undefined && constraint.expression !== '') {
            log.error(`${path}.expression`, 'distinctInstance takes no expression');
          }
          if (Object.keys(context.selectorLabels).length === 0) {
            log.error(`${path}.type`, 'distinctInstance needs the labels of the service or task group to keep apart');
          }
          distinctInstance = true;
          return;
        case 'memberOf': {
          const expressionPath = `${path}.expression`;
          if (constraint.expression === undefined) return log.error(expressionPath, 'memberOf needs an expression');
          const parsed = parseQuery(constraint.expression);
          if (!parsed.ok) return log.error(expressionPath, parsed.error.message);
          const form = toNormalForm(parsed.ast);
          if (checkLiterals(form, context, expressionPath, log)) {
            conjunctList.push(...conjuncts(form).map((part) => ({ form: part, path: expressionPath })));
          }
          return;
        }
        default:
          log.error(`${path}.type`, `unknown placement constraint type '${String(constraint.type)}'; expected memberOf or distinctInstance`);
      }
    });
  }
  return { conjunctList, distinctInstance };
}

/** Attribute names must map to label keys and patterns must compile; false when one does not. */
function checkLiterals(form: NormalForm, context: ConstraintContext, path: string, log: IssueLog): boolean {
  let valid = true;
  for (const { condition } of literals(form)) {
    if (condition.subject.type === 'attribute') {
      const key = attributeLabelKey(condition.subject.name, context.attributeLabels);
      if (!key.ok) {
        log.error(path, key.message);
        valid = false;
      }
    }
    if (condition.type === 'comparison' && (condition.operator === '=~' || condition.operator === '!~')) {
      const problem = patternError(condition.value);
      if (problem !== undefined) {
        log.error(path, `'${condition.value}' is not a valid regular expression: ${problem}`);
        valid = false;
      }
    }
  }
  return valid;
}

export function compileConstraints(sources: readonly ConstraintSource[], context: ConstraintContext): CompiledConstraints {
  const log = new IssueLog();
  const { conjunctList, distinctInstance } = readConstraints(sources, context, log);
  const affinity: V1PodAffinityTerm[] = [];
  const antiAffinity: V1PodAffinityTerm[] = [];
  if (distinctInstance) antiAffinity.push({ labelSelector: { matchLabels: { ...context.selectorLabels } }, topologyKey: NODE_LABELS.hostname });

  let terms = ANYWHERE;
  const evaluated: Conjunct[] = [];
  const evaluateLater = (conjunct: Conjunct, why?: string) => {
    evaluated.push(conjunct);
    if (why !== undefined) log.warn(conjunct.path, `'${printQuery(toQuery(conjunct.form))}' ${why}; it is evaluated against the current nodes instead`);
  };
  const tooLarge = `expands to more than ${MAX_NODE_SELECTOR_TERMS} node selector terms`;
  for (const conjunct of conjunctList) {
    const { form } = conjunct;
    const podTerm = form.type === 'literal' && form.condition.subject.type === 'task:group' ? taskGroupTerm(form, context) : undefined;
    if (podTerm !== undefined) {
      (podTerm.kind === 'affinity' ? affinity : antiAffinity).push(podTerm.term);
      continue;
    }
    const compiled = formTerms(form, context);
    if (!('terms' in compiled)) {
      evaluateLater(conjunct, compiled.evaluate === 'too-large' ? tooLarge : undefined);
      continue;
    }
    if (compiled.terms.length === 0) {
      log.warn(conjunct.path, `no node can ever satisfy '${printQuery(toQuery(form))}'; tasks stay PENDING`);
    }
    const next = allOf(terms, compiled.terms, MAX_NODE_SELECTOR_TERMS);
    if (next === undefined) evaluateLater(conjunct, `together with the other constraints ${tooLarge}`);
    else terms = next;
  }

  if (evaluated.length > 0) {
    const nodes = context.nodes ?? [];
    const matching = nodesMatchingAll(
      evaluated.map((c) => c.form),
      nodes,
      context,
    );
    terms = allOf(terms, nodeSetTerms(matching, nodes), Number.POSITIVE_INFINITY)!;
  }

  const result: CompiledConstraints = {
    nodeEvaluated: evaluated.map((c) => ({ path: c.path, expression: printQuery(toQuery(c.form)) })),
    dependsOnPods: evaluated.some((c) =>
      literals(c.form).some((l) => l.condition.subject.type === 'task:group' || l.condition.subject.type === 'runningTasksCount'),
    ),
    warnings: log.warnings,
    errors: log.errors,
  };
  if (!isEverywhere(terms)) {
    result.nodeAffinity = { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: toNodeSelectorTerms(terms) } };
  }
  if (affinity.length > 0) result.podAffinity = { requiredDuringSchedulingIgnoredDuringExecution: unique(affinity) };
  if (antiAffinity.length > 0) result.podAntiAffinity = { requiredDuringSchedulingIgnoredDuringExecution: unique(antiAffinity) };
  return result;
}
