--[[
  roomRound-6: ends a vote room's round and starts the next one with its own question and series
  (SPEC §9, POST /api/rooms/<room>/reset). The ending round's history and markers are kept under
  the round's own keys for the room's idle expiry and listed in meta `rounds`; the new round
  starts with an empty series, no markers, voting open, and counts from zero (its voters were
  moved on first by resetVoters-2). Viewers are told on the room's channel.

  KEYS[1] meta      hash  the room's facts: round, question, opened_at, rounds (JSON list of
                          {"round","question","opened_at","ended_at"}, oldest first, at most
                          ROUNDS_KEPT); closed and closed_last while voting is closed
  KEYS[2] tally     hash  the tick state (include/tallyFields.lua)
  KEYS[3] history   list  the round's points
  KEYS[4] markers   list  the round's markers
  KEYS[5] kept history, KEYS[6] kept markers: where the ending round's go (keys.voteRound)
  ARGV[1] the new round's question
  ARGV[2] now, ms
  ARGV[3] the room's channel (sharded pub/sub, same hash tag)
  ARGV[4] idle expiry, ms (how long the ending round is kept)
  ARGV[5] the new round: the room's round + 1, or the call is refused (another reset came first)
  Publishes {"state":{"closed":false,"ts":<now>,"round":<n>,"question":"..."}}.
  Returns { code, round }: 1 started round `round`; 0 the room is at another round (`round`);
  -1 no such room.
]]
-- @include tallyFields
local meta, tally, history, markers, kept_history, kept_markers = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
local question, now, channel, ttl, next_round = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4]), tonumber(ARGV[5])
local ROUNDS_KEPT = 100
local state = redis.call('HGET', tally, TICK)
if not state or redis.call('HEXISTS', meta, 'options') == 0 then return { -1, 0 } end
local last, fence, layout = read_tick(state)
if not last then return { -1, 0 } end
local m = redis.call('HMGET', meta, 'round', 'question', 'opened_at', 'created_at', 'rounds', 'closed', 'closed_last')
local round = tonumber(m[1] or '0')
if round + 1 ~= next_round then return { 0, round } end

local rounds = cjson.decode(m[5] or '[]')
rounds[#rounds + 1] = { round = round, question = m[2] or '', opened_at = tonumber(m[3] or m[4] or '0'), ended_at = tonumber(now) }
while #rounds > ROUNDS_KEPT do table.remove(rounds, 1) end
for _, pair in ipairs({ { history, kept_history }, { markers, kept_markers } }) do
  if redis.call('EXISTS', pair[1]) == 1 then
    redis.call('RENAME', pair[1], pair[2])
    redis.call('PEXPIRE', pair[2], ttl)
  end
end

redis.call('HSET', meta, 'round', next_round, 'question', question, 'opened_at', now, 'rounds', cjson.encode(rounds))
if m[6] then
  -- A closed room opens with the new round: the tick state comes back as roomVoting-2 left it.
  redis.call('HDEL', meta, 'closed', 'closed_last')
  last = tonumber(m[7] or '0')
end
redis.call('HSET', tally, TICK, tick_state(last, fence, layout), ROUND, next_round)
redis.call('SPUBLISH', channel, '{"state":{"closed":false,"ts":' .. now .. ',"round":' .. next_round .. ',"question":' .. cjson.encode(question) .. '}}')
return { 1, next_round }
