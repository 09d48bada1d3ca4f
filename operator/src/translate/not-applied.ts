// Service and Task fields the operator accepts but does not apply, each a warning naming the field: never a
// silent drop. One list, pure, read alike by `ecs-operator import`, by `ecs-operator translate` and by the
// Service and Task controllers (status.warnings, the FieldsApplied condition and a Warning Event), so that the
// three say the same words. docs/translation.md's field table quotes these messages too (npm run docs:fields).
import type { Service, ServiceSpec } from '../api/service.js';
import type { NetworkConfiguration, TaskSpec } from '../api/task.js';
import type { Issue } from './issues.js';
import { discoveryServiceName } from './service-discovery.js';

/** What the warnings depend on beyond the spec: what the cluster serves. */
export interface FieldContext {
  /**
   * Whether the AWS Load Balancer Controller's TargetGroupBinding kind (elbv2.k8s.aws/v1beta1) is served: then a
   * `loadBalancers[].targetGroupArn` is joined by a TargetGroupBinding, else it is a warning.
   */
  targetGroupBinding: boolean;
}

/** A field and what is said when a spec sets it; `issues` gives one per place it is set (list items). */
export interface NotAppliedRule<Spec> {
  /** The field, as the CRD walk and the docs name it (`loadBalancers[].loadBalancerName`). */
  field: string;
  /** What is said about it, in general (the docs quote it). */
  summary: string;
  issues: (spec: Spec, where: { resourceName: string; context: FieldContext }) => Issue[];
}

const EXEC_MESSAGE = 'ECS Exec is not set up: `kubectl exec` reaches the containers of any task whatever this says, for whoever RBAC allows pods/exec';

/** The ClusterIP Service that service discovery makes for a Service resource: how traffic reaches its tasks. */
const throughService = (resourceName: string, port?: number) =>
  `traffic reaches the tasks through the ClusterIP Service '${discoveryServiceName(resourceName)}'${port === undefined ? '' : ` (port ${port})`}`;

const each = <T>(items: readonly T[] | undefined, issue: (item: T, index: number) => Issue | undefined): Issue[] =>
  (items ?? []).flatMap((item, index) => {
    const found = issue(item, index);
    return found ? [found] : [];
  });

const launchTypeMessage = (type: string) =>
  `launch type ${type} is not a capacity here: the tasks run on the Cluster's container instances (its nodes); a capacityProviderStrategy selects among them`;

/** EC2 is what every task gets: the Cluster's nodes. FARGATE and EXTERNAL capacity are not. */
function launchTypeIssues(spec: { launchType?: string }): Issue[] {
  return spec.launchType && spec.launchType !== 'EC2' ? [{ path: 'spec.launchType', message: launchTypeMessage(spec.launchType) }] : [];
}

const SECURITY_GROUPS_MESSAGE = 'not applied: pods get no security groups; restrict their traffic with NetworkPolicies';
const PUBLIC_IP_MESSAGE = 'not applied: pods get an IP of the pod network, never a public one';
const AWSVPC = 'networkConfiguration.awsvpcConfiguration';

/**
 * What of an awsvpcConfiguration never has an effect, whatever the Cluster: security groups and a public IP. (Its
 * subnets keep the tasks to their zones where the Cluster maps them, else the translation warns: awsvpc.ts.)
 */
const AWSVPC_NOT_APPLIED: ReadonlyArray<NotAppliedRule<{ networkConfiguration?: NetworkConfiguration }>> = [
  {
    field: `${AWSVPC}.securityGroups`,
    summary: SECURITY_GROUPS_MESSAGE,
    issues: (spec) =>
      spec.networkConfiguration?.awsvpcConfiguration?.securityGroups?.length
        ? [{ path: `spec.${AWSVPC}.securityGroups`, message: SECURITY_GROUPS_MESSAGE }]
        : [],
  },
  {
    field: `${AWSVPC}.assignPublicIp`,
    summary: PUBLIC_IP_MESSAGE,
    issues: (spec) =>
      spec.networkConfiguration?.awsvpcConfiguration?.assignPublicIp === 'ENABLED'
        ? [{ path: `spec.${AWSVPC}.assignPublicIp`, message: PUBLIC_IP_MESSAGE }]
        : [],
  },
];

