// Checks beyond the CRD schema. The shape (types, enums, ECS bounds) is checked with ajv against
// schema.ts; rules across fields (sums, references, cycles, clashes, Fargate's limits) in code. Every
// issue names the field it is about. An unknown field is a warning: it is ignored, never guessed at.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { ContainerDefinition, TaskDefinitionSpec, TaskOverride } from '../api/taskdefinition.js';
import { containerIndexByName, isEssential } from './container-names.js';
import { validateDependencies } from './dependencies.js';
import { containerPath, SPEC_PATH, volumePath, type Issue, type IssueLog } from './issues.js';
import { taskDefinitionSpecSchema, taskOverrideSchema } from './schema.js';
import { parseTaskCpu, parseTaskMemory } from './units.js';
import { validateVolumes } from './volumes.js';

const ajv = new Ajv({ allErrors: true, allowUnionTypes: true });
const specShape = ajv.compile<TaskDefinitionSpec>(taskDefinitionSpecSchema);
const overrideShape = ajv.compile<TaskOverride>(taskOverrideSchema);

/** `/containerDefinitions/0/name` under `spec` → `spec.containerDefinitions[0].name`. */
function fieldPath(base: string, instancePath: string, child?: string): string {
  const segments = instancePath
    .split('/')
    .slice(1)
    .map((segment) => segment.replaceAll('~1', '/').replaceAll('~0', '~'));
  return [...segments, ...(child === undefined ? [] : [child])].reduce((path, segment) => {
    if (/^[0-9]+$/.test(segment)) return `${path}[${segment}]`;
    return /^[A-Za-z_][A-Za-z0-9_]*$/.test(segment) ? `${path}.${segment}` : `${path}[${JSON.stringify(segment)}]`;
  }, base);
}

/** An ajv error as an issue at its field under `base`. */
export function schemaIssue(base: string, error: ErrorObject): Issue {
  const params = error.params as { missingProperty?: string; additionalProperty?: string; allowedValues?: unknown[] };
  if (error.keyword === 'required') return { path: fieldPath(base, error.instancePath, params.missingProperty), message: 'is required' };
  if (error.keyword === 'additionalProperties')
    return { path: fieldPath(base, error.instancePath, params.additionalProperty), message: 'unknown field, ignored' };
  const allowed = error.keyword === 'enum' ? `: ${params.allowedValues?.join(', ')}` : '';
  return { path: fieldPath(base, error.instancePath), message: `${error.message ?? 'is invalid'}${allowed}` };
}

function checkShape<Shape>(validate: ValidateFunction<Shape>, value: unknown, base: string, log: IssueLog): value is Shape {
  if (validate(value)) return true;
  let valid = true;
  for (const error of validate.errors ?? []) {
    const issue = schemaIssue(base, error);
    if (error.keyword === 'additionalProperties') log.warn(issue.path, issue.message);
    else {
      log.error(issue.path, issue.message);
      valid = false;
    }
  }
  return valid;
}

/** Types, enums and bounds of a task definition spec; true when translation can read it. */
export function validateTaskDefinitionShape(spec: unknown, log: IssueLog): spec is TaskDefinitionSpec {
  return checkShape(specShape, spec, SPEC_PATH, log);
}

/** Types, enums and bounds of RunTask overrides, at `overrides.*`. */
export function validateTaskOverrideShape(overrides: unknown, log: IssueLog): overrides is TaskOverride {
  return checkShape(overrideShape, overrides, 'overrides', log);
}

function validateContainers(spec: TaskDefinitionSpec, log: IssueLog): void {
  const definitions = spec.containerDefinitions;
  const byName = containerIndexByName(definitions);
  definitions.forEach((definition, index) => {
    const path = containerPath(index);
    const first = byName.get(definition.name);
    if (first !== index) log.error(`${path}.name`, `container name ${JSON.stringify(definition.name)} is used by ${containerPath(first ?? 0)} too`);
    const { memory, memoryReservation } = definition;
    if (memory !== undefined && memoryReservation !== undefined && memory <= memoryReservation) {
      log.error(`${path}.memory`, `must be greater than memoryReservation (${memory} ≤ ${memoryReservation} MiB)`);
    }
    if (memory === undefined && memoryReservation === undefined && spec.memory === undefined) {
      log.error(`${path}.memory`, 'give memory or memoryReservation here, or memory for the whole task');
    }
  });
  if (!definitions.some(isEssential)) log.error(`${SPEC_PATH}.containerDefinitions`, 'at least one container must be essential');
}

