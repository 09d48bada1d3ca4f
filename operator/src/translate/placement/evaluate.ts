// Evaluation of a query against Nodes, for what node affinity cannot say (pattern matches, agent
// facts, running task counts, task groups under `or`). Semantics, shared with compile-constraints:
// - a condition on a fact the instance lacks is false (`!exists` aside); `not` is plain negation;
// - attribute values compare in label spelling (`x86_64` and `amd64` both mean the amd64 label),
//   patterns match the ECS spelling, anchored at both ends;
// - `task:group` is the set of groups of the non-terminated task pods on the node: `==`/`in`/`exists`
//   ask whether one of them is there, `!=`/`!in`/`!exists` whether none is, `=~` whether one matches;
// - ordering compares registeredAt as times, agentVersion as dotted versions and everything else
//   as integers, like Kubernetes Gt/Lt; values that do not compare satisfy no ordering.
import type { V1Node, V1Pod } from '@kubernetes/client-node';
import { ANNOTATIONS, LABELS } from '../labels.js';
import type { Condition, QueryExpression, QueryOperator, Subject } from './query-ast.js';
import { attributeLabelKey, attributeLabelValue, attributeValueOfLabel, groupLabelValue } from './node-labels.js';
import { toNormalForm, type NormalForm } from './normal-form.js';
import { compiledPattern } from './patterns.js';
import { isReady } from '../readiness.js';

export interface EvaluationContext {
  /** The Cluster's custom attribute → node label mapping. */
  attributeLabels?: Readonly<Record<string, string>>;
  /** The pods of the cluster's tasks, for `task:group` and `runningTasksCount`. */
  pods?: readonly V1Pod[];
}

interface TaskGroup {
  /** Value of the group label. */
  label: string;
  /** The ECS group text. */
  text: string;
}

interface NodeFacts {
  node: V1Node;
  groups: TaskGroup[];
  runningTasks: number;
}

const TERMINATED_PHASES = new Set(['Succeeded', 'Failed']);

function nodeFacts(nodes: readonly V1Node[], pods: readonly V1Pod[]): NodeFacts[] {
  const byNode = new Map<string, NodeFacts>();
  const facts = nodes.map((node): NodeFacts => ({ node, groups: [], runningTasks: 0 }));
  for (const fact of facts) byNode.set(fact.node.metadata?.name ?? '', fact);
  for (const pod of pods) {
    const fact = byNode.get(pod.spec?.nodeName ?? '');
    const phase = pod.status?.phase ?? '';
    if (fact === undefined || TERMINATED_PHASES.has(phase)) continue;
    if (phase === 'Running') fact.runningTasks++;
    const label = pod.metadata?.labels?.[LABELS.group];
    if (label !== undefined) fact.groups.push({ label, text: pod.metadata?.annotations?.[ANNOTATIONS.group] ?? label });
  }
  return facts;
}

/** Why `pattern` is not a valid regular expression, or undefined when it is. */
export function patternError(pattern: string): string | undefined {
  const compiled = compiledPattern(pattern);
  return compiled.ok ? undefined : compiled.message;
}

function matchesPattern(pattern: string, value: string): boolean {
  const compiled = compiledPattern(pattern);
  return compiled.ok && compiled.matches(value);
}

/** An integer as Kubernetes Gt/Lt read them (Go's ParseInt, sign allowed). */
export function isInteger(value: string): boolean {
  return /^[+-]?\d+$/.test(value);
}

const VERSION = /^v?(\d+(?:\.\d+)*)/i;

function compareVersions(a: string, b: string): number | undefined {
  const pa = VERSION.exec(a)?.[1]?.split('.').map(Number);
  const pb = VERSION.exec(b)?.[1]?.split('.').map(Number);
  if (pa === undefined || pb === undefined) return undefined;
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const difference = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (difference !== 0) return Math.sign(difference);
  }
  return 0;
}

/**
 * Sign of `a - b`, or undefined when the two do not compare: times for registeredAt, versions for
 * agentVersion, integers otherwise (as Kubernetes Gt/Lt, so that both ways agree).
 */
function compareValues(subject: Subject, a: string, b: string): number | undefined {
  if (subject.type === 'registeredAt') {
    const difference = Date.parse(a) - Date.parse(b);
    return Number.isNaN(difference) ? undefined : Math.sign(difference);
  }
  if (subject.type === 'agentVersion') return compareVersions(a, b);
  if (!isInteger(a) || !isInteger(b)) return undefined;
  const difference = BigInt(a) - BigInt(b);
  return difference > 0n ? 1 : difference < 0n ? -1 : 0;
}

