--[[
  reapVoters-4: the reaper takes a dead gateway's connections out of a vote room (or one voter
  part of it), a slice at a time. The first call leaves the gateway's tombstone in its conns
  hash, so from then on no write under that gateway id lands here (include/gatewayFence.lua),
  and the slices that follow see a hash that only shrinks.

  KEYS[1..4] users, votes, tally, conns: see include/voters.lua
  ARGV[1] HSCAN cursor ("0" to start)
  ARGV[2] users per slice (HSCAN COUNT)
  ARGV[3] how long the tombstone is kept once the hash is empty, ms
  Returns: {next cursor ("0": done), connections released by this call}
]]
-- @include voters
-- @include redisTime
if call('HSETNX', conns, TOMBSTONE, now_ms()) == 1 then
  call('PERSIST', conns)
end

local scan = call('HSCAN', conns, ARGV[1], 'COUNT', tonumber(ARGV[2]))
local fields, released = scan[2], 0
for i = 1, #fields, 2 do
  if fields[i] ~= TOMBSTONE then
    local held = tonumber(call('HGET', conns, fields[i]) or '0')
    if held > 0 then
      shift(fields[i], -held)
      released = released + held
    end
  end
end
flush_tally()
if scan[1] == '0' then call('PEXPIRE', conns, tonumber(ARGV[3])) end
return { scan[1], released }
