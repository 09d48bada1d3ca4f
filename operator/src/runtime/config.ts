// Configuration of `ecs-operator run`: each setting from its flag, else its environment variable, else its
// default. The environment is resolved here rather than by commander so that it can be passed in (tests).
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import type { Command } from 'commander';
import { HOST_ACCESS_FLAG, type HostAccessPolicy } from '../translate/host-access.js';
import { DEFAULT_LEADER_ELECTION_TIMING, type LeaderElectionTiming } from './leader-election.js';
import { LOG_LEVELS, type LogLevel } from './logging.js';

export interface LeaderElectionConfig extends LeaderElectionTiming {
  enabled: boolean;
  /** Namespace and name of the Lease. */
  namespace: string;
  name: string;
  /** This replica's holderIdentity. */
  identity: string;
}

export interface OperatorConfig {
  /** A kubeconfig file; otherwise KUBECONFIG, ~/.kube/config, or in-cluster credentials, in that order. */
  kubeconfig?: string;
  /** The one namespace watched; all namespaces when absent. */
  namespace?: string;
  /** host:port of /metrics, /healthz and /readyz. */
  metricsAddr: string;
  leaderElection: LeaderElectionConfig;
  logLevel: LogLevel;
  resyncPeriodMs: number;
  /** Workers per controller. */
  concurrency: number;
  /** Workers of the Task controller, each launching or watching one task's pod. */
  taskConcurrency: number;
  /** Requests a second the operator's clients send at most (watches and the lease's apart), and how many it may send at once after a quiet spell. */
  kubeApiQps: number;
  kubeApiBurst: number;
  /** How long the pod of a STOPPED Task is kept (ECS shows stopped tasks about an hour); the Task is the user's and stays. */
  stoppedTaskRetentionMs: number;
  /** How long shutdown waits for reconciles in flight. */
  shutdownTimeoutMs: number;
  /** Which namespaces' tasks may use the host (privileged, host network/PID/IPC, host ports, hostPath, added capabilities). */
  hostAccess: HostAccessPolicy;
}

const UNITS_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Go-style durations: `500ms`, `15s`, `5m`, `1h30m`; `0` is zero. */
export function parseDuration(text: string): number {
  const trimmed = text.trim();
  if (trimmed === '0') return 0;
  const parts = [...trimmed.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((part) => part[0]).join('') !== trimmed) {
    throw new Error(`'${text}' is not a duration like 500ms, 15s, 5m or 1h30m`);
  }
  return parts.reduce((total, [, amount, unit]) => total + Number(amount) * (UNITS_MS[unit ?? ''] ?? 0), 0);
}

function parseBoolean(text: string): boolean {
  if (/^(true|1|yes)$/i.test(text)) return true;
  if (/^(false|0|no)$/i.test(text)) return false;
  throw new Error(`'${text}' is not true or false`);
}

function parsePositiveInteger(text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new Error(`'${text}' is not a positive whole number`);
  return value;
}

function parsePositiveNumber(text: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`'${text}' is not a positive number`);
  return value;
}

function parseLogLevel(text: string): LogLevel {
  const level = LOG_LEVELS.find((candidate) => candidate === text.toLowerCase());
  if (!level) throw new Error(`'${text}' is not one of ${LOG_LEVELS.join(', ')}`);
  return level;
}

/** `a,b, c` → names; empty parts are dropped. */
export function parseNamespaceList(text: string): string[] {
  return text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
}

const seconds = (ms: number): string => `${ms / 1000}s`;

interface Setting {
  /** commander's flag text; its camelCase name is the options key. */
  flag: string;
  env?: string;
  help: string;
  default?: string;
}

/** Every setting of `run`, with its flag, environment variable and default (as text, parsed like input). */
const SETTINGS = {
  kubeconfig: { flag: '--kubeconfig <path>', help: 'kubeconfig file (default: KUBECONFIG, ~/.kube/config, in-cluster)' },
  namespace: { flag: '--namespace <name>', env: 'WATCH_NAMESPACE', help: 'watch only this namespace (default: all)' },
  metricsAddr: { flag: '--metrics-addr <host:port>', env: 'METRICS_ADDR', help: 'address of /metrics, /healthz, /readyz', default: ':8080' },
  leaderElect: { flag: '--leader-elect [bool]', env: 'LEADER_ELECT', help: 'elect a leader through a Lease; only it reconciles', default: 'true' },
  leaderElectionNamespace: {
    flag: '--leader-election-namespace <name>',
    env: 'LEADER_ELECTION_NAMESPACE',
    help: "namespace of the Lease (default: POD_NAMESPACE, the pod's own namespace, --namespace, or default)",
  },
  leaderElectionId: { flag: '--leader-election-id <name>', env: 'LEADER_ELECTION_ID', help: 'name of the Lease', default: 'ecs-operator-leader' },
  leaseDuration: {
    flag: '--lease-duration <duration>',
    env: 'LEASE_DURATION',
    help: 'how long a lease is valid without renewal',
    default: seconds(DEFAULT_LEADER_ELECTION_TIMING.leaseDurationMs),
  },
  renewDeadline: {
    flag: '--renew-deadline <duration>',
    env: 'RENEW_DEADLINE',
    help: 'how long a leader lasts without renewing',
    default: seconds(DEFAULT_LEADER_ELECTION_TIMING.renewDeadlineMs),
  },
  retryPeriod: {
    flag: '--retry-period <duration>',
    env: 'RETRY_PERIOD',
    help: 'how often the lease is renewed or tried',
    default: seconds(DEFAULT_LEADER_ELECTION_TIMING.retryPeriodMs),
  },
  logLevel: { flag: '--log-level <level>', env: 'LOG_LEVEL', help: `one of ${LOG_LEVELS.join(', ')}`, default: 'info' },
  resyncPeriod: { flag: '--resync-period <duration>', env: 'RESYNC_PERIOD', help: 'how often every object is reconciled anyway', default: '5m' },
  concurrency: {
    flag: '--concurrency <n>',
    env: 'CONCURRENCY',
    help: "reconciles run at once per controller (kube-controller-manager's --concurrent-replicaset-syncs)",
    default: '5',
  },
  taskConcurrency: {
    flag: '--task-concurrency <n>',
    env: 'TASK_CONCURRENCY',
    help: 'Task reconciles run at once: a Task is one pod, so this is how many pods are launched at once (a ReplicaSet sync of kube-controller-manager creates up to 500 of its pods at once)',
    default: '20',
  },
  kubeApiQps: {
    flag: '--kube-api-qps <n>',
    env: 'KUBE_API_QPS',
    help: 'requests a second to the API server at most, watches and leader election apart',
    default: '20',
  },
  kubeApiBurst: {
    flag: '--kube-api-burst <n>',
    env: 'KUBE_API_BURST',
    help: 'requests sent at once after a quiet spell, beyond --kube-api-qps',
    default: '30',
  },
  stoppedTaskRetention: {
    flag: '--stopped-task-retention <duration>',
    env: 'STOPPED_TASK_RETENTION',
    help: 'how long the pod (and so the logs) of a STOPPED task is kept; the Task itself keeps its final status until deleted',
    default: '1h',
  },
  shutdownTimeout: {
    flag: '--shutdown-timeout <duration>',
    env: 'SHUTDOWN_TIMEOUT',
    help: 'how long SIGTERM waits for reconciles in flight',
    default: '20s',
  },
  allowHostAccessNamespaces: {
    flag: `${HOST_ACCESS_FLAG} <list>`,
    env: 'ALLOW_HOST_ACCESS_NAMESPACES',
    help: 'comma-separated namespaces whose tasks may use the host: privileged containers, host network, PID and IPC namespaces, host ports, hostPath volumes, capabilities beyond the Pod Security baseline set; * for every namespace (default: none)',
  },
} satisfies Record<string, Setting>;

