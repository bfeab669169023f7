--[[
  roomVoting-2: closes or opens voting in a vote room (SPEC §9) and tells its viewers. While the
  room is closed the ticker stores nothing for it (include/tallyFields.lua, CLOSED_LAST), so its
  series ends with the tally as it stood at the close; gateways refuse votes in it. Opening it
  again gives the tick state back as it was, so the next tick follows the last one stored and no
  tick time is stored twice.

  KEYS[1] meta   hash  the room's facts; while closed: closed (when it closed, ms) and
                       closed_last (the tick stored last before); opened_at, when it last
                       opened again (the replay's anchor, with created_at before any)
  KEYS[2] tally  hash  the tick state #tick (include/tallyFields.lua)
  ARGV[1] "close" or "open"
  ARGV[2] now, ms
  ARGV[3] the room's channel (sharded pub/sub, same hash tag)
  Publishes {"state":{"closed":<true|false>,"ts":<now>}} on the channel when the room changed.
  Returns { code, closed at (ms; 0 when open) }: code 1 changed, 0 already so, -1 no such room
  (no meta or no tick state).
]]
-- @include tallyFields
local meta, tally = KEYS[1], KEYS[2]
local close = ARGV[1] == 'close'
local state = redis.call('HGET', tally, TICK)
if not state or redis.call('HEXISTS', meta, 'options') == 0 then return { -1, 0 } end
local last, fence, layout = read_tick(state)
if not last then return { -1, 0 } end
local closed = redis.call('HGET', meta, 'closed')
if close then
  if closed then return { 0, tonumber(closed) } end
  redis.call('HSET', meta, 'closed', ARGV[2], 'closed_last', last)
  redis.call('HSET', tally, TICK, tick_state(CLOSED_LAST, fence, layout))
else
  if not closed then return { 0, 0 } end
  local before = redis.call('HGET', meta, 'closed_last') or '0'
  redis.call('HDEL', meta, 'closed', 'closed_last')
  redis.call('HSET', meta, 'opened_at', ARGV[2])
  redis.call('HSET', tally, TICK, tick_state(before, fence, layout))
end
redis.call('SPUBLISH', ARGV[3], '{"state":{"closed":' .. (close and 'true' or 'false') .. ',"ts":' .. ARGV[2] .. '}}')
if close then return { 1, tonumber(ARGV[2]) } end
return { 1, 0 }
