--[[
  roomOps-4: applies one gateway's batched presence and vote operations to a vote room, in order.

  Invariant kept: tally[o] = number of present users (users[u] > 0) whose stored vote is o.
  A user's vote is deleted when their last connection on any gateway leaves.

  KEYS[1] users  hash  user -> live connections on all gateways
  KEYS[2] votes  hash  user -> "<option>|<ts ms>" (option may be "cancel"); a present user who
                       has not voted yet holds the placeholder "cancel|0"
  KEYS[3] tally  hash  option -> counted votes
  KEYS[4] conns  hash  user -> live connections held by this gateway
  ARGV    groups of four: op, user, a, b
    "J" join   a = connections opened (> 0)
    "L" leave  a = connections closed (clamped to what this gateway holds)
    "S" sync   a = connections this gateway holds now (absolute; idempotent)
    "V" vote   a = option or "cancel", b = ts ms; the newest ts wins; ignored unless present
  Returns: number of vote ops that changed a stored vote
]]
local users, votes, tally, conns = KEYS[1], KEYS[2], KEYS[3], KEYS[4]

-- Tally changes are summed per option and written once at the end (one HINCRBY per option per
-- call, not two per vote); the script is atomic, so the invariant holds whenever anyone looks.
local moved = {}
local function bump(option, n) moved[option] = (moved[option] or 0) + n end

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

local function shift(user, delta)
  if delta == 0 then return end
  if redis.call('HINCRBY', conns, user, delta) <= 0 then redis.call('HDEL', conns, user) end
  local total = redis.call('HINCRBY', users, user, delta)
  if total <= 0 then
    redis.call('HDEL', users, user)
    local option = counted_option(user)
    if option then bump(option, -1) end
    redis.call('HDEL', votes, user)
  elseif total == delta then
    -- Present now: a placeholder vote ("cancel", counted nowhere) lets vote() see presence and the
    -- stored vote in one read.
    if redis.call('HSETNX', votes, user, 'cancel|0') == 0 then
      local option = counted_option(user)
      if option then bump(option, 1) end
    end
  end
end

-- One read (a present user has a stored vote, at least the placeholder); the tally moves only
-- when the counted option changes.
local function vote(user, value, ts)
  local stored = redis.call('HGET', votes, user)
  -- No stored vote: absent, or present since before placeholders were written.
  if not stored and redis.call('HEXISTS', users, user) == 0 then return 0 end
  local old, at = parse(stored)
  if at and ts < at then return 0 end
  local new = value ~= 'cancel' and value or nil
  if old ~= new then
    if old then bump(old, -1) end
    if new then bump(new, 1) end
  end
  redis.call('HSET', votes, user, value .. '|' .. ts)
  return 1
end

local changed = 0
for i = 1, #ARGV, 4 do
  local op, user, a = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  if op == 'V' then
    changed = changed + vote(user, a, tonumber(ARGV[i + 3]))
  else
    local mine = tonumber(redis.call('HGET', conns, user) or '0')
    local n = tonumber(a)
    if op == 'J' then shift(user, n)
    elseif op == 'L' then shift(user, -math.min(n, mine))
    elseif op == 'S' then shift(user, n - mine) end
  end
end
for option, n in pairs(moved) do
  if n ~= 0 then redis.call('HINCRBY', tally, option, n) end
end
return changed
