// taskRoleArn → a ServiceAccount the pod runs as, annotated for EKS IAM Roles for Service Accounts.
// Rule: `arn:aws:iam::ACCOUNT:role[/path]/NAME` → ServiceAccount `toDnsSubdomain(NAME)`, annotated
// `eks.amazonaws.com/role-arn: ARN`. ECS also takes the role's name alone (it completes it with the task's
// account): the ServiceAccount is named after it the same way, but without the annotation, which needs the ARN.
// Returned for the controller to create beside the pod.
import type { V1ServiceAccount } from '@kubernetes/client-node';
import type { IssueLog } from './issues.js';
import { LABELS, MANAGED_BY_VALUE } from './labels.js';
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
    log.warn(path, `${JSON.stringify(taskRoleArn)} is a role name, which ECS completes with the task's account; without the account the ServiceAccount gets no ${EKS_ROLE_ARN_ANNOTATION} annotation (give the full ARN, arn:aws:iam::ACCOUNT:role/${taskRoleArn}, for IAM roles for service accounts)`);
  }
  return {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name, labels: { [LABELS.managedBy]: MANAGED_BY_VALUE }, ...(arnRoleName === undefined ? {} : { annotations: { [EKS_ROLE_ARN_ANNOTATION]: taskRoleArn } }) },
  };
}
