-- Argo CD health of an ecs.operator.dev TaskDefinition.
-- Healthy: Valid=True and a revision is registered. Degraded: Valid=False (the spec cannot run; the
-- condition's message names the field). Progressing: until the operator has registered a revision.
local hs = { status = "Progressing", message = "Waiting for the operator to register a revision" }
local status = obj.status
if status == nil then
  return hs
end
local generation = obj.metadata.generation
if generation ~= nil and (status.observedGeneration == nil or status.observedGeneration < generation) then
  hs.message = "Waiting for the operator to observe generation " .. generation
  return hs
end
local valid = nil
for _, condition in ipairs(status.conditions or {}) do
  if condition.type == "Valid" then
    valid = condition
  end
end
if valid ~= nil and valid.status == "False" then
  return { status = "Degraded", message = valid.message or valid.reason or "The task definition is not valid" }
end
if valid == nil or valid.status ~= "True" or status.revision == nil or status.revision < 1 then
  return hs
end
local message = "Revision " .. (status.taskDefinition or status.revision) .. " registered"
local warnings = #(status.warnings or {})
if warnings > 0 then
  message = message .. " with " .. warnings .. " warning(s): " .. status.warnings[1]
end
return { status = "Healthy", message = message }
