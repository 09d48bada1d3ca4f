-- Generated from argocd/health/ScheduledTask.lua and common.lua by `npm run chart:sync`; do not edit.
-- Argo CD health of an ecs.operator.dev ScheduledTask, from its state and its newest run.
-- Healthy: ENABLED, and the newest run is going or succeeded (or nothing has run yet).
-- Suspended: DISABLED (nothing runs until it is enabled again).
-- Degraded: the spec is invalid (Valid=False, e.g. a schedule expression the operator refuses), or the newest
-- run failed (a Task failed to start after its retries, or a container exited with a non-zero code).

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

local common = commonHealth(obj, "schedule")
if common ~= nil then
  return common
end
local status = obj.status
local upcoming = ""
if status.nextScheduleTime ~= nil then
  upcoming = "; next run at " .. status.nextScheduleTime
end
local newest = (status.runs or {})[1]
if newest ~= nil and newest.outcome == "failed" then
  local why = "a container exited with a non-zero code"
  for _, task in ipairs(newest.tasks or {}) do
    if task.stopCode ~= nil and task.stopCode ~= "EssentialContainerExited" then
      why = "task " .. task.name .. " stopped (" .. task.stopCode .. "): " .. (task.stoppedReason or task.stopCode)
      break
    end
  end
  return degraded("The run of " .. newest.scheduledTime .. " failed: " .. why .. upcoming)
end
if obj.spec.state == "DISABLED" then
  return { status = "Suspended", message = "Schedule is DISABLED" }
end
if newest == nil then
  return healthy("Schedule is ENABLED" .. upcoming)
end
if newest.outcome == "running" then
  return healthy("The run of " .. newest.scheduledTime .. " is going" .. upcoming)
end
return healthy("The run of " .. newest.scheduledTime .. " succeeded" .. upcoming)
