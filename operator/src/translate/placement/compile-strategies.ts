// ECS placement strategies → topology spread constraints and a scheduler profile.
//
// ECS applies strategies in order, each one breaking the ties of the one before. kube-scheduler
// adds weighted scores instead, so the order survives only approximately: spreads become
// ScheduleAnyway topology spread constraints in ECS order (best effort, as ECS strategies are),
// and the first binpack or random chooses the scheduler profile; later ones cannot be honoured.
import type { V1TopologySpreadConstraint } from '@kubernetes/client-node';
import type { PlacementStrategy } from '../../api/placement.js';
import { IssueLog, type Issue } from '../issues.js';
import { NODE_LABELS, attributeLabelKey } from './node-labels.js';
import { SCHEDULER_NAMES } from './scheduler-profiles.js';

/** ECS allows at most 5 strategies. */
export const MAX_PLACEMENT_STRATEGIES = 5;

export interface StrategySource {
  /** Where the list is in the resource, e.g. `spec.placementStrategy`; issues name `PATH[i].field`. */
  path: string;
  strategies: readonly PlacementStrategy[];
}

export interface StrategyContext {
  /** The Cluster's custom attribute → node label mapping. */
  attributeLabels?: Readonly<Record<string, string>>;
  /** Labels of the sibling pods to spread over: the service's, or the task group's. */
  selectorLabels: Readonly<Record<string, string>>;
  /** A scheduler named by the Task, Service or Cluster; it overrides the strategy profiles. */
  schedulerName?: string;
}

export interface CompiledStrategies {
  topologySpreadConstraints?: V1TopologySpreadConstraint[];
  schedulerName?: string;
  warnings: Issue[];
  errors: Issue[];
}

const BINPACK_PROFILES: ReadonlyMap<string, string> = new Map([
  ['cpu', SCHEDULER_NAMES.binpackCpu],
  ['memory', SCHEDULER_NAMES.binpackMemory],
]);

/** ECS's default with no strategy: balance over zones, then over instances. */
const DEFAULT_SPREAD_KEYS = [NODE_LABELS.zone, NODE_LABELS.hostname];

function spreadConstraint(topologyKey: string, selectorLabels: Readonly<Record<string, string>>): V1TopologySpreadConstraint {
  return {
    maxSkew: 1,
    topologyKey,
    whenUnsatisfiable: 'ScheduleAnyway',
    labelSelector: { matchLabels: { ...selectorLabels } },
  };
}

/** The label key a spread field balances over, or an error message. */
function spreadKey(field: string | undefined, attributeLabels: StrategyContext['attributeLabels']): { key: string } | { error: string } {
  if (field === undefined || field === '') return { error: 'spread needs a field: instanceId, host or attribute:NAME' };
  if (field === 'instanceId' || field === 'host') return { key: NODE_LABELS.hostname };
  if (!field.startsWith('attribute:') || field === 'attribute:') {
    return { error: `spread over '${field}' is not possible; the field is instanceId, host or attribute:NAME` };
  }
  const mapped = attributeLabelKey(field.slice('attribute:'.length), attributeLabels);
  return mapped.ok ? { key: mapped.key } : { error: mapped.message };
}

export function compileStrategies(source: StrategySource | undefined, context: StrategyContext): CompiledStrategies {
  const log = new IssueLog();
  const strategies = source?.strategies ?? [];
  const path = source?.path ?? '';
  if (strategies.length > MAX_PLACEMENT_STRATEGIES) {
    log.error(path, `at most ${MAX_PLACEMENT_STRATEGIES} placement strategies are allowed; ${strategies.length} are given`);
  }
  const spreadKeys: string[] = strategies.length === 0 ? [...DEFAULT_SPREAD_KEYS] : [];
  let profile: { name: string; strategy: string } | undefined;
  strategies.forEach((strategy, index) => {
    const at = `${path}[${index}]`;
    let profileName: string | undefined;
    switch (strategy.type) {
      case 'spread': {
        const key = spreadKey(strategy.field, context.attributeLabels);
        if ('error' in key) return log.error(`${at}.field`, key.error);
        if (spreadKeys.includes(key.key))
          return log.warn(`${at}.field`, `spread over ${strategy.field} repeats an earlier spread over the same node label; it adds nothing`);
        spreadKeys.push(key.key);
        return;
      }
      case 'binpack':
        profileName = BINPACK_PROFILES.get(strategy.field ?? '');
        if (profileName === undefined) return log.error(`${at}.field`, `binpack needs the field cpu or memory, not '${strategy.field ?? ''}'`);
        break;
      case 'random':
        if (strategy.field !== undefined && strategy.field !== '') log.warn(`${at}.field`, 'random takes no field; it is ignored');
        profileName = SCHEDULER_NAMES.random;
        break;
      default:
        return log.error(`${at}.type`, `unknown placement strategy type '${String(strategy.type)}'; expected spread, binpack or random`);
    }
    const described = `${strategy.type}${strategy.field ? `(${strategy.field})` : ''}`;
    if (profile === undefined) profile = { name: profileName, strategy: described };
    else log.warn(at, `${described} cannot follow ${profile.strategy}: one scheduler profile places a pod, and the first strategy that needs one decides it`);
  });

  if (context.schedulerName !== undefined && profile !== undefined && context.schedulerName !== profile.name) {
    log.warn(path, `the scheduler '${context.schedulerName}' is named explicitly, so ${profile.strategy} does not apply`);
  }
  const schedulerName = context.schedulerName ?? profile?.name;
  const result: CompiledStrategies = { warnings: log.warnings, errors: log.errors };
  if (spreadKeys.length > 0) result.topologySpreadConstraints = spreadKeys.map((key) => spreadConstraint(key, context.selectorLabels));
  if (schedulerName !== undefined) result.schedulerName = schedulerName;
  return result;
}
