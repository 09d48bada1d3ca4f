-- Generated from argocd/health/Task.lua and common.lua by `npm run chart:sync`; do not edit.
-- Argo CD health of an ecs.operator.dev Task, from its ECS lastStatus.
-- Healthy: RUNNING (and not UNHEALTHY), or STOPPED on purpose or with every container's exit code 0 (a batch task).
-- Progressing: PROVISIONING, PENDING, ACTIVATING, or on its way to STOPPED.
-- Degraded: the spec is invalid (Valid=False), RUNNING but UNHEALTHY, or STOPPED by a failure
-- (failed to start, node lost or interrupted, an essential container exiting with a non-zero code).

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

local common = commonHealth(obj, "task")
if common ~= nil then
  return common
end
local status = obj.status
local last = status.lastStatus
if last == nil then
  return progressing("Waiting for the task to be provisioned")
end
if last == "RUNNING" then
  if status.healthStatus == "UNHEALTHY" then
    return degraded("Task is RUNNING but its health check reports UNHEALTHY")
  end
  return healthy("Task is RUNNING on " .. (status.containerInstance or "its container instance"))
end
if last ~= "STOPPED" then
  if status.stoppedReason ~= nil then
    return progressing("Task is " .. last .. ": " .. status.stoppedReason)
  end
  return progressing("Task is " .. last)
end
-- STOPPED: asked for, finished cleanly, or failed.
local code = status.stopCode
local reason = status.stoppedReason or code or "stopped"
if code == "UserInitiated" or code == "ServiceSchedulerInitiated" then
  return healthy("Task was stopped: " .. reason)
end
if code == "EssentialContainerExited" then
  for _, container in ipairs(status.containers or {}) do
    if container.exitCode ~= nil and container.exitCode ~= 0 then
      return degraded(reason .. ": container " .. container.name .. " exited with code " .. container.exitCode)
    end
  end
  return healthy("Task completed: every container exited with code 0")
end
return degraded("Task stopped (" .. (code or "no stop code") .. "): " .. reason)