const ORDERINGS: Readonly<Record<string, (sign: number) => boolean>> = {
  '>': (sign) => sign > 0,
  '>=': (sign) => sign >= 0,
  '<': (sign) => sign < 0,
  '<=': (sign) => sign <= 0,
};

function timestamp(value: Date | string | undefined): string | undefined {
  if (value === undefined) return undefined;
  return typeof value === 'string' ? value : value.toISOString();
}

/** A single-valued fact of a node in label spelling, or undefined when the node lacks it. */
function singleFact(subject: Subject, facts: NodeFacts, context: EvaluationContext): string | undefined {
  const { node } = facts;
  switch (subject.type) {
    case 'attribute': {
      const key = attributeLabelKey(subject.name, context.attributeLabels);
      return key.ok ? node.metadata?.labels?.[key.key] : undefined;
    }
    case 'ec2InstanceId':
      return node.metadata?.name;
    case 'agentConnected':
      return String(isReady(node));
    case 'agentVersion':
      return node.status?.nodeInfo?.kubeletVersion;
    case 'registeredAt':
      return timestamp(node.metadata?.creationTimestamp);
    case 'runningTasksCount':
      return String(facts.runningTasks);
    case 'task:group':
      return undefined;
  }
}

/** The negative operators hold where their positive counterpart does not. */
const POSITIVE_OF: Readonly<Partial<Record<QueryOperator, QueryOperator>>> = { '!=': '==', '!in': 'in', '!exists': 'exists', '!~': '=~' };

/**
 * Whether a condition holds for the values a node has for its subject: none or one for single-valued
 * subjects, any number for `task:group`. `values` are in label spelling, `texts` in ECS spelling.
 */
function holds(condition: Condition, operator: QueryOperator, values: readonly string[], texts: readonly string[], spell: (v: string) => string): boolean {
  if (condition.type === 'existence') return values.length > 0;
  if (condition.type === 'membership') return condition.values.some((v) => values.includes(spell(v)));
  const { value } = condition;
  if (operator === '==') return values.includes(spell(value));
  if (operator === '=~') return texts.some((text) => matchesPattern(value, text));
  const ordering = ORDERINGS[operator];
  return (
    ordering !== undefined &&
    values.some((v) => {
      const sign = compareValues(condition.subject, v, value);
      return sign !== undefined && ordering(sign);
    })
  );
}

function matchesCondition(condition: Condition, facts: NodeFacts, context: EvaluationContext): boolean {
  const { subject, operator } = condition;
  const positive = POSITIVE_OF[operator];
  if (subject.type === 'task:group') {
    const labels = facts.groups.map((g) => g.label);
    const texts = facts.groups.map((g) => g.text);
    const found = holds(condition, positive ?? operator, labels, texts, groupLabelValue);
    return positive === undefined ? found : !found;
  }
  const fact = singleFact(subject, facts, context);
  const values = fact === undefined ? [] : [fact];
  const texts = subject.type === 'attribute' ? values.map((v) => attributeValueOfLabel(subject.name, v)) : values;
  const spell = (value: string) => (subject.type === 'attribute' ? attributeLabelValue(subject.name, value) : value);
  if (positive === undefined) return holds(condition, operator, values, texts, spell);
  // A single-valued fact the node lacks fails every condition on it but `!exists`.
  return (fact !== undefined || operator === '!exists') && !holds(condition, positive, values, texts, spell);
}

function matchesForm(form: NormalForm, facts: NodeFacts, context: EvaluationContext): boolean {
  switch (form.type) {
    case 'literal':
      return matchesCondition(form.condition, facts, context) !== form.negated;
    case 'and':
      return form.operands.every((operand) => matchesForm(operand, facts, context));
    case 'or':
      return form.operands.some((operand) => matchesForm(operand, facts, context));
  }
}

/** The nodes on which every one of `forms` holds, in the order given. */
export function nodesMatchingAll(forms: readonly NormalForm[], nodes: readonly V1Node[], context: EvaluationContext): V1Node[] {
  return nodeFacts(nodes, context.pods ?? [])
    .filter((facts) => forms.every((form) => matchesForm(form, facts, context)))
    .map((facts) => facts.node);
}

/** Names of the nodes on which `ast` holds, sorted. */
export function evaluateOnNodes(ast: QueryExpression, nodes: readonly V1Node[], context: EvaluationContext = {}): string[] {
  return nodesMatchingAll([toNormalForm(ast)], nodes, context)
    .map((node) => node.metadata?.name ?? '')
    .sort();
}
