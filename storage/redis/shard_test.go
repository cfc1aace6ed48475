package redis

import (
	"fmt"
	"hash/fnv"
	"testing"
)

func TestKeySlot(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		key  string
		want uint16
	}{
		// Redis Cluster specification: CRC16("123456789") = 0x31C3.
		{"123456789", 0x31C3 % clusterSlots},
		{"{123456789}:t:sig", 0x31C3 % clusterSlots},
		{"tokenim:e0:{123456789}t:sig", 0x31C3 % clusterSlots},
		// An empty tag, or none closed, hashes the whole key.
		{"{}123456789", crc16("{}123456789") % clusterSlots},
		{"{123456789", crc16("{123456789") % clusterSlots},
		// Redis's own examples: these hash as "user1000".
		{"{user1000}.following", crc16("user1000") % clusterSlots},
		{"foo{}{bar}", crc16("foo{}{bar}") % clusterSlots},
		{"foo{{bar}}zap", crc16("{bar") % clusterSlots},
	} {
		if got := keySlot(c.key); got != c.want {
			t.Errorf("keySlot(%q) = %d, want %d", c.key, got, c.want)
		}
	}
	if got := crc16("123456789"); got != 0x31C3 {
		t.Fatalf("crc16(123456789) = %#x, want 0x31c3", got)
	}
}

func TestShardTags(t *testing.T) {
	t.Parallel()
	s := newShards()
	seen := map[string]bool{}
	for i := range shardCount {
		tag := s.tag(i)
		slot := int(keySlot(tag + "t:x"))
		if lo, hi := i*clusterSlots/shardCount, (i+1)*clusterSlots/shardCount; slot < lo || slot >= hi {
			t.Errorf("shard %d: tag %s is in slot %d, not in [%d, %d)", i, tag, slot, lo, hi)
		}
		if seen[tag] {
			t.Errorf("tag %s used twice", tag)
		}
		seen[tag] = true
	}
	// A three-node Cluster splits the slots in thirds: each node holds a
	// third of the shards, within 1%.
	var perNode [3]int
	for i := range shardCount {
		perNode[int(keySlot(s.tag(i)))*3/clusterSlots]++
	}
	for n, c := range perNode {
		if share := float64(c) / shardCount; share < 1.0/3-0.01 || share > 1.0/3+0.01 {
			t.Errorf("node %d holds %d of %d shards (%.3f), want a third within 1%%", n, c, shardCount, share)
		}
	}
	// Record IDs spread evenly over the shards.
	var perShard [shardCount]int
	const ids = 256 * 200
	for i := range ids {
		perShard[s.of(fmt.Sprintf("signature-%d", i))]++
	}
	for i, c := range perShard {
		if c < 200*7/10 || c > 200*13/10 {
			t.Errorf("shard %d holds %d of %d IDs, want about 200", i, c, ids)
		}
	}
}

// TestShardOfIsFNV1a: a record's shard is FNV-1a of its ID, as the
// decision record says, so that every node, of any version with the same
// layout, puts a record in the same shard.
func TestShardOfIsFNV1a(t *testing.T) {
	t.Parallel()
	s := newShards()
	for _, id := range []string{"", "a", "tkm-signature-0123456789", "client-éé"} {
		h := fnv.New32a()
		h.Write([]byte(id))
		if got, want := s.of(id), int(h.Sum32()%shardCount); got != want {
			t.Errorf("of(%q) = %d, want %d", id, got, want)
		}
	}
}
