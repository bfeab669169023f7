--[[
  tickRooms-n: stores one tick of each of several vote rooms in its history and publishes it, per
  room only if the caller's leadership epoch is not older than any epoch that already ticked the
  room, and only once per (room, ts). One call ticks a chunk of rooms, so the per-call cost of a
  script is paid once per chunk. On Redis Cluster every room of one call shares a slot (the
  caller groups them); on one node any rooms may.

  A steady room tick is four commands: one HMGET of the tally (the tick state, present users and
  counts together, include/tallyFields.lua), RPUSH history, HSET #tick, SPUBLISH. A room is
  steady when its #tick is exactly "<ARGV[3]>:<ARGV[1]>:<the layout the caller brings>", the
  state this caller left when it stored its previous tick: the fence is the caller's own epoch,
  the last tick is older than ts and the caller's layout is the room's, checked by one string
  comparison with no number parsed. Any other room takes the checked path: its #tick is parsed,
  its layout compared, and the reply tells the caller when to learn it.

  KEYS    per room i = 0, 1, …: two (five when ARGV[6] is "1"): KEYS[k+1] tally, KEYS[k+2]
          history, and when renewing KEYS[k+3] meta, KEYS[k+4] users, KEYS[k+5] markers (k = 2i,
          or 5i)
    tally    hash  option -> counted votes, and the tick state (include/tallyFields.lua)
    history  list  JSON points, oldest first
    meta     hash  the room's facts for the API; only its expiry is renewed here
    markers  list  the room's timeline markers (addMarker-3); only their expiry is renewed here
    users    hash  user -> live connections (HLEN = connected users, checked against the tally's
                   #conn when the room's expiry is renewed)
  ARGV[1] epoch of the caller's leadership
  ARGV[2] tick time, ms, on the global tick grid
  ARGV[3] the tick the caller stored before, ms ("0" for none)
  ARGV[4] history limit (points kept, unless the room's layout names its own; the list may run
          up to a sixteenth over it between trims, and readers take its last that many points)
  ARGV[5] idle expiry for meta, tally, history and markers, ms
  ARGV[6] "1": renew the expiry of every room of this call (the caller does so for each room at
          least once an eighth of the expiry) and check its #conn; "0": not. A new history list
          gets the expiry when it is created either way.
  ARGV[7 + i] room i's channel (sharded pub/sub: SPUBLISH, same hash tag as its keys)
  ARGV[7 + rooms + i] room i's layout as the caller knows it (from the tally's #tick), "" if unknown
  ARGV[7 + 2 rooms + i], optional: room i's counts summed by the caller over the room's voter
          parts for that layout, "<connected>|<count of option 1>|<count of option 2>|…", then
          for a room with segments each segment's counts of the options, segment by segment; ""
          or absent for an unsharded room (its own tally is read)
  The point is written in the snapshot codec's format (packages/protocol/src/snapshot-codec.ts):
  {"ts":<ms>,"votes":{<every option>},"connected":<users>}, ts first, and for a room with
  segments "segments":{"<segment>":{<every option>},…} after. The same text is published on the
  room's channel (the gateways wrap it in a one-point frame for their sockets). A room with
  segments is read and built in O(options × segments), like any other room in O(options).
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
-- @include tallyFields
local call = redis.call
-- Globals are table lookups; the steady path reads these once per room.
local KEYS, ARGV, unpack, concat = KEYS, ARGV, unpack, table.concat
local epoch, ts = tonumber(ARGV[1]), tonumber(ARGV[2])
local limit, ttl = tonumber(ARGV[4]), tonumber(ARGV[5])
local renew = ARGV[6] == '1'
local per = renew and 5 or 2
local rooms = #KEYS / per
local after = tonumber(ARGV[3]) < ts

-- Each distinct layout is parsed once a call: the fields the steady HMGET reads (#tick, then
-- for an unsharded room #conn and one count per option), the point as pieces to concatenate
-- with the slots where the counts and the connected users go, the state a steady room of this
-- layout has ('' matches none when the caller stored no tick before) and the one a stored room
-- gets.
local layouts = {}
local function layoutOf(text)
  local layout = layouts[text]
  if layout then return layout end
  local every, shards, json = string.match(text, '^(%d+)|(%d+)|(.*)$')
  local keep = limit
  local own, rest = string.match(json, '^(%d+)|(.*)$')
  if own then keep, json = tonumber(own), rest end
  -- a vote expiry: the caller's business (it expires votes before the tick)
  json = string.match(json, '^t%d+|(.*)$') or json
  local segments = {}
  local listed, after_segments = string.match(json, '^(%b[])|(.*)$')
  if listed then segments, json = cjson.decode(listed), after_segments end
  local options = cjson.decode(json)
  -- counts[k]: the tally field of count k, in the order the point lists them: the options, then
  -- each segment's options ("<option>/<segment>"). The point is kept as pieces: the text between
  -- two counts (merged, so that a yes/no point is seven pieces) and a slot for each count.
  local counts = {}
  local point, slots, between = {}, {}, '{"ts":' .. ARGV[2] .. ',"votes":{'
  local function slot(k, before)
    point[#point + 1] = between .. before
    point[#point + 1] = '0'
    slots[k], between = #point, ''
  end
  for i, option in ipairs(options) do
    counts[#counts + 1] = option
    slot(#counts, (i > 1 and ',"' or '"') .. option .. '":')
  end
  slot(0, '},"connected":')
  for j, segment in ipairs(segments) do
    between = between .. (j > 1 and '},"' or ',"segments":{"') .. segment .. '":{'
    for i, option in ipairs(options) do
      counts[#counts + 1] = option .. '/' .. segment
      slot(#counts, (i > 1 and ',"' or '"') .. option .. '":')
    end
  end
  point[#point + 1] = between .. (#segments > 0 and '}}}' or '}')
  local sharded = tonumber(shards) > 1
  local fields = { TICK }
  if not sharded then
    fields[2] = CONN
    for k, field in ipairs(counts) do fields[2 + k] = field end
  end
  every = tonumber(every)
  layout = { text = text, due = every == 0 or ts % every == 0, sharded = sharded, counts = counts, fields = fields,
    point = point, slots = slots, keep = keep, trimAt = keep + math.floor(keep / 16),
    steady = after and tick_state(ARGV[3], ARGV[1], text) or '', stored = tick_state(ARGV[2], ARGV[1], text) }
  layouts[text] = layout
  return layout
end

-- Stores and publishes room i's point: values[first] is its connected users, its counts follow
-- in the order of layout.counts (the options, then each segment's).
local function store(i, layout, values, first)
  local tally, history = KEYS[per * i + 1], KEYS[per * i + 2]
  local point, slots = layout.point, layout.slots
  if renew and not layout.sharded then
    -- The voters' scripts keep #conn; a gateway of an older version did not, so it is checked
    -- against the users hash (and set right) whenever the room's expiry is renewed.
    local present = call('HLEN', KEYS[per * i + 4])
    if tonumber(values[first] or '0') ~= present then
      values[first] = tostring(present)
      call('HSET', tally, CONN, present)
    end
  end
  -- A count the tally does not hold is 0. The voters' scripts never take one below zero: they
  -- keep each count equal to the votes it counts (room-ops.property.it.test.ts).
  for k = 0, #layout.counts do point[slots[k]] = values[first + k] or '0' end
  local text = concat(point)
  local length = call('RPUSH', history, text)
  if length == 1 then
    call('PEXPIRE', history, ttl)
  elseif length > layout.trimAt then
    call('LTRIM', history, -layout.keep, -1)
  end
  call('HSET', tally, TICK, layout.stored)
  if renew then
    call('PEXPIRE', KEYS[per * i + 3], ttl)
    call('PEXPIRE', history, ttl)
    call('PEXPIRE', tally, ttl)
    call('PEXPIRE', KEYS[per * i + 5], ttl)
  end
  call('SPUBLISH', ARGV[7 + i], text)
end

-- Stores and publishes sharded room i's point from the sums the caller brought (connected
-- users, then the counts) for room i's layout: 1, or -3 when the call brought none.
local function store_sums(i, layout)
  local sums = ARGV[7 + 2 * rooms + i]
  if not sums or sums == '' then return -3 end
  local values = {}
  for part in string.gmatch(sums, '[^|]+') do values[#values + 1] = part end
  store(i, layout, values, 1)
  return 1
end

-- The checked path: room i's state is not the steady one (a new room or leader, a room on its
-- own tick, the caller's first tick of it, a layout the caller does not know). got is the steady
-- HMGET's reply (#tick, and for an unsharded room #conn and counts) when the caller knew a layout
-- (known), nil otherwise.
local function checked(i, known, got)
  local tally = KEYS[per * i + 1]
  local state
  if got then state = got[1] else state = call('HGET', tally, TICK) end
  if not state then return -2 end
  local last, fence, text = read_tick(state)
  if not last then return -2 end
  if epoch < fence then return -1 end
  if epoch > fence then call('HSET', tally, TICK, tick_state(last, ARGV[1], text)) end
  local layout = layoutOf(text)
  if ts <= last or not layout.due then return 0 end
  local stale = known ~= text
  if layout.sharded then
    -- The caller's sums count only if they are for this room's layout.
    if stale then return -3 end
    return store_sums(i, layout)
  elseif stale then
    store(i, layout, call('HMGET', tally, CONN, unpack(layout.counts)), 1)
  else
    store(i, layout, got, 2)
  end
  if stale then return 2 end
  return 1
end

local results = {}
for i = 0, rooms - 1 do
  local known = ARGV[7 + rooms + i]
  local code
  if known == '' then
    code = checked(i, known, nil)
  else
    -- The cache read inline: a call to layoutOf per room costs about 580 instructions more.
    local layout = layouts[known] or layoutOf(known)
    local got = call('HMGET', KEYS[per * i + 1], unpack(layout.fields))
    if got[1] ~= layout.steady or not layout.due then
      code = checked(i, known, got)
    elseif layout.sharded then
      code = store_sums(i, layout)
    else
      store(i, layout, got, 2)
      code = 1
    end
  end
  results[i + 1] = code
end
return results
