--[[
  redisTime: Redis's own clock, the one clock every process agrees on (leases, expiries, name
  versions). Pasted in where a script (or an include) says `-- @include`; once per script.
]]
-- Redis time in ms.
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

-- Redis time in µs, as a decimal string (too large for a Lua number to print exactly).
local function now_us_string()
  local t = redis.call('TIME')
  return t[1] .. string.format('%06d', tonumber(t[2]))
end
