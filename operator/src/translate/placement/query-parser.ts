// Parser of the ECS cluster query language (the `expression` of a memberOf constraint).
//
//   expression := or
//   or         := and (('or' | '||') and)*
//   and        := unary (('and' | '&&') unary)*
//   unary      := ('not' | '!') unary | '(' or ')' | condition
//   condition  := subject operator [value | list]
//
// Scanning depends on context (a bare value may hold `:`, `*`, `!`, `=`...), so the parser
// reads the text directly instead of through a separate token stream. Keywords, operator
// words and subject names match case-insensitively; attribute names and values keep their case.
import { BARE_VALUE_STOP, BUILTIN_SUBJECTS, OPERATOR_WORDS, type Condition, type QueryExpression, type QueryOperator, type Subject } from './query-ast.js';

export const MAX_EXPRESSION_LENGTH = 2000;
export const MAX_ATTRIBUTE_NAME_LENGTH = 128;
/** Deeper nesting of `not` and parentheses is refused, so that no later recursion can overflow. */
export const MAX_NESTING_DEPTH = 50;

export interface QuerySyntaxError {
  message: string;
  /** 0-based offset of the mistake in the expression. */
  position: number;
}

export type ParseResult = { ok: true; ast: QueryExpression } | { ok: false; error: QuerySyntaxError };

const WORD_CHAR = /[A-Za-z0-9_]/;
const ATTRIBUTE_NAME_CHAR = /[A-Za-z0-9\-_/.]/;
const SYMBOL_OPERATORS: readonly QueryOperator[] = ['==', '!=', '>=', '<=', '=~', '!~', '>', '<'];
/** `!exists` and `!in`: the two operators written as `!` and a word. */
const NEGATED_OPERATOR_WORDS: ReadonlyMap<string, QueryOperator> = new Map([
  ['exists', '!exists'],
  ['in', '!in'],
]);
const SUBJECT_LIST = 'attribute:NAME, ' + BUILTIN_SUBJECTS.join(', ');

class SyntaxFailure extends Error {
  constructor(readonly error: QuerySyntaxError) {
    super(error.message);
  }
}

class QueryParser {
  private pos = 0;
  private depth = 0;

  constructor(private readonly text: string) {}

  parse(): QueryExpression {
    this.skipSpace();
    if (this.atEnd()) this.fail('the expression is empty', 0);
    const ast = this.parseOr(undefined);
    this.skipSpace();
    if (!this.atEnd()) {
      this.fail(`expected 'and', 'or' or the end of the expression at position ${this.pos}, found '${this.peekToken()}'`);
    }
    return ast;
  }

  /** `previous` is the keyword or symbol just read, so that a missing operand is reported after it. */
  private parseOr(previous?: string): QueryExpression {
    return this.parseJunction('or', '||', (before) => this.parseAnd(before), previous);
  }

  private parseAnd(previous?: string): QueryExpression {
    return this.parseJunction('and', '&&', (before) => this.parseUnary(before), previous);
  }

  /** Operands joined by one combinator, grouped from the left. */
  private parseJunction(type: 'and' | 'or', symbol: string, parseOperand: (previous?: string) => QueryExpression, previous?: string): QueryExpression {
    let left = parseOperand(previous);
    for (let op = this.acceptCombinator(type, symbol); op !== undefined; op = this.acceptCombinator(type, symbol)) {
      left = { type, left, right: parseOperand(op) };
    }
    return left;
  }

  private parseUnary(previous?: string): QueryExpression {
    this.skipSpace();
    const start = this.pos;
    if (this.acceptWord('not') || this.acceptSymbol('!')) {
      return this.nested(start, () => ({ type: 'not', operand: this.parseUnary(this.text.slice(start, this.pos)) }));
    }
    if (this.acceptSymbol('(')) {
      return this.nested(start, () => {
        const inner = this.parseOr('(');
        this.skipSpace();
        if (!this.acceptSymbol(')')) {
          this.fail(`missing ')' at position ${this.pos} to close the '(' at position ${start}${this.found()}`);
        }
        return inner;
      });
    }
    return this.parseCondition(previous);
  }

