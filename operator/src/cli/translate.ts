// `ecs-operator translate`: TaskDefinition, Task and Service manifests (or ECS JSON) → the Kubernetes objects the
// operator would create for them, without a cluster, built by the same functions the controllers use. A Task gets
// its Pod; a Service the ReplicaSet of its first deployment (a DaemonSet for DAEMON) and the core Services of its
// discovery; each the ServiceAccount of its task role. A TaskDefinition that nothing in the input runs gets a
// PodTemplate, the pod its tasks would run. Tasks and Services find their TaskDefinition by family among the input
// files, in the same namespace. Application Auto Scaling JSON of a service gives its HorizontalPodAutoscaler. A
// Service's loadBalancers[].targetGroupArn gives a TargetGroupBinding (unless --no-target-group-binding).
import type { KubernetesObject, V1PodTemplate, V1ServiceAccount } from '@kubernetes/client-node';
import type { Cluster, Service, Task, TaskDefinition } from '../api/index.js';
import { parseNamespaceList } from '../runtime/config.js';
import { deploymentControllerRefusal } from '../translate/deployment-controller.js';
import { HOST_ACCESS_FLAG, type HostAccessPolicy } from '../translate/host-access.js';
import type { Issue } from '../translate/issues.js';
import { familyOf, parseTaskDefinitionReference, registeredSpec, revisionName } from '../translate/revisions.js';
import { serviceDaemonSet, serviceDiscoveryObjects, serviceReplicaSets, serviceTarget } from '../translate/service-workload.js';
import { checkTaskDefinition, taskDefinitionToPodTemplate } from '../translate/template.js';
import { clusterNameOf, clusterSettings, DEFAULT_CLUSTER, taskPod, type Workload } from '../translate/workload.js';
import type { CommandRegistration } from './main.js';
import { fileCommand, InputError, warn, type CliIO, type FileOptions, type Location, type Problem } from './io.js';
import { toYamlDocuments } from './output.js';
import { autoscalersOf } from './autoscaling-json.js';
import type { CommandLineNames } from './ecs-json.js';
import { resourceFieldWarnings } from '../translate/not-applied.js';
import { targetGroupBindings } from '../translate/target-group-bindings.js';
import { addNameOptions, addTargetGroupBindingOption, loadInput, type EcsObject, type Resource, type TargetGroupBindingOption } from './resources.js';

interface Definition {
  resource: Resource<TaskDefinition>;
  family: string;
  /** ECS's number of an imported task definition; otherwise unknown, and a Task or Service gets the one it pins, or 1. */
  revision?: number;
  /** Whether it translates for some Cluster. */
  valid: boolean;
  /** How many Tasks and Services of the input run it. */
  runBy: number;
}

const namespaceOf = (resource: Resource) => resource.object.metadata.namespace ?? '';
const keyOf = (namespace: string, name: string) => `${namespace}/${name}`;

/** Places `namespace` on the resources that name none, as `kubectl apply -n` would. */
function inNamespace(resource: Resource, namespace: string | undefined): Resource {
  if (!namespace || resource.object.metadata.namespace) return resource;
  const place = <T extends EcsObject>(object: T): T => ({ ...object, metadata: { ...object.metadata, namespace } });
  return { ...resource, manifest: place(resource.manifest), object: place(resource.object) };
}

class Translator {
  readonly objects: KubernetesObject[] = [];
  readonly problems: Problem[] = [];
  private readonly definitions = new Map<string, Definition>();
  private readonly clusters = new Map<string, Cluster>();
  /** Warnings given, so that a task definition's warning is not repeated for each Task or Service that runs it. */
  private readonly warned = new Set<string>();
  /** ServiceAccounts printed: tasks of one role share one. */
  private readonly accounts = new Set<string>();

  constructor(
    private readonly io: CliIO,
    private readonly resources: readonly Resource[],
    private readonly hostAccess: HostAccessPolicy,
    /** Whether the cluster serves TargetGroupBindings: they are printed, else the targetGroupArn is warned. */
    private readonly targetGroupBinding: boolean,
  ) {}

