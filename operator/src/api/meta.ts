// Shared envelope of the four ECS kinds: group, version, object metadata and conditions.
import type { V1ObjectMeta } from '@kubernetes/client-node';

export const ECS_GROUP = 'ecs.operator.dev';
export const ECS_VERSION = 'v1alpha1';
export const ECS_API_VERSION = `${ECS_GROUP}/${ECS_VERSION}`;

/** A Kubernetes condition as the API conventions define it. */
export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  lastTransitionTime: string;
  observedGeneration?: number;
}

/** A custom resource of one of the four ECS kinds. */
export interface EcsResource<Kind extends string, Spec, Status> {
  apiVersion: typeof ECS_API_VERSION;
  kind: Kind;
  metadata: V1ObjectMeta;
  spec: Spec;
  status?: Status;
}

/** ECS `{key, value}` tag. */
export interface Tag {
  key: string;
  value?: string;
}

/** ECS `{name, value}` pair (environment, proxy properties). */
export interface KeyValuePair {
  name: string;
  value: string;
}
