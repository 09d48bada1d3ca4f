// The ECS resources of the input files: manifests as written, or ECS JSON imported (and, beside them, the
// Application Auto Scaling JSON of the services, kept for the HorizontalPodAutoscalers). Each is checked against its
// CRD, so the commands accept exactly what the API server would; every problem names the file and the field,
// the field as the input spells it (`containerDefinitions[0].memory` in ECS JSON, `spec.containerDefinitions[0].memory`
// in a manifest). All problems of all files are reported together.
import type { Command } from 'commander';
import {
  ECS_API_VERSION,
  ECS_GROUP,
  ECS_KINDS,
  type Cluster,
  type EcsKind,
  type ScheduledTask,
  type Service,
  type Task,
  type TaskDefinition,
} from '../api/index.js';
import { withoutUnknownFields, validateAgainstCrd } from './crd-validation.js';
import { readDocuments, type SourceDocument } from './documents.js';
import type { AutoScalingInput } from '../translate/autoscaling.js';
import { emptyAutoScalingInput, isAutoScalingJson, readAutoScalingJson } from './autoscaling-json.js';
import { importEcsJson, isManifest, type CommandLineNames, type ImportedResource } from './ecs-json.js';
import { joinRuleParts, rulePart, type RulePart } from './eventbridge-json.js';
import { InputError, warn, type CliIO, type Location, type Problem } from './io.js';
import { unrenderedTemplates } from './unrendered-templates.js';

export type EcsObject = TaskDefinition | Task | Service | Cluster | ScheduledTask;

export interface Resource<T extends EcsObject = EcsObject> {
  kind: T['kind'];
  /** As written, or as imported from ECS JSON: what `import` prints. */
  manifest: T;
  /** As the API server would store it: the CRD's defaults filled in. */
  object: T;
  /** The revision ECS gave an imported task definition. */
  revision?: number;
  /** Where a field of this resource (`spec.cpu`, or none for the whole resource) is in the input. */
  at(path?: string): Location;
}

