-- The prelude of the scripts that count a key's requests (admit.lua, lease.lua): Redis's
-- own time, so every node's requests fall into the same windows, the windows' slots,
-- and what live incarnations hold.

local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local MINUTE, HOUR, DAY = 60000, 3600000, 86400000

local function slot_len(len) return math.max(math.floor(len / 60), 1) end

-- The live slots of a window, oldest first, forgetting the rest.
local function slots(key, len)
  local all = redis.call('HGETALL', key)
  local live, slot = {}, slot_len(len)
  for i = 1, #all, 2 do
    local start = tonumber(all[i])
    if start + slot + len > now then
      live[#live + 1] = {start, tonumber(all[i + 1])}
    else
      redis.call('HDEL', key, all[i])
    end
  end
  table.sort(live, function(a, b) return a[1] < b[1] end)
  return live
end

local function used(live)
  local sum = 0
  for _, s in ipairs(live) do sum = sum + s[2] end
  return sum
end

-- Counts `amount` in the window's current slot; returns the slot's field.
local function add(key, len, amount)
  local slot = slot_len(len)
  local field = now - now % slot
  redis.call('HINCRBY', key, field, amount)
  redis.call('PEXPIRE', key, len + slot)
  return field
end

-- What live incarnations hold (hash "<incarnation>:<kind>"): in flight (f), reserved
-- tokens (r), unmeasured answers (u), reserved micro-dollars (c), answers of unmeasured
-- cost (v). Fields of incarnations whose liveness key (`alive` .. name) is gone go.
local function holdings(key, me, alive)
  local held = {f = 0, r = 0, u = 0, c = 0, v = 0}
  local living = {[me] = true}
  local all = redis.call('HGETALL', key)
  for i = 1, #all, 2 do
    local owner, kind = string.match(all[i], '^(.*):(%a)$')
    if owner then
      if living[owner] == nil then living[owner] = redis.call('EXISTS', alive .. owner) == 1 end
      if living[owner] then
        held[kind] = (held[kind] or 0) + tonumber(all[i + 1])
      else
        redis.call('HDEL', key, all[i])
      end
    end
  end
  return held
end

-- Takes `amount` off a hash field, removing it at zero.
local function release(key, field, amount)
  if amount ~= 0 and redis.call('HINCRBY', key, field, -amount) <= 0 then
    redis.call('HDEL', key, field)
  end
end

