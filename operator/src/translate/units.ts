// ECS sizes ↔ Kubernetes quantities.
//
// CPU: ECS counts CPU units, 1024 to a CPU; Kubernetes counts millicores, 1000 to a CPU. One unit is
// 0.9765625m, finer than a quantity can say, so each direction rounds by a stated rule:
// - a container's cpu (a request) rounds DOWN, at least 1m: 256 → 250m, 100 → 97m, 1 → 1m;
// - a task's cpu (the pod's request and cap) rounds UP: 100 → 98m.
// Down for parts and up for the whole keeps the containers' requests within the pod's, which
// Kubernetes requires of pod-level resources, whenever the units fit on ECS.
// - a node's quantity to units rounds DOWN (never promise more than is there): 1500m → 1536.
// Memory: ECS counts MiB; quantities are written in the canonical form the API server stores
// (`2048` MiB → `2Gi`, `1536` → `1536Mi`) so that what we apply compares equal to what we read back.
import type { Issue } from './issues.js';

export const CPU_UNITS_PER_CPU = 1024;
const MILLICORES_PER_CPU = 1000;

export type Parsed = { ok: true; value: number } | { ok: false; issue: Issue };

/** Millicores of a container's cpu units: rounded down, at least 1m for any positive value. */
export function containerCpuMillicores(units: number): number {
  return Math.max(1, Math.floor((units * MILLICORES_PER_CPU) / CPU_UNITS_PER_CPU));
}

/** Millicores of a task's cpu units, rounded up. */
export function taskCpuMillicores(units: number): number {
  return Math.ceil((units * MILLICORES_PER_CPU) / CPU_UNITS_PER_CPU);
}

/** Canonical CPU quantity: whole CPUs as `2`, the rest as `250m`. */
export function millicoresToQuantity(millicores: number): string {
  return millicores % MILLICORES_PER_CPU === 0 ? String(millicores / MILLICORES_PER_CPU) : `${millicores}m`;
}

const BINARY_SUFFIXES = ['Mi', 'Gi', 'Ti', 'Pi'] as const;

/** Canonical memory quantity of whole MiB: the largest binary suffix that divides it (`2048` → `2Gi`). */
export function mibToQuantity(mib: number): string {
  let value = mib;
  let suffix = 0;
  while (value !== 0 && value % 1024 === 0 && suffix < BINARY_SUFFIXES.length - 1) {
    value /= 1024;
    suffix += 1;
  }
  return `${value}${BINARY_SUFFIXES[suffix]}`;
}

function failure(path: string, message: string): Parsed {
  return { ok: false, issue: { path, message } };
}

function wholeNumber(value: number, path: string, what: string, text: string): Parsed {
  return Number.isInteger(value) && value > 0
    ? { ok: true, value }
    : failure(path, `${JSON.stringify(text)} is ${value} ${what}; it must be a positive whole number`);
}

/** Task cpu in units from `"1024"`, `1024`, `"1 vCPU"` or `"0.25 vCPU"` (case and spaces do not matter). */
export function parseTaskCpu(input: string | number, path: string): Parsed {
  const text = String(input).trim();
  const match = /^(\d+(?:\.\d+)?)\s*(vcpu)?$/i.exec(text);
  if (!match?.[1]) return failure(path, `${JSON.stringify(text)} is not CPU units ("1024") or vCPU ("1 vCPU")`);
  const amount = Number(match[1]);
  return wholeNumber(match[2] ? amount * CPU_UNITS_PER_CPU : amount, path, 'CPU units', text);
}

const MEMORY_FACTORS_MIB: Record<string, number> = { '': 1, mb: 1, mib: 1, gb: 1024, gib: 1024 };

/** Task memory in MiB from `"2048"`, `2048`, `"2 GB"` or `"0.5GB"`; as in ECS, GB means 1024 MiB. */
export function parseTaskMemory(input: string | number, path: string): Parsed {
  const text = String(input).trim();
  const match = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(text);
  const factor = MEMORY_FACTORS_MIB[match?.[2]?.toLowerCase() ?? 'invalid'];
  if (!match?.[1] || factor === undefined) return failure(path, `${JSON.stringify(text)} is not MiB ("2048") or GB ("2 GB")`);
  return wholeNumber(Number(match[1]) * factor, path, 'MiB', text);
}

const QUANTITY_SUFFIXES: Record<string, number> = {
  '': 1,
  // metrics.k8s.io gives CPU usage in nanocores (`250123456n`).
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

/** The number a Kubernetes quantity stands for (`"500m"` → 0.5, `"1Gi"` → 1073741824); undefined when malformed. */
export function quantityToNumber(quantity: string): number | undefined {
  const match = /^([+-]?\d+(?:\.\d*)?|[+-]?\.\d+)(?:([eE][+-]?\d+)|([a-zA-Z]*))$/.exec(quantity.trim());
  if (!match?.[1]) return undefined;
  if (match[2]) return Number(match[1] + match[2]);
  const factor = QUANTITY_SUFFIXES[match[3] ?? ''];
  return factor === undefined ? undefined : Number(match[1]) * factor;
}

/** CPU units of a CPU quantity (a node's allocatable), rounded down: `"2"` → 2048, `"1500m"` → 1536. */
export function cpuQuantityToUnits(quantity: string): number | undefined {
  const cpus = quantityToNumber(quantity);
  return cpus === undefined ? undefined : Math.floor(Math.round(cpus * MILLICORES_PER_CPU * CPU_UNITS_PER_CPU) / MILLICORES_PER_CPU);
}

/** Whole MiB of a memory quantity, rounded down: `"3768Mi"` → 3768, `"1G"` → 953. */
export function memoryQuantityToMiB(quantity: string): number | undefined {
  const bytes = quantityToNumber(quantity);
  return bytes === undefined ? undefined : Math.floor(bytes / 2 ** 20);
}
