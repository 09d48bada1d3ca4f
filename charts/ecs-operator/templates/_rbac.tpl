{{/*
What the operator does to the API, and nothing more. Every rule names its caller in the operator's code;
the end-to-end tests run the operator impersonating this ServiceAccount, so a rule missing here fails them.
*/}}

{{/* Namespaced resources: in a ClusterRole (every namespace) or a Role (watchNamespace). */}}
{{- define "ecs-operator.namespacedRules" -}}
# Informers of the four kinds (runtime/informer.ts RESOURCES).
- apiGroups: ["ecs.operator.dev"]
  resources: ["clusters", "taskdefinitions", "tasks", "services"]
  verbs: ["get", "list", "watch"]
# The Cluster named default, created when a Task or Service names none (controllers/common.ts).
- apiGroups: ["ecs.operator.dev"]
  resources: ["clusters"]
  verbs: ["create"]
# Status only, by server-side apply to the status subresource (runtime/apply.ts applyStatus).
- apiGroups: ["ecs.operator.dev"]
  resources: ["clusters/status", "taskdefinitions/status", "tasks/status", "services/status"]
  verbs: ["patch"]
# Children carry owner references with blockOwnerDeletion; where the OwnerReferencesPermissionEnforcement
# admission plugin is on, setting one needs update on the owner's finalizers.
- apiGroups: ["ecs.operator.dev"]
  resources: ["taskdefinitions/finalizers", "tasks/finalizers", "services/finalizers"]
  verbs: ["update"]
# A Task's Pod: created, watched, deleted when the task stops (controllers/task.ts).
- apiGroups: [""]
  resources: ["pods"]
  verbs: ["get", "list", "watch", "create", "delete"]
# ServiceAccounts a task definition's role ARNs translate to (controllers/task.ts createServiceAccounts).
- apiGroups: [""]
  resources: ["serviceaccounts"]
  verbs: ["create", "patch"]
# Core Services for service discovery (serviceRegistries) of ECS Services, by server-side apply.
- apiGroups: [""]
  resources: ["services"]
  verbs: ["create", "patch"]
# ECS-style events, aggregated: created, then patched with a new count (runtime/events.ts).
- apiGroups: [""]
  resources: ["events"]
  verbs: ["create", "patch"]
# One ReplicaSet per Service deployment: applied, scaled through a rollout, deleted when drained.
- apiGroups: ["apps"]
  resources: ["replicasets"]
  verbs: ["get", "list", "watch", "create", "update", "patch", "delete"]
# TaskDefinition revisions: created once each, their in-use finalizer removed by patch (controllers/taskdefinition.ts).
- apiGroups: ["apps"]
  resources: ["controllerrevisions"]
  verbs: ["get", "list", "watch", "create", "patch", "delete"]
{{- end }}

{{/* Cluster-scoped resources: always in a ClusterRole, read only. */}}
{{- define "ecs-operator.clusterRules" -}}
# Nodes are an ECS Cluster's container instances (controllers/cluster.ts, placement).
- apiGroups: [""]
  resources: ["nodes"]
  verbs: ["get", "list", "watch"]
# Node usage for Cluster utilization, where metrics-server serves it (controllers/cluster.ts).
- apiGroups: ["metrics.k8s.io"]
  resources: ["nodes"]
  verbs: ["get", "list"]
{{- end }}