const alarmsMessage = (names: readonly string[]) =>
  `CloudWatch alarms${names.length ? ` (${names.join(', ')})` : ''} do not watch deployments here: no deployment is stopped or rolled back by them; the deploymentCircuitBreaker is`;

export const TGB_NOT_SERVED =
  'the TargetGroupBinding kind (elbv2.k8s.aws/v1beta1, the AWS Load Balancer Controller) is not served in this cluster, so the target group is not joined';

export const SERVICE_NOT_APPLIED: ReadonlyArray<NotAppliedRule<ServiceSpec>> = [
  { field: 'launchType', summary: launchTypeMessage('FARGATE (or EXTERNAL)'), issues: launchTypeIssues },
  ...AWSVPC_NOT_APPLIED,
  {
    field: 'enableExecuteCommand',
    summary: EXEC_MESSAGE,
    issues: (spec) => (spec.enableExecuteCommand ? [{ path: 'spec.enableExecuteCommand', message: EXEC_MESSAGE }] : []),
  },
  {
    field: 'deploymentConfiguration.alarms',
    summary: alarmsMessage([]),
    issues: (spec) => {
      const alarms = spec.deploymentConfiguration?.alarms;
      return alarms?.enable || alarms?.rollback ? [{ path: 'spec.deploymentConfiguration.alarms', message: alarmsMessage(alarms.alarmNames) }] : [];
    },
  },
  {
    field: 'loadBalancers[].loadBalancerName',
    summary: 'a Classic Load Balancer is not registered with; traffic reaches the tasks through the ClusterIP Service of service discovery',
    issues: (spec, { resourceName }) =>
      each(spec.loadBalancers, (lb, i) =>
        lb.loadBalancerName === undefined
          ? undefined
          : {
              path: `spec.loadBalancers[${i}].loadBalancerName`,
              message: `Classic Load Balancer '${lb.loadBalancerName}' is not registered with: ${throughService(resourceName, lb.containerPort)}`,
            },
      ),
  },
  {
    field: 'loadBalancers[].targetGroupArn',
    summary: `joined by a TargetGroupBinding where that kind is served; elsewhere: ${TGB_NOT_SERVED}, and traffic reaches the tasks through the ClusterIP Service of service discovery`,
    issues: (spec, { resourceName, context }) =>
      context.targetGroupBinding
        ? []
        : each(spec.loadBalancers, (lb, i) =>
            lb.targetGroupArn === undefined
              ? undefined
              : { path: `spec.loadBalancers[${i}].targetGroupArn`, message: `${TGB_NOT_SERVED}; ${throughService(resourceName, lb.containerPort)}` },
          ),
  },
  {
    field: 'serviceRegistries[].registryArn',
    summary: 'no Cloud Map registration; the tasks are reachable through the ClusterIP Service of service discovery',
    issues: (spec, { resourceName }) =>
      each(spec.serviceRegistries, (registry, i) =>
        registry.registryArn === undefined
          ? undefined
          : {
              path: `spec.serviceRegistries[${i}].registryArn`,
              message: `no Cloud Map registration: ${throughService(resourceName)}, resolvable as ${discoveryServiceName(resourceName)}.NAMESPACE.svc`,
            },
      ),
  },
  {
    field: 'serviceConnectConfiguration.namespace',
    summary: 'Service Connect names resolve as Kubernetes Services of the resource’s namespace; the Cloud Map namespace is not used',
    issues: (spec) =>
      spec.serviceConnectConfiguration?.namespace === undefined
        ? []
        : [
            {
              path: 'spec.serviceConnectConfiguration.namespace',
              message: `Cloud Map namespace '${spec.serviceConnectConfiguration.namespace}' is not used: Service Connect names resolve as Kubernetes Services of this resource's namespace`,
            },
          ],
  },
  {
    field: 'serviceConnectConfiguration.services[].clientAliases[].dnsName',
    summary: 'no DNS alias is made: clients reach the core Service named after discoveryName (or portName)',
    issues: (spec) =>
      (spec.serviceConnectConfiguration?.services ?? []).flatMap((entry, i) =>
        each(entry.clientAliases, (alias, j) =>
          alias.dnsName === undefined
            ? undefined
            : {
                path: `spec.serviceConnectConfiguration.services[${i}].clientAliases[${j}].dnsName`,
                message: `DNS alias '${alias.dnsName}' is not made: clients reach the core Service '${discoveryServiceName(entry.discoveryName ?? entry.portName)}'`,
              },
        ),
      ),
  },
  {
    field: 'serviceConnectConfiguration.services[].ingressPortOverride',
    summary: 'there is no Service Connect proxy: traffic goes straight to the container port',
    issues: (spec) =>
      each(spec.serviceConnectConfiguration?.services, (entry, i) =>
        entry.ingressPortOverride === undefined
          ? undefined
          : {
              path: `spec.serviceConnectConfiguration.services[${i}].ingressPortOverride`,
              message: 'there is no Service Connect proxy: traffic goes straight to the container port',
            },
      ),
  },
  {
    field: 'serviceConnectConfiguration.logConfiguration',
    summary: 'there is no Service Connect proxy, so no proxy logs to configure',
    issues: (spec) =>
      spec.serviceConnectConfiguration?.logConfiguration === undefined
        ? []
        : [{ path: 'spec.serviceConnectConfiguration.logConfiguration', message: 'there is no Service Connect proxy, so no proxy logs to configure' }],
  },
];

