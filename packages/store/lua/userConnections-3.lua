--[[
  userConnections-3: one gateway's /connect connections of a user changed. While the user has
  none on any gateway they are expiring: expires_at is set and their keys get a backstop TTL.

  KEYS[1] profile   hash  name, name_v, expires_at
  KEYS[2] gateways  hash  gateway -> live connections; "!<gateway>" -> "0" is a reaped gateway's
                          tombstone (no gateway id has a "!"; it counts nothing)
  KEYS[3] rooms     set   poker rooms joined or created
  ARGV[1] gateway id
  ARGV[2] op: "J" count opened, "L" count closed, "S" count held now, "X" the reaper: the
          gateway is dead, its connections go and its tombstone stays (include/gatewayFence.lua)
  ARGV[3] count
  ARGV[4] user lifetime after the last connection, ms (USER_TTL_S)
  ARGV[5] backstop: keys expire this long after expires_at, ms
  ARGV[6] J, L, S: the gateway's lease expiry as last granted by the registry, ms of Redis time
  Returns: {connections on all gateways, expires_at ms or 0, name or "", name version or "0"},
           or {-1} refused: the reaper reaped this gateway here, {-2} refused: its lease lapsed
]]
-- @include gatewayFence
local profile, gateways, rooms = KEYS[1], KEYS[2], KEYS[3]
local gateway, op, count = ARGV[1], ARGV[2], tonumber(ARGV[3])
local tombstone = '!' .. gateway
if op == 'X' then
  redis.call('HSET', gateways, tombstone, '0')
  op, count = 'S', 0
else
  local fenced = gateway_fence(gateways, tombstone, ARGV[6])
  if fenced ~= 0 then return { fenced } end
end

local held = tonumber(redis.call('HGET', gateways, gateway) or '0')
local now = (op == 'J' and held + count) or (op == 'L' and math.max(0, held - count)) or count
if now > 0 then redis.call('HSET', gateways, gateway, now) else redis.call('HDEL', gateways, gateway) end

local total = 0
for _, n in ipairs(redis.call('HVALS', gateways)) do total = total + tonumber(n) end
local expires_at = 0
if total > 0 then
  redis.call('HDEL', profile, 'expires_at')
  for _, key in ipairs(KEYS) do redis.call('PERSIST', key) end
else
  expires_at = now_ms() + tonumber(ARGV[4])
  redis.call('HSET', profile, 'expires_at', expires_at)
  for _, key in ipairs(KEYS) do redis.call('PEXPIRE', key, tonumber(ARGV[4]) + tonumber(ARGV[5])) end
end
local p = redis.call('HMGET', profile, 'name', 'name_v')
return { total, expires_at, p[1] or '', p[2] or '0' }
