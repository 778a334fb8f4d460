-- An admitted answer is over: its in-flight slot and reservation go back, and its real
-- token count (when it ended) is counted against the budgets and folded into the
-- estimate (up at once to a costlier answer, down by an eighth of the gap after a
-- cheaper one).
--
-- KEYS: 1 held, 2 tokens/minute, 3 tokens/day, 4 estimate (as in admit.lua)
-- ARGV: 1 incarnation, 2 held a slot (0/1), 3 reservation (-1: none), 4 ended (0/1),
--       5 tokens

local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local me = ARGV[1]
local slot_held, reservation = ARGV[2] == '1', tonumber(ARGV[3])
local ended, tokens = ARGV[4] == '1', tonumber(ARGV[5])

local function release(field, amount)
  if amount ~= 0 and redis.call('HINCRBY', KEYS[1], me .. field, -amount) <= 0 then
    redis.call('HDEL', KEYS[1], me .. field)
  end
end

if slot_held then release(':f', 1) end
if reservation >= 0 then
  release(':r', reservation)
  if reservation == 0 then release(':u', 1) end
  if ended then
    for _, w in ipairs({{KEYS[2], 60000}, {KEYS[3], 86400000}}) do
      local slot = math.max(math.floor(w[2] / 60), 1)
      redis.call('HINCRBY', w[1], now - now % slot, tokens)
      redis.call('PEXPIRE', w[1], w[2] + slot)
    end
    local e = tonumber(redis.call('HGET', KEYS[4], 't') or -1)
    if e >= 0 and tokens < e then e = e - math.floor((e - tokens) / 8) else e = tokens end
    redis.call('HSET', KEYS[4], 't', e)
    redis.call('PEXPIRE', KEYS[4], 86400000)
  end
end
return 0
