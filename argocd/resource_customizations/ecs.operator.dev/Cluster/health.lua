-- Generated from argocd/health/Cluster.lua and common.lua by `npm run chart:sync`; do not edit.
-- Argo CD health of an ecs.operator.dev Cluster: tasks can run only where a container instance (a Node the
-- Cluster selects) is ACTIVE (not cordoned) with its agent connected (the Node is Ready).
-- Healthy: at least one such instance. Degraded: none, a FAILED cluster, or Valid=False.
-- Progressing: until the operator reports this generation, or while the cluster is not yet ACTIVE.

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

local common = commonHealth(obj, "cluster")
if common ~= nil then
  return common
end
local status = obj.status
if status.status == "FAILED" then
  return degraded("Cluster is FAILED")
end
if status.status ~= "ACTIVE" then
  return progressing("Cluster is " .. (status.status or "not yet ACTIVE"))
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
  return healthy(active .. " of " .. registered .. " container instances ACTIVE and connected")
end
-- spec.maxInstanceDetails may leave instances out of the list; then only their count is known.
local omitted = status.containerInstancesOmitted or 0
if omitted > 0 and #listed == 0 then
  return healthy(registered .. " container instances registered (details omitted)")
end
if registered == 0 then
  return degraded("No container instances: no Node matches the cluster's selector")
end
return degraded("None of " .. registered .. " container instances is ACTIVE with a connected agent")
