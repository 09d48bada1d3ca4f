// What `npm run bench` runs, from the environment: the full sizes by default, scaled down for a quick
// run (BENCH_SCALE=0.1), fewer or more rounds, a subset of scenarios. Pure: an environment in, settings out.

/** The scenarios, in the order they run. steady-state is measured on the operator alone (no native twin). */
export const SCENARIO_NAMES = ['scale-out', 'rollout', 'fan-out', 'standalone-tasks', 'steady-state'] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

/** Full sizes (scale 1), as the performance issue states them. */
export const FULL_SIZES = {
  /** One Service / Deployment scaled from nothing to this many tasks. */
  scaleOut: 1000,
  /** Tasks rolled from revision 1 to 2. */
  rollout: 500,
  /** Services / Deployments created at once ... */
  fanOutServices: 300,
  /** ... of this many tasks each (not scaled: the point is many small services). */
  fanOutTasksPerService: 4,
  /** Tasks / bare Pods created one by one. */
  standaloneTasks: 1000,
  /** Tasks converged before the steady-state window starts ... */
  steadyTasks: 5000,
  /** ... in Services of this many tasks each (not scaled). */
  steadyTasksPerService: 100,
} as const;

export interface BenchSettings {
  scale: number;
  rounds: number;
  scenarios: ScenarioName[];
  sizes: { [K in keyof typeof FULL_SIZES]: number };
  /** How long the converged steady state is watched. */
  steadyWindowMs: number;
  /** How often the operator's steady state is reconciled in full (its resync); shorter than the window, so a resync is seen. */
  steadyResyncMs: number;
  /** Creates per second of the client that creates Tasks/Pods and Services/Deployments, the same for both sides. */
  createRate: number;
  /** Requests the creating client has in flight at most. */
  createConcurrency: number;
  /** The node set file of the cluster the bench starts. */
  nodesFile: string;
}

function number(env: NodeJS.ProcessEnv, name: string, fallback: number, valid: (n: number) => boolean, expected: string): number {
  const text = env[name];
  if (text === undefined || text.trim() === '') return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || !valid(value)) throw new Error(`${name}: expected ${expected}, got '${text}'`);
  return value;
}

function scenarios(env: NodeJS.ProcessEnv): ScenarioName[] {
  const text = env.BENCH_SCENARIOS?.trim();
  if (!text) return [...SCENARIO_NAMES];
  const wanted = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const name of wanted) {
    if (!(SCENARIO_NAMES as readonly string[]).includes(name)) {
      throw new Error(`BENCH_SCENARIOS: '${name}' is not one of ${SCENARIO_NAMES.join(', ')}`);
    }
  }
  return SCENARIO_NAMES.filter((name) => wanted.includes(name));
}

/** Scales a count, keeping at least one. */
export function scaled(full: number, scale: number): number {
  return Math.max(1, Math.round(full * scale));
}

export function benchSettings(env: NodeJS.ProcessEnv, defaultNodesFile: string): BenchSettings {
  const scale = number(env, 'BENCH_SCALE', 1, (n) => n > 0 && n <= 1, 'a number in (0, 1]');
  const rounds = number(env, 'BENCH_ROUNDS', 3, (n) => Number.isInteger(n) && n >= 1, 'a whole number >= 1');
  const steadySeconds = number(env, 'BENCH_STEADY_SECONDS', 60, (n) => n >= 5, 'at least 5 seconds');
  return {
    scale,
    rounds,
    scenarios: scenarios(env),
    sizes: {
      scaleOut: scaled(FULL_SIZES.scaleOut, scale),
      rollout: scaled(FULL_SIZES.rollout, scale),
      fanOutServices: scaled(FULL_SIZES.fanOutServices, scale),
      fanOutTasksPerService: FULL_SIZES.fanOutTasksPerService,
      standaloneTasks: scaled(FULL_SIZES.standaloneTasks, scale),
      steadyTasks: scaled(FULL_SIZES.steadyTasks, scale),
      steadyTasksPerService: FULL_SIZES.steadyTasksPerService,
    },
    steadyWindowMs: steadySeconds * 1000,
    steadyResyncMs: Math.max(5, Math.floor(steadySeconds / 2)) * 1000,
    createRate: number(env, 'BENCH_CREATE_RATE', 100, (n) => n > 0, 'creates per second > 0'),
    createConcurrency: number(env, 'BENCH_CREATE_CONCURRENCY', 16, (n) => Number.isInteger(n) && n >= 1, 'a whole number >= 1'),
    nodesFile: env.BENCH_NODES?.trim() || defaultNodesFile,
  };
}
