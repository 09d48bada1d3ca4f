import { expect } from 'chai';
import fc from 'fast-check';
import {
  BUILTIN_SUBJECTS,
  printQuery,
  type Condition,
  type ExistenceOperator,
  type ListOperator,
  type QueryExpression,
  type Subject,
  type ValueOperator,
} from '../../../operator/src/translate/placement/query-ast.js';
import { MAX_NESTING_DEPTH, parseQuery } from '../../../operator/src/translate/placement/query-parser.js';

function parsed(text: string): QueryExpression {
  const result = parseQuery(text);
  if (!result.ok) expect.fail(`${text}: ${result.error.message}`);
  return result.ast;
}

function syntaxError(text: string): { message: string; position: number } {
  const result = parseQuery(text);
  if (result.ok) expect.fail(`${text} parsed as ${printQuery(result.ast)}`);
  return result.error;
}

const attr = (name: string): Subject => ({ type: 'attribute', name });
const cmp = (subject: Subject, operator: ValueOperator, value: string): Condition => ({ type: 'comparison', subject, operator, value });
const list = (subject: Subject, operator: ListOperator, values: string[]): Condition => ({ type: 'membership', subject, operator, values });
const has = (subject: Subject, operator: ExistenceOperator): Condition => ({ type: 'existence', subject, operator });