  private warnOnce(location: Location, message: string): void {
    const line = JSON.stringify([location, message]);
    if (!this.warned.has(line)) warn(this.io, { ...location, message });
    this.warned.add(line);
  }

  /** An issue of a Task's or Service's translation, at the resource, or at the TaskDefinition when it names a revision's field. */
  private locate(resource: Resource, definition: Definition, revision: number, { path, message }: Issue): Problem {
    const prefix = `${definition.family}:${revision} `;
    if (path.startsWith(prefix)) return { ...definition.resource.at(path.slice(prefix.length)), message };
    return { ...resource.at(path), message };
  }

  collectDefinitions(): void {
    for (const resource of this.resources) {
      if (resource.kind === 'Cluster') this.clusters.set(keyOf(namespaceOf(resource), resource.object.metadata.name ?? ''), resource.object as Cluster);
      if (resource.kind !== 'TaskDefinition') continue;
      const td = resource as Resource<TaskDefinition>;
      const family = familyOf(td.object);
      const key = keyOf(namespaceOf(td), family);
      const other = this.definitions.get(key);
      if (other) {
        const where = other.resource.at();
        this.problems.push({
          ...td.at('spec.family'),
          message: `family '${family}' is defined twice: also in ${where.file}${where.resource ? ` (${where.resource})` : ''}`,
        });
        continue;
      }
      // What is wrong whatever Cluster runs it is reported here; what a Cluster forbids, where a Task or Service runs it.
      const { errors, warnings } = checkTaskDefinition(registeredSpec(td.object));
      for (const { path, message } of errors) this.problems.push({ ...td.at(path), message });
      for (const { path, message } of warnings) this.warnOnce(td.at(path), message);
      this.definitions.set(key, {
        resource: td,
        family,
        ...(td.revision === undefined ? {} : { revision: td.revision }),
        valid: errors.length === 0,
        runBy: 0,
      });
    }
  }

  /** The TaskDefinition and revision a Task or Service names, or undefined after reporting why there is none. */
  private resolve(resource: Resource<Task | Service>): { definition: Definition; revision: number } | undefined {
    const reference = resource.object.spec.taskDefinition;
    const parsed = parseTaskDefinitionReference(reference);
    const definition = parsed && this.definitions.get(keyOf(namespaceOf(resource), parsed.family));
    if (!parsed || !definition) {
      this.problems.push({
        ...resource.at('spec.taskDefinition'),
        message: `no TaskDefinition of family '${parsed?.family ?? reference}' in the input; give its file with -f`,
      });
      return undefined;
    }
    definition.runBy += 1;
    if (!definition.valid) return undefined; // its errors are reported at the TaskDefinition
    if (parsed.revision !== undefined && definition.revision !== undefined && parsed.revision !== definition.revision) {
      const where = definition.resource.at('revision');
      this.problems.push({
        ...resource.at('spec.taskDefinition'),
        message: `'${reference}' is not in the input: ${where.file} holds revision ${definition.revision} of '${parsed.family}'`,
      });
      return undefined;
    }
    return { definition, revision: parsed.revision ?? definition.revision ?? 1 };
  }

  private clusterOf(resource: Resource<Task | Service>): Cluster {
    const name = clusterNameOf(resource.object.spec);
    if (name !== DEFAULT_CLUSTER && !this.clusters.has(keyOf(namespaceOf(resource), name))) {
      this.warnOnce(resource.at('spec.cluster'), `Cluster '${name}' is not in the input; translated with a Cluster's default settings`);
    }
    return this.clusterNamed(name, namespaceOf(resource));
  }

  /** The Cluster of the input, or one with the default settings. */
  private clusterNamed(name: string, namespace: string): Cluster {
    const found = this.clusters.get(keyOf(namespace, name));
    return found ?? { apiVersion: 'ecs.operator.dev/v1alpha1', kind: 'Cluster', metadata: { name, ...(namespace ? { namespace } : {}) }, spec: {} };
  }

