package janitor_test

import (
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/storage"
	"github.com/tokenim/tokenim-auth/storage/memory"
)

// A round deletes the initial access tokens that can no longer register
// anything, once the grace has passed since they stopped: expired,
// revoked or used up; a token still usable, or stopped within the grace,
// stays.
func TestOncePurgesEndedRegistrationTokens(t *testing.T) {
	t.Parallel()
	s := memory.New()
	ctx := t.Context()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	create := func(id string, maxUses int, expires time.Time) {
		must(s.CreateRegistrationToken(ctx, storage.RegistrationToken{ID: id, Prefix: id, Hash: []byte(id), CreatedAt: now.Add(-48 * time.Hour),
			ExpiresAt: expires, MaxUses: maxUses}))
	}
	use := func(id string, at time.Time) {
		_, err := s.UseRegistrationToken(ctx, id, at)
		must(err)
	}
	create("expired", 5, now.Add(-time.Hour))
	create("revoked", 5, now.Add(24*time.Hour))
	must(s.RevokeRegistrationToken(ctx, "revoked", now.Add(-time.Hour)))
	create("used-up", 1, now.Add(24*time.Hour))
	use("used-up", now.Add(-time.Hour))
	create("revoked-in-grace", 5, now.Add(24*time.Hour))
	must(s.RevokeRegistrationToken(ctx, "revoked-in-grace", now.Add(-time.Minute)))
	create("uses-left", 2, now.Add(24*time.Hour))
	use("uses-left", now.Add(-time.Hour))
	create("forever", 1, time.Time{})

	res, err := newJanitor(t, s, 2).Once(ctx)
	if err != nil || !res.Ran {
		t.Fatalf("round %+v, %v", res, err)
	}
	if n := res.Deleted[storage.PurgeRegistrationTokens]; n != 3 {
		t.Errorf("deleted %d registration tokens in batches of 2, want 3", n)
	}
	for id, kept := range map[string]bool{"expired": false, "revoked": false, "used-up": false, "revoked-in-grace": true, "uses-left": true, "forever": true} {
		if _, err := s.GetRegistrationToken(ctx, id); (err == nil) != kept {
			t.Errorf("%s kept = %v, want %v (%v)", id, err == nil, kept, err)
		}
	}
}
