// Which deployment controller a Service may name: the operator implements ECS rolling updates only. CODE_DEPLOY
// (blue/green through CodeDeploy) and EXTERNAL (task sets driven by another tool) are refused, in the Service's
// Valid condition (reason DeploymentControllerNotSupported) and by `ecs-operator translate`, in the same words.
import type { ServiceSpec } from '../api/service.js';
import type { Issue } from './issues.js';

/** Why the Service's deployment controller cannot run here, or undefined for ECS (the default). */
export function deploymentControllerRefusal(spec: Pick<ServiceSpec, 'deploymentController'>): Issue | undefined {
  const type = spec.deploymentController?.type ?? 'ECS';
  if (type === 'ECS') return undefined;
  return { path: 'spec.deploymentController.type', message: `${type} is not implemented; only ECS rolling updates are` };
}
