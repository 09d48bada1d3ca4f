// The syntax tree of the ECS cluster query language, and the canonical printer.
// Canonical form: symbolic operators, `and`/`or`, `not(...)`, `[a, b]` lists, values bare
// where the parser reads them back unchanged and single-quoted otherwise.

/** Subjects other than `attribute:NAME`, in their canonical spelling. */
export const BUILTIN_SUBJECTS = ['ec2InstanceId', 'agentConnected', 'agentVersion', 'registeredAt', 'runningTasksCount', 'task:group'] as const;
export type BuiltinSubject = (typeof BUILTIN_SUBJECTS)[number];

export type Subject = { type: 'attribute'; name: string } | { type: BuiltinSubject };

export type ValueOperator = '==' | '!=' | '>' | '>=' | '<' | '<=' | '=~' | '!~';
export type ListOperator = 'in' | '!in';
export type ExistenceOperator = 'exists' | '!exists';
export type QueryOperator = ValueOperator | ListOperator | ExistenceOperator;

/** `subject op value`, e.g. `attribute:ecs.instance-type == t3.large`. */
export interface Comparison {
  type: 'comparison';
  subject: Subject;
  operator: ValueOperator;
  value: string;
}

/** `subject in [a, b]` or `subject !in [a, b]`; at least one value. */
export interface Membership {
  type: 'membership';
  subject: Subject;
  operator: ListOperator;
  values: string[];
}

/** `subject exists` or `subject !exists`. */
export interface Existence {
  type: 'existence';
  subject: Subject;
  operator: ExistenceOperator;
}

export type Condition = Comparison | Membership | Existence;

export interface Conjunction {
  type: 'and';
  left: QueryExpression;
  right: QueryExpression;
}

export interface Disjunction {
  type: 'or';
  left: QueryExpression;
  right: QueryExpression;
}

export interface Negation {
  type: 'not';
  operand: QueryExpression;
}

/** `and`/`or` are binary and left-associative, as parsed: `a and b and c` is `(a and b) and c`. */
export type QueryExpression = Condition | Conjunction | Disjunction | Negation;

/** Word spellings of the operators (matched case-insensitively), mapped to the canonical symbol. */
export const OPERATOR_WORDS: ReadonlyMap<string, QueryOperator> = new Map([
  ['equals', '=='],
  ['not_equals', '!='],
  ['greater_than', '>'],
  ['greater_than_equal', '>='],
  ['less_than', '<'],
  ['less_than_equal', '<='],
  ['exists', 'exists'],
  ['not_exists', '!exists'],
  ['in', 'in'],
  ['not_in', '!in'],
  ['matches', '=~'],
  ['not_matches', '!~'],
]);

/**
 * Characters that end a bare (unquoted) value. `&&` and `||` end one too.
 * Everything else may appear bare, e.g. `g2.*`, `us-east-1d`, `service:production`.
 */
export const BARE_VALUE_STOP = /[\s()[\],'"]/;

export function isBareValue(value: string): boolean {
  return value !== '' && !BARE_VALUE_STOP.test(value) && !value.includes('&&') && !value.includes('||');
}

export function printSubject(subject: Subject): string {
  return subject.type === 'attribute' ? `attribute:${subject.name}` : subject.type;
}

function printValue(value: string): string {
  if (isBareValue(value)) return value;
  return `'${value.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
}

function printCondition(condition: Condition): string {
  const head = `${printSubject(condition.subject)} ${condition.operator}`;
  switch (condition.type) {
    case 'comparison':
      return `${head} ${printValue(condition.value)}`;
    case 'membership':
      return `${head} [${condition.values.map(printValue).join(', ')}]`;
    case 'existence':
      return head;
  }
}

/** Operands of a binary operator get parentheses when they bind looser, or equally on the right. */
function printOperand(expr: QueryExpression, parent: 'and' | 'or', side: 'left' | 'right'): string {
  const text = printQuery(expr);
  const loose = expr.type === 'or' && parent === 'and';
  const sameOnRight = expr.type === parent && side === 'right';
  return loose || sameOnRight ? `(${text})` : text;
}

/** The canonical text of an expression; `parseQuery(printQuery(e))` gives `e` back. */
export function printQuery(expr: QueryExpression): string {
  switch (expr.type) {
    case 'and':
    case 'or':
      return `${printOperand(expr.left, expr.type, 'left')} ${expr.type} ${printOperand(expr.right, expr.type, 'right')}`;
    case 'not':
      return `not(${printQuery(expr.operand)})`;
    default:
      return printCondition(expr);
  }
}
