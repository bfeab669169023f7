--[[
  tickRooms-n: stores one tick of each of several vote rooms in its history and publishes it, per
  room only if the caller's leadership epoch is not older than any epoch that already ticked the
  room, and only once per (room, ts). One call ticks a chunk of rooms, so the per-call cost of a
  script (EVALSHA, the KEYS and ARGV tables) is paid once per chunk, not once per room. On Redis
  Cluster every room of one call shares a slot (the caller groups them); on one node any rooms may.

  KEYS    four per room i = 0, 1, …: KEYS[4i+1] meta, KEYS[4i+2] users, KEYS[4i+3] tally,
          KEYS[4i+4] history
    meta     hash  options (JSON list), tick_ms, fence (newest epoch seen), last_ts,
                   refreshed (when meta, tally and history last had their expiry renewed),
                   shards (voter parts; absent for 1)
    users    hash  user -> live connections (HLEN = connected users)
    tally    hash  option -> counted votes
    history  list  JSON points, oldest first
  ARGV[1] epoch of the caller's leadership
  ARGV[2] tick time, ms, on the global tick grid
  ARGV[3] history limit (points kept; the list may run up to a sixteenth over it between trims,
          and readers take its last ARGV[3] points)
  ARGV[4] idle expiry for meta, tally and history, ms (renewed once an eighth of it has passed,
          so an idle room's keys go between 7/8 and all of it after its last tick)
  ARGV[5 + i] room i's channel (sharded pub/sub: SPUBLISH, same hash tag as its keys)
  ARGV[5 + rooms + i], optional: room i's counts summed by the caller over the room's voter
          parts, "<shards>|<options JSON>|<connected>|<count of option 1>|<count of option 2>|…"
          for the layout the caller knows; "" or absent for an unsharded room (its own users and
          tally are read). A room whose layout differs from what the call brings replies -3.
  The point is written in the snapshot codec's format (packages/protocol/src/snapshot-codec.ts):
  {"ts":<ms>,"votes":{<every option>},"connected":<users>}, ts first; published as {"data":[point]}.
  Returns one code per room, in order (TickResult in script-defs.ts):
            1 stored and published
            0 nothing to do (this ts or a later one is stored, or not on this room's tick)
           -1 fenced: a newer leader has ticked this room
           -2 the room has no meta (not created, or lost)
           -3 the room's voters are in parts (or no longer are) and the call did not bring their
              sums for its layout: the caller sums the parts and ticks the room again
]]
local epoch, ts = tonumber(ARGV[1]), tonumber(ARGV[2])
local limit, ttl = tonumber(ARGV[3]), tonumber(ARGV[4])
local trimAt = limit + math.floor(limit / 16)
local rooms = #KEYS / 4

-- Rooms of one deployment mostly share their options: each distinct list is decoded once a call,
-- with the snapshot frame as a format string (ts, one count per option, connected).
local layouts = {}
local function layoutOf(json)
  local layout = layouts[json]
  if not layout then
    local options = cjson.decode(json)
    local fields = {}
    for i, option in ipairs(options) do fields[i] = '"' .. option .. '":%d' end
    layout = { options = options, frame = '{"data":[{"ts":%s,"votes":{' .. table.concat(fields, ',') .. '},"connected":%d}]}' }
    layouts[json] = layout
  end
  return layout
end

-- A stored count as a number: 0 for none (or, defensively, below zero).
local function counted(n)
  n = tonumber(n) or 0
  if n < 0 then return 0 end
  return n
end

local function tick(meta, users, tally, history, channel, given)
  local m = redis.call('HMGET', meta, 'fence', 'last_ts', 'options', 'tick_ms', 'refreshed', 'shards')
  if not m[3] then return -2 end
  local fence = tonumber(m[1] or '0')
  if epoch < fence then return -1 end
  if epoch > fence then redis.call('HSET', meta, 'fence', ARGV[1]) end
  if ts <= tonumber(m[2] or '0') then return 0 end
  local every = tonumber(m[4] or '0')
  if every > 0 and ts % every ~= 0 then return 0 end

  local layout = layoutOf(m[3])
  local counts, connected
  if m[6] or (given and given ~= '') then
    -- Sharded: the caller's sums count only if they are for this room's layout.
    if not given or given == '' then return -3 end
    counts = {}
    for part in string.gmatch(given, '[^|]+') do counts[#counts + 1] = part end
    if counts[1] ~= (m[6] or '1') or counts[2] ~= m[3] then return -3 end
    connected = counts[3]
    counts = { unpack(counts, 4) }
  else
    counts = redis.call('HMGET', tally, unpack(layout.options))
    connected = redis.call('HLEN', users)
  end
  for i = 1, #layout.options do counts[i] = counted(counts[i]) end
  counts[#layout.options + 1] = counted(connected)
  -- The published frame is {"data":[point]}; the stored point is the frame without its wrapper.
  local frame = string.format(layout.frame, ARGV[2], unpack(counts, 1, #layout.options + 1))
  local point = string.sub(frame, 10, -3)

  if redis.call('RPUSH', history, point) > trimAt then redis.call('LTRIM', history, -limit, -1) end
  if ts - tonumber(m[5] or '0') >= ttl / 8 then
    redis.call('HSET', meta, 'last_ts', ARGV[2], 'refreshed', ARGV[2])
    redis.call('PEXPIRE', meta, ttl)
    redis.call('PEXPIRE', history, ttl)
    redis.call('PEXPIRE', tally, ttl)
  else
    redis.call('HSET', meta, 'last_ts', ARGV[2])
  end
  redis.call('SPUBLISH', channel, frame)
  return 1
end

local results = {}
for i = 0, rooms - 1 do
  local k = 4 * i
  results[i + 1] = tick(KEYS[k + 1], KEYS[k + 2], KEYS[k + 3], KEYS[k + 4], ARGV[5 + i], ARGV[5 + rooms + i])
end
return results
