// Reading input files: JSON (what the AWS CLI prints) or YAML with any number of documents. Syntax errors name
// the file, line and column. A JSON array, a YAML sequence and a Kubernetes `List` each give one document per item.
// `null` means "not set": ECS reads it so, and the API server prunes it from every field that is not nullable
// (none of the ECS CRDs' is), so it is dropped at any depth before anything checks the input. A null item of a
// list has no such reading (the API server refuses it), so it is an error naming its index.
import { parseAllDocuments } from 'yaml';
import { fail, InputError, type CliIO, type Problem } from './io.js';

export interface SourceDocument {
  file: string;
  value: unknown;
  /** Where the document sits in its YAML document or JSON value (`[2]`, `items[0]`); empty when it is all of it. */
  path: string;
  /** `document 2` when the file holds several YAML documents. */
  document?: string;
}

function readText(io: CliIO, file: string): string {
  try {
    return io.readFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (error as Error).message;
    return fail({ file }, `cannot read: ${reason}`);
  }
}

function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    return fail({ file }, `malformed JSON: ${(error as Error).message}`);
  }
}

function parseYaml(text: string, file: string): unknown[] {
  const documents = parseAllDocuments(text, { prettyErrors: true });
  const list = Array.isArray(documents) ? documents : [documents];
  const values: unknown[] = [];
  for (const document of list) {
    const [error] = document.errors;
    if (error) {
      const position = error.linePos?.[0];
      const where = position ? `line ${position.line}, column ${position.col}` : 'YAML';
      const message = (error.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
      fail({ file, path: where }, `malformed YAML: ${message}`);
    }
    const value: unknown = document.toJS({ maxAliasCount: 100 });
    if (value !== null && value !== undefined) values.push(value);
  }
  return values;
}

/** The documents of one value: the items of an array or a Kubernetes List, else the value itself. */
function split(value: unknown, at: Omit<SourceDocument, 'value'>): SourceDocument[] {
  if (Array.isArray(value)) return value.flatMap((item, index) => split(item, { ...at, path: joinPath(at.path, index) }));
  const list = value as { kind?: unknown; items?: unknown } | null;
  if (typeof list === 'object' && list !== null && list.kind === 'List' && Array.isArray(list.items)) {
    return list.items.flatMap((item, index) => split(item, { ...at, path: joinPath(joinPath(at.path, 'items'), index) }));
  }
  return [{ ...at, value }];
}

/** `value` without null fields, at any depth; each null list item is a problem at its index. */
function withoutNulls(value: unknown, path: string, nullItem: (path: string) => void): unknown {
  if (Array.isArray(value)) {
    return value.map((item, index) => {
      if (item === null) nullItem(joinPath(path, index));
      return withoutNulls(item, joinPath(path, index), nullItem);
    });
  }
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, v]) => v !== null)
      .map(([k, v]) => [k, withoutNulls(v, joinPath(path, k), nullItem)]),
  );
}

/** Every document of `file`, in order; JSON when the text starts with `{` or `[`, YAML otherwise. */
export function readDocuments(io: CliIO, file: string): SourceDocument[] {
  const text = readText(io, file);
  const trimmed = text.trimStart();
  const parsed = trimmed.startsWith('{') || trimmed.startsWith('[') ? [parseJson(text, file)] : parseYaml(text, file);
  const problems: Problem[] = [];
  const documents = parsed.flatMap((raw, index) => {
    const at = { file, path: '', ...(parsed.length > 1 ? { document: `document ${index + 1}` } : {}) };
    const value = withoutNulls(raw, '', (path) =>
      problems.push({ file, ...(at.document ? { resource: at.document } : {}), path, message: 'is null; a list item needs a value (remove it)' }),
    );
    return split(value, at);
  });
  if (problems.length > 0) throw new InputError(problems);
  if (documents.length === 0) fail({ file }, 'holds no documents');
  return documents;
}

/** `base.key` or `base[3]`, or the key alone at the top. */
export function joinPath(base: string, key: string | number): string {
  if (typeof key === 'number') return `${base}[${key}]`;
  return base ? `${base}.${key}` : key;
}
