// taskRoleArn → a ServiceAccount the pod runs as, annotated for EKS IAM Roles for Service Accounts.
// Rule: `arn:aws:iam::ACCOUNT:role[/path]/NAME` → ServiceAccount `toDnsSubdomain(NAME)`, annotated
// `eks.amazonaws.com/role-arn: ARN`. Returned for the controller to create beside the pod.
import type { V1ServiceAccount } from '@kubernetes/client-node';
import type { IssueLog } from './issues.js';
import { LABELS, MANAGED_BY_VALUE } from './labels.js';
import { toDnsSubdomain } from './names.js';

export const EKS_ROLE_ARN_ANNOTATION = 'eks.amazonaws.com/role-arn';
const ROLE_ARN = /^arn:[^:]+:iam::[0-9]{12}:role\/(?:.*\/)?([^/]+)$/;

export function taskRoleServiceAccount(taskRoleArn: string, path: string, log: IssueLog): V1ServiceAccount | undefined {
  const roleName = ROLE_ARN.exec(taskRoleArn)?.[1];
  const name = roleName === undefined ? '' : toDnsSubdomain(roleName);
  if (!name) {
    log.error(path, `${JSON.stringify(taskRoleArn)} is not an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME)`);
    return undefined;
  }
  return {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name, labels: { [LABELS.managedBy]: MANAGED_BY_VALUE }, annotations: { [EKS_ROLE_ARN_ANNOTATION]: taskRoleArn } },
  };
}
