-- An admitted answer is over: its in-flight slot and reservation go back, and its real
-- token count (when it ended) is counted against the budgets and folded into the
-- estimate (up at once to a costlier answer, down by an eighth of the gap after a
-- cheaper one).
--
-- Its cost likewise: counted in each spend period (a period's earlier fields go), folded
-- into the usual cost, and a budget whose spend just crossed the alert fraction is
-- reported once per period for the whole cluster.
--
-- KEYS: 1 held, 2 tokens/minute, 3 tokens/day, 4 estimate, 5 spend (as in admit.lua),
--       6 alerts sent (hash of spend fields)
-- ARGV: 1 incarnation, 2 held a slot (0/1), 3 reservation (-1: none), 4 ended (0/1),
--       5 tokens, 6 cost reservation (-1: none), 7 cost, 8 alert fraction, 9 how many
--       periods, then for each: its field and its budget (0: none)
-- Returns the budgets that crossed the alert fraction: {period index, spent, ...}.

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

local crossed = {}
local cost_reservation = tonumber(ARGV[6] or -1)
if cost_reservation >= 0 then
  release(':c', cost_reservation)
  if cost_reservation == 0 then release(':v', 1) end
  if ended then
    local cost, fraction, periods = tonumber(ARGV[7]), tonumber(ARGV[8]), tonumber(ARGV[9])
    local e = tonumber(redis.call('HGET', KEYS[5], 'est') or -1)
    if e >= 0 and cost < e then e = e - math.floor((e - cost) / 8) else e = cost end
    redis.call('HSET', KEYS[5], 'est', e)
    local fields = redis.call('HKEYS', KEYS[5])
    for p = 0, periods - 1 do
      local field, limit = ARGV[10 + 2 * p], tonumber(ARGV[11 + 2 * p])
      local letter = string.sub(field, 1, 2)
      for _, f in ipairs(fields) do
        if f ~= field and string.sub(f, 1, 2) == letter then redis.call('HDEL', KEYS[5], f) end
      end
      local after = redis.call('HINCRBY', KEYS[5], field, cost)
      local threshold = limit * fraction
      if limit > 0 and after - cost < threshold and after >= threshold
        and redis.call('HSETNX', KEYS[6], field, 1) == 1 then
        redis.call('PEXPIRE', KEYS[6], 40 * 86400000)
        crossed[#crossed + 1] = p
        crossed[#crossed + 1] = after
      end
    end
  end
end
return crossed
