package redis

// TokenEntryKey is the Redis key of the access token signature's entry in
// the cache epoch epoch.
func TokenEntryKey(prefix string, epoch int64, signature string) string {
	return shardKey(prefix, epoch, signature, tokenKey(signature))
}

// FamilyIndexKey is the Redis key of the token family requestID's index
// in the cache epoch epoch.
func FamilyIndexKey(prefix string, epoch int64, requestID string) string {
	return shardKey(prefix, epoch, requestID, familyIndex(requestID))
}

// shardKey is the key name of the record id's shard, as Store.key makes
// it.
func shardKey(prefix string, epoch int64, id, name string) string {
	sh := newShards()
	return generationPrefix(prefix, epoch) + sh.tag(sh.of(id)) + name
}
