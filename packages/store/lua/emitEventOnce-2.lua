--[[
  emitEventOnce: appends a webhook event to the events stream unless an event with the same
  dedupe key was appended within ARGV[1] ms. Every gateway that holds a room sees the same
  viewer count crossing or the same poker change; the first one's event is the only one.

  KEYS[1] events  stream  the webhook events, oldest first: fields type, body
  KEYS[2] once    string  the dedupe key (same slot: {webhooks})
  ARGV[1] how long the dedupe key holds, ms
  ARGV[2] events kept in the stream (approximately: MAXLEN ~)
  ARGV[3] the event's type
  ARGV[4] the event's body (JSON)
  Returns the event's stream id, or false when it was emitted already.
]]
if not redis.call('SET', KEYS[2], '1', 'NX', 'PX', ARGV[1]) then return false end
return redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[2], '*', 'type', ARGV[3], 'body', ARGV[4])