export const TASK_NOT_APPLIED: ReadonlyArray<NotAppliedRule<TaskSpec>> = [
  { field: 'launchType', summary: launchTypeMessage('FARGATE (or EXTERNAL)'), issues: launchTypeIssues },
  ...AWSVPC_NOT_APPLIED,
  {
    field: 'enableExecuteCommand',
    summary: EXEC_MESSAGE,
    issues: (spec) => (spec.enableExecuteCommand ? [{ path: 'spec.enableExecuteCommand', message: EXEC_MESSAGE }] : []),
  },
];

/** What of a Service's spec is not applied, each at its field. */
export function serviceFieldWarnings(service: Pick<Service, 'metadata' | 'spec'>, context: FieldContext): Issue[] {
  const where = { resourceName: service.metadata.name ?? '', context };
  return SERVICE_NOT_APPLIED.flatMap((rule) => rule.issues(service.spec, where));
}

/** What of a Task's spec is not applied, each at its field. */
export function taskFieldWarnings(task: { metadata: { name?: string }; spec: TaskSpec }): Issue[] {
  const where = { resourceName: task.metadata.name ?? '', context: { targetGroupBinding: false } };
  return TASK_NOT_APPLIED.flatMap((rule) => rule.issues(task.spec, where));
}

/** The warnings as status.warnings holds them, `path: message`. */
export const warningLines = (issues: readonly Issue[]): string[] => issues.map(({ path, message }) => `${path}: ${message}`);

/** What of a resource's spec is not applied: a Service's or a Task's, nothing of other kinds. */
export function resourceFieldWarnings(kind: string, object: { metadata: { name?: string }; spec?: unknown }, context: FieldContext): Issue[] {
  if (kind === 'Service') return serviceFieldWarnings(object as Pick<Service, 'metadata' | 'spec'>, context);
  if (kind === 'Task') return taskFieldWarnings(object as { metadata: { name?: string }; spec: TaskSpec });
  return [];
}

/**
 * The warnings of a Task's or Service's translation at its own fields (`spec.volumeConfigurations[0]...`), not at
 * its revision's (`web:3 spec.memory`, which the TaskDefinition reports): the controllers report these beside the
 * rules above, as `ecs-operator translate` prints them.
 */
export const ownWarnings = (issues: readonly Issue[]): Issue[] => issues.filter(({ path }) => path.startsWith('spec.') || path === 'spec');
