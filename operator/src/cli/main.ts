// The `ecs-operator` command. Each subcommand registers itself on the program: to add one, write a file that
// exports a CommandRegistration and add it to `commands` below.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { controllers } from '../controllers/index.js';
import { addRunOptions, configFromOptions } from '../runtime/config.js';
import { Manager, runUntilSignalled } from '../runtime/manager.js';
import { registerSummary } from './summary.js';
import { registerImport } from './import.js';
import { registerTranslate } from './translate.js';
import { registerUninstall } from './uninstall.js';

export type CommandRegistration = (program: Command) => void;

const registerRun: CommandRegistration = (program) => {
  addRunOptions(program.command('run').description('run the operator: reconcile Clusters, TaskDefinitions, Tasks and Services until SIGTERM')).action(
    async (options: Record<string, unknown>) => {
      const manager = new Manager(configFromOptions(options));
      for (const factory of controllers) manager.add(factory);
      const exitCode = await runUntilSignalled(manager);
      // Everything is stopped; exit now rather than wait for idle keep-alive connections to time out.
      process.exit(exitCode);
    },
  );
};

const commands: CommandRegistration[] = [registerRun, registerImport, registerTranslate, registerSummary, registerUninstall];

/** The version in the package.json above this file (the source tree or dist/ alike). */
function packageVersion(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    try {
      return (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version;
    } catch {
      if (dirname(dir) === dir) return 'unknown';
    }
  }
}

const program = new Command('ecs-operator')
  .description('Amazon ECS Clusters, TaskDefinitions, Tasks and Services as Kubernetes resources')
  .version(packageVersion())
  .showHelpAfterError();
for (const register of commands) register(program);

program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(`ecs-operator: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
