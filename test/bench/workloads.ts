// The objects the scenarios create, ECS and native built from one task definition so that both sides run the
// same pod: the native pod template is the operator's own translation of the task definition, with the
// operator's labels swapped for the native workload's selector. Pure.
import type { V1Deployment, V1DeploymentStrategy, V1Pod, V1PodTemplateSpec } from '@kubernetes/client-node';
import { ECS_API_VERSION } from '../../operator/src/api/meta.js';
import type { Service, ServiceSpec } from '../../operator/src/api/service.js';
import type { Task } from '../../operator/src/api/task.js';
import type { TaskDefinition, TaskDefinitionSpec } from '../../operator/src/api/taskdefinition.js';
import { taskDefinitionToPodTemplate } from '../../operator/src/translate/index.js';

/** The image of revision 1; a rollout moves to UPDATED_IMAGE. */
export const IMAGE = 'nginx:1.27';
export const UPDATED_IMAGE = 'nginx:1.28';
/** Label of the native workloads' pods, the twin of the operator's service/task labels. */
export const NATIVE_APP_LABEL = 'bench.ecs.operator.dev/app';

/** One small container: 10 CPU units and 32 MiB, so that 5000 tasks fit 50 nodes. */
export function taskDefinitionSpec(image: string): TaskDefinitionSpec {
  return { containerDefinitions: [{ name: 'web', image, cpu: 10, memory: 32, essential: true }] };
}

export function taskDefinition(family: string, image: string): TaskDefinition {
  return { apiVersion: ECS_API_VERSION, kind: 'TaskDefinition', metadata: { name: family }, spec: taskDefinitionSpec(image) };
}

export function service(name: string, family: string, desiredCount: number, deploymentConfiguration?: ServiceSpec['deploymentConfiguration']): Service {
  return {
    apiVersion: ECS_API_VERSION,
    kind: 'Service',
    metadata: { name },
    spec: { taskDefinition: family, desiredCount, ...(deploymentConfiguration ? { deploymentConfiguration } : {}) },
  };
}

export function task(name: string, family: string): Task {
  return { apiVersion: ECS_API_VERSION, kind: 'Task', metadata: { name }, spec: { taskDefinition: family } };
}

/** The pod template the operator would make of `image`'s task definition, selected by `app` instead of the ECS labels. */
export function nativePodTemplate(app: string, image: string, restartPolicy: 'Always' | 'Never'): V1PodTemplateSpec {
  const translation = taskDefinitionToPodTemplate({ spec: taskDefinitionSpec(image), family: 'bench', revision: 1, restartPolicy });
  if (!translation.template) throw new Error(`the bench task definition does not translate: ${JSON.stringify(translation.errors)}`);
  const { metadata, spec } = translation.template;
  return { metadata: { ...(metadata?.annotations ? { annotations: metadata.annotations } : {}), labels: { [NATIVE_APP_LABEL]: app } }, spec: spec! };
}

export function deployment(name: string, replicas: number, image: string, strategy?: V1DeploymentStrategy): V1Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name },
    spec: {
      replicas,
      selector: { matchLabels: { [NATIVE_APP_LABEL]: name } },
      template: nativePodTemplate(name, image, 'Always'),
      ...(strategy ? { strategy } : {}),
    },
  };
}

/** A bare pod, the native twin of a standalone Task (restartPolicy Never, as the operator gives a Task's pod). */
export function barePod(name: string, image: string): V1Pod {
  const { metadata, spec } = nativePodTemplate(name, image, 'Never');
  return { apiVersion: 'v1', kind: 'Pod', metadata: { ...metadata, name }, spec: spec! };
}
