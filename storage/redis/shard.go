package redis

import "strconv"

// The cache is cut into shards so that a Redis Cluster spreads it over
// all its nodes while each script still finds its keys in one slot. Every
// key of a shard carries the shard's hash tag, and each shard has its own
// version counter and markers (see doc.go, "Shards").
//
// shardCount is part of the key layout: changing it is an epoch change
// (storage.CacheEpochs), never a rolling one.
const shardCount = 256

// clusterSlots is the number of hash slots of a Redis Cluster.
const clusterSlots = 16384

// shards holds each shard's hash tag, "{…}" included.
type shards struct {
	tags [shardCount]string
}

// newShards picks shard i's tag as the first base-36 number whose slot
// lies in [i·16384/S, (i+1)·16384/S): the shards' slots are evenly spaced,
// so any split of the slots into equal ranges (one per Cluster node)
// gives each node an equal share of the shards, within one shard.
func newShards() *shards {
	s := &shards{}
	found := 0
	for n := int64(0); found < shardCount; n++ {
		tag := strconv.FormatInt(n, 36)
		i := int(keySlot(tag)) * shardCount / clusterSlots
		if s.tags[i] == "" {
			s.tags[i] = "{" + tag + "}"
			found++
		}
	}
	return s
}

// of returns the shard of a record ID (an access token's signature, a
// client's or a user's ID, a token family, a counter's name).
// It is FNV-1a (32 bits) of id, computed in place: every Redis read of
// the cache picks a shard, and hash/fnv's hasher would be allocated for
// each.
func (*shards) of(id string) int {
	const offset32, prime32 = 2166136261, 16777619
	h := uint32(offset32)
	for i := 0; i < len(id); i++ {
		h ^= uint32(id[i])
		h *= prime32
	}
	return int(h % shardCount)
}

// tag returns the hash tag of shard i.
func (s *shards) tag(i int) string { return s.tags[i] }

// keySlot is the Redis Cluster hash slot of key: CRC16 (XMODEM) of the
// key, or of its hash tag when it has a non-empty one, modulo 16384
// (Redis Cluster specification, "Key distribution model").
func keySlot(key string) uint16 {
	for i := 0; i < len(key); i++ {
		if key[i] != '{' {
			continue
		}
		for j := i + 1; j < len(key); j++ {
			if key[j] == '}' {
				if j > i+1 {
					key = key[i+1 : j]
				}
				return crc16(key) % clusterSlots
			}
		}
		break
	}
	return crc16(key) % clusterSlots
}

// crc16 is CRC-16/XMODEM (polynomial 0x1021, initial value 0), the
// checksum Redis Cluster hashes keys with.
func crc16(s string) uint16 {
	var crc uint16
	for i := 0; i < len(s); i++ {
		crc ^= uint16(s[i]) << 8
		for range 8 {
			if crc&0x8000 != 0 {
				crc = crc<<1 ^ 0x1021
			} else {
				crc <<= 1
			}
		}
	}
	return crc
}
