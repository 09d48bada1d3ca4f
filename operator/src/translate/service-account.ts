// taskRoleArn → a ServiceAccount the pod runs as, annotated for EKS IAM Roles for Service Accounts.
// Rule: `arn:aws:iam::ACCOUNT:role[/path]/NAME` → ServiceAccount `toDnsSubdomain(NAME)`, annotated
// `eks.amazonaws.com/role-arn: ARN`. ECS also takes the role's name alone (it completes it with the task's
// account): the ServiceAccount is named after it the same way, but without the annotation, which needs the ARN.
// Returned for the controller to create beside the pod.
//
// An existing ServiceAccount of that name is used only when the operator manages it (its managed-by label) or a
// namespace admin assigned it to the role (annotation `ecs.operator.dev/task-role` = the taskRoleArn or the role's
// name): otherwise a task definition could run its tasks as any ServiceAccount of the namespace, `default` or a CI
// deployer's, by naming it as its role. The Cluster cannot grant it: tenants can edit a namespaced Cluster.
import type { V1ServiceAccount } from '@kubernetes/client-node';
import type { IssueLog } from './issues.js';
import { ANNOTATIONS, LABELS, MANAGED_BY_VALUE } from './labels.js';
import { toDnsSubdomain } from './names.js';

export const EKS_ROLE_ARN_ANNOTATION = 'eks.amazonaws.com/role-arn';
const ROLE_ARN = /^arn:[^:]+:iam::[0-9]{12}:role\/(?:.*\/)?([^/]+)$/;
/** What IAM allows in a role name. */
const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;

export function taskRoleServiceAccount(taskRoleArn: string, path: string, log: IssueLog): V1ServiceAccount | undefined {
  const arnRoleName = ROLE_ARN.exec(taskRoleArn)?.[1];
  const roleName = arnRoleName ?? (ROLE_NAME.test(taskRoleArn) ? taskRoleArn : undefined);
  const name = roleName === undefined ? '' : toDnsSubdomain(roleName);
  if (!name) {
    log.error(path, `${JSON.stringify(taskRoleArn)} is neither an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME) nor a role name`);
    return undefined;
  }
  if (arnRoleName === undefined) {
    log.warn(
      path,
      `${JSON.stringify(taskRoleArn)} is a role name, which ECS completes with the task's account; without the account the ServiceAccount gets no ${EKS_ROLE_ARN_ANNOTATION} annotation (give the full ARN, arn:aws:iam::ACCOUNT:role/${taskRoleArn}, for IAM roles for service accounts)`,
    );
  }
  return {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: {
      name,
      labels: { [LABELS.managedBy]: MANAGED_BY_VALUE },
      ...(arnRoleName === undefined ? {} : { annotations: { [EKS_ROLE_ARN_ANNOTATION]: taskRoleArn } }),
    },
  };
}

/**
 * Why the pod may not run as `existing`, the ServiceAccount of the name `taskRoleArn` translates to; undefined
 * when it may (absent, so created and managed; managed by the operator; or assigned to the role).
 */
export function serviceAccountRefusal(taskRoleArn: string, existing: V1ServiceAccount | undefined): string | undefined {
  if (!existing) return undefined;
  const { labels, annotations } = existing.metadata ?? {};
  if (labels?.[LABELS.managedBy] === MANAGED_BY_VALUE) return undefined;
  const assigned = annotations?.[ANNOTATIONS.taskRole];
  const roleName = ROLE_ARN.exec(taskRoleArn)?.[1] ?? taskRoleArn;
  if (assigned !== undefined && (assigned === taskRoleArn || assigned === roleName)) return undefined;
  return `ServiceAccount '${existing.metadata?.name}' exists and is neither managed by ${MANAGED_BY_VALUE} (label ${LABELS.managedBy}) nor assigned to this role (annotation ${ANNOTATIONS.taskRole}: ${JSON.stringify(roleName)}, set by whoever may edit the namespace's ServiceAccounts); tasks do not run as it`;
}
