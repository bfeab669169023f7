--[[
  voters: a vote room's presence and standing votes (pasted in where a script says `-- @include`),
  shared by the gateway's ops (roomOps), the reaper (reapVoters) and the vote expiry (expireVotes).

  Invariants kept: tally[o] = number of present users (users[u] > 0) whose stored vote is o and
  was cast in the current round (tally["#round"], absent for 0); tally["o/s"] = those of them in
  segment s; tally["#conn"] = number of present users (HLEN users), which the tick reads with the
  counts. A user's vote is deleted when their last connection on any gateway leaves.

  KEYS[1] users  hash  user -> live connections on all gateways
  KEYS[2] votes  hash  user -> "<option>|<ts ms>", or "<option>|<ts ms>|<segment>|<round>" once
                       the user has a segment or the room a round past 0 (option may be "cancel");
                       a present user who has not voted yet holds the placeholder "cancel|0"
  KEYS[3] tally  hash  option -> counted votes, "<option>/<segment>" -> those of one segment,
                       "#conn" -> present users, "#round" -> the current round (no option starts
                       with "#" or holds "/"; the tick keeps its state there too:
                       include/tickState.lua)
  KEYS[4] conns  hash  user -> live connections held by one gateway; the field "!reaped" (no
                       user id has a "!") is that gateway's tombstone, left by the reaper
]]
-- @include tallyFields
-- Globals are table lookups: the hot paths use local copies.
local call, match, tonumber, KEYS, ARGV = redis.call, string.match, tonumber, KEYS, ARGV
local users, votes, tally, conns = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local TOMBSTONE = '!reaped'
local round_now = tonumber(call('HGET', tally, ROUND) or '0')

-- Tally changes are summed per field and written once by flush_tally (one HINCRBY per field
-- per call, not two per vote); the script is atomic, so the invariant holds whenever anyone looks.
local moved = {}
local function bump(field, n) moved[field] = (moved[field] or 0) + n end

local function flush_tally()
  for field, n in pairs(moved) do
    if n ~= 0 then call('HINCRBY', tally, field, n) end
  end
end

-- A stored vote's parts: value ("cancel" or an option), ts, segment ("" for none) and round.
local function parse(stored)
  local value, at = match(stored, '^([^|]*)|(%d+)$')
  if value then return value, tonumber(at), '', 0 end
  local segment, round
  value, at, segment, round = match(stored, '^([^|]*)|(%d+)|([^|]*)|(%d+)$')
  return value, tonumber(at), segment, tonumber(round)
end

local function encode(value, at, segment, round)
  if segment == '' and round == 0 then return value .. '|' .. at end
  return value .. '|' .. at .. '|' .. segment .. '|' .. round
end

-- Moves the count of `option`, and of `option` in `segment` (if any), by n.
local function move(option, segment, n)
  bump(option, n)
  if segment ~= '' then bump(option .. '/' .. segment, n) end
end

-- Moves the counts a stored vote stands for (none for "cancel" or another round's vote) by n.
local function count(stored, n)
  if not stored then return end
  local value, _, segment, round = parse(stored)
  if value ~= 'cancel' and round == round_now then move(value, segment, n) end
end

-- The user's stored vote replaced by `stored`, counts moved with it.
local function replace(user, old, stored)
  count(old, -1)
  count(stored, 1)
  call('HSET', votes, user, stored)
end

-- Moves the gateway's connections of `user` by `delta`, and the user's total with them.
-- `segment_of(user)`, when given, is the segment a user gets while present (roomOps).
local function shift(user, delta, segment_of)
  if delta == 0 then return end
  if call('HINCRBY', conns, user, delta) <= 0 then call('HDEL', conns, user) end
  local total = call('HINCRBY', users, user, delta)
  if total <= 0 then
    call('HDEL', users, user)
    bump(CONN, -1)
    count(call('HGET', votes, user), -1)
    call('HDEL', votes, user)
  elseif total == delta then
    bump(CONN, 1)
    -- Present now: a placeholder vote ("cancel", counted nowhere) lets vote() see presence, the
    -- stored vote and the user's segment in one read.
    local segment = segment_of and segment_of(user) or ''
    if call('HSETNX', votes, user, encode('cancel', 0, segment, round_now)) == 0 then
      count(call('HGET', votes, user), 1)
    end
  end
end