/** Task cpu and memory parse, and bound what the containers reserve. */
function validateTaskSize(spec: TaskDefinitionSpec, log: IssueLog): void {
  const definitions = spec.containerDefinitions;
  const sum = (pick: (definition: ContainerDefinition) => number | undefined) => definitions.reduce((total, definition) => total + (pick(definition) ?? 0), 0);
  if (spec.cpu !== undefined) {
    const cpu = parseTaskCpu(spec.cpu, `${SPEC_PATH}.cpu`);
    const containersCpu = sum((definition) => definition.cpu);
    if (!cpu.ok) log.error(cpu.issue.path, cpu.issue.message);
    else if (containersCpu > cpu.value)
      log.error(`${SPEC_PATH}.cpu`, `the containers' cpu adds up to ${containersCpu} units, more than the task's ${cpu.value}`);
  }
  if (spec.memory !== undefined) {
    const memory = parseTaskMemory(spec.memory, `${SPEC_PATH}.memory`);
    const reserved = sum((definition) => definition.memoryReservation ?? definition.memory);
    if (!memory.ok) log.error(memory.issue.path, memory.issue.message);
    else {
      if (reserved > memory.value) log.error(`${SPEC_PATH}.memory`, `the containers reserve ${reserved} MiB in all, more than the task's ${memory.value}`);
      definitions.forEach((definition, index) => {
        if ((definition.memory ?? 0) > memory.value)
          log.error(`${containerPath(index)}.memory`, `${definition.memory} MiB is more than the task's ${memory.value}`);
      });
    }
  }
}

function validatePorts(spec: TaskDefinitionSpec, log: IssueLog): void {
  const networkMode = spec.networkMode ?? 'bridge';
  const taken = new Map<string, string>();
  const claim = (key: string, path: string, what: string) => {
    const owner = taken.get(key);
    if (owner) log.error(path, `${what} is already used by ${owner}; the containers of a task share one network`);
    else taken.set(key, path);
  };
  spec.containerDefinitions.forEach((definition, index) =>
    (definition.portMappings ?? []).forEach((mapping, entry) => {
      const path = `${containerPath(index)}.portMappings[${entry}]`;
      const protocol = mapping.protocol ?? 'tcp';
      if (networkMode === 'none') log.error(path, 'networkMode none allows no port mappings');
      if (mapping.containerPort === undefined) {
        if (!mapping.containerPortRange) log.error(`${path}.containerPort`, 'is required (or containerPortRange)');
        return;
      }
      if ((networkMode === 'awsvpc' || networkMode === 'host') && mapping.hostPort && mapping.hostPort !== mapping.containerPort) {
        log.error(`${path}.hostPort`, `must equal containerPort (${mapping.containerPort}) or be left out under networkMode ${networkMode}`);
      }
      if (mapping.name !== undefined) claim(`name ${mapping.name}`, `${path}.name`, `port name ${mapping.name}`);
      claim(`container ${mapping.containerPort}/${protocol}`, `${path}.containerPort`, `port ${mapping.containerPort}/${protocol}`);
      const hostPort = networkMode === 'host' ? mapping.containerPort : mapping.hostPort;
      if (hostPort && networkMode !== 'host') claim(`host ${hostPort}/${protocol}`, `${path}.hostPort`, `host port ${hostPort}/${protocol}`);
    }),
  );
}

function validateNetworking(spec: TaskDefinitionSpec, log: IssueLog): void {
  const networkMode = spec.networkMode ?? 'bridge';
  const byName = containerIndexByName(spec.containerDefinitions);
  spec.containerDefinitions.forEach((definition, index) => {
    const path = containerPath(index);
    if (definition.hostname && networkMode === 'awsvpc') log.error(`${path}.hostname`, 'is not allowed with networkMode awsvpc');
    (definition.links ?? []).forEach((link, entry) => {
      const target = link.split(':')[0] ?? '';
      if (networkMode !== 'bridge') log.error(`${path}.links[${entry}]`, `links need networkMode bridge, not ${networkMode}`);
      else if (!byName.has(target)) log.error(`${path}.links[${entry}]`, `no container named ${JSON.stringify(target)} in this task definition`);
    });
  });
  const proxy = spec.proxyConfiguration;
  if (proxy && !byName.has(proxy.containerName)) {
    log.error(`${SPEC_PATH}.proxyConfiguration.containerName`, `no container named ${JSON.stringify(proxy.containerName)} in this task definition`);
  }
}

