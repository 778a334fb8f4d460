-- A key's spend per period as the ledger counts it: each field is raised to at least
-- that (the ledger has every node's settled answers; Redis may have restarted empty).
-- KEYS: 1 spend. ARGV: field, micro-dollars, field, micro-dollars, ...
for i = 1, #ARGV, 2 do
  local have = tonumber(redis.call('HGET', KEYS[1], ARGV[i]) or 0)
  local counted = tonumber(ARGV[i + 1])
  if counted > have then redis.call('HSET', KEYS[1], ARGV[i], counted) end
end
return 0
