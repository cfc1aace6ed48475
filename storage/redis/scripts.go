package redis

import goredis "github.com/redis/go-redis/v9"

// readScript returns {1, payload} for a trusted entry, or {0, version}
// for a miss — no entry, or one of its markers newer than it (which is
// deleted) — where version is the counter to fill the entry with.
//
// KEYS[1] entry, KEYS[2] version counter; ARGV[1] the markers' key prefix,
// ARGV[2] the entry's own marker, which the entry does not repeat.
var readScript = goredis.NewScript(`
local e = redis.call('GET', KEYS[1])
if e then
  local a = string.find(e, '\n', 1, true)
  local b = a and string.find(e, '\n', a + 1, true)
  if b then
    local v = tonumber(string.sub(e, 1, a - 1))
    local own = redis.call('GET', ARGV[1] .. ARGV[2])
    local fresh = not (own and tonumber(own) > v)
    for m in string.gmatch(string.sub(e, a + 1, b - 1), '[^\t]+') do
      if not fresh then
        break
      end
      local mv = redis.call('GET', ARGV[1] .. m)
      if mv and tonumber(mv) > v then
        fresh = false
      end
    end
    if fresh then
      return {1, string.sub(e, b + 1)}
    end
  end
  redis.call('DEL', KEYS[1])
end
return {0, redis.call('GET', KEYS[2]) or '0'}
`)

// invalidateScript increments the version counter, stamps each marker
// with the new version, deletes the given entries, publishes the markers
// and returns the new version.
//
// KEYS[1] version counter, KEYS[2…] entries to delete; ARGV[1] the
// markers' key prefix, ARGV[2] their lifetime in milliseconds, ARGV[3] the
// channel, ARGV[4] the message, ARGV[5…] the markers.
var invalidateScript = goredis.NewScript(`
local v = redis.call('INCR', KEYS[1])
for i = 5, #ARGV do
  redis.call('SET', ARGV[1] .. ARGV[i], v, 'PX', ARGV[2])
end
for i = 2, #KEYS do
  redis.call('DEL', KEYS[i])
end
redis.call('PUBLISH', ARGV[3], ARGV[4])
return v
`)
