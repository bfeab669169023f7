--[[
  roomOps-4: applies one gateway's batched presence and vote operations to a vote room (or one
  voter part of it), in order, unless the gateway is fenced.

  Invariants kept: see include/voters.lua (the tally counts exactly the present users' votes),
  and include/gatewayFence.lua (nothing a reaped gateway, or one whose lease lapsed, writes here
  lands: the whole call is refused before any op is applied).

  KEYS[1..4] users, votes, tally, conns: see include/voters.lua
  ARGV[1] the gateway's lease expiry as last granted by the registry, ms of Redis time
  ARGV[2..] groups of four: op, user, a, b
    "J" join   a = connections opened (> 0)
    "L" leave  a = connections closed (clamped to what this gateway holds)
    "S" sync   a = connections this gateway holds now (absolute; idempotent)
    "V" vote   a = option or "cancel", b = ts ms; the newest ts wins; ignored unless present
  Returns: number of vote ops that changed a stored vote (>= 0), or
           -1 refused: the reaper reaped this gateway id here
           -2 refused: the gateway's lease has lapsed
]]
-- @include voters
-- @include gatewayFence
local fenced = gateway_fence(conns, TOMBSTONE, ARGV[1])
if fenced ~= 0 then return fenced end

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
for i = 2, #ARGV, 4 do
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
flush_tally()
return changed