  private nested<T>(start: number, parse: () => T): T {
    if (++this.depth > MAX_NESTING_DEPTH) {
      this.fail(`the expression nests 'not' and parentheses deeper than ${MAX_NESTING_DEPTH} levels at position ${start}`, start);
    }
    const result = parse();
    this.depth--;
    return result;
  }

  private parseCondition(previous?: string): Condition {
    this.skipSpace();
    const start = this.pos;
    const word = this.readWhile(WORD_CHAR);
    if (word === '') {
      const after = previous === undefined ? '' : ` after '${previous}'`;
      this.fail(`expected a condition such as 'attribute:NAME == VALUE'${after} at position ${start}${this.found()}`);
    }
    const subject = this.parseSubject(word, start);
    const subjectText = this.text.slice(start, this.pos);
    const operator = this.parseOperator(subjectText);
    const operatorText = this.text.slice(this.pos - operator.length, this.pos);
    switch (operator.canonical) {
      case 'exists':
      case '!exists':
        return { type: 'existence', subject, operator: operator.canonical };
      case 'in':
      case '!in':
        return { type: 'membership', subject, operator: operator.canonical, values: this.parseList(operatorText) };
      default:
        return { type: 'comparison', subject, operator: operator.canonical, value: this.parseValue(operatorText) };
    }
  }

  private parseSubject(word: string, start: number): Subject {
    const lower = word.toLowerCase();
    if (lower === 'attribute' && this.acceptSymbol(':')) {
      const nameStart = this.pos;
      const name = this.readWhile(ATTRIBUTE_NAME_CHAR);
      if (name === '') {
        this.fail(`expected an attribute name of letters, digits, '-', '_', '/' or '.' after 'attribute:' at position ${nameStart}${this.found()}`);
      }
      if (name.length > MAX_ATTRIBUTE_NAME_LENGTH) {
        this.fail(`the attribute name at position ${nameStart} is ${name.length} characters long; at most ${MAX_ATTRIBUTE_NAME_LENGTH} are allowed`, nameStart);
      }
      return { type: 'attribute', name };
    }
    if (lower === 'task' && this.text.slice(this.pos, this.pos + 6).toLowerCase() === ':group' && !this.isWordCharAt(this.pos + 6)) {
      this.pos += 6;
      return { type: 'task:group' };
    }
    const builtin = BUILTIN_SUBJECTS.find((s) => s.toLowerCase() === lower);
    if (builtin !== undefined) return { type: builtin };
    this.pos = start;
    return this.fail(`unknown subject '${this.peekToken()}' at position ${start}; subjects are ${SUBJECT_LIST}`);
  }

  private parseOperator(subjectText: string): { canonical: QueryOperator; length: number } {
    this.skipSpace();
    const start = this.pos;
    const bang = this.acceptSymbol('!');
    const word = this.readWhile(WORD_CHAR).toLowerCase();
    if (word !== '') {
      const canonical = (bang ? NEGATED_OPERATOR_WORDS : OPERATOR_WORDS).get(word);
      if (canonical !== undefined) return { canonical, length: this.pos - start };
    } else {
      this.pos = start;
      const symbol = SYMBOL_OPERATORS.find((s) => this.text.startsWith(s, start));
      if (symbol !== undefined) {
        this.pos += symbol.length;
        return { canonical: symbol, length: symbol.length };
      }
    }
    this.pos = start;
    return this.fail(`expected an operator after '${subjectText}' at position ${start}${this.found()}`);
  }

  private parseList(operatorText: string): string[] {
    this.skipSpace();
    if (!this.acceptSymbol('[')) {
      this.fail(`expected a list such as '[a, b]' after '${operatorText}' at position ${this.pos}${this.found()}`);
    }
    const values = [this.parseValue('[')];
    for (;;) {
      this.skipSpace();
      if (this.acceptSymbol(']')) return values;
      if (!this.acceptSymbol(',')) {
        this.fail(`expected ',' or ']' after '${values.at(-1)}' at position ${this.pos}${this.found()}`);
      }
      values.push(this.parseValue(','));
    }
  }

