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
      const live = [...known.values()].filter((p) => !p.metadata?.deletionTimestamp);
      const healthy = live.filter(isReady).length;
      samples += 1;
      peak = Math.max(peak, live.length);
      trough = Math.min(trough, healthy);
      if (live.length > maxTasks) violations.push(`${live.length} tasks > ${maxTasks}`);
      if (healthy < minHealthy) violations.push(`${healthy} healthy < ${minHealthy}`);
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