/** `spec.x` of a resource imported from the ECS object at `sourcePath` → the path of `x` in the document. */
function ecsPath(path: string, sourcePath: string, kind: string): string {
  if (path === 'metadata.name') path = kind === 'Service' ? 'spec.serviceName' : kind === 'Task' ? 'spec.taskDefinition' : 'spec.family';
  const inSpec = /^spec(?=$|[.[])/.exec(path);
  if (!inSpec) return path;
  const rest = path.slice('spec'.length).replace(/^\./, '');
  if (!sourcePath) return rest;
  return rest.startsWith('[') || rest === '' ? `${sourcePath}${rest}` : `${sourcePath}.${rest}`;
}

const KIND_NAMES = Object.keys(ECS_KINDS).join(', ');

class Loader {
  readonly resources: Resource[] = [];
  readonly problems: Problem[] = [];
  private readonly warned = new Set<string>();
  readonly autoScaling: AutoScalingInput = emptyAutoScalingInput();

  constructor(
    private readonly io: CliIO,
    private readonly names: CommandLineNames,
  ) {}

  /**
   * Checks `manifest` for unrendered templates and against its CRD, and keeps it, or its problems. A field that
   * holds a template is reported as such, not by the pattern it fails.
   */
  private add(kind: EcsKind, manifest: EcsObject, at: (path?: string) => Location, revision?: number): void {
    const templates = unrenderedTemplates(manifest);
    for (const { path, message } of templates.warnings) warn(this.io, { ...at(path), message });
    for (const { path, message } of templates.errors) this.problems.push({ ...at(path), message });
    const templated = new Set(templates.errors.map(({ path }) => path));
    const { object, errors } = validateAgainstCrd<EcsObject>(kind, manifest);
    for (const { path, message } of errors) if (!templated.has(path)) this.problems.push({ ...at(path), message });
    if (object) this.resources.push({ kind, manifest, object, at, ...(revision === undefined ? {} : { revision }) });
  }

  manifest(document: SourceDocument): void {
    const value = document.value as { apiVersion?: unknown; kind?: unknown; metadata?: { name?: unknown } };
    const name = typeof value.metadata?.name === 'string' ? value.metadata.name : undefined;
    const resource = [typeof value.kind === 'string' ? value.kind : undefined, name].filter(Boolean).join(' ') || document.document;
    const at = (path?: string): Location => ({ file: document.file, ...(resource ? { resource } : {}), ...(path ? { path } : {}) });
    const group = typeof value.apiVersion === 'string' ? value.apiVersion.split('/')[0] : undefined;
    if (typeof value.apiVersion !== 'string' || typeof value.kind !== 'string') {
      this.problems.push({ ...at(typeof value.kind === 'string' ? 'apiVersion' : 'kind'), message: 'is required in a Kubernetes manifest' });
    } else if (group !== ECS_GROUP) {
      // Another API's object (a Secret the task definition reads, say): nothing for ecs-operator to do.
    } else if (value.apiVersion !== ECS_API_VERSION) {
      this.problems.push({ ...at('apiVersion'), message: `unknown version '${value.apiVersion}' (ecs-operator serves ${ECS_API_VERSION})` });
    } else if (!(value.kind in ECS_KINDS)) {
      this.problems.push({ ...at('kind'), message: `unknown kind '${value.kind}' in ${ECS_GROUP} (expected ${KIND_NAMES})` });
    } else {
      this.add(value.kind as EcsKind, value as EcsObject, at);
    }
  }

  /** EventBridge rules come in two parts (describe-rule, list-targets-by-rule), joined once all files are read. */
  private readonly ruleParts: RulePart[] = [];

  ecsJson(document: SourceDocument): void {
    const part = rulePart(document);
    if (part) this.ruleParts.push(part);
    else for (const imported of importEcsJson(document, this.names)) this.imported(document, imported);
  }

  /** The ScheduledTasks of the EventBridge rules read. */
  rules(): void {
    for (const { document, imported } of joinRuleParts(this.ruleParts)) this.imported(document, imported);
  }

  private imported(document: SourceDocument, { manifest, sourcePath, sourceOf, revision, warnings }: ImportedResource): void {
    const { kind } = manifest;
    const at = (path?: string): Location => {
      const field = sourceOf ? sourceOf(path ?? 'spec') : ecsPath(path ?? 'spec', sourcePath, kind);
      return { file: document.file, ...(document.document ? { resource: document.document } : {}), ...(field ? { path: field } : {}) };
    };
    for (const warning of warnings) warn(this.io, warning);
    const { manifest: known, removed } = withoutUnknownFields(kind, manifest);
    for (const path of removed) this.warnOnce({ ...at(path), message: `not a field of the ${kind} resource; left out` });
    this.add(kind, known, at, revision);
  }

  /** Several resources from one input (RunTask's count) would repeat the same warning. */
  private warnOnce(problem: Problem): void {
    const key = JSON.stringify(problem);
    if (this.warned.has(key)) return;
    this.warned.add(key);
    warn(this.io, problem);
  }
}

export interface LoadOptions {
  /** `import`: only ECS JSON; manifests are refused. */
  ecsJsonOnly?: boolean;
  /** Names that ECS JSON input files leave to the command line. */
  names?: CommandLineNames;
}

/** `--service-name` and `--family`, for ECS JSON input files that leave the name to the command line. */
export function addNameOptions(command: Command): Command {
  return command
    .option('--service-name <name>', 'the serviceName of CreateService input that has none (as aws ecs create-service --service-name gives it)')
    .option('--family <family>', 'the family of RegisterTaskDefinition input that has none (as aws ecs register-task-definition --family gives it)');
}

/** Whether the target cluster serves TargetGroupBindings; commander's `--no-target-group-binding` sets it false. */
export interface TargetGroupBindingOption {
  targetGroupBinding?: boolean;
}

export function addTargetGroupBindingOption(command: Command, what: string): Command {
  return command.option(
    '--no-target-group-binding',
    `for a cluster that does not serve the AWS Load Balancer Controller's TargetGroupBinding kind (elbv2.k8s.aws/v1beta1): ${what} (default: the kind is served, and a Service's loadBalancers[].targetGroupArn becomes a TargetGroupBinding)`,
  );
}

export interface Input {
  resources: Resource[];
  /** The Application Auto Scaling objects of every file. */
  autoScaling: AutoScalingInput;
}

/** The ECS resources of `files` in order. Warnings go to stderr; any problem throws an InputError listing all of them. */
export function loadInput(io: CliIO, files: readonly string[], { ecsJsonOnly = false, names = {} }: LoadOptions = {}): Input {
  const loader = new Loader(io, names);
  for (const file of files.flatMap((path) => io.filesIn(path) ?? [path])) {
    for (const document of readDocuments(io, file)) {
      if (isAutoScalingJson(document.value)) readAutoScalingJson(document, loader.autoScaling);
      else if (!isManifest(document.value)) loader.ecsJson(document);
      else if (ecsJsonOnly)
        loader.problems.push({
          file,
          ...(document.document ? { resource: document.document } : {}),
          message: 'is a Kubernetes manifest already; import reads ECS JSON (translate reads both)',
        });
      else loader.manifest(document);
    }
  }
  loader.rules();
  if (loader.problems.length > 0) throw new InputError(loader.problems);
  return { resources: loader.resources, autoScaling: loader.autoScaling };
}
