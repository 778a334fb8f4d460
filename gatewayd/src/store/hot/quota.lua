-- Subscription windows as upstream answers report them, per account, newest wins: each
-- node offers what it saw and takes what the others saw.
-- KEYS: 1 the hash (account -> "<seen at ms>|<windows as JSON>")
-- ARGV: account, seen at ms, JSON, account, seen at ms, JSON, ...
-- Returns the whole hash: {account, value, ...}.
for i = 1, #ARGV, 3 do
  local have = redis.call('HGET', KEYS[1], ARGV[i])
  local seen = tonumber(ARGV[i + 1])
  local have_seen = have and tonumber(string.match(have, '^(%d+)|')) or -1
  if seen > have_seen then
    redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1] .. '|' .. ARGV[i + 2])
  end
end
return redis.call('HGETALL', KEYS[1])
