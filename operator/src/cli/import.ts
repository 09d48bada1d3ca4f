// `ecs-operator import`: ECS JSON (what the AWS CLI prints or takes) → TaskDefinition and Service manifests.
import { join } from 'node:path';
import { Command } from 'commander';
import type { CommandRegistration } from './main.js';
import { collect, processIO, reportFailures, runCommandLine, type CliIO } from './io.js';
import { toYamlDocuments } from './output.js';
import { loadResources, type EcsObject } from './resources.js';

export interface ImportOptions {
  filename: string[];
  outputDir?: string;
  namespace?: string;
}

/** The manifests of the ECS JSON in `options.filename`, printed or written one file per resource. */
export function runImport(io: CliIO, options: ImportOptions): void {
  const manifests: EcsObject[] = loadResources(io, options.filename, { ecsJsonOnly: true }).map(({ manifest }) =>
    options.namespace ? { ...manifest, metadata: { ...manifest.metadata, namespace: options.namespace } } as EcsObject : manifest);
  if (options.outputDir === undefined) {
    io.stdout(toYamlDocuments(manifests));
    return;
  }
  for (const manifest of manifests) {
    const path = join(options.outputDir, `${manifest.metadata.name}.${manifest.kind.toLowerCase()}.yaml`);
    io.writeFile(path, toYamlDocuments([manifest]));
    io.stdout(`${path}\n`);
  }
}

export function importCommand(io: CliIO): Command {
  return new Command('import')
    .description(
      'turn ECS JSON into manifests: the output of `aws ecs describe-task-definition` or `describe-services`, or a '
      + 'RegisterTaskDefinition or CreateService input file (--cli-input-json), become TaskDefinition and Service resources',
    )
    .requiredOption('-f, --filename <file>', 'ECS JSON file to read (repeat for more; - reads stdin)', collect)
    .option('-o, --output-dir <dir>', 'write each resource to <dir>/<name>.<kind>.yaml instead of printing them')
    .option('-n, --namespace <namespace>', 'set metadata.namespace of every resource')
    .action((options: ImportOptions) => reportFailures(io, () => runImport(io, options)));
}

export const registerImport: CommandRegistration = (program) => void program.addCommand(importCommand(processIO()));

/** `ecs-operator import ARGS...` in-process: the exit status, output through `io`. */
export function main(argv: readonly string[], io: CliIO): Promise<number> {
  return runCommandLine(importCommand, ['import', ...argv], io);
}
