{{/*
What the operator does to the API, and nothing more. Every rule names its caller in the operator's code;
the end-to-end tests run the operator impersonating this ServiceAccount, so a rule missing here fails them.
*/}}

{{/* Namespaced resources: in a ClusterRole (every namespace) or a Role (watchNamespace). */}}
{{- define "ecs-operator.namespacedRules" -}}
# Informers of the five kinds (runtime/informer.ts RESOURCES); a Task is read afresh before it is declared lost,
# a ScheduledTask before a run starts (controllers/scheduledtask/controller.ts).
- apiGroups: ["ecs.operator.dev"]
  resources: ["clusters", "taskdefinitions", "tasks", "services", "scheduledtasks"]
  verbs: ["get", "list", "watch"]
# The Cluster named default, created when a Task or Service names none (controllers/common.ts).
- apiGroups: ["ecs.operator.dev"]
  resources: ["clusters"]
  verbs: ["create"]
# The Tasks of a ScheduledTask's runs, and only those (the child writer never touches a Task it does not own):
# created at each scheduled time, stopped by server-side apply of desiredStatus (Replace), deleted as history
# (controllers/scheduledtask/).
- apiGroups: ["ecs.operator.dev"]
  resources: ["tasks"]
  verbs: ["create", "patch", "delete"]
# Finalizers of Services (draining tasks) and TaskDefinitions (revisions in use), by merge patch of
# metadata.finalizers; the spec stays the user's (controllers/service.ts, controllers/taskdefinition.ts).
- apiGroups: ["ecs.operator.dev"]
  resources: ["services", "taskdefinitions"]
  verbs: ["patch"]
# Status, by server-side apply to the status subresource (runtime/apply.ts applyStatus).
- apiGroups: ["ecs.operator.dev"]
  resources: ["clusters/status", "taskdefinitions/status", "tasks/status", "services/status", "scheduledtasks/status"]
  verbs: ["patch"]
# Children carry owner references with blockOwnerDeletion; where the OwnerReferencesPermissionEnforcement
# admission plugin is on, setting one needs update on the owner's finalizers.
- apiGroups: ["ecs.operator.dev"]
  resources: ["taskdefinitions/finalizers", "tasks/finalizers", "services/finalizers", "scheduledtasks/finalizers"]
  verbs: ["update"]
# Task pods: created for a Task, deleted when it or a Service task stops (controllers/task.ts, service.ts).
- apiGroups: [""]
  resources: ["pods"]
  verbs: ["list", "watch", "create", "delete"]
# ServiceAccounts that a task definition's role ARNs translate to (controllers/task, service.ts): created when
# missing; watched, so that a task runs only as one the operator manages or a namespace admin assigned to the role.
- apiGroups: [""]
  resources: ["serviceaccounts"]
  verbs: ["create", "list", "watch"]
# Core Services for an ECS Service's service discovery, by server-side apply (controllers/service.ts).
- apiGroups: [""]
  resources: ["services"]
  verbs: ["list", "watch", "create", "patch", "delete"]
# TargetGroupBindings (elbv2.k8s.aws, the AWS Load Balancer Controller's kind) for a Service's
# loadBalancers[].targetGroupArn, where that kind is served: cached (label-selected), created, applied and deleted
# (controllers/service/target-group-bindings.ts). Whether it is served is asked of API discovery, open to all.
- apiGroups: ["elbv2.k8s.aws"]
  resources: ["targetgroupbindings"]
  verbs: ["list", "watch", "create", "patch", "delete"]
# ECS-style events, aggregated: created, then patched with a new count (runtime/events.ts).
- apiGroups: [""]
  resources: ["events"]
  verbs: ["create", "patch"]
# One ReplicaSet per REPLICA Service deployment, one DaemonSet per DAEMON Service: created, applied, deleted.
- apiGroups: ["apps"]
  resources: ["replicasets", "daemonsets"]
  verbs: ["list", "watch", "create", "patch", "delete"]
# TaskDefinition revisions: created once each and never changed (controllers/taskdefinition.ts).
- apiGroups: ["apps"]
  resources: ["controllerrevisions"]
  verbs: ["list", "watch", "create"]
{{- end }}

{{/* Cluster-scoped resources: always in a ClusterRole, read only. */}}
{{- define "ecs-operator.clusterRules" -}}
# Nodes are an ECS Cluster's container instances (controllers/cluster.ts, placement).
- apiGroups: [""]
  resources: ["nodes"]
  verbs: ["list", "watch"]
# Node usage for Cluster utilization, where metrics-server serves it (controllers/cluster.ts).
- apiGroups: ["metrics.k8s.io"]
  resources: ["nodes"]
  verbs: ["list"]
{{- end }}
