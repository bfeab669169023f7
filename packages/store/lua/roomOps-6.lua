--[[
  roomOps-6: applies one gateway's batched presence, segment and vote operations to a vote room
  (or one voter part of it), in order, unless the gateway is fenced.

  Invariants kept: see include/voters.lua (the tally counts exactly the present users' votes of
  the current round, per option and per option and segment), and include/gatewayFence.lua
  (nothing a reaped gateway, or one whose lease lapsed, writes here lands: the whole call is
  refused before any op is applied).

  KEYS[1..4] users, votes, tally, conns: see include/voters.lua
  KEYS[5] segments  hash  user -> segment (as claimed by the token, or chosen: the first choice
                          holds); read only when ARGV[4] is "1"
  KEYS[6] expiring  zset  user -> when their counted vote expires, ms; written only when ARGV[3]
                          is above 0 (lua/expireVotes-4 takes expired votes out)
  ARGV[1] the gateway's lease expiry as last granted by the registry, ms of Redis time
  ARGV[2] the room's round as the gateway knows it: vote ops of an older round are ignored (a
          gateway that has not heard of a reset yet, or re-asserts votes of before it)
  ARGV[3] the room's vote expiry, ms ("0": votes stand while their voter is present)
  ARGV[4] "1" when the room has segments
  ARGV[5..] groups of four: op, user, a, b
    "J" join     a = connections opened (> 0)
    "L" leave    a = connections closed (clamped to what this gateway holds)
    "S" sync     a = connections this gateway holds now (absolute; idempotent)
    "V" vote     a = option or "cancel", b = ts ms; the newest ts of the round wins; ignored
                 unless present
    "G" segment  a = segment, b = "1" claimed by the user's token (replaces any other), "0"
                 chosen by the user (kept only if they have none yet)
  Returns: number of vote ops that changed a stored vote (>= 0), or
           -1 refused: the reaper reaped this gateway id here
           -2 refused: the gateway's lease has lapsed
]]
-- @include voters
-- @include gatewayFence
local segments, expiring = KEYS[5], KEYS[6]
local fenced = gateway_fence(conns, TOMBSTONE, ARGV[1])
if fenced ~= 0 then return fenced end
local old_round = tonumber(ARGV[2]) < round_now
local ttl, segmented = tonumber(ARGV[3]), ARGV[4] == '1'

-- Keys written here expire with the room's tally (which every tick's renewal keeps alive): set
-- once a call, after its ops.
local written = {}
local function expire_with_tally()
  if next(written) == nil then return end
  local left = call('PTTL', tally)
  if left <= 0 then return end
  for key in pairs(written) do call('PEXPIRE', key, left) end
end
-- Redis time, read once a call when votes expire.
local time_now = ttl > 0 and now_ms() or 0

local function segment_of(user)
  return call('HGET', segments, user) or ''
end

-- One read (a present user has a stored vote, at least the placeholder) and one parse of it; the
-- tally moves only when what is counted changes.
local function vote(user, value, ts)
  if old_round then return 0 end
  local stored = call('HGET', votes, user)
  -- No stored vote: absent, or present since before placeholders were written.
  if not stored and call('HEXISTS', users, user) == 0 then return 0 end
  local before, at, segment, round = 'cancel', nil, '', -1
  if stored then before, at, segment, round = parse(stored) end
  if round == round_now and at and ts < at then return 0 end
  local counted = round == round_now and before ~= 'cancel' and before or nil
  local was_in = segment
  if segment == '' and segmented then segment = segment_of(user) end
  local counts = value ~= 'cancel' and value or nil
  if counted ~= counts or was_in ~= segment then
    if counted then move(counted, was_in, -1) end
    if counts then move(counts, segment, 1) end
  end
  call('HSET', votes, user, encode(value, ts, segment, round_now))
  if ttl > 0 then
    if value == 'cancel' then
      call('ZREM', expiring, user)
    else
      call('ZADD', expiring, time_now + ttl, user)
      written[expiring] = true
    end
  end
  return 1
end

local function set_segment(user, segment, claimed)
  if claimed then
    call('HSET', segments, user, segment)
  elseif call('HSETNX', segments, user, segment) == 0 then
    segment = call('HGET', segments, user)
  end
  written[segments] = true
  local stored = call('HGET', votes, user)
  if not stored then return end
  local value, at, before, round = parse(stored)
  if before ~= segment then replace(user, stored, encode(value, at, segment, round)) end
end

local changed = 0
for i = 5, #ARGV, 4 do
  local op, user, a = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  if op == 'V' then
    changed = changed + vote(user, a, tonumber(ARGV[i + 3]))
  elseif op == 'G' then
    set_segment(user, a, ARGV[i + 3] == '1')
  else
    local mine = tonumber(call('HGET', conns, user) or '0')
    local n = tonumber(a)
    local present = segmented and segment_of or nil
    if op == 'J' then shift(user, n, present)
    elseif op == 'L' then shift(user, -math.min(n, mine))
    elseif op == 'S' then shift(user, n - mine, present) end
  end
end
flush_tally()
expire_with_tally()
return changed
