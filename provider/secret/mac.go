package secret

import (
	"crypto/hmac"
	"hash"
	"sync"
)

// MAC computes HMACs under one key for a hot path. Setting an HMAC up
// hashes its key into two blocks; a MAC keeps set-up HMACs and reuses
// them (an HMAC's Reset restores its keyed state), so each sum hashes the
// message alone and allocates nothing but its result. It is safe for
// concurrent use.
type MAC struct {
	pool sync.Pool
}

// NewMAC returns the HMAC with hash h under key.
func NewMAC(h func() hash.Hash, key []byte) *MAC {
	key = append([]byte(nil), key...)
	m := &MAC{}
	m.pool.New = func() any { return hmac.New(h, key) }
	return m
}

// Sum appends to dst the HMAC of the concatenation of data.
func (m *MAC) Sum(dst []byte, data ...[]byte) []byte {
	h := m.pool.Get().(hash.Hash)
	h.Reset()
	for _, d := range data {
		h.Write(d)
	}
	dst = h.Sum(dst)
	m.pool.Put(h)
	return dst
}

// Equal reports, in constant time, whether mac is the HMAC of data.
func (m *MAC) Equal(mac []byte, data ...[]byte) bool {
	var buf [64]byte
	return hmac.Equal(mac, m.Sum(buf[:0], data...))
}
