-- Argo CD health of an ecs.operator.dev Service, read as ECS reads a service: its PRIMARY deployment.
-- Healthy: the PRIMARY deployment is COMPLETED and runningCount equals desiredCount.
-- Progressing: no status for this generation yet, a deployment IN_PROGRESS, or tasks still starting.
-- Degraded: the spec is invalid (Valid=False) or the PRIMARY deployment FAILED (circuit breaker).
local common = commonHealth(obj, "service")
if common ~= nil then
  return common
end
local status = obj.status
local primary = nil
for _, deployment in ipairs(status.deployments or {}) do
  if deployment.status == "PRIMARY" then
    primary = deployment
  end
end
if primary == nil then
  return progressing("Waiting for the service's first deployment")
end
local running = status.runningCount or 0
local desired = status.desiredCount or 0
local which = "Deployment " .. (primary.id or "") .. " (" .. (primary.taskDefinition or "?") .. ")"
if primary.rolloutState == "FAILED" then
  return degraded(which .. " failed: " .. (primary.rolloutStateReason or "rollout failed"))
end
if primary.rolloutState == "COMPLETED" and running == desired then
  return healthy(which .. " completed: " .. running .. "/" .. desired .. " tasks running")
end
return progressing(which .. " in progress: " .. running .. "/" .. desired .. " tasks running")
