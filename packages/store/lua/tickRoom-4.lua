--[[
  tickRoom-4: stores one tick of a vote room in its history and publishes it, only if the
  caller's leadership epoch is not older than any epoch that already ticked this room, and
  only once per (room, ts).

  KEYS[1] meta     hash  options (JSON list), tick_ms, fence (newest epoch seen), last_ts,
                         refreshed (when meta and history last had their expiry renewed)
  KEYS[2] users    hash  user -> live connections (HLEN = connected users)
  KEYS[3] tally    hash  option -> counted votes
  KEYS[4] history  list  JSON points, oldest first
  ARGV[1] epoch of the caller's leadership
  ARGV[2] tick time, ms, on the global tick grid
  ARGV[3] history limit (points kept; the list may run up to a sixteenth over it between trims,
          and readers take its last ARGV[3] points)
  ARGV[4] channel to publish the snapshot on (sharded pub/sub: SPUBLISH, same hash tag as the keys)
  ARGV[5] idle expiry for meta, tally and history, ms (renewed on meta and history once an eighth
          of it has passed, so an idle room's keys go between 7/8 and all of it after its last tick)
  The point is written in the snapshot codec's format (packages/protocol/src/snapshot-codec.ts):
  {"ts":<ms>,"votes":{<every option>},"connected":<users>}, ts first; published as {"data":[point]}.
  Returns (TickResult in script-defs.ts):
            1 stored and published
            0 nothing to do (this ts or a later one is stored, or not on this room's tick)
           -1 fenced: a newer leader has ticked this room
           -2 the room has no meta (not created, or lost)
]]
local meta, users, tally, history = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local epoch, ts = tonumber(ARGV[1]), tonumber(ARGV[2])

local m = redis.call('HMGET', meta, 'fence', 'last_ts', 'options', 'tick_ms', 'refreshed')
if not m[3] then return -2 end
local fence = tonumber(m[1] or '0')
if epoch < fence then return -1 end
if epoch > fence then redis.call('HSET', meta, 'fence', ARGV[1]) end
if ts <= tonumber(m[2] or '0') then return 0 end
local tick = tonumber(m[4] or '0')
if tick > 0 and ts % tick ~= 0 then return 0 end

local options = cjson.decode(m[3])
local counts = redis.call('HMGET', tally, unpack(options))
local parts = {}
for i, option in ipairs(options) do
  local n = tonumber(counts[i] or '0')
  if n < 0 then n = 0 end
  parts[i] = '"' .. option .. '":' .. string.format('%d', n)
end
local point = '{"ts":' .. ARGV[2] .. ',"votes":{' .. table.concat(parts, ',') ..
  '},"connected":' .. redis.call('HLEN', users) .. '}'

local limit, ttl = tonumber(ARGV[3]), tonumber(ARGV[5])
if redis.call('RPUSH', history, point) > limit + math.floor(limit / 16) then
  redis.call('LTRIM', history, -limit, -1)
end
-- The tally is also written by roomOps (without an expiry): it is renewed every tick.
redis.call('PEXPIRE', tally, ttl)
if ts - tonumber(m[5] or '0') >= ttl / 8 then
  redis.call('HSET', meta, 'last_ts', ARGV[2], 'refreshed', ARGV[2])
  redis.call('PEXPIRE', meta, ttl)
  redis.call('PEXPIRE', history, ttl)
else
  redis.call('HSET', meta, 'last_ts', ARGV[2])
end
redis.call('SPUBLISH', ARGV[4], '{"data":[' .. point .. ']}')
return 1
