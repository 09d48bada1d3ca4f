// What the file-reading commands (import, translate) share: where they read and write, how a problem in an
// input becomes one line naming the file and the field, and how a command runs in-process for tests.
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Command, CommanderError } from 'commander';

/** The commands' view of the outside world; tests pass one that records instead of printing. Plain functions (no `this`), so they can be passed on alone. */
export interface CliIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** `-` is standard input. */
  readFile: (path: string) => string;
  /** The manifest files (.yaml, .yml, .json) directly in a directory, as `kubectl apply -f DIR` reads them; undefined when `path` is no directory. */
  filesIn: (path: string) => string[] | undefined;
  /** Creates the directories on the way. */
  writeFile: (path: string, text: string) => void;
  /** Records the exit status of the command (the process's when run from the shell). */
  setExitCode: (code: number) => void;
}

export function processIO(): CliIO {
  return {
    stdout: (text) => void process.stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
    readFile: (path) => readFileSync(path === '-' ? 0 : path, 'utf8'),
    filesIn: (path) => {
      if (path === '-' || !statSync(path, { throwIfNoEntry: false })?.isDirectory()) return undefined;
      return readdirSync(path)
        .filter((name) => /\.(ya?ml|json)$/.test(name))
        .sort()
        .map((name) => join(path, name));
    },
    writeFile: (path, text) => {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, text);
    },
    setExitCode: (code) => {
      process.exitCode = code;
    },
  };
}

/** Where in the input a problem is: the file, the resource when a file holds several, and the field. */
export interface Location {
  file: string;
  /** `TaskDefinition web`, for documents that are manifests. */
  resource?: string;
  path?: string;
}

export function formatLocation({ file, resource, path }: Location): string {
  return [file, resource, path].filter((part) => part !== undefined && part !== '').join(': ');
}

export interface Problem extends Location {
  message: string;
}

/** Problems in the input: the command prints each on its own line and exits with status 1. */
export class InputError extends Error {
  constructor(readonly problems: Problem[]) {
    super(problems.map((problem) => `${formatLocation(problem)}: ${problem.message}`).join('\n'));
  }
}

export function fail(location: Location, message: string): never {
  throw new InputError([{ ...location, message }]);
}

/** Warnings go to stderr as they come, one line each. */
export function warn(io: CliIO, problem: Problem): void {
  io.stderr(`warning: ${formatLocation(problem)}: ${problem.message}\n`);
}

/** The text of anything thrown, on one line. */
function oneLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).replace(/\s*\n\s*/g, ' ');
}

/**
 * Runs a command's work, turning every failure into `error:` lines and exit status 1: input problems as they
 * are, anything else (a bug) as an internal error. No stack trace reaches the user.
 */
export function reportFailures(io: CliIO, work: () => void): void {
  try {
    work();
  } catch (error) {
    const lines = error instanceof InputError ? error.problems.map((p) => `${formatLocation(p)}: ${p.message}`) : [`internal error: ${oneLine(error)}`];
    for (const line of lines) io.stderr(`error: ${line}\n`);
    io.setExitCode(1);
  }
}

/** Collects `-f FILE -f FILE` into a list. */
function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/**
 * Runs `argv` (without the program name, e.g. `['import', '-f', 'web.json']`) through a program that holds only
 * the command `makeCommand` builds, as the `ecs-operator` binary would, and returns the exit status. Usage errors are reported by
 * commander on `io.stderr`.
 */
export async function runCommandLine(makeCommand: (io: CliIO) => Command, argv: readonly string[], io: CliIO): Promise<number> {
  let status = 0;
  const recording: CliIO = {
    ...io,
    setExitCode: (code) => {
      status = code;
      io.setExitCode(code);
    },
  };
  const output = { writeOut: io.stdout, writeErr: io.stderr };
  const program = new Command('ecs-operator').exitOverride().configureOutput(output);
  program.addCommand(makeCommand(recording).exitOverride().configureOutput(output));
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    status = error.exitCode;
  }
  return status;
}

export interface FileOptions {
  filename: string[];
  namespace?: string;
}

export interface FileCommandDefinition<Options extends FileOptions> {
  name: string;
  description: string;
  /** Help of `-f`: which files the command reads. */
  filesHelp: string;
  /** Help of `-n`: what the namespace does. */
  namespaceHelp: string;
  /** Options beyond `-f` and `-n`. */
  options?: (command: Command) => Command;
  run: (io: CliIO, options: Options) => void;
}

/**
 * A command that reads files given with `-f` (repeatable, `-` for stdin) and takes `-n NAMESPACE`: how to build
 * it for an `io`, its registration on the `ecs-operator` program, and `main(argv, io)` to run it in-process.
 */
export function fileCommand<Options extends FileOptions>(definition: FileCommandDefinition<Options>) {
  const build = (io: CliIO): Command => {
    const command = new Command(definition.name)
      .description(definition.description)
      .requiredOption(
        '-f, --filename <file>',
        `${definition.filesHelp}; repeat for more, a directory gives its .yaml, .yml and .json files, - reads stdin`,
        collect,
      )
      .option('-n, --namespace <namespace>', definition.namespaceHelp);
    return (definition.options?.(command) ?? command).action((options: Options) => reportFailures(io, () => definition.run(io, options)));
  };
  return {
    build,
    register: (program: Command): void => void program.addCommand(build(processIO())),
    /** `ecs-operator NAME ARGS...` in-process: the exit status, output through `io`. */
    main: (argv: readonly string[], io: CliIO): Promise<number> => runCommandLine(build, [definition.name, ...argv], io),
  };
}
