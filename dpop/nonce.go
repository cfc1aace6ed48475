package dpop

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"time"
)

// MinNonceKey is the shortest key New accepts for HMACNonces.
const MinNonceKey = 32

// DefaultNoncePeriod is the window length of HMACNonces when none is
// given: a nonce is accepted for one to two periods after it is issued.
const DefaultNoncePeriod = 5 * time.Minute

// HMACNonces makes DPoP nonces from the time window they are issued in:
// a nonce is the HMAC-SHA256, under a key shared by every node, of the
// window's index. The current and the previous window's nonces are valid,
// so every node agrees on them without storage, and a nonce lives between
// one and two periods.
type HMACNonces struct {
	key    []byte
	period time.Duration
}

// NewNonces returns HMACNonces keyed with key (at least MinNonceKey bytes,
// checked by New) whose windows last period (DefaultNoncePeriod when not
// positive).
func NewNonces(key []byte, period time.Duration) *HMACNonces {
	if period <= 0 {
		period = DefaultNoncePeriod
	}
	return &HMACNonces{key: append([]byte(nil), key...), period: period}
}

func (n *HMACNonces) check() error {
	if len(n.key) < MinNonceKey {
		return fmt.Errorf("dpop: nonce key shorter than %d bytes", MinNonceKey)
	}
	return nil
}

// window is the index of the period now falls in.
func (n *HMACNonces) window(now time.Time) int64 {
	return now.UnixNano() / int64(n.period)
}

func (n *HMACNonces) nonce(window int64) string {
	mac := hmac.New(sha256.New, n.key)
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(window))
	mac.Write([]byte("tokenim-auth dpop nonce\x00"))
	mac.Write(b[:])
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// Current is the nonce of now's window.
func (n *HMACNonces) Current(now time.Time) string {
	return n.nonce(n.window(now))
}

// Valid reports whether nonce is the current or the previous window's,
// comparing in constant time.
func (n *HMACNonces) Valid(nonce string, now time.Time) bool {
	if len(nonce) != base64.RawURLEncoding.EncodedLen(sha256.Size) {
		return false
	}
	w := n.window(now)
	cur := hmac.Equal([]byte(nonce), []byte(n.nonce(w)))
	prev := hmac.Equal([]byte(nonce), []byte(n.nonce(w-1)))
	return cur || prev
}
