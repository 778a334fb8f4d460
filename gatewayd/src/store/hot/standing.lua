-- How a key stands against its shared limits, read only (what admit.lua counted).
-- KEYS: 1 held, 2 requests/minute, 3 requests/hour, 4 tokens/minute, 5 tokens/day
-- ARGV: 1 prefix of incarnations' liveness keys
-- Returns {used, clears at (Unix ms, 0: nothing counted)} for each window in KEYS order,
-- then the requests in flight on live incarnations.

local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local out = {}
for i, len in ipairs({60000, 3600000, 60000, 86400000}) do
  local slot = math.max(math.floor(len / 60), 1)
  local all = redis.call('HGETALL', KEYS[i + 1])
  local used, clears = 0, 0
  for j = 1, #all, 2 do
    local ends = tonumber(all[j]) + slot + len
    if ends > now then
      used = used + tonumber(all[j + 1])
      clears = math.max(clears, ends)
    end
  end
  out[#out + 1] = used
  out[#out + 1] = clears
end
local in_flight, living = 0, {}
local held = redis.call('HGETALL', KEYS[1])
for j = 1, #held, 2 do
  local owner, kind = string.match(held[j], '^(.*):(%a)$')
  if owner and kind == 'f' then
    if living[owner] == nil then living[owner] = redis.call('EXISTS', ARGV[1] .. owner) == 1 end
    if living[owner] then in_flight = in_flight + tonumber(held[j + 1]) end
  end
end
out[#out + 1] = in_flight
return out
