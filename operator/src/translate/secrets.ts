// Where an ECS secret ARN is found in Kubernetes. The rule (users create the Secrets by it):
// - Secrets Manager `arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME-AbCdEf[:JSON_KEY[:STAGE[:VERSION]]]`
//   → Secret `toDnsSubdomain(NAME)`, key JSON_KEY or `value`. The six characters after the last `-` are the
//   random suffix Secrets Manager adds to full ARNs and are dropped; a version stage or id is ignored
//   (a warning), since a Kubernetes Secret has one version.
// - SSM Parameter Store `arn:aws:ssm:REGION:ACCOUNT:parameter/a/b` or a bare parameter name `/a/b` or `a_b`
//   → Secret `toDnsSubdomain` of the name with `/` as `-` (`a-b`), key `value`.
import { toDnsSubdomain } from './names.js';

export interface SecretReference {
  /** Kubernetes Secret name. */
  name: string;
  /** Key in that Secret. */
  key: string;
  /** Parts of the ARN the reference cannot honour (version stage, version id). */
  ignored: string[];
}

export const DEFAULT_SECRET_KEY = 'value';
const SECRETS_MANAGER = /^arn:[^:]+:secretsmanager:[^:]*:[^:]*:secret:(.+)$/;
const SSM_PARAMETER = /^arn:[^:]+:ssm:[^:]*:[^:]*:parameter(\/.+)$/;
const SECRETS_MANAGER_SUFFIX = /-[A-Za-z0-9]{6}$/;
const SECRET_KEY = /^[-._a-zA-Z0-9]+$/;

function secretsManagerReference(rest: string): SecretReference | string {
  const [nameWithSuffix = '', jsonKey = '', stage = '', version = ''] = rest.split(':');
  const name = toDnsSubdomain(nameWithSuffix.replace(SECRETS_MANAGER_SUFFIX, ''));
  if (!name) return `secret name ${JSON.stringify(nameWithSuffix)} has no character usable in a Kubernetes name`;
  if (jsonKey && !SECRET_KEY.test(jsonKey)) return `JSON key ${JSON.stringify(jsonKey)} is not a valid Secret key ([-._a-zA-Z0-9]+)`;
  const ignored = [stage && `version stage ${stage}`, version && `version id ${version}`].filter((part) => part !== '');
  return { name, key: jsonKey || DEFAULT_SECRET_KEY, ignored };
}

function parameterReference(parameterName: string): SecretReference | string {
  const name = toDnsSubdomain(parameterName.replaceAll('/', '-'));
  return name ? { name, key: DEFAULT_SECRET_KEY, ignored: [] } : `parameter ${JSON.stringify(parameterName)} gives no Kubernetes name`;
}

/** The Secret and key an ECS `valueFrom` (or `credentialsParameter`) stands for, or why there is none. */
export function secretReferenceFromArn(valueFrom: string): SecretReference | string {
  const secretsManager = SECRETS_MANAGER.exec(valueFrom);
  if (secretsManager?.[1]) return secretsManagerReference(secretsManager[1]);
  const parameter = SSM_PARAMETER.exec(valueFrom);
  if (parameter?.[1]) return parameterReference(parameter[1]);
  if (valueFrom.startsWith('arn:')) return `${JSON.stringify(valueFrom)} is neither a Secrets Manager secret nor an SSM parameter ARN`;
  return parameterReference(valueFrom);
}
