--[[
  userExpire-3: deletes a user whose lifetime after their last connection has run out, and
  returns the rooms they joined or created so the caller can close or leave them.

  KEYS[1] profile   hash  name, name_v, expires_at
  KEYS[2] gateways  hash  gateway -> live connections
  KEYS[3] rooms     set   poker rooms joined or created
  Returns: {1} connected again, {2, expires_at} not yet, {0, rooms...} expired and deleted
]]
-- @include redisTime
local total = 0
for _, n in ipairs(redis.call('HVALS', KEYS[2])) do total = total + tonumber(n) end
if total > 0 then return { 1 } end
local expires_at = tonumber(redis.call('HGET', KEYS[1], 'expires_at') or '0')
if expires_at > now_ms() then return { 2, expires_at } end
local rooms = redis.call('SMEMBERS', KEYS[3])
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3])
return { 0, unpack(rooms) }