  private parseValue(previous: string): string {
    this.skipSpace();
    const start = this.pos;
    const quote = this.peek();
    if (quote === "'" || quote === '"') return this.parseQuoted(quote);
    while (!this.atEnd() && !BARE_VALUE_STOP.test(this.peek()) && !this.atCombinatorSymbol()) this.pos++;
    if (this.pos === start) this.fail(`expected a value after '${previous}' at position ${start}${this.found()}`);
    return this.text.slice(start, this.pos);
  }

  /** Quoted values: a backslash escapes the quote and itself; other backslashes stay (regular expressions). */
  private parseQuoted(quote: string): string {
    const start = this.pos++;
    let value = '';
    while (!this.atEnd()) {
      const c = this.peek();
      const next = this.text[this.pos + 1];
      if (c === quote) {
        this.pos++;
        return value;
      }
      if (c === '\\' && (next === quote || next === '\\')) {
        value += next;
        this.pos += 2;
      } else {
        value += c;
        this.pos++;
      }
    }
    return this.fail(`the quoted value starting at position ${start} has no closing ${quote}`, start);
  }

  /** The combinator's text when one stands here. */
  private acceptCombinator(word: string, symbol: string): string | undefined {
    this.skipSpace();
    const start = this.pos;
    return this.acceptSymbol(symbol) || this.acceptWord(word) ? this.text.slice(start, this.pos) : undefined;
  }

  private acceptWord(word: string): boolean {
    const end = this.pos + word.length;
    if (this.text.slice(this.pos, end).toLowerCase() !== word || this.isWordCharAt(end)) return false;
    this.pos = end;
    return true;
  }

  private acceptSymbol(symbol: string): boolean {
    if (!this.text.startsWith(symbol, this.pos)) return false;
    this.pos += symbol.length;
    return true;
  }

  private atCombinatorSymbol(): boolean {
    return this.text.startsWith('&&', this.pos) || this.text.startsWith('||', this.pos);
  }

  private readWhile(pattern: RegExp): string {
    const start = this.pos;
    while (!this.atEnd() && pattern.test(this.peek())) this.pos++;
    return this.text.slice(start, this.pos);
  }

  private isWordCharAt(index: number): boolean {
    const c = this.text[index];
    return c !== undefined && WORD_CHAR.test(c);
  }

  private skipSpace(): void {
    while (!this.atEnd() && /\s/.test(this.peek())) this.pos++;
  }

  private peek(): string {
    return this.text[this.pos] ?? '';
  }

  private atEnd(): boolean {
    return this.pos >= this.text.length;
  }

  /** What stands at the current position, for messages: one symbol or a run of non-space characters. */
  private peekToken(): string {
    const rest = this.text.slice(this.pos).trimStart();
    const token = /^[A-Za-z0-9_:.\-/*]+/.exec(rest)?.[0] ?? /^\S/u.exec(rest)?.[0] ?? '';
    return token.length > 30 ? `${token.slice(0, 30)}...` : token;
  }

  private found(): string {
    const token = this.peekToken();
    return token === '' ? '' : `, found '${token}'`;
  }

  private fail(message: string, position = this.pos): never {
    throw new SyntaxFailure({ message, position });
  }
}

/** Parses a cluster query language expression. Never throws: mistakes come back as a result. */
export function parseQuery(text: string): ParseResult {
  if (text.length > MAX_EXPRESSION_LENGTH) {
    return {
      ok: false,
      error: {
        message: `the expression is ${text.length} characters long; at most ${MAX_EXPRESSION_LENGTH} are allowed`,
        position: MAX_EXPRESSION_LENGTH,
      },
    };
  }
  try {
    return { ok: true, ast: new QueryParser(text).parse() };
  } catch (failure) {
    if (failure instanceof SyntaxFailure) return { ok: false, error: failure.error };
    throw failure;
  }
}
