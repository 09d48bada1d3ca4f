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
