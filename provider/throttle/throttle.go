package throttle

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/tokenim/tokenim-auth/storage"
)

// Policy is how many failures a key may have for free, and how the wait
// grows after that.
type Policy struct {
	// Free is how many failures cost nothing: the next attempt after
	// them waits.
	Free int
	// Base is the wait after the first failure beyond Free; each further
	// failure doubles it.
	Base time.Duration
	// Max caps the wait.
	Max time.Duration
	// ForgetAfter is the quiet period after which failures are forgotten.
	ForgetAfter time.Duration
}

// Wait returns how long after its last failure a key with failures
// failures must wait: nothing before Free failures, Base at Free, twice as
// long for each failure after that, at most Max.
func (p Policy) Wait(failures int) time.Duration {
	if failures < p.Free {
		return 0
	}
	wait := p.Base
	for i := p.Free; i < failures && wait < p.Max; i++ {
		wait *= 2
	}
	return min(wait, p.Max)
}

// Throttle applies a policy to keys counted in storage.
type Throttle struct {
	store  storage.Counters
	policy Policy
	now    func() time.Time
}

// New returns a throttle. now defaults to time.Now.
func New(store storage.Counters, p Policy, now func() time.Time) *Throttle {
	if now == nil {
		now = time.Now
	}
	return &Throttle{store: store, policy: p, now: now}
}

// Wait returns how long the caller must wait before trying key again; 0
// means go ahead.
func (t *Throttle) Wait(ctx context.Context, key string) (time.Duration, error) {
	c, err := t.store.GetCounter(ctx, key)
	if err != nil {
		return 0, fmt.Errorf("throttle: %w", err)
	}
	return t.wait(c, t.now()), nil
}

// Fail records a failure for key and returns the wait it imposes before
// the next attempt (0 while failures are still free).
func (t *Throttle) Fail(ctx context.Context, key string) (time.Duration, error) {
	now := t.now()
	c, err := t.store.AddFailure(ctx, key, now, t.policy.ForgetAfter)
	if err != nil {
		return 0, fmt.Errorf("throttle: %w", err)
	}
	return t.wait(c, now), nil
}

// wait is how long counter c makes the caller wait at now, in whole
// seconds rounded up: what the user is told to wait.
func (t *Throttle) wait(c storage.Counter, now time.Time) time.Duration {
	if c.Failures == 0 || now.Sub(c.LastFailure) > t.policy.ForgetAfter {
		return 0
	}
	left := c.LastFailure.Add(t.policy.Wait(c.Failures)).Sub(now)
	if left <= 0 {
		return 0
	}
	return time.Duration(math.Ceil(left.Seconds())) * time.Second
}

// Succeed forgets key's failures.
func (t *Throttle) Succeed(ctx context.Context, key string) error {
	if err := t.store.ClearCounter(ctx, key); err != nil {
		return fmt.Errorf("throttle: %w", err)
	}
	return nil
}

// Seconds is a wait as the pages state it: whole seconds, rounded up, so a
// page never promises an attempt sooner than it is allowed.
func Seconds(wait time.Duration) string {
	return strconv.Itoa(int((wait + time.Second - 1) / time.Second))
}

// EmailKey is the key of the account an email names, whether or not the
// account exists, so that guessing against an unknown email is throttled
// like against a real one. The email is hashed: counters hold no address.
func EmailKey(email string) string {
	sum := sha256.Sum256([]byte(strings.ToLower(strings.TrimSpace(email))))
	return "email:" + hex.EncodeToString(sum[:16])
}

// IPKey is the key of a client IP address.
func IPKey(ip string) string { return "ip:" + ip }

// SecondFactorKey is the key of an account's wrong second-factor codes
// (authenticator and recovery codes), apart from its passwords' key: a
// right password does not clear it, only a right code does (or the quiet
// period), so entering the password again buys no more guesses at the
// code.
func SecondFactorKey(userID string) string { return "mfa:user:" + userID }
