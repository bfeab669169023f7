--[[
  holdForGateway-2: registers poker rooms or poker users with a gateway, only while the gateway's
  lease is live, so the reaper finds every one the gateway writes to (see renewLease-18: the
  same rule for vote rooms).

  KEYS[1] gateways  zset  gateway id -> lease expiry, ms (Redis time)
  KEYS[2] held      set   the gateway's poker rooms or users (keys.gatewayPokerRooms / gatewayUsers)
  ARGV[1] gateway id
  ARGV[2..] members to add
  Returns: the lease's expiry, ms (> 0), or 0 when the lease is gone or expired (nothing added)
]]
-- @include redisTime
local now = now_ms()
local expiry = tonumber(redis.call('ZSCORE', KEYS[1], ARGV[1]) or '0')
if expiry < now then return 0 end
if #ARGV > 1 then redis.call('SADD', KEYS[2], unpack(ARGV, 2)) end
return expiry