  private emit(resource: Resource, workload: Omit<Workload, 'template'>, definition: Definition, revision: number, objects: readonly KubernetesObject[]): void {
    for (const issue of workload.warnings) {
      const { message, ...location } = this.locate(resource, definition, revision, issue);
      this.warnOnce(location, message);
    }
    if (workload.nodeEvaluated) {
      this.warnOnce(
        resource.at('spec.placementConstraints'),
        "placement is evaluated on the cluster's nodes; without a cluster there are none, so the affinity shown admits no node",
      );
    }
    if (workload.error || objects.length === 0) {
      if (workload.error) {
        const problem = this.locate(resource, definition, revision, workload.error);
        const runBy =
          problem.file === resource.at().file && problem.resource === resource.at().resource
            ? ''
            : ` (as ${resource.kind} ${resource.object.metadata.name} runs it)`;
        this.problems.push({ ...problem, message: `${problem.message}${runBy}` });
      }
      return;
    }
    this.addServiceAccounts(workload.serviceAccounts, namespaceOf(resource));
    this.objects.push(...objects);
  }

  private addServiceAccounts(accounts: readonly V1ServiceAccount[], namespace: string): void {
    for (const account of accounts) {
      const key = keyOf(namespace, account.metadata?.name ?? '');
      if (this.accounts.has(key)) continue;
      this.accounts.add(key);
      this.objects.push({ apiVersion: 'v1', kind: 'ServiceAccount', ...account, metadata: { ...account.metadata, ...(namespace ? { namespace } : {}) } });
    }
  }

  translateWorkloads(): void {
    for (const resource of this.resources) {
      for (const { path, message } of resourceFieldWarnings(resource.kind, resource.object, { targetGroupBinding: this.targetGroupBinding }))
        this.warnOnce(resource.at(path), message);
      if (resource.kind === 'Task') {
        const task = resource as Resource<Task>;
        const resolved = this.resolve(task);
        if (!resolved) continue;
        const { definition, revision } = resolved;
        const spec = registeredSpec(definition.resource.object);
        const result = taskPod({
          task: task.object,
          cluster: this.clusterOf(task),
          hostAccess: this.hostAccess,
          spec,
          family: definition.family,
          revision,
          nodes: [],
          pods: [],
        });
        this.emit(task, result, definition, revision, result.pod ? [result.pod] : []);
      } else if (resource.kind === 'Service') {
        const service = resource as Resource<Service>;
        const refusal = deploymentControllerRefusal(service.object.spec);
        if (refusal) {
          this.problems.push({ ...service.at(refusal.path), message: refusal.message });
          continue;
        }
        const resolved = this.resolve(service);
        if (!resolved) continue;
        const { definition, revision } = resolved;
        const spec = registeredSpec(definition.resource.object);
        const strategy = service.object.spec.schedulingStrategy ?? 'REPLICA';
        const { target, ...result } = serviceTarget({
          service: service.object,
          cluster: this.clusterOf(service),
          hostAccess: this.hostAccess,
          strategy,
          spec,
          family: definition.family,
          revision,
          nodes: [],
          pods: [],
        });
        // A first deployment: the ReplicaSets start with every task desired, as the rollout lets it.
        const workloads = target
          ? strategy === 'DAEMON'
            ? [serviceDaemonSet(service.object, target)]
            : serviceReplicaSets(service.object, target, service.object.spec.desiredCount ?? 0)
          : [];
        this.emit(service, result, definition, revision, workloads);
        if (!target) continue;
        const discovery = serviceDiscoveryObjects(service.object, spec);
        for (const { path, message } of discovery.errors) this.problems.push({ ...service.at(path), message });
        this.objects.push(...(discovery.services as KubernetesObject[]));
        if (this.targetGroupBinding && discovery.errors.length === 0) this.objects.push(...targetGroupBindings(service.object));
      }
    }
  }

