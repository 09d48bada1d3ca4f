-- Argo CD health of an ecs.operator.dev Cluster: tasks can run only where a container instance (a Node the
-- Cluster selects) is ACTIVE (not cordoned) with its agent connected (the Node is Ready).
-- Healthy: at least one such instance. Degraded: none, a FAILED cluster, or Valid=False.
-- Progressing: until the operator reports this generation, or while the cluster is not yet ACTIVE.
local hs = { status = "Progressing", message = "Waiting for the operator to report the cluster's status" }
local status = obj.status
if status == nil then
  return hs
end
local generation = obj.metadata.generation
if generation ~= nil and (status.observedGeneration == nil or status.observedGeneration < generation) then
  hs.message = "Waiting for the operator to observe generation " .. generation
  return hs
end
for _, condition in ipairs(status.conditions or {}) do
  if condition.type == "Valid" and condition.status == "False" then
    return { status = "Degraded", message = condition.message or condition.reason or "The cluster is not valid" }
  end
end
if status.status == "FAILED" then
  return { status = "Degraded", message = "Cluster is FAILED" }
end
if status.status ~= "ACTIVE" then
  hs.message = "Cluster is " .. (status.status or "not yet ACTIVE")
  return hs
end
local listed = status.containerInstances or {}
local active = 0
for _, instance in ipairs(listed) do
  if instance.status == "ACTIVE" and instance.agentConnected then
    active = active + 1
  end
end
local registered = status.registeredContainerInstancesCount or #listed
if active > 0 then
  return { status = "Healthy", message = active .. " of " .. registered .. " container instances ACTIVE and connected" }
end
-- spec.maxInstanceDetails may leave instances out of the list; then only their count is known.
local omitted = status.containerInstancesOmitted or 0
if omitted > 0 and #listed == 0 then
  return { status = "Healthy", message = registered .. " container instances registered (details omitted)" }
end
if registered == 0 then
  return { status = "Degraded", message = "No container instances: no Node matches the cluster's selector" }
end
return { status = "Degraded", message = "None of " .. registered .. " container instances is ACTIVE with a connected agent" }
