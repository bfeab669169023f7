--[[
  settleWebhook: records how a claimed delivery went: delivered or given up (it is done), or
  failed (due again at ARGV[3], one more failed attempt), and appends it to the delivery log.

  KEYS[1] due       zset    "<event id> <url>" -> when the delivery is due, ms
  KEYS[2] attempts  hash    "<event id> <url>" -> failed attempts so far
  KEYS[3] log       stream  one entry per attempt: event, type, url, attempt, result, status, error
  ARGV[1] the delivery ("<event id> <url>")
  ARGV[2] "delivered", "retry" or "gave_up"
  ARGV[3] when a retry is due, ms (ignored otherwise)
  ARGV[4] log entries kept (approximately)
  ARGV[5 ...] the log entry's fields and values
  Returns 1.
]]
if ARGV[2] == 'retry' then
  redis.call('ZADD', KEYS[1], tonumber(ARGV[3]), ARGV[1])
  redis.call('HINCRBY', KEYS[2], ARGV[1], 1)
else
  redis.call('ZREM', KEYS[1], ARGV[1])
  redis.call('HDEL', KEYS[2], ARGV[1])
end
redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[4], '*', unpack(ARGV, 5))
return 1
