// ECS healthCheck → exec probes with the same timing:
// interval → periodSeconds, timeout → timeoutSeconds, retries → failureThreshold (ECS defaults 30, 5, 3).
// `CMD` runs its arguments directly; `CMD-SHELL` runs its text with /bin/sh -c; `NONE` means no check.
// startPeriod (failures in it do not count) → a startup probe that allows ceil(startPeriod / interval)
// more failures; liveness and readiness run once it has passed.
import type { V1Probe } from '@kubernetes/client-node';
import type { HealthCheck } from '../api/taskdefinition.js';
import type { IssueLog } from './issues.js';

export const HEALTH_CHECK_DEFAULTS = { interval: 30, timeout: 5, retries: 3 } as const;

function execCommand(command: readonly string[], path: string, log: IssueLog): string[] | undefined {
  const [kind, ...rest] = command;
  if (kind === 'NONE') return undefined;
  if (rest.length === 0 || (kind !== 'CMD' && kind !== 'CMD-SHELL')) {
    log.error(`${path}.command`, 'must be ["CMD", executable, args...], ["CMD-SHELL", "command"] or ["NONE"]');
    return undefined;
  }
  return kind === 'CMD' ? rest : ['/bin/sh', '-c', rest.join(' ')];
}

/** The probe a health check runs in steady state (readiness and liveness), or undefined for NONE or a bad command. */
export function healthCheckProbe(healthCheck: HealthCheck, path: string, log: IssueLog): V1Probe | undefined {
  const command = execCommand(healthCheck.command, path, log);
  if (!command) return undefined;
  return {
    exec: { command },
    periodSeconds: healthCheck.interval ?? HEALTH_CHECK_DEFAULTS.interval,
    timeoutSeconds: healthCheck.timeout ?? HEALTH_CHECK_DEFAULTS.timeout,
    failureThreshold: healthCheck.retries ?? HEALTH_CHECK_DEFAULTS.retries,
  };
}

/** The startup probe: the steady probe with the start period's worth of extra failures allowed. */
export function startupProbe(healthCheck: HealthCheck, probe: V1Probe): V1Probe {
  const interval = probe.periodSeconds ?? HEALTH_CHECK_DEFAULTS.interval;
  const failureThreshold = probe.failureThreshold ?? HEALTH_CHECK_DEFAULTS.retries;
  return { ...probe, failureThreshold: failureThreshold + Math.ceil((healthCheck.startPeriod ?? 0) / interval) };
}
