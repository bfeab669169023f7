--[[
  claimWebhooks: the webhook sender's next deliveries. First every event appended after the
  cursor becomes one delivery per endpoint, due now, and the cursor moves past it; then up to
  ARGV[2] due deliveries are claimed: each is due again after ARGV[3] ms unless the sender settles
  it (settleWebhook), so a sender that dies mid-delivery leaves it to the next one (at least once).

  KEYS[1] events    stream  fields type, body
  KEYS[2] cursor    string  the id of the last event turned into deliveries
  KEYS[3] due       zset    "<event id> <url>" -> when the delivery is due, ms
  KEYS[4] attempts  hash    "<event id> <url>" -> failed attempts so far
  ARGV[1] now, ms
  ARGV[2] at most this many events turned into deliveries, and deliveries claimed
  ARGV[3] how long a claim holds, ms
  ARGV[4 ...] the endpoints' URLs
  Returns a flat list, four per delivery: member, failed attempts, event type, event body (type
  and body "" when the stream no longer holds the event).
]]
local now, count, lease = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local cursor = redis.call('GET', KEYS[2]) or '0-0'
local fresh = redis.call('XRANGE', KEYS[1], '(' .. cursor, '+', 'COUNT', count)
for _, entry in ipairs(fresh) do
  for u = 4, #ARGV do redis.call('ZADD', KEYS[3], now, entry[1] .. ' ' .. ARGV[u]) end
  cursor = entry[1]
end
if #fresh > 0 then redis.call('SET', KEYS[2], cursor) end

local claimed = {}
for _, member in ipairs(redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', now, 'LIMIT', 0, count)) do
  redis.call('ZADD', KEYS[3], now + lease, member)
  local id = string.match(member, '^(%S+) ')
  local entry = redis.call('XRANGE', KEYS[1], id, id)[1]
  local fields = {}
  if entry then
    for i = 1, #entry[2], 2 do fields[entry[2][i]] = entry[2][i + 1] end
  end
  claimed[#claimed + 1] = member
  claimed[#claimed + 1] = redis.call('HGET', KEYS[4], member) or '0'
  claimed[#claimed + 1] = fields.type or ''
  claimed[#claimed + 1] = fields.body or ''
end
return claimed
