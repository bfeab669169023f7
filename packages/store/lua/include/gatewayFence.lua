--[[
  gatewayFence: shared by every script a gateway runs under its lease id (pasted in where a
  script says `-- @include`). A gateway's write is refused, changing nothing, when
    - the reaper has reaped that gateway id here (it left a tombstone in this slot), or
    - the lease the gateway last saw renewed has lapsed: Redis time is at or past the lease's
      expiry as the registry granted it (the caller's `valid_until`, ms).
  The tombstone is what makes the rule hold whatever the clocks say: the reaper leaves it, in the
  room's own slot, before it takes the gateway's connections out. The expiry check refuses a
  paused gateway's writes even before the reaper runs, and after a tombstone expired.
  See docs/protocol-presence.md.
]]
-- @include redisTime
local FENCE_REAPED, FENCE_LAPSED = -1, -2

-- 0 when the write may land, FENCE_REAPED or FENCE_LAPSED when it must be refused.
local function gateway_fence(hash, tombstone_field, valid_until)
  if redis.call('HEXISTS', hash, tombstone_field) == 1 then return FENCE_REAPED end
  if now_ms() >= tonumber(valid_until) then return FENCE_LAPSED end
  return 0
end
