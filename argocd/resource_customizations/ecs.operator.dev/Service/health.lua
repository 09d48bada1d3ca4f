-- Argo CD health of an ecs.operator.dev Service, read as ECS reads a service: its PRIMARY deployment.
-- Healthy: the PRIMARY deployment is COMPLETED and runningCount equals desiredCount.
-- Progressing: no status for this generation yet, a deployment IN_PROGRESS, or tasks still starting.
-- Degraded: the spec is invalid (Valid=False) or the PRIMARY deployment FAILED (circuit breaker).
local hs = { status = "Progressing", message = "Waiting for the operator to report the service's status" }
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
    return { status = "Degraded", message = condition.message or condition.reason or "The service is not valid" }
  end
end
local primary = nil
for _, deployment in ipairs(status.deployments or {}) do
  if deployment.status == "PRIMARY" then
    primary = deployment
  end
end
if primary == nil then
  hs.message = "Waiting for the service's first deployment"
  return hs
end
local running = status.runningCount or 0
local desired = status.desiredCount or 0
local which = "Deployment " .. (primary.id or "") .. " (" .. (primary.taskDefinition or "?") .. ")"
if primary.rolloutState == "FAILED" then
  return { status = "Degraded", message = which .. " failed: " .. (primary.rolloutStateReason or "rollout failed") }
end
if primary.rolloutState == "COMPLETED" and running == desired then
  return { status = "Healthy", message = which .. " completed: " .. running .. "/" .. desired .. " tasks running" }
end
hs.message = which .. " in progress: " .. running .. "/" .. desired .. " tasks running"
return hs
