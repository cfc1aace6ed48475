package redis

import "strconv"

// TokenEntryKey is the Redis key of the access token signature's entry in
// the cache epoch epoch.
func TokenEntryKey(prefix string, epoch int64, signature string) string {
	sh := newShards()
	return prefix + "e" + strconv.FormatInt(epoch, 10) + ":" + sh.tag(sh.of(signature)) + tokenKey(signature)
}
