// `ecs-operator import`: ECS and EventBridge JSON (what the AWS CLI prints or takes) → TaskDefinition, Service,
// Task and ScheduledTask manifests.
import { join } from 'node:path';
import type { CommandRegistration } from './main.js';
import { fileCommand, type CliIO, type FileOptions } from './io.js';
import { toYamlDocuments } from './output.js';
import { loadResources, type EcsObject } from './resources.js';

export interface ImportOptions extends FileOptions {
  outputDir?: string;
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

const command = fileCommand<ImportOptions>({
  name: 'import',
  description:
    'turn ECS JSON into manifests: the output of `aws ecs describe-task-definition` or `describe-services`, or a '
    + 'RegisterTaskDefinition, CreateService or RunTask input file (--cli-input-json), become TaskDefinition, Service '
    + 'and Task resources (RunTask count N: N Tasks NAME-1..N); `aws scheduler get-schedule` output or CreateSchedule '
    + 'input, and `aws events describe-rule` with `list-targets-by-rule` output, with an ECS target, become ScheduledTasks',
  filesHelp: 'ECS JSON file to read',
  namespaceHelp: 'set metadata.namespace of every resource',
  options: (c) => c.option('-o, --output-dir <dir>', 'write each resource to <dir>/<name>.<kind>.yaml instead of printing them'),
  run: runImport,
});

export const importCommand = command.build;
export const registerImport: CommandRegistration = command.register;
export const { main } = command;
