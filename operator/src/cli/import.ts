// `ecs-operator import`: ECS and EventBridge JSON (what the AWS CLI prints or takes) → TaskDefinition, Service,
// Task and ScheduledTask manifests, and Application Auto Scaling JSON of ECS services → HorizontalPodAutoscalers
// over those Services.
import { join } from 'node:path';
import type { KubernetesObject } from '@kubernetes/client-node';
import { ECS_API_VERSION, type Cluster, type Service, type Task } from '../api/index.js';
import { clusterIssues, clusterNameOf } from '../translate/workload.js';
import { deploymentControllerRefusal } from '../translate/deployment-controller.js';
import { autoscalersOf } from './autoscaling-json.js';
import type { CommandRegistration } from './main.js';
import { fileCommand, warn, type CliIO, type FileOptions, type Problem } from './io.js';
import { toYamlDocuments } from './output.js';
import type { CommandLineNames } from './ecs-json.js';
import { resourceFieldWarnings } from '../translate/not-applied.js';
import { addNameOptions, addTargetGroupBindingOption, loadInput, type TargetGroupBindingOption } from './resources.js';

export interface ImportOptions extends FileOptions, CommandLineNames, TargetGroupBindingOption {
  outputDir?: string;
}

/** The manifests of the ECS JSON in `options.filename`, printed or written one file per resource. */
export function runImport(io: CliIO, options: ImportOptions): void {
  const { resources, autoScaling } = loadInput(io, options.filename, { ecsJsonOnly: true, names: options });
  // The manifest is what the file says; what the operator will refuse or not apply of it is said now, not after
  // the apply, in the words its status will use. Once per place: the Tasks of one RunTask input (count N) share
  // their fields.
  const said = new Set<string>();
  const warnOnce = (problem: Problem) => {
    const line = JSON.stringify(problem);
    if (!said.has(line)) warn(io, problem);
    said.add(line);
  };
  for (const resource of resources) {
    if (resource.kind !== 'Service' && resource.kind !== 'Task') continue;
    const { spec, metadata } = resource.object as Service | Task;
    const refusal = resource.kind === 'Service' ? deploymentControllerRefusal(spec as Service['spec']) : undefined;
    // What depends on the Cluster (a capacity provider it must have, the zones of subnets) is said for one with
    // the default settings, as the file names no more of it.
    const cluster: Cluster = {
      apiVersion: ECS_API_VERSION,
      kind: 'Cluster',
      metadata: { name: clusterNameOf(spec), ...(metadata.namespace ? { namespace: metadata.namespace } : {}) },
      spec: {},
    };
    const issues = [
      ...(refusal ? [refusal] : []),
      ...resourceFieldWarnings(resource.kind, resource.object, { targetGroupBinding: options.targetGroupBinding ?? true }),
      ...clusterIssues(spec, cluster),
    ];
    for (const { path, message } of issues) warnOnce({ ...resource.at(path), message });
  }
  const manifests: KubernetesObject[] = [
    ...resources.map(({ manifest }) => (options.namespace ? { ...manifest, metadata: { ...manifest.metadata, namespace: options.namespace } } : manifest)),
    ...autoscalersOf(io, autoScaling, options.namespace),
  ];
  if (options.outputDir === undefined) {
    io.stdout(toYamlDocuments(manifests));
    return;
  }
  for (const manifest of manifests) {
    const path = join(options.outputDir, `${manifest.metadata?.name ?? ''}.${(manifest.kind ?? '').toLowerCase()}.yaml`);
    io.writeFile(path, toYamlDocuments([manifest]));
    io.stdout(`${path}\n`);
  }
}

const command = fileCommand<ImportOptions>({
  name: 'import',
  description:
    'turn ECS JSON into manifests: the output of `aws ecs describe-task-definition` or `describe-services`, or a ' +
    'RegisterTaskDefinition, CreateService or RunTask input file (--cli-input-json), become TaskDefinition, Service ' +
    'and Task resources (RunTask count N: N Tasks NAME-1..N); `aws scheduler get-schedule` output or CreateSchedule ' +
    'input, and `aws events describe-rule` with `list-targets-by-rule` output, with an ECS target, become ScheduledTasks; ' +
    'Application Auto Scaling JSON (describe-scalable-targets, describe-scaling-policies, or RegisterScalableTarget and ' +
    'PutScalingPolicy input) of a service becomes its HorizontalPodAutoscaler',
  filesHelp: 'ECS JSON file to read',
  namespaceHelp: 'set metadata.namespace of every resource',
  options: (c) =>
    addTargetGroupBindingOption(
      addNameOptions(c.option('-o, --output-dir <dir>', 'write each resource to <dir>/<name>.<kind>.yaml instead of printing them')),
      'warn that a targetGroupArn is not joined',
    ),
  run: runImport,
});

export const importCommand = command.build;
export const registerImport: CommandRegistration = command.register;
export const { main } = command;
