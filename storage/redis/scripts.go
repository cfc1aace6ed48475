package redis

import goredis "github.com/redis/go-redis/v9"

// Every script touches the keys of one shard only, all carrying the
// shard's hash tag, so that it runs on one Redis Cluster node. The keys a
// script knows before it runs are declared in KEYS; the markers an entry
// lists are only known once the entry is read, and their keys are built
// from ARGV[1], which carries the shard's tag: Redis Cluster lets a script
// touch such keys because they hash to the slot of its declared ones.

// readScript returns {1, payload} for a trusted entry, or {0, version}
// for a miss — no entry, or one of its markers newer than it (which is
// deleted) — where version is the shard's counter to fill the entry with.
//
// KEYS[1] entry, KEYS[2] the shard's version counter, KEYS[3] the entry's
// own marker, which the entry does not repeat; ARGV[1] the shard's marker
// key prefix.
var readScript = goredis.NewScript(`
local e = redis.call('GET', KEYS[1])
if e then
  local a = string.find(e, '\n', 1, true)
  local b = a and string.find(e, '\n', a + 1, true)
  if b then
    local v = tonumber(string.sub(e, 1, a - 1))
    local own = redis.call('GET', KEYS[3])
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

// invalidateScript increments a shard's version counter, stamps each
// marker key with the new version, deletes the given entries, publishes
// the message when one is given and returns the new version.
//
// KEYS[1] the shard's version counter, KEYS[2 … ARGV[2]+1] marker keys,
// the other KEYS entries to delete; ARGV[1] the markers' lifetime in
// milliseconds, ARGV[2] how many marker keys, ARGV[3] the channel and
// ARGV[4] the message, both optional.
var invalidateScript = goredis.NewScript(`
local v = redis.call('INCR', KEYS[1])
local n = tonumber(ARGV[2])
for i = 2, n + 1 do
  redis.call('SET', KEYS[i], v, 'PX', ARGV[1])
end
for i = n + 2, #KEYS do
  redis.call('DEL', KEYS[i])
end
if ARGV[3] then
  redis.call('PUBLISH', ARGV[3], ARGV[4])
end
return v
`)
