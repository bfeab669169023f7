--[[
  userName-3: sets a user's display name and versions it with Redis time, so that rooms keep the
  newest name whichever order the per-room updates land in.

  KEYS[1] profile   hash  name, name_v, expires_at
  KEYS[2] gateways  hash  gateway -> live connections (unused; keeps the user's keys together)
  KEYS[3] rooms     set   poker rooms joined or created
  ARGV[1] name
  Returns: {version (µs), rooms...}
]]
-- @include redisTime
local version = now_us_string()
redis.call('HSET', KEYS[1], 'name', ARGV[1], 'name_v', version)
return { version, unpack(redis.call('SMEMBERS', KEYS[3])) }
