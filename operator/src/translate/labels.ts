// Label and annotation keys the operator puts on what it creates. One place, so that
// translation, placement and controllers select on the same keys.
import { ECS_GROUP } from '../api/meta.js';

const prefix = `${ECS_GROUP}/`;

export const LABELS = {
  /** TaskDefinition family of a pod. */
  family: `${prefix}family`,
  /** TaskDefinition revision number of a pod. */
  revision: `${prefix}revision`,
  /** ECS task group, e.g. `service:web` or `family:batch` (sanitised to a label value). */
  group: `${prefix}group`,
  /** Name of the Service that owns a pod's ReplicaSet. */
  service: `${prefix}service`,
  /** Name of the Task that owns a pod. */
  task: `${prefix}task`,
  /** Name of the ScheduledTask that started a Task (sanitised to a label value). */
  scheduledTask: `${prefix}scheduled-task`,
  /** Name of the Cluster a pod runs in. */
  cluster: `${prefix}cluster`,
  /** Deployment id of a Service's ReplicaSet and pods. */
  deployment: `${prefix}deployment`,
  /** The capacity provider a task runs on (sanitised to a label value); a Service's ReplicaSet per provider selects on it. */
  capacityProvider: `${prefix}capacity-provider`,
  /** Hash of a pod template, so that an unchanged spec never starts a rollout. */
  templateHash: `${prefix}template-hash`,
  /** Marks every object the operator created; the operator deletes nothing without it. */
  managedBy: 'app.kubernetes.io/managed-by',
} as const;

export const MANAGED_BY_VALUE = 'ecs-operator';

export const ANNOTATIONS = {
  /** Original ECS group text, when the label value had to be sanitised. */
  group: `${prefix}group`,
  /**
   * Which containers are essential (JSON list of Kubernetes container names, see `containerNames`);
   * the task controller stops the task when one exits.
   */
  essentialContainers: `${prefix}essential-containers`,
  /** JSON map Kubernetes container name → ECS container name; absent when every name is unchanged. */
  containerNames: `${prefix}container-names`,
  /** The task's `executionRoleArn`: the role ECS would use to pull images, ship logs and read secrets. */
  executionRoleArn: `${prefix}execution-role-arn`,
  /** JSON map Kubernetes container name → ECS `logConfiguration`, for a log agent to pick up. */
  logConfiguration: `${prefix}log-configuration`,
  /** JSON map Kubernetes container name → docker labels that could become neither labels nor annotations. */
  dockerLabels: `${prefix}docker-labels`,
  /** JSON map of task definition tags that could become neither labels nor annotations. */
  tags: `${prefix}tags`,
  /**
   * On a ServiceAccount the operator does not manage: the task role (ARN or name) it is assigned to, set by a
   * namespace admin; tasks of that role may then run as it (translate/service-account.ts).
   */
  taskRole: `${prefix}task-role`,
  /** The capacity provider a task runs on, as its strategy names it (the label holds it sanitised). */
  capacityProvider: `${prefix}capacity-provider`,
  /** Task definition reference `family:revision` a pod was made from. */
  taskDefinition: `${prefix}task-definition`,
  /** The scheduled time (RFC 3339, UTC) a ScheduledTask started a Task for. */
  scheduledTime: `${prefix}scheduled-time`,
  /** On a Task a ScheduledTask created again because its first Task failed to start: that first Task's name. */
  retryOf: `${prefix}retry-of`,
} as const;