function steps(first: number, last: number, step: number): number[] {
  return Array.from({ length: (last - first) / step + 1 }, (_unused, index) => first + index * step);
}

/** Memory (MiB) Fargate allows for each task cpu (units). */
const FARGATE_MEMORY: Record<number, number[]> = {
  256: [512, 1024, 2048],
  512: steps(1024, 4096, 1024),
  1024: steps(2048, 8192, 1024),
  2048: steps(4096, 16384, 1024),
  4096: steps(8192, 30720, 1024),
  8192: steps(16384, 61440, 4096),
  16384: steps(32768, 122880, 8192),
};

function fargateSizeProblem(spec: TaskDefinitionSpec): string | undefined {
  if (spec.cpu === undefined || spec.memory === undefined) return 'FARGATE needs task cpu and memory';
  const cpu = parseTaskCpu(spec.cpu, '');
  const memory = parseTaskMemory(spec.memory, '');
  if (!cpu.ok || !memory.ok) return undefined;
  const allowed = FARGATE_MEMORY[cpu.value];
  if (!allowed) return `FARGATE takes task cpu ${Object.keys(FARGATE_MEMORY).join(', ')} units, not ${cpu.value}`;
  if (allowed.includes(memory.value)) return undefined;
  const choices = allowed.length <= 4 ? allowed.join(', ') : `${allowed[0]}–${allowed.at(-1)} in steps of ${(allowed[1] ?? 0) - (allowed[0] ?? 0)}`;
  return `FARGATE with cpu ${cpu.value} takes memory ${choices} MiB, not ${memory.value}`;
}

function validateFargate(spec: TaskDefinitionSpec, log: IssueLog): void {
  if (!spec.requiresCompatibilities?.includes('FARGATE')) return;
  const sizeProblem = fargateSizeProblem(spec);
  if (sizeProblem) log.error(`${SPEC_PATH}.memory`, sizeProblem);
  if (spec.networkMode !== 'awsvpc') log.error(`${SPEC_PATH}.networkMode`, 'FARGATE needs networkMode awsvpc');
  if (spec.pidMode === 'host') log.error(`${SPEC_PATH}.pidMode`, 'FARGATE does not allow pidMode host');
  if (spec.ipcMode) log.error(`${SPEC_PATH}.ipcMode`, 'FARGATE does not support ipcMode');
  (spec.volumes ?? []).forEach((volume, index) => {
    if (volume.host?.sourcePath) log.error(`${volumePath(index)}.host.sourcePath`, 'FARGATE does not allow host paths');
    if (volume.dockerVolumeConfiguration) log.error(`${volumePath(index)}.dockerVolumeConfiguration`, 'FARGATE does not support Docker volumes');
  });
  spec.containerDefinitions.forEach((definition, index) => {
    const path = containerPath(index);
    if (definition.privileged) log.error(`${path}.privileged`, 'FARGATE does not allow privileged containers');
    if ((definition.stopTimeout ?? 0) > 120) log.error(`${path}.stopTimeout`, 'FARGATE allows at most 120 seconds');
    if (definition.linuxParameters?.devices?.length) log.error(`${path}.linuxParameters.devices`, 'FARGATE does not support devices');
  });
}

/** ECS rules across fields of a spec whose shape is valid. */
export function validateTaskDefinition(spec: TaskDefinitionSpec, log: IssueLog): void {
  validateContainers(spec, log);
  validateTaskSize(spec, log);
  validatePorts(spec, log);
  validateNetworking(spec, log);
  validateDependencies(spec.containerDefinitions, log);
  validateVolumes(spec.volumes ?? [], spec.containerDefinitions, log);
  validateFargate(spec, log);
}
