--[[
  tickRoom-4: stores one tick of a vote room in its history and publishes it, only if the
  caller's leadership epoch is not older than any epoch that already ticked this room, and
  only once per (room, ts).

  KEYS[1] meta     hash  options (JSON list), tick_ms, fence (newest epoch seen), last_ts
  KEYS[2] users    hash  user -> live connections (HLEN = connected users)
  KEYS[3] tally    hash  option -> counted votes
  KEYS[4] history  list  JSON points, oldest first
  ARGV[1] epoch of the caller's leadership
  ARGV[2] tick time, ms, on the global tick grid
  ARGV[3] history limit (points kept)
  ARGV[4] channel to publish the snapshot on (sharded pub/sub: SPUBLISH, same hash tag as the keys)
  ARGV[5] idle expiry for meta, tally and history, ms
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

local m = redis.call('HMGET', meta, 'fence', 'last_ts', 'options', 'tick_ms')
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

redis.call('RPUSH', history, point)
redis.call('LTRIM', history, -tonumber(ARGV[3]), -1)
redis.call('HSET', meta, 'last_ts', ARGV[2])
redis.call('PEXPIRE', meta, ARGV[5])
redis.call('PEXPIRE', history, ARGV[5])
redis.call('PEXPIRE', tally, ARGV[5])
redis.call('SPUBLISH', ARGV[4], '{"data":[' .. point .. ']}')
return 1
