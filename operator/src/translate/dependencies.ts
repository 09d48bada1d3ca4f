// ECS dependsOn → Kubernetes start order. A container others wait on to exit (COMPLETE, SUCCESS)
// runs to completion as an init container ("job"); one others wait on to start or become healthy
// (START, HEALTHY) keeps running as a native sidecar (an init container with restartPolicy Always,
// which holds the next init container until its startup probe passes); every other container is a
// main container. Jobs and sidecars start in dependency order, ties in definition order.
import type { ContainerDefinition, DependencyCondition } from '../api/taskdefinition.js';
import { containerIndexByName, isEssential } from './container-names.js';
import { findCycle, topologicalOrder } from './graph.js';
import { containerPath, type IssueLog } from './issues.js';

export type ContainerRole = 'job' | 'sidecar' | 'main';

export interface ContainerPlan {
  /** Role of each container, by index. */
  roles: ContainerRole[];
  /** Init containers (jobs and sidecars) in start order. */
  initOrder: number[];
  /** Main containers in definition order. */
  mainOrder: number[];
  /** Containers others wait on to be HEALTHY: their startup probe gates the containers after them. */
  awaitedHealthy: ReadonlySet<number>;
}

interface Dependency {
  /** The waiting container. */
  waiter: number;
  /** Position in its dependsOn list. */
  entry: number;
  /** The container waited on. */
  target: number;
  condition: DependencyCondition;
}

const RUN_TO_COMPLETION: ReadonlySet<DependencyCondition> = new Set(['COMPLETE', 'SUCCESS']);

function entryPath(dependency: Pick<Dependency, 'waiter' | 'entry'>): string {
  return `${containerPath(dependency.waiter)}.dependsOn[${dependency.entry}]`;
}

/** Every dependsOn entry whose target exists. */
function resolvedDependencies(definitions: readonly ContainerDefinition[]): Dependency[] {
  const byName = containerIndexByName(definitions);
  return definitions.flatMap((definition, waiter) =>
    (definition.dependsOn ?? []).flatMap(({ containerName, condition }, entry) => {
      const target = byName.get(containerName);
      return target === undefined ? [] : [{ waiter, entry, target, condition }];
    }),
  );
}

function needsOf(definitions: readonly ContainerDefinition[], dependencies: readonly Dependency[]): number[][] {
  const needs = definitions.map((): number[] => []);
  for (const { waiter, target } of dependencies) needs[waiter]?.push(target);
  return needs;
}

/** ECS rules of dependsOn: known targets, no cycles, COMPLETE/SUCCESS never on an essential container, HEALTHY only on a health-checked one. */
export function validateDependencies(definitions: readonly ContainerDefinition[], log: IssueLog): void {
  const byName = containerIndexByName(definitions);
  definitions.forEach((definition, waiter) =>
    (definition.dependsOn ?? []).forEach(({ containerName }, entry) => {
      if (!byName.has(containerName))
        log.error(`${entryPath({ waiter, entry })}.containerName`, `no container named ${JSON.stringify(containerName)} in this task definition`);
    }),
  );
  const dependencies = resolvedDependencies(definitions);
  for (const dependency of dependencies) {
    const target = definitions[dependency.target];
    if (!target) continue;
    if (RUN_TO_COMPLETION.has(dependency.condition) && isEssential(target)) {
      log.error(
        `${entryPath(dependency)}.condition`,
        `${dependency.condition} waits for "${target.name}" to exit, but "${target.name}" is essential and its exit would stop the task; mark it essential: false`,
      );
    }
    if (dependency.condition === 'HEALTHY' && !target.healthCheck) {
      log.error(`${entryPath(dependency)}.condition`, `HEALTHY needs a healthCheck on "${target.name}", which has none`);
    }
  }
  const cycle = findCycle(needsOf(definitions, dependencies));
  const [first, second] = cycle ?? [];
  const closing = dependencies.find(({ waiter, target }) => waiter === first && target === second);
  if (cycle && closing) {
    const names = cycle.map((index) => definitions[index]?.name).join(' → ');
    log.error(`${entryPath(closing)}.containerName`, `dependsOn cycle: ${names}`);
  }
}

function roleOf(index: number, dependencies: readonly Dependency[]): ContainerRole {
  const conditions = dependencies.filter(({ target }) => target === index).map(({ condition }) => condition);
  if (conditions.some((condition) => RUN_TO_COMPLETION.has(condition))) return 'job';
  return conditions.length > 0 ? 'sidecar' : 'main';
}

/** Warnings where Kubernetes start order differs from what ECS would do. */
function warnCompromises(definitions: readonly ContainerDefinition[], plan: ContainerPlan, dependencies: readonly Dependency[], log: IssueLog): void {
  for (const dependency of dependencies) {
    const target = definitions[dependency.target]?.name;
    if (dependency.condition === 'COMPLETE') {
      log.warn(
        `${entryPath(dependency)}.condition`,
        `COMPLETE runs "${target}" as an init container, which must exit 0: a non-zero exit fails the task where ECS would go on`,
      );
    } else if (plan.roles[dependency.target] === 'job' && !RUN_TO_COMPLETION.has(dependency.condition)) {
      log.warn(
        `${entryPath(dependency)}.condition`,
        `"${target}" runs to completion as an init container (others wait for it to exit), so ${dependency.condition} is met only once it has exited`,
      );
    }
  }
  plan.roles.forEach((role, index) => {
    if (role === 'job' && definitions[index]?.healthCheck) {
      log.warn(
        `${containerPath(index)}.healthCheck`,
        'not run: this container runs as an init container (others wait for it to exit), and init containers have no probes',
      );
    }
  });
  const essentialSidecar = plan.initOrder.find((index) => plan.roles[index] === 'sidecar' && isEssential(definitions[index]!));
  const essentialMain = plan.mainOrder.some((index) => isEssential(definitions[index]!));
  if (essentialSidecar !== undefined && !essentialMain) {
    log.warn(
      `${containerPath(essentialSidecar)}.essential`,
      'this essential container runs as a native sidecar (others wait on it), and Kubernetes stops sidecars once every main container has exited, which here are all non-essential',
    );
  }
}

/** The role of each container and the order init containers start in. */
export function planContainers(definitions: readonly ContainerDefinition[], log: IssueLog): ContainerPlan {
  const dependencies = resolvedDependencies(definitions);
  const roles = definitions.map((_definition, index) => roleOf(index, dependencies));
  const indices = roles.map((_role, index) => index);
  const plan: ContainerPlan = {
    roles,
    initOrder: topologicalOrder(
      needsOf(definitions, dependencies),
      indices.filter((index) => roles[index] !== 'main'),
    ),
    mainOrder: indices.filter((index) => roles[index] === 'main'),
    awaitedHealthy: new Set(dependencies.filter(({ condition }) => condition === 'HEALTHY').map(({ target }) => target)),
  };
  warnCompromises(definitions, plan, dependencies, log);
  return plan;
}
