-- Generated from argocd/health/Service.lua and common.lua by `npm run chart:sync`; do not edit.
-- Argo CD health of an ecs.operator.dev Service, read as ECS reads a service: its PRIMARY deployment.
-- Healthy: the PRIMARY deployment is COMPLETED and runningCount equals desiredCount.
-- Progressing: no status for this generation yet, a deployment IN_PROGRESS, or tasks still starting.
-- Degraded: the spec is invalid (Valid=False) or the PRIMARY deployment FAILED (circuit breaker).

-- Shared by the five kinds: npm run chart:sync writes it into each health.lua, since Argo CD runs every
-- script on its own.
local function healthy(message)
  return { status = "Healthy", message = message }
end

local function progressing(message)
  return { status = "Progressing", message = message }
end

local function degraded(message)
  return { status = "Degraded", message = message }
end

-- What every kind shares: nothing reported yet or a generation the operator has not yet observed
-- (Progressing), or a spec the operator refuses (Valid=False: Degraded, the message naming the field).
-- nil when none of these holds and the kind's own rules decide.
local function commonHealth(obj, noun)
  local status = obj.status
  if status == nil then
    return progressing("Waiting for the operator to report the " .. noun .. "'s status")
  end
  local generation = obj.metadata.generation
  if generation ~= nil and (status.observedGeneration == nil or status.observedGeneration < generation) then
    return progressing("Waiting for the operator to observe generation " .. generation)
  end
  for _, condition in ipairs(status.conditions or {}) do
    if condition.type == "Valid" and condition.status == "False" then
      return degraded(condition.message or condition.reason or ("The " .. noun .. " is not valid"))
    end
  end
  return nil
end

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
