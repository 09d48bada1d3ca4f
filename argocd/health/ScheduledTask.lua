-- Argo CD health of an ecs.operator.dev ScheduledTask, from its state and its newest run.
-- Healthy: ENABLED, and the newest run is going or succeeded (or nothing has run yet).
-- Suspended: DISABLED (nothing runs until it is enabled again).
-- Degraded: the spec is invalid (Valid=False, e.g. a schedule expression the operator refuses), or the newest
-- run failed (a Task failed to start after its retries, or a container exited with a non-zero code).
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
