--[[
  tickState: a vote room's tick state in its tally hash (fields: include/tallyFields.lua), and how
  a room created before it lived there gets it (pasted in where a script says `-- @include`).
]]
-- @include tallyFields

-- Writes the tick state of a room into its tally from its meta unless it is there already
-- (a room created by ensureRoom, or one created before the tick state moved into the tally):
-- the layout, the fence, last tick and renewal time a ticker of that time kept in meta, and the
-- count of present users. Returns false when the room has no meta.
local function write_tick_state(meta, tally, users)
  if redis.call('HEXISTS', tally, LAYOUT) == 1 then return true end
  local m = redis.call('HMGET', meta, 'options', 'tick_ms', 'shards', 'fence', 'last_ts', 'refreshed')
  if not m[1] then return false end
  redis.call('HSET', tally, LAYOUT, (m[2] or '0') .. '|' .. (m[3] or '1') .. '|' .. m[1],
    FENCE, m[4] or '0', LAST, m[5] or '0', REFRESHED, m[6] or '0', CONN, redis.call('HLEN', users))
  redis.call('HDEL', meta, 'fence', 'last_ts', 'refreshed')
  local ttl = redis.call('PTTL', meta)
  if ttl > 0 then redis.call('PEXPIRE', tally, ttl) end
  return true
end
