package redis

// TokenEntryKey is the Redis key of the access token signature's entry in
// the cache epoch epoch.
func TokenEntryKey(prefix string, epoch int64, signature string) string {
	return shardKey(prefix, epoch, signature, tokenKey(signature))
}

// shardKey is the key name of the record id's shard, as Store.key makes
// it.
func shardKey(prefix string, epoch int64, id, name string) string {
	sh := newShards()
	return generationPrefix(prefix, epoch) + sh.tag(sh.of(id)) + name
}
