-- One key's admission, atomically for the whole cluster (the same checks, in the same
-- order, as the node-local admission): spend budgets and in-flight cap, token budgets
-- less what admitted answers hold, requests per minute and hour, the per-second bucket;
-- then the counts and the reservations.
-- Runs after windows.lua (Redis's time, the windows, what incarnations hold).
--
-- KEYS: 1 held (hash "<incarnation>:<f|r|u|c|v>" -> in flight, reserved tokens,
--       unmeasured answers, reserved micro-dollars, answers of unmeasured cost),
--       2 requests/minute, 3 requests/hour, 4 tokens/minute, 5 tokens/day (hashes
--       "<slot start ms>" -> count), 6 bucket (theoretical arrival time, ms),
--       7 estimate (hash "t" -> the key's usual tokens per answer),
--       8 spend (hash "<period letter>:<period start ms>" -> micro-dollars, "est" -> the
--       usual cost of an answer)
-- ARGV: 1 incarnation, 2 prefix of incarnations' liveness keys, 3 rpm, 4 rph, 5 rps,
--       6 burst, 7 max in flight, 8 tokens/minute, 9 tokens/day, 10 how many spend
--       budgets, then for each: its period's field, its limit, ms until it resets
-- Returns {0, token reservation, cost reservation} (-1: none) or {refusal code, wait
-- ms, limit, spend budget index}: 1 in flight, 2 tokens/minute, 3 tokens/day, 4 rpm,
-- 5 rph, 6 per second, 7 spend budget.

local me, alive = ARGV[1], ARGV[2]
local rpm, rph, rps, burst = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
local max_in_flight, tpm, tpd = tonumber(ARGV[7]), tonumber(ARGV[8]), tonumber(ARGV[9])

-- How long until `amount` more fits under `limit`.
local function wait_ms(live, len, limit, amount)
  local excess = used(live) + amount - limit
  local slot = slot_len(len)
  for _, s in ipairs(live) do
    excess = excess - s[2]
    if excess <= 0 then return math.max(s[1] + slot + len - now, 1) end
  end
  return len
end

local held = holdings(KEYS[1], me, alive)

local budgets_usd = tonumber(ARGV[10] or 0)
local cost_estimate = redis.call('HGET', KEYS[8], 'est')
for b = 0, budgets_usd - 1 do
  local field, limit, resets_in = ARGV[11 + 3 * b], tonumber(ARGV[12 + 3 * b]), tonumber(ARGV[13 + 3 * b])
  local spent = tonumber(redis.call('HGET', KEYS[8], field) or 0) + held.c
  local measuring = (not cost_estimate) and held.v > 0
  if spent >= limit or measuring then
    local wait = resets_in
    if measuring and spent < limit then wait = 1000 end
    return {7, wait, limit, b}
  end
end

if max_in_flight > 0 and held.f >= max_in_flight then
  return {1, 1000, max_in_flight}
end

local estimate = redis.call('HGET', KEYS[7], 't')
local budgets = {{tpm, KEYS[4], MINUTE, 2}, {tpd, KEYS[5], DAY, 3}}
local budgeted = false
for _, b in ipairs(budgets) do
  local limit = b[1]
  if limit > 0 then
    budgeted = true
    local left = math.max(limit - held.r, 0)
    local measuring = (not estimate) and held.u > 0
    local live = slots(b[2], b[3])
    if measuring or used(live) >= left then
      local wait = 1000
      if not measuring and left > 0 then wait = wait_ms(live, b[3], left, 1) end
      return {b[4], wait, limit}
    end
  end
end

local counted = {}
for _, w in ipairs({{rpm, KEYS[2], MINUTE, 4}, {rph, KEYS[3], HOUR, 5}}) do
  local limit = w[1]
  if limit > 0 then
    local live = slots(w[2], w[3])
    if used(live) + 1 > limit then
      return {w[4], wait_ms(live, w[3], limit, 1), limit}
    end
    counted[#counted + 1] = w
  end
end

if rps > 0 then
  local interval = 1000 / rps
  local tolerance = interval * math.max(burst, 1)
  local tat = tonumber(redis.call('GET', KEYS[6]) or now)
  local from = math.max(tat, now)
  if from + interval - now > tolerance then
    return {6, math.ceil(from + interval - tolerance - now), rps}
  end
  redis.call('SET', KEYS[6], tostring(from + interval), 'PX', math.ceil(tolerance + interval))
end

for _, w in ipairs(counted) do add(w[2], w[3], 1) end
if max_in_flight > 0 then redis.call('HINCRBY', KEYS[1], me .. ':f', 1) end
local reservation = -1
if budgeted then
  reservation = tonumber(estimate or 0)
  redis.call('HINCRBY', KEYS[1], me .. ':r', reservation)
  if not estimate then redis.call('HINCRBY', KEYS[1], me .. ':u', 1) end
end
local cost_reservation = -1
if budgets_usd > 0 then
  cost_reservation = tonumber(cost_estimate or 0)
  redis.call('HINCRBY', KEYS[1], me .. ':c', cost_reservation)
  if not cost_estimate then redis.call('HINCRBY', KEYS[1], me .. ':v', 1) end
end
redis.call('PEXPIRE', KEYS[1], DAY)
return {0, reservation, cost_reservation}