  /** What a TaskDefinition that nothing in the input runs would run as a task of the `default` Cluster: its pod template. */
  podTemplatesOfIdleDefinitions(): void {
    for (const definition of this.definitions.values()) {
      if (definition.runBy > 0 || !definition.valid) continue;
      const { metadata } = definition.resource.object;
      const revision = definition.revision ?? 1;
      // Under the default Cluster's settings, as a Task of it would run: what they change is said as for that Task.
      const cluster = clusterSettings(this.clusterNamed(DEFAULT_CLUSTER, namespaceOf(definition.resource)), this.hostAccess);
      const translation = taskDefinitionToPodTemplate({ spec: registeredSpec(definition.resource.object), family: definition.family, revision, cluster });
      for (const { path, message } of translation.warnings) this.warnOnce(definition.resource.at(path), message);
      for (const { path, message } of translation.errors)
        this.problems.push({ ...definition.resource.at(path), message: `${message} (as a task of the default Cluster)` });
      if (!translation.template) continue;
      const namespace = metadata.namespace;
      this.addServiceAccounts(translation.extraObjects, namespace ?? '');
      const podTemplate: V1PodTemplate = {
        apiVersion: 'v1',
        kind: 'PodTemplate',
        metadata: { name: revisionName(metadata.name ?? '', revision), ...(namespace ? { namespace } : {}) },
        template: translation.template,
      };
      this.objects.push(podTemplate);
    }
  }
}

export interface TranslateOptions extends FileOptions, CommandLineNames, TargetGroupBindingOption {
  /** As `run --allow-host-access-namespaces`: which namespaces' tasks may use the host. */
  allowHostAccessNamespaces?: string;
}

/** The objects for the resources of `options.filename`, as YAML on stdout; warnings on stderr. */
export function runTranslate(io: CliIO, options: TranslateOptions): void {
  const input = loadInput(io, options.filename, { names: options });
  const resources = input.resources.map((resource) => inNamespace(resource, options.namespace));
  const autoscalers = autoscalersOf(io, input.autoScaling, options.namespace);
  if (resources.length === 0 && autoscalers.length === 0)
    throw new InputError([
      { file: options.filename.join(', '), message: 'holds no ECS resources (TaskDefinition, Task, Service or Cluster manifests, or ECS JSON)' },
    ]);
  const translator = new Translator(
    io,
    resources,
    { namespaces: parseNamespaceList(options.allowHostAccessNamespaces ?? '') },
    options.targetGroupBinding ?? true,
  );
  translator.collectDefinitions();
  translator.translateWorkloads();
  translator.podTemplatesOfIdleDefinitions();
  if (translator.problems.length > 0) throw new InputError(translator.problems);
  io.stdout(toYamlDocuments([...translator.objects, ...autoscalers]));
}

const command = fileCommand<TranslateOptions>({
  name: 'translate',
  description:
    'print the Kubernetes objects the operator would create for TaskDefinition, Task and Service manifests or ECS JSON ' +
    '(a Pod per Task, a ReplicaSet per Service, ServiceAccounts for task roles, a HorizontalPodAutoscaler per service ' +
    'of Application Auto Scaling JSON), without a cluster; warnings go to stderr',
  filesHelp: 'manifest or ECS JSON file',
  namespaceHelp: 'the namespace of resources that name none',
  options: (cmd) =>
    addTargetGroupBindingOption(
      addNameOptions(cmd).option(
        `${HOST_ACCESS_FLAG} <list>`,
        "as for run: comma-separated namespaces (or *) whose tasks may use the host; the operator's policy, so that translate refuses what it refuses (default: none)",
      ),
      'print no TargetGroupBinding and warn, as the operator does there, how traffic reaches the tasks instead',
    ),
  run: runTranslate,
});

export const translateCommand = command.build;
export const registerTranslate: CommandRegistration = command.register;
export const { main } = command;
