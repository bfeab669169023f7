--[[
  tickRooms-n: stores one tick of each of several vote rooms in its history and publishes it, per
  room only if the caller's leadership epoch is not older than any epoch that already ticked the
  room, and only once per (room, ts). One call ticks a chunk of rooms, so the per-call cost of a
  script is paid once per chunk. On Redis Cluster every room of one call shares a slot (the
  caller groups them); on one node any rooms may.

  A steady room tick is four commands: one HMGET of the tally (tick state, present users and
  counts together, include/tickState.lua), RPUSH history, HSET of the last tick, SPUBLISH. The caller
  brings each room's layout as it learnt it; a room whose stored layout differs (or the caller's
  first tick of it) costs a second HMGET, and the reply tells the caller to learn it.

  KEYS    four per room i = 0, 1, …: KEYS[4i+1] meta, KEYS[4i+2] users, KEYS[4i+3] tally,
          KEYS[4i+4] history
    meta     hash  the room's facts for the API; only its expiry is renewed here
    users    hash  user -> live connections (HLEN = connected users; read only when the room's
                   expiry is renewed, to check the tally's count of them)
    tally    hash  option -> counted votes, and the tick state (include/tickState.lua)
    history  list  JSON points, oldest first
  ARGV[1] epoch of the caller's leadership
  ARGV[2] tick time, ms, on the global tick grid
  ARGV[3] history limit (points kept; the list may run up to a sixteenth over it between trims,
          and readers take its last ARGV[3] points)
  ARGV[4] idle expiry for meta, tally and history, ms (renewed once an eighth of it has passed,
          so an idle room's keys go between 7/8 and all of it after its last tick)
  ARGV[5 + i] room i's channel (sharded pub/sub: SPUBLISH, same hash tag as its keys)
  ARGV[5 + rooms + i] room i's layout as the caller knows it (the tally's #layout), "" if unknown
  ARGV[5 + 2 rooms + i], optional: room i's counts summed by the caller over the room's voter
          parts for that layout, "<connected>|<count of option 1>|<count of option 2>|…"; "" or
          absent for an unsharded room (its own users and tally are read)
  The point is written in the snapshot codec's format (packages/protocol/src/snapshot-codec.ts):
  {"ts":<ms>,"votes":{<every option>},"connected":<users>}, ts first; published as {"data":[point]}.
  Returns one code per room, in order (TickResult in src/vote-scripts.ts):
            2 stored and published, but the caller's layout for the room was missing or stale:
              it should learn the room's #layout
            1 stored and published
            0 nothing to do (this ts or a later one is stored, or not on this room's tick)
           -1 fenced: a newer leader has ticked this room
           -2 the room has no tick state: no room, or one to upgrade first (upgradeRooms-n)
           -3 the room's voters are in parts and the call did not bring their sums for its
              layout: the caller learns the layout, sums the parts and ticks the room again
]]
-- @include tickState
local epoch, ts = tonumber(ARGV[1]), tonumber(ARGV[2])
local limit, ttl = tonumber(ARGV[3]), tonumber(ARGV[4])
local trimAt = limit + math.floor(limit / 16)
local rooms = #KEYS / 4
local STATE = { LAYOUT, FENCE, LAST, REFRESHED, CONN }

-- Each distinct layout is parsed once a call: the fields one HMGET reads (the state, then one
-- count per option) and the point as a format string (ts, one count per option, connected).
local layouts = {}
local function layoutOf(text)
  local layout = layouts[text]
  if not layout then
    local every, shards, json = string.match(text, '^(%d+)|(%d+)|(.*)$')
    local options = cjson.decode(json)
    local fields, votes = { unpack(STATE) }, {}
    for i, option in ipairs(options) do
      fields[#STATE + i] = option
      votes[i] = '"' .. option .. '":%d'
    end
    layout = { text = text, every = tonumber(every), sharded = tonumber(shards) > 1, options = options, fields = fields,
      point = '{"ts":%s,"votes":{' .. table.concat(votes, ',') .. '},"connected":%d}' }
    layouts[text] = layout
  end
  return layout
end

-- A stored count as a number: 0 for none (or, defensively, below zero).
local function counted(n)
  n = tonumber(n) or 0
  if n < 0 then return 0 end
  return n
end

local function tick(meta, users, tally, history, channel, known, sums)
  local layout = known ~= '' and layoutOf(known) or nil
  local got = redis.call('HMGET', tally, unpack(layout and layout.fields or STATE))
  local stored, fence, last, refreshed, connected = got[1], tonumber(got[2] or '0'), tonumber(got[3] or '0'), tonumber(got[4] or '0'), got[5]
  if not stored then return -2 end
  if epoch < fence then return -1 end
  if epoch > fence then redis.call('HSET', tally, FENCE, ARGV[1]) end
  local stale = stored ~= known
  if stale then layout = layoutOf(stored) end
  if ts <= last then return 0 end
  if layout.every > 0 and ts % layout.every ~= 0 then return 0 end

  local counts
  if layout.sharded then
    -- The caller's sums count only if they are for this room's layout.
    if stale or not sums or sums == '' then return -3 end
    counts = {}
    for part in string.gmatch(sums, '[^|]+') do counts[#counts + 1] = part end
    connected = table.remove(counts, 1)
  else
    counts = stale and redis.call('HMGET', tally, unpack(layout.options)) or { unpack(got, #STATE + 1) }
  end
  local refresh = ts - refreshed >= ttl / 8
  if refresh and not layout.sharded then
    -- The voters' scripts keep #conn; a gateway of an older version did not, so it is checked
    -- against the users hash (and set right) whenever the room's expiry is renewed.
    local present = redis.call('HLEN', users)
    if tonumber(connected) ~= present then
      connected = present
      redis.call('HSET', tally, CONN, present)
    end
  end
  local n = #layout.options
  for i = 1, n do counts[i] = counted(counts[i]) end
  counts[n + 1] = counted(connected)
  local point = string.format(layout.point, ARGV[2], unpack(counts, 1, n + 1))

  if redis.call('RPUSH', history, point) > trimAt then redis.call('LTRIM', history, -limit, -1) end
  if refresh then
    redis.call('HSET', tally, LAST, ARGV[2], REFRESHED, ARGV[2])
    redis.call('PEXPIRE', meta, ttl)
    redis.call('PEXPIRE', history, ttl)
    redis.call('PEXPIRE', tally, ttl)
  else
    redis.call('HSET', tally, LAST, ARGV[2])
  end
  redis.call('SPUBLISH', channel, '{"data":[' .. point .. ']}')
  if stale then return 2 end
  return 1
end

local results = {}
for i = 0, rooms - 1 do
  local k = 4 * i
  results[i + 1] = tick(KEYS[k + 1], KEYS[k + 2], KEYS[k + 3], KEYS[k + 4], ARGV[5 + i], ARGV[5 + rooms + i], ARGV[5 + 2 * rooms + i])
end
return results
