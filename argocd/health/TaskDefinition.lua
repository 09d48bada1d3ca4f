-- Argo CD health of an ecs.operator.dev TaskDefinition.
-- Healthy: Valid=True and a revision is registered. Degraded: Valid=False (the spec cannot run; the
-- condition's message names the field). Progressing: until the operator has registered a revision.
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
