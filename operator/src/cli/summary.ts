// `ecs-operator summary`: what `aws ecs describe-clusters`, `describe-services`, `list-tasks` and
// `aws scheduler list-schedules` would tell at a glance, as four tables a person reads in one look. Rendering is pure; the command only lists the objects.
import { Command } from 'commander';
import { CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import type { Cluster } from '../api/cluster.js';
import { ECS_GROUP, ECS_VERSION } from '../api/meta.js';
import type { ScheduledTask } from '../api/scheduledtask.js';
import type { Service } from '../api/service.js';
import type { Task } from '../api/task.js';
import type { CommandRegistration } from './main.js';

export interface SummaryInput {
  clusters: readonly Cluster[];
  services: readonly Service[];
  tasks: readonly Task[];
  scheduledTasks: readonly ScheduledTask[];
}

/** Columns padded to their widest cell; an empty table says so. */
export function renderTable(title: string, header: readonly string[], rows: readonly (readonly string[])[]): string {
  if (rows.length === 0) return `${title}: none\n`;
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return `${title}\n${[line(header), ...rows.map(line)].join('\n')}\n`;
}

const text = (value: string | number | undefined): string => (value === undefined || value === '' ? '-' : String(value));
const percent = (value: number | undefined): string => (value === undefined ? '-' : `${value}%`);
const byName = <T extends { metadata: { namespace?: string; name?: string } }>(a: T, b: T) =>
  `${a.metadata.namespace}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace}/${b.metadata.name}`);

export function renderSummary({ clusters, services, tasks, scheduledTasks }: SummaryInput): string {
  const clusterRows = [...clusters]
    .sort(byName)
    .map((c) => [
      text(c.metadata.namespace),
      text(c.status?.clusterName ?? c.metadata.name),
      text(c.status?.status),
      text(c.status?.registeredContainerInstancesCount),
      text(c.status?.runningTasksCount),
      text(c.status?.pendingTasksCount),
      text(c.status?.activeServicesCount),
      percent(c.status?.cpuReservation),
      percent(c.status?.memoryReservation),
      percent(c.status?.cpuUtilization),
      percent(c.status?.memoryUtilization),
    ]);
  const serviceRows = [...services].sort(byName).map((s) => {
    const primary = s.status?.deployments?.find((d) => d.status === 'PRIMARY');
    return [
      text(s.metadata.namespace),
      text(s.metadata.name),
      text(s.status?.status),
      text(s.spec.schedulingStrategy ?? 'REPLICA'),
      text(s.status?.desiredCount ?? s.spec.desiredCount),
      text(s.status?.runningCount),
      text(s.status?.pendingCount),
      text(s.status?.taskDefinition),
      text(primary?.rolloutState),
      percent(s.status?.cpuUtilization),
      percent(s.status?.memoryUtilization),
      text(s.status?.events?.[0]?.message),
    ];
  });
  const taskRows = [...tasks]
    .sort(byName)
    .map((t) => [
      text(t.metadata.namespace),
      text(t.metadata.name),
      text(t.status?.lastStatus),
      text(t.status?.desiredStatus ?? t.spec.desiredStatus),
      text(t.status?.taskDefinition ?? t.spec.taskDefinition),
      text(t.status?.containerInstance),
      text(t.status?.healthStatus),
      t.status?.stopCode ? `${t.status.stopCode}: ${t.status.stoppedReason ?? ''}` : '-',
    ]);
  const scheduleRows = [...scheduledTasks].sort(byName).map((s) => {
    const valid = s.status?.conditions?.find((c) => c.type === 'Valid');
    const newest = s.status?.runs?.[0];
    return [
      text(s.metadata.namespace),
      text(s.metadata.name),
      valid?.status === 'False' ? 'INVALID' : text(s.spec.state ?? 'ENABLED'),
      text(s.spec.scheduleExpression),
      text(s.spec.scheduleExpressionTimezone ?? 'UTC'),
      text(s.spec.target.taskDefinition),
      text(s.status?.lastScheduleTime),
      text(newest?.outcome),
      text(s.status?.nextScheduleTime),
    ];
  });
  return [
    renderTable(
      'CLUSTERS',
      ['NAMESPACE', 'CLUSTER', 'STATUS', 'INSTANCES', 'RUNNING', 'PENDING', 'SERVICES', 'CPU RESERVED', 'MEMORY RESERVED', 'CPU USED', 'MEMORY USED'],
      clusterRows,
    ),
    renderTable(
      'SERVICES',
      ['NAMESPACE', 'SERVICE', 'STATUS', 'STRATEGY', 'DESIRED', 'RUNNING', 'PENDING', 'TASK DEFINITION', 'ROLLOUT', 'CPU', 'MEMORY', 'LAST EVENT'],
      serviceRows,
    ),
    renderTable('TASKS', ['NAMESPACE', 'TASK', 'LAST STATUS', 'DESIRED', 'TASK DEFINITION', 'CONTAINER INSTANCE', 'HEALTH', 'STOPPED'], taskRows),
    renderTable('SCHEDULES', ['NAMESPACE', 'SCHEDULE', 'STATE', 'EXPRESSION', 'TIME ZONE', 'TASK DEFINITION', 'LAST RUN', 'OUTCOME', 'NEXT RUN'], scheduleRows),
  ].join('\n');
}

/** Lists the four kinds, in one namespace or all of them. */
export async function fetchSummary(kc: KubeConfig, namespace?: string): Promise<SummaryInput> {
  const custom = kc.makeApiClient(CustomObjectsApi);
  const list = async <T>(plural: string): Promise<T[]> => {
    const coordinates = { group: ECS_GROUP, version: ECS_VERSION, plural };
    const result = (namespace ? await custom.listNamespacedCustomObject({ ...coordinates, namespace }) : await custom.listClusterCustomObject(coordinates)) as {
      items: T[];
    };
    return result.items;
  };
  const [clusters, services, tasks, scheduledTasks] = await Promise.all([
    list<Cluster>('clusters'),
    list<Service>('services'),
    list<Task>('tasks'),
    list<ScheduledTask>('scheduledtasks'),
  ]);
  return { clusters, services, tasks, scheduledTasks };
}

export const registerSummary: CommandRegistration = (program: Command) => {
  program
    .command('summary')
    .description('print the ECS clusters, services, tasks and schedules (with their next run) as tables, as the aws ecs and scheduler commands would show them')
    .option('--kubeconfig <path>', 'kubeconfig file (default: KUBECONFIG, ~/.kube/config, in-cluster)')
    .option('-n, --namespace <name>', 'one namespace (default: all namespaces)')
    .action(async (options: { kubeconfig?: string; namespace?: string }) => {
      const kc = new KubeConfig();
      if (options.kubeconfig) kc.loadFromFile(options.kubeconfig);
      else kc.loadFromDefault();
      process.stdout.write(renderSummary(await fetchSummary(kc, options.namespace)));
    });
};
