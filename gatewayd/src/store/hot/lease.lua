-- Leases a node admissions of one key in advance, or takes back what a lease left
-- unused. A key limited only by requests per minute and hour and requests in flight can
-- be admitted by a node without a round trip: the lease counts its admissions in the
-- windows and holds their slots now, and the node hands them out for a second. Never
-- more than half of what is left of any limit, so the other nodes keep their share and
-- the last admissions before a limit are decided here one at a time, exactly.
-- Runs after windows.lua.
--
-- KEYS: 1 held, 2 requests/minute, 3 requests/hour (as in admit.lua)
-- ARGV: 1 incarnation, 2 prefix of incarnations' liveness keys, 3 rpm, 4 rph, 5 max in
--       flight (0: none), 6 admissions wanted (0: only give back),
--       7 admissions given back, 8 and 9 the minute and hour slots they were counted in
--       (-1: not counted), 10 whether they held slots (0/1)
-- Returns {admissions leased, the minute slot and the hour slot they count in (-1:
-- none)}.

local me, alive = ARGV[1], ARGV[2]
local rpm, rph, max_in_flight = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local wanted, back = tonumber(ARGV[6]), tonumber(ARGV[7])

if back > 0 then
  for i, key in ipairs({KEYS[2], KEYS[3]}) do
    local field = ARGV[7 + i]
    if field ~= '-1' and redis.call('HEXISTS', key, field) == 1 then
      release(key, field, back)
    end
  end
  if ARGV[10] == '1' then release(KEYS[1], me .. ':f', back) end
end

local granted = wanted
if granted > 0 and max_in_flight > 0 then
  local held = holdings(KEYS[1], me, alive)
  granted = math.min(granted, math.floor((max_in_flight - held.f) / 2))
end
local limits = {{rpm, KEYS[2], MINUTE}, {rph, KEYS[3], HOUR}}
for _, w in ipairs(limits) do
  if granted > 0 and w[1] > 0 then
    granted = math.min(granted, math.floor((w[1] - used(slots(w[2], w[3]))) / 2))
  end
end
if granted <= 0 then return {0, -1, -1} end

local fields = {-1, -1}
for i, w in ipairs(limits) do
  if w[1] > 0 then fields[i] = add(w[2], w[3], granted) end
end
if max_in_flight > 0 then
  redis.call('HINCRBY', KEYS[1], me .. ':f', granted)
  redis.call('PEXPIRE', KEYS[1], DAY)
end
return {granted, fields[1], fields[2]}