type SettingName = keyof typeof SETTINGS;

/** Adds the options of every setting to `command` (the `run` command). */
export function addRunOptions(command: Command): Command {
  for (const setting of Object.values(SETTINGS) as Setting[]) {
    const env = setting.env ? ` [env ${setting.env}]` : '';
    const fallback = setting.default !== undefined ? ` (default: ${setting.default})` : '';
    command.option(setting.flag, `${setting.help}${env}${fallback}`);
  }
  return command;
}

const SERVICE_ACCOUNT_NAMESPACE_FILE = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';

function inClusterNamespace(): string | undefined {
  try {
    return readFileSync(SERVICE_ACCOUNT_NAMESPACE_FILE, 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

/**
 * The configuration from parsed options (commander's `opts()`) and the environment. Errors name the flag.
 * `--leader-elect` alone means true; `--leader-elect=false` turns leader election off.
 */
export function configFromOptions(options: Record<string, unknown>, env: NodeJS.ProcessEnv = process.env): OperatorConfig {
  const text = (name: SettingName): string | undefined => {
    const setting: Setting = SETTINGS[name];
    const given = options[name];
    if (given === true) return 'true';
    if (typeof given === 'string' && given !== '') return given;
    const fromEnv = setting.env ? env[setting.env] : undefined;
    return fromEnv !== undefined && fromEnv !== '' ? fromEnv : setting.default;
  };
  const parsed = <T>(name: SettingName, parse: (value: string) => T): T => {
    const value = text(name);
    if (value === undefined) throw new Error(`${SETTINGS[name].flag.split(' ')[0]} is required`);
    try {
      return parse(value);
    } catch (error) {
      throw new Error(`${SETTINGS[name].flag.split(' ')[0]}: ${(error as Error).message}`, { cause: error });
    }
  };
  const namespace = text('namespace');
  const timing: LeaderElectionTiming = {
    leaseDurationMs: parsed('leaseDuration', parseDuration),
    renewDeadlineMs: parsed('renewDeadline', parseDuration),
    retryPeriodMs: parsed('retryPeriod', parseDuration),
  };
  return {
    ...(text('kubeconfig') ? { kubeconfig: text('kubeconfig') } : {}),
    ...(namespace ? { namespace } : {}),
    metricsAddr: parsed('metricsAddr', (value) => value),
    leaderElection: {
      enabled: parsed('leaderElect', parseBoolean),
      namespace: text('leaderElectionNamespace') ?? env.POD_NAMESPACE ?? inClusterNamespace() ?? namespace ?? 'default',
      name: parsed('leaderElectionId', (value) => value),
      identity: env.POD_NAME || `${hostname()}_${process.pid}`,
      ...timing,
    },
    logLevel: parsed('logLevel', parseLogLevel),
    resyncPeriodMs: parsed('resyncPeriod', parseDuration),
    concurrency: parsed('concurrency', parsePositiveInteger),
    taskConcurrency: parsed('taskConcurrency', parsePositiveInteger),
    kubeApiQps: parsed('kubeApiQps', parsePositiveNumber),
    kubeApiBurst: parsed('kubeApiBurst', parsePositiveInteger),
    stoppedTaskRetentionMs: parsed('stoppedTaskRetention', parseDuration),
    shutdownTimeoutMs: parsed('shutdownTimeout', parseDuration),
    hostAccess: { namespaces: parseNamespaceList(text('allowHostAccessNamespaces') ?? '') },
  };
}

/** The defaults, for tests and for tools that build a manager without a command line. */
export function defaultConfig(overrides: Partial<OperatorConfig> = {}): OperatorConfig {
  return { ...configFromOptions({}, {}), ...overrides };
}
