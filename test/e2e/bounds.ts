// Follows a Service's pods through a watch during a rollout and checks every state the API server goes through
// against the ECS deployment bounds: tasks not being deleted ≤ floor(max% × desired), ready ones ≥ ceil(min% × desired).
import { CoreV1Api, type KubeConfig, type V1Pod, Watch } from '@kubernetes/client-node';
import { taskBounds } from '../../operator/src/translate/rollout.js';
import { LABELS } from '../../operator/src/translate/labels.js';
import { isReady } from '../../operator/src/translate/readiness.js';

export interface BoundsReport {
  samples: number;
  violations: string[];
  /** Most tasks seen at once, and fewest healthy ones. */
  peak: number;
  trough: number;
  minHealthy: number;
  maxTasks: number;
}

/**
 * One state of a Service's pods against the bounds: the live (not being deleted) and healthy counts, and what
 * each crossed bound says (empty within bounds). The chaos run's sampler checks its samples with it too.
 */
export function checkBounds(
  pods: V1Pod[],
  { minHealthy, maxTasks }: { minHealthy: number; maxTasks: number },
): { live: number; healthy: number; violations: string[] } {
  const live = pods.filter((p) => !p.metadata?.deletionTimestamp);
  const healthy = live.filter(isReady).length;
  const violations: string[] = [];
  if (live.length > maxTasks) violations.push(`${live.length} tasks > ${maxTasks}`);
  if (healthy < minHealthy) violations.push(`${healthy} healthy < ${minHealthy}`);
  return { live: live.length, healthy, violations };
}

/** Starts watching; `stop()` ends the watch and reports what was seen. */
export async function watchServiceBounds(
  kc: KubeConfig,
  namespace: string,
  service: string,
  desiredCount: number,
  percents: { minimumHealthyPercent: number; maximumPercent: number },
): Promise<{ stop: () => BoundsReport }> {
  const { minHealthy, maxTasks } = taskBounds(desiredCount, percents);
  const known = new Map<string, V1Pod>();
  const violations: string[] = [];
  let samples = 0;
  let peak = 0;
  let trough = Infinity;
  // The state at the start, then every change after it in order (the watch resumes from the list).
  const labelSelector = `${LABELS.service}=${service}`;
  const list = await kc.makeApiClient(CoreV1Api).listNamespacedPod({ namespace, labelSelector });
  for (const pod of list.items) known.set(pod.metadata?.name ?? '', pod);
  const request = await new Watch(kc).watch(
    `/api/v1/namespaces/${namespace}/pods`,
    { labelSelector, resourceVersion: list.metadata?.resourceVersion },
    (phase: string, pod: V1Pod) => {
      if (phase === 'DELETED') known.delete(pod.metadata?.name ?? '');
      else known.set(pod.metadata?.name ?? '', pod);
      const state = checkBounds([...known.values()], { minHealthy, maxTasks });
      samples += 1;
      peak = Math.max(peak, state.live);
      trough = Math.min(trough, state.healthy);
      violations.push(...state.violations);
    },
    () => undefined,
  );
  return {
    stop: () => {
      request.abort();
      return { samples, violations, peak, trough, minHealthy, maxTasks };
    },
  };
}
