-- Argo CD health of an ecs.operator.dev Task, from its ECS lastStatus.
-- Healthy: RUNNING (and not UNHEALTHY), or STOPPED on purpose or with every container's exit code 0 (a batch task).
-- Progressing: PROVISIONING, PENDING, ACTIVATING, or on its way to STOPPED.
-- Degraded: the spec is invalid (Valid=False), RUNNING but UNHEALTHY, or STOPPED by a failure
-- (failed to start, node lost or interrupted, an essential container exiting with a non-zero code).
local hs = { status = "Progressing", message = "Waiting for the operator to report the task's status" }
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
    return { status = "Degraded", message = condition.message or condition.reason or "The task is not valid" }
  end
end
local last = status.lastStatus
if last == nil then
  hs.message = "Waiting for the task to be provisioned"
  return hs
end
if last == "RUNNING" then
  if status.healthStatus == "UNHEALTHY" then
    return { status = "Degraded", message = "Task is RUNNING but its health check reports UNHEALTHY" }
  end
  return { status = "Healthy", message = "Task is RUNNING on " .. (status.containerInstance or "its container instance") }
end
if last ~= "STOPPED" then
  hs.message = "Task is " .. last
  if status.stoppedReason ~= nil then
    hs.message = hs.message .. ": " .. status.stoppedReason
  end
  return hs
end
-- STOPPED: asked for, finished cleanly, or failed.
local code = status.stopCode
local reason = status.stoppedReason or code or "stopped"
if code == "UserInitiated" or code == "ServiceSchedulerInitiated" then
  return { status = "Healthy", message = "Task was stopped: " .. reason }
end
if code == "EssentialContainerExited" then
  for _, container in ipairs(status.containers or {}) do
    if container.exitCode ~= nil and container.exitCode ~= 0 then
      return { status = "Degraded", message = reason .. ": container " .. container.name .. " exited with code " .. container.exitCode }
    end
  end
  return { status = "Healthy", message = "Task completed: every container exited with code 0" }
end
return { status = "Degraded", message = "Task stopped (" .. (code or "no stop code") .. "): " .. reason }
