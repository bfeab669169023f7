--[[
  renewLease-n: registers or renews a gateway's lease and marks the rooms it holds as active,
  using Redis's clock so every process agrees on expiry.

  KEYS[1] gateways       zset  gateway id -> lease expiry, ms (Redis time)
  KEYS[2] gateway rooms  set   rooms this gateway has held connections in (for reaping)
  KEYS[3..] active rooms, one zset per activity bucket b = 0, 1, … at KEYS[3 + b] (as many as
                         the caller has buckets: ACTIVITY_BUCKETS in src/partitions.ts): room ->
                         last time a gateway reported connections there, ms
  ARGV[1] gateway id
  ARGV[2] lease ttl, ms
  ARGV[3] "register" (create the lease) or "renew" (only extend a live one)
  ARGV[4..] pairs: a room's activity bucket, the room
  Returns: the lease's new expiry, ms of Redis time (> 0): the lease is live and was extended;
           the gateway's writes carry it as their `valid_until` (include/gatewayFence.lua)
           0 renew refused: the lease is gone or expired; the caller must register a new id
  A room is added to the gateway's rooms only while its lease is live, in this slot: a gateway
  writes to a room only after this said so, so the reaper (which runs once the lease expired,
  when no add can happen any more) finds every room the gateway ever wrote to.
]]
local gateways, mine = KEYS[1], KEYS[2]
-- @include redisTime
local now = now_ms()

if ARGV[3] ~= 'register' then
  local expiry = redis.call('ZSCORE', gateways, ARGV[1])
  if not expiry or tonumber(expiry) < now then return 0 end
end
local expiry = now + tonumber(ARGV[2])
redis.call('ZADD', gateways, expiry, ARGV[1])
for i = 4, #ARGV, 2 do
  local bucket = tonumber(ARGV[i])
  if not bucket or bucket < 0 or bucket >= #KEYS - 2 then return redis.error_reply('bad activity bucket ' .. tostring(ARGV[i])) end
  redis.call('ZADD', KEYS[3 + bucket], now, ARGV[i + 1])
  redis.call('SADD', mine, ARGV[i + 1])
end
return expiry
