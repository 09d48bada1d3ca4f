// Negation normal form: `not` pushed down to the conditions with De Morgan's laws, `and`/`or`
// flattened. A negated condition stays a negated condition rather than becoming the opposite
// operator, because ECS gives them different meanings on instances that lack the attribute:
// `attribute:a != x` needs `a` to be present, `not(attribute:a == x)` does not.
import type { Condition, QueryExpression } from './query-ast.js';

export interface Literal {
  type: 'literal';
  condition: Condition;
  negated: boolean;
}

export interface Junction {
  type: 'and' | 'or';
  /** Two or more; none of them a junction of the same type. */
  operands: NormalForm[];
}

export type NormalForm = Literal | Junction;

export function toNormalForm(expr: QueryExpression, negated = false): NormalForm {
  switch (expr.type) {
    case 'not':
      return toNormalForm(expr.operand, !negated);
    case 'and':
    case 'or': {
      const type = negated === (expr.type === 'and') ? 'or' : 'and';
      const operands = [expr.left, expr.right]
        .map((operand) => toNormalForm(operand, negated))
        .flatMap((operand) => (operand.type === type ? operand.operands : [operand]));
      return { type, operands };
    }
    default:
      return { type: 'literal', condition: expr, negated };
  }
}

/** The parts of a top-level `and` (or the expression itself); each must hold on its own. */
export function conjuncts(form: NormalForm): NormalForm[] {
  return form.type === 'and' ? form.operands : [form];
}

export function literals(form: NormalForm): Literal[] {
  return form.type === 'literal' ? [form] : form.operands.flatMap(literals);
}

/** Back to a query, for messages: `printQuery(toQuery(f))` shows what a part of an expression says. */
export function toQuery(form: NormalForm): QueryExpression {
  if (form.type === 'literal') return form.negated ? { type: 'not', operand: form.condition } : form.condition;
  const [first, ...rest] = form.operands.map(toQuery);
  return rest.reduce<QueryExpression>((left, right) => ({ type: form.type, left, right }), first!);
}
