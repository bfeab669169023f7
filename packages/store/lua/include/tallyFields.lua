--[[
  tallyFields: the fields a vote room's tally hash holds beside the option counts (pasted in
  where a script says `-- @include`): the tick state, read with the counts in one HMGET, and the
  count of present users. Their names start with "#", which no option can (OPTION_PATTERN).

  tally  hash  option -> counted votes (include/voters.lua), and:
    #tick  "<last>:<fence>:<layout>": the newest stored tick (ms, 0 for none), the newest ticker
           epoch that ticked the room (0 for none), and the room's layout "<tick_ms>|<shards>|
           [<kept>|][t<vote ttl ms>|][<segments JSON>|]<options JSON>": <kept> for a room that
           keeps its own number of points, the vote expiry of a room whose votes expire (the
           ticker expires them before it ticks the room: lua/expireVotes-4), the segments for a
           room with segments (what the tick needs to build
           and keep the point; fixed when the room is created, copied from meta, which keeps the
           same facts for the API). One field, so
           that a steady tick checks all three with one string comparison and writes them with
           one HSET.
    #conn  present users, kept by the voters' scripts (include/voters.lua)
    #round the room's current round (absent for 0): votes of earlier rounds count nowhere
           (include/voters.lua, lua/roomRound-6 and resetVoters-2)
  While voting in the room is closed (roomVoting-2), its last tick is CLOSED_LAST: no tick time
  is after it, so the ticker stores and publishes nothing and the worm stays as it was at the
  close; the tick really stored last waits in meta (closed_last) until the room opens again.
]]
local TICK, CONN, ROUND = '#tick', '#conn', '#round'
-- 14 digits, so that it is written back as digits (Lua prints numbers with 14 significant digits);
-- in ms, the year 5138.
local CLOSED_LAST = 99999999999999

-- The tick state as stored in #tick.
local function tick_state(last, fence, layout)
  return last .. ':' .. fence .. ':' .. layout
end

-- #tick's parts: last tick and fence as numbers, and the layout; nil for anything else.
local function read_tick(state)
  local last, fence, layout = string.match(state, '^(%d+):(%d+):(.+)$')
  if not last then return nil end
  return tonumber(last), tonumber(fence), layout
end
