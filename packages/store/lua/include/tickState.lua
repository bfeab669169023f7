--[[
  tickState: a vote room's tick state in its tally hash (fields: include/tallyFields.lua), and how
  a room written by an older version gets it (pasted in where a script says `-- @include`).
]]
-- @include tallyFields

-- The fields older versions kept in the tally: script version 6 had the layout, fence, last tick
-- and last renewal apart.
local V6_FIELDS = { '#layout', '#fence', '#last', '#refreshed' }

-- Writes the tick state of a room into its tally unless it is there already: for a room created
-- by ensureRoom from its meta, and for a room written by an older version from where that version
-- kept it (script version 6: apart in the tally; before: fence and last_ts in meta), with the
-- count of present users. Returns false when the room has no meta.
local function write_tick_state(meta, tally, users)
  if redis.call('HEXISTS', tally, TICK) == 1 then return true end
  local v6 = redis.call('HMGET', tally, unpack(V6_FIELDS))
  if v6[1] then
    redis.call('HSET', tally, TICK, tick_state(v6[3] or '0', v6[2] or '0', v6[1]))
    redis.call('HDEL', tally, unpack(V6_FIELDS))
    return true
  end
  local m = redis.call('HMGET', meta, 'options', 'tick_ms', 'shards', 'fence', 'last_ts', 'history', 'vote_ttl', 'segments')
  if not m[1] then return false end
  local layout = (m[2] or '0') .. '|' .. (m[3] or '1') .. '|' .. (m[6] and (m[6] .. '|') or '') .. (m[7] and ('t' .. m[7] .. '|') or '')
    .. (m[8] and (m[8] .. '|') or '') .. m[1]
  redis.call('HSET', tally, TICK, tick_state(m[5] or '0', m[4] or '0', layout), CONN, redis.call('HLEN', users))
  redis.call('HDEL', meta, 'fence', 'last_ts', 'refreshed')
  local ttl = redis.call('PTTL', meta)
  if ttl > 0 then redis.call('PEXPIRE', tally, ttl) end
  return true
end
