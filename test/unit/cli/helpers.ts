// Runs the CLI commands in-process: files come from the disk or from `files` (written by the test), output is
// recorded, and each run returns its exit status, stdout, stderr and the YAML documents printed.
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { processIO, type CliIO } from '../../../operator/src/cli/io.js';

export interface Run {
  status: number;
  stdout: string;
  stderr: string;
  /** stderr split into lines, without the empty last one. */
  errors: string[];
  /** The YAML documents of stdout. */
  objects: any[];
  written: Map<string, string>;
}

/** The repository root, so tests can name files as a user in the checkout would (`examples/web-service.yaml`). */
export const ROOT = new URL('../../../', import.meta.url).pathname;

const onDisk = (path: string) => (path.startsWith('/') ? path : `${ROOT}${path}`);

export async function run(main: (argv: readonly string[], io: CliIO) => Promise<number>, argv: string[], files: Record<string, string> = {}): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const written = new Map<string, string>();
  const io: CliIO = {
    stdout: (text) => void (stdout += text),
    stderr: (text) => void (stderr += text),
    readFile: (path) => files[path] ?? readFileSync(onDisk(path), 'utf8'),
    filesIn: (path) =>
      path in files
        ? undefined
        : processIO()
            .filesIn(onDisk(path))
            ?.map((file) => (path.startsWith('/') ? file : file.slice(ROOT.length))),
    writeFile: (path, text) => void written.set(path, text),
    setExitCode: () => undefined,
  };
  const status = await main(argv, io);
  const objects =
    stdout.trim() === '' ? [] : parseAllDocuments(stdout).flatMap((document) => (Array.isArray(document) ? document : [document]).map((d) => d.toJS()));
  return { status, stdout, stderr, errors: stderr.split('\n').filter((line) => line !== ''), objects, written };
}

export function fixture(name: string): string {
  return `test/fixtures/ecs/${name}`;
}

/** The one object of `kind` (and `name`) among `objects`. */
export function find(objects: any[], kind: string, name?: string): any {
  const found = objects.filter((o) => o.kind === kind && (name === undefined || o.metadata?.name === name));
  if (found.length !== 1)
    throw new Error(`expected one ${kind} ${name ?? ''}, found ${found.length} among ${objects.map((o) => `${o.kind}/${o.metadata?.name}`).join(', ')}`);
  return found[0];
}
