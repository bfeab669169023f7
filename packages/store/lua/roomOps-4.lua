--[[
  roomOps-4: applies one gateway's batched presence and vote operations to a vote room, in order.

  Invariant kept: tally[o] = number of present users (users[u] > 0) whose stored vote is o.
  A user's vote is deleted when their last connection on any gateway leaves.

  KEYS[1] users  hash  user -> live connections on all gateways
  KEYS[2] votes  hash  user -> "<option>|<ts ms>" (option may be "cancel")
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

local function counted_option(user)
  local stored = redis.call('HGET', votes, user)
  if not stored then return nil end
  local option = string.match(stored, '^(.*)|')
  if option == 'cancel' then return nil end
  return option
end

local function shift(user, delta)
  if delta == 0 then return end
  if redis.call('HINCRBY', conns, user, delta) <= 0 then redis.call('HDEL', conns, user) end
  local total = redis.call('HINCRBY', users, user, delta)
  if total <= 0 then
    redis.call('HDEL', users, user)
    local option = counted_option(user)
    if option then redis.call('HINCRBY', tally, option, -1) end
    redis.call('HDEL', votes, user)
  elseif total == delta then
    local option = counted_option(user)
    if option then redis.call('HINCRBY', tally, option, 1) end
  end
end

local function vote(user, value, ts)
  if redis.call('HEXISTS', users, user) == 0 then return 0 end
  local stored = redis.call('HGET', votes, user)
  if stored and ts < tonumber(string.match(stored, '|(%d+)$')) then return 0 end
  local old = counted_option(user)
  if old then redis.call('HINCRBY', tally, old, -1) end
  if value ~= 'cancel' then redis.call('HINCRBY', tally, value, 1) end
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
return changed