describe('placement/query-parser', () => {
  describe('the examples of the ECS reference', () => {
    it('parses a pattern match and a comparison joined by and', () => {
      expect(parsed('attribute:ecs.instance-type =~ g2.* and attribute:ecs.availability-zone != us-east-1d')).to.deep.equal({
        type: 'and',
        left: cmp(attr('ecs.instance-type'), '=~', 'g2.*'),
        right: cmp(attr('ecs.availability-zone'), '!=', 'us-east-1d'),
      });
    });

    it('parses a task group with a colon in the bare value', () => {
      expect(parsed('task:group == service:production')).to.deep.equal(cmp({ type: 'task:group' }, '==', 'service:production'));
    });

    it('parses not(...)', () => {
      expect(parsed('not(task:group == database)')).to.deep.equal({
        type: 'not',
        operand: cmp({ type: 'task:group' }, '==', 'database'),
      });
    });

    it('parses a quoted list', () => {
      expect(parsed("ec2InstanceId in ['i-abcd1234', 'i-wxyx7890']")).to.deep.equal(list({ type: 'ec2InstanceId' }, 'in', ['i-abcd1234', 'i-wxyx7890']));
    });
  });

  describe('operators', () => {
    const valueOperators: [string, ValueOperator][] = [
      ['==', '=='],
      ['equals', '=='],
      ['!=', '!='],
      ['not_equals', '!='],
      ['>', '>'],
      ['greater_than', '>'],
      ['>=', '>='],
      ['greater_than_equal', '>='],
      ['<', '<'],
      ['less_than', '<'],
      ['<=', '<='],
      ['less_than_equal', '<='],
      ['=~', '=~'],
      ['matches', '=~'],
      ['!~', '!~'],
      ['not_matches', '!~'],
    ];
    for (const [spelling, operator] of valueOperators) {
      it(`reads '${spelling}' as ${operator}`, () => {
        expect(parsed(`runningTasksCount ${spelling} 3`)).to.deep.equal(cmp({ type: 'runningTasksCount' }, operator, '3'));
        expect(parsed(`attribute:x${/^[a-z]/.test(spelling) ? ' ' : ''}${spelling} 'v w'`)).to.deep.equal(cmp(attr('x'), operator, 'v w'));
      });
    }

    const listOperators: [string, ListOperator][] = [
      ['in', 'in'],
      ['!in', '!in'],
      ['not_in', '!in'],
    ];
    for (const [spelling, operator] of listOperators) {
      it(`reads '${spelling}' with a list`, () => {
        expect(parsed(`attribute:ecs.availability-zone ${spelling} [us-east-1a, "us-east-1b",'c']`)).to.deep.equal(
          list(attr('ecs.availability-zone'), operator, ['us-east-1a', 'us-east-1b', 'c']),
        );
        expect(parsed(`agentVersion ${spelling}[1.0]`)).to.deep.equal(list({ type: 'agentVersion' }, operator, ['1.0']));
      });
    }

    const existence: [string, ExistenceOperator][] = [
      ['exists', 'exists'],
      ['!exists', '!exists'],
      ['not_exists', '!exists'],
    ];
    for (const [spelling, operator] of existence) {
      it(`reads '${spelling}' without an argument`, () => {
        expect(parsed(`attribute:gpu ${spelling}`)).to.deep.equal(has(attr('gpu'), operator));
      });
    }

    it('reads symbolic operators without spaces around them', () => {
      expect(parsed('attribute:a==b&&attribute:c!=d')).to.deep.equal({
        type: 'and',
        left: cmp(attr('a'), '==', 'b'),
        right: cmp(attr('c'), '!=', 'd'),
      });
      expect(parsed('registeredAt>=2024-01-01T00:00:00Z')).to.deep.equal(cmp({ type: 'registeredAt' }, '>=', '2024-01-01T00:00:00Z'));
    });

    it('matches keywords, operator words and subjects in any case', () => {
      expect(parsed('NOT (EC2INSTANCEID EQUALS i-1 AND Task:Group In [a])')).to.deep.equal({
        type: 'not',
        operand: { type: 'and', left: cmp({ type: 'ec2InstanceId' }, '==', 'i-1'), right: list({ type: 'task:group' }, 'in', ['a']) },
      });
    });

    it('knows every subject', () => {
      for (const subject of BUILTIN_SUBJECTS) {
        expect(parsed(`${subject} exists`)).to.deep.equal(has({ type: subject }, 'exists'));
      }
      expect(parsed('attribute:Stack/Tier_2.a-b exists')).to.deep.equal(has(attr('Stack/Tier_2.a-b'), 'exists'));
    });
  });

  describe('values', () => {
    it('keeps bare values with . - * / : and = in them', () => {
      expect(parsed('attribute:a == x.y-z*/w:v=1')).to.deep.equal(cmp(attr('a'), '==', 'x.y-z*/w:v=1'));
    });

    it('ends a bare value at a parenthesis, a comma, a bracket, && or ||', () => {
      expect(parsed('(attribute:a == b)||attribute:c == d&&attribute:e exists')).to.deep.equal({
        type: 'or',
        left: cmp(attr('a'), '==', 'b'),
        right: { type: 'and', left: cmp(attr('c'), '==', 'd'), right: has(attr('e'), 'exists') },
      });
    });

    it('unescapes the quote and the backslash in quoted values and keeps other backslashes', () => {
      expect(parsed(String.raw`attribute:a =~ '\d+\'x\\'`)).to.deep.equal(cmp(attr('a'), '=~', "\\d+'x\\"));
      expect(parsed(String.raw`attribute:a == "say \"hi\" (and) or"`)).to.deep.equal(cmp(attr('a'), '==', 'say "hi" (and) or'));
      expect(parsed("attribute:a == ''")).to.deep.equal(cmp(attr('a'), '==', ''));
    });

    it('reads keywords in value position as values', () => {
      expect(parsed('attribute:a == and and attribute:b == or')).to.deep.equal({
        type: 'and',
        left: cmp(attr('a'), '==', 'and'),
        right: cmp(attr('b'), '==', 'or'),
      });
    });
  });

  describe('precedence', () => {
    it('binds not tighter than and, and tighter than or', () => {
      const a = has(attr('a'), 'exists');
      const b = has(attr('b'), 'exists');
      const c = has(attr('c'), 'exists');
      expect(parsed('attribute:a exists or attribute:b exists and attribute:c exists')).to.deep.equal({
        type: 'or',
        left: a,
        right: { type: 'and', left: b, right: c },
      });
      expect(parsed('not attribute:a exists and attribute:b exists')).to.deep.equal({
        type: 'and',
        left: { type: 'not', operand: a },
        right: b,
      });
      expect(parsed('!(attribute:a exists or attribute:b exists) and attribute:c exists')).to.deep.equal({
        type: 'and',
        left: { type: 'not', operand: { type: 'or', left: a, right: b } },
        right: c,
      });
    });

    it('groups and and or from the left', () => {
      const [a, b, c] = ['a', 'b', 'c'].map((n) => has(attr(n), 'exists'));
      expect(parsed('attribute:a exists and attribute:b exists and attribute:c exists')).to.deep.equal({
        type: 'and',
        left: { type: 'and', left: a, right: b },
        right: c,
      });
    });
  });

  describe('mistakes', () => {
    const cases: [string, string, number][] = [
      ['attribute:ecs.instance-type', "expected an operator after 'attribute:ecs.instance-type' at position 27", 27],
      ['', 'the expression is empty', 0],
      ['   ', 'the expression is empty', 0],
      ['attribute:a contains b', "expected an operator after 'attribute:a' at position 12, found 'contains'", 12],
      ['attribute:a = b', "expected an operator after 'attribute:a' at position 12, found '='", 12],
      ['attribute:a constructor b', "expected an operator after 'attribute:a' at position 12, found 'constructor'", 12],
      ['attribute:a !toString', "expected an operator after 'attribute:a' at position 12, found '!'", 12],
      ['attribute:a == ', "expected a value after '==' at position 15", 15],
      ['attribute:a in a', "expected a list such as '[a, b]' after 'in' at position 15, found 'a'", 15],
      ['attribute:a in []', "expected a value after '[' at position 16, found ']'", 16],
      ['attribute:a in [a b]', "expected ',' or ']' after 'a' at position 18, found 'b'", 18],
      ["attribute:a == 'open", "the quoted value starting at position 15 has no closing '", 15],
      [
        'instance == 1',
        "unknown subject 'instance' at position 0; subjects are attribute:NAME, ec2InstanceId, agentConnected, agentVersion, registeredAt, runningTasksCount, task:group",
        0,
      ],
      ['attribute: exists', "expected an attribute name of letters, digits, '-', '_', '/' or '.' after 'attribute:' at position 10, found 'exists'", 10],
      ['attribute:a exists and', "expected a condition such as 'attribute:NAME == VALUE' after 'and' at position 22", 22],
      ['not()', "expected a condition such as 'attribute:NAME == VALUE' after '(' at position 4, found ')'", 4],
      ['(attribute:a exists', "missing ')' at position 19 to close the '(' at position 0", 19],
      ['attribute:a exists)', "expected 'and', 'or' or the end of the expression at position 18, found ')'", 18],
      ['attribute:a exists attribute:b exists', "expected 'and', 'or' or the end of the expression at position 19, found 'attribute:b'", 19],
    ];
    for (const [text, message, position] of cases) {
      it(`explains ${JSON.stringify(text)}`, () => {
        expect(syntaxError(text)).to.deep.equal({ message, position });
      });
    }

    it('refuses more than 2000 characters', () => {
      const text = `attribute:a in [${Array.from({ length: 400 }, (_, i) => `v${i}`).join(', ')}]`;
      expect(text.length).to.be.greaterThan(2000);
      expect(syntaxError(text)).to.deep.equal({
        message: `the expression is ${text.length} characters long; at most 2000 are allowed`,
        position: 2000,
      });
    });

    it('refuses an attribute name longer than 128 characters', () => {
      expect(syntaxError(`attribute:${'a'.repeat(129)} exists`).position).to.equal(10);
    });

    it('refuses nesting deeper than the limit instead of overflowing the stack', () => {
      const depth = MAX_NESTING_DEPTH + 1;
      const text = `${'('.repeat(depth)}attribute:a exists${')'.repeat(depth)}`;
      expect(syntaxError(text).position).to.equal(MAX_NESTING_DEPTH);
      expect(parseQuery(`${'!'.repeat(MAX_NESTING_DEPTH)}attribute:a exists`).ok).to.equal(true);
    });
  });

  describe('properties', () => {
    const anyValue = fc.oneof(
      fc.string({ minLength: 1, maxLength: 12 }),
      fc.string({ unit: 'grapheme', maxLength: 8 }),
      fc.constantFrom('g2.*', 'us-east-1d', 'service:web', 'a&&b', 'x||y', "it's", '\\'),
    );
    const subject: fc.Arbitrary<Subject> = fc.oneof(
      fc.stringMatching(/^[A-Za-z0-9\-_/.]{1,20}$/).map((name) => ({ type: 'attribute' as const, name })),
      fc.constantFrom(...BUILTIN_SUBJECTS).map((type) => ({ type })),
    );
    const condition: fc.Arbitrary<Condition> = fc.oneof(
      fc.record({
        type: fc.constant('comparison' as const),
        subject,
        operator: fc.constantFrom<ValueOperator>('==', '!=', '>', '>=', '<', '<=', '=~', '!~'),
        value: anyValue,
      }),
      fc.record({
        type: fc.constant('membership' as const),
        subject,
        operator: fc.constantFrom<ListOperator>('in', '!in'),
        values: fc.array(anyValue, { minLength: 1, maxLength: 3 }),
      }),
      fc.record({ type: fc.constant('existence' as const), subject, operator: fc.constantFrom<ExistenceOperator>('exists', '!exists') }),
    );
    const expression = fc.letrec<{ expr: QueryExpression }>((tie) => ({
      expr: fc.oneof(
        { maxDepth: 6, depthIdentifier: 'query' },
        condition,
        fc.record({ type: fc.constant('and' as const), left: tie('expr'), right: tie('expr') }),
        fc.record({ type: fc.constant('or' as const), left: tie('expr'), right: tie('expr') }),
        fc.record({ type: fc.constant('not' as const), operand: tie('expr') }),
      ),
    })).expr;

    it('parses a printed expression back to the same tree', () => {
      fc.assert(
        fc.property(expression, (ast) => {
          const text = printQuery(ast);
          fc.pre(text.length <= 2000);
          const result = parseQuery(text);
          expect(result, text).to.deep.equal({ ok: true, ast });
        }),
        { numRuns: 500 },
      );
    });

    it('prints the canonical form of what it parsed as a fixed point', () => {
      fc.assert(
        fc.property(expression, (ast) => {
          const text = printQuery(ast);
          fc.pre(text.length <= 2000);
          const again = parseQuery(text);
          expect(again.ok && printQuery(again.ast)).to.equal(text);
        }),
      );
    });

    const queryish = fc
      .array(
        fc.oneof(
          fc.constantFrom(
            'attribute:',
            'a',
            'task:group',
            'ec2InstanceId',
            ' ',
            '==',
            '!',
            '!=',
            'in',
            '[',
            ']',
            ',',
            '(',
            ')',
            "'",
            '"',
            '\\',
            'and',
            'or',
            'not',
            '&&',
            '||',
            'exists',
            '=~',
            '>',
            'constructor',
            '__proto__',
          ),
          fc.string({ maxLength: 3 }),
        ),
        { maxLength: 40 },
      )
      .map((parts) => parts.join(''));

    it('never throws, and points inside the text or at its end', () => {
      fc.assert(
        fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), queryish), (text) => {
          const result = parseQuery(text);
          if (!result.ok) {
            expect(result.error.position).to.be.within(0, text.length);
            expect(result.error.message).to.be.a('string').and.not.equal('');
          }
        }),
        { numRuns: 2000 },
      );
    });
  });
});
