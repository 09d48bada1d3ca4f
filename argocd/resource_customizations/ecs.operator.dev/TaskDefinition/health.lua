-- Generated from argocd/health/TaskDefinition.lua and common.lua by `npm run chart:sync`; do not edit.
-- Argo CD health of an ecs.operator.dev TaskDefinition.
-- Healthy: Valid=True and a revision is registered. Degraded: Valid=False (the spec cannot run; the
-- condition's message names the field). Progressing: until the operator has registered a revision.

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

local common = commonHealth(obj, "task definition")
if common ~= nil then
  return common
end
local status = obj.status
local valid = nil
for _, condition in ipairs(status.conditions or {}) do
  if condition.type == "Valid" then
    valid = condition
  end
end
if valid == nil or valid.status ~= "True" or status.revision == nil or status.revision < 1 then
  return progressing("Waiting for the operator to register a revision")
end
local message = "Revision " .. (status.taskDefinition or status.revision) .. " registered"
local warnings = #(status.warnings or {})
if warnings > 0 then
  message = message .. " with " .. warnings .. " warning(s): " .. status.warnings[1]
end
return healthy(message)
