--[[
  voters: a vote room's presence and standing votes (pasted in where a script says `-- @include`),
  shared by the gateway's ops (roomOps) and the reaper (reapVoters).

  Invariants kept: tally[o] = number of present users (users[u] > 0) whose stored vote is o, and
  tally["#conn"] = number of present users (HLEN users), which the tick reads with the counts.
  A user's vote is deleted when their last connection on any gateway leaves.

  KEYS[1] users  hash  user -> live connections on all gateways
  KEYS[2] votes  hash  user -> "<option>|<ts ms>" (option may be "cancel"); a present user who
                       has not voted yet holds the placeholder "cancel|0"
  KEYS[3] tally  hash  option -> counted votes, "#conn" -> present users (no option starts
                       with "#"; the tick keeps its state there too: include/tickState.lua)
  KEYS[4] conns  hash  user -> live connections held by one gateway; the field "!reaped" (no
                       user id has a "!") is that gateway's tombstone, left by the reaper
]]
-- @include tallyFields
local users, votes, tally, conns = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local TOMBSTONE = '!reaped'

-- Tally changes are summed per option and written once by flush_tally (one HINCRBY per option
-- per call, not two per vote); the script is atomic, so the invariant holds whenever anyone looks.
local moved = {}
local function bump(option, n) moved[option] = (moved[option] or 0) + n end

local function flush_tally()
  for option, n in pairs(moved) do
    if n ~= 0 then redis.call('HINCRBY', tally, option, n) end
  end
end

-- The counted option in a stored "<option>|<ts>" (nil for none or "cancel"), and its ts.
local function parse(stored)
  if not stored then return nil, nil end
  local option, at = string.match(stored, '^(.*)|(%d+)$')
  if option == 'cancel' then option = nil end
  return option, tonumber(at)
end

local function counted_option(user)
  return (parse(redis.call('HGET', votes, user)))
end

-- Moves the gateway's connections of `user` by `delta`, and the user's total with them.
local function shift(user, delta)
  if delta == 0 then return end
  if redis.call('HINCRBY', conns, user, delta) <= 0 then redis.call('HDEL', conns, user) end
  local total = redis.call('HINCRBY', users, user, delta)
  if total <= 0 then
    redis.call('HDEL', users, user)
    bump(CONN, -1)
    local option = counted_option(user)
    if option then bump(option, -1) end
    redis.call('HDEL', votes, user)
  elseif total == delta then
    bump(CONN, 1)
    -- Present now: a placeholder vote ("cancel", counted nowhere) lets vote() see presence and the
    -- stored vote in one read.
    if redis.call('HSETNX', votes, user, 'cancel|0') == 0 then
      local option = counted_option(user)
      if option then bump(option, 1) end
    end
  end
end
