package storagetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/storage"
)

// expiring makes and observes one record of a purge area whose life ends
// at a given time, over a store holding a client "app" and a user "u1".
type expiring struct {
	area storage.PurgeArea
	// seed stores the record id ending at end.
	seed func(t *testing.T, s storage.Store, id string, end time.Time)
	// exists reports whether the record id ending at end is still stored.
	// It may consume the record (a link): call it once per record.
	exists func(t *testing.T, s storage.Store, id string, end time.Time) bool
}

// expiringRecords returns one expiring for every area of
// storage.PurgeAreas, in that order.
func expiringRecords() []expiring {
	return []expiring{
		{
			area: storage.PurgeTokens,
			seed: func(t *testing.T, s storage.Store, id string, end time.Time) {
				tok := sampleToken(storage.KindAccessToken, id, "req-"+id, "app")
				tok.RequestedAt, tok.ExpiresAt = end.Add(-time.Hour), end
				must(t, s.CreateToken(t.Context(), tok), "create token "+id)
			},
			exists: func(t *testing.T, s storage.Store, id string, _ time.Time) bool {
				_, err := s.GetToken(t.Context(), storage.KindAccessToken, id)
				return present(t, err, "token "+id)
			},
		},
		{
			area: storage.PurgeLoginSessions,
			seed: func(t *testing.T, s storage.Store, id string, end time.Time) {
				ls := sampleSession(id, "u1", end.Add(-time.Hour))
				ls.ExpiresAt = end
				must(t, s.CreateLoginSession(t.Context(), ls), "create session "+id)
			},
			exists: func(t *testing.T, s storage.Store, id string, _ time.Time) bool {
				_, err := s.GetLoginSession(t.Context(), id)
				return present(t, err, "session "+id)
			},
		},
		{
			area: storage.PurgeFlows,
			seed: func(t *testing.T, s storage.Store, id string, end time.Time) {
				f := storage.Flow{ID: id, ClientID: "app", Query: "client_id=app", CreatedAt: end.Add(-time.Hour), ExpiresAt: end}
				must(t, s.CreateFlow(t.Context(), f), "create flow "+id)
			},
			exists: func(t *testing.T, s storage.Store, id string, _ time.Time) bool {
				_, err := s.GetFlow(t.Context(), id)
				return present(t, err, "flow "+id)
			},
		},
		{
			area: storage.PurgeDeviceAuthorizations,
			seed: func(t *testing.T, s storage.Store, id string, end time.Time) {
				d := sampleDevice(id, "user-"+id, "app")
				d.CreatedAt, d.ExpiresAt = end.Add(-time.Hour), end
				must(t, s.CreateDeviceAuthorization(t.Context(), d), "create device authorization "+id)
			},
			// Purged with its user code: the code finds nothing.
			exists: func(t *testing.T, s storage.Store, id string, _ time.Time) bool {
				_, err := s.GetDeviceAuthorizationByUserCode(t.Context(), "user-"+id)
				return present(t, err, "device authorization "+id)
			},
		},
		{
			area: storage.PurgeLinks,
			seed: func(t *testing.T, s storage.Store, id string, end time.Time) {
				l := storage.OneTimeLink{Hash: id, Purpose: storage.LinkPasswordReset, UserID: "u1", CreatedAt: end.Add(-time.Hour), ExpiresAt: end}
				must(t, s.CreateLink(t.Context(), l), "create link "+id)
			},
			// A link is there if it can be consumed just before its end.
			exists: func(t *testing.T, s storage.Store, id string, end time.Time) bool {
				_, err := s.ConsumeLink(t.Context(), storage.LinkPasswordReset, id, end.Add(-time.Second))
				return present(t, err, "link "+id)
			},
		},
		{
			area: storage.PurgeInvitations,
			seed: func(t *testing.T, s storage.Store, id string, end time.Time) {
				inv := storage.Invitation{
					ID: id, WorkspaceID: storage.DefaultWorkspaceID, Email: "bob@example.com", TokenHash: id,
					CreatedAt: end.Add(-time.Hour), ExpiresAt: end,
				}
				must(t, s.CreateInvitation(t.Context(), inv), "create invitation "+id)
			},
			// An invitation is there if it is found just before its end.
			exists: func(t *testing.T, s storage.Store, id string, end time.Time) bool {
				_, err := s.GetInvitation(t.Context(), id, end.Add(-time.Second))
				return present(t, err, "invitation "+id)
			},
		},
		{
			area: storage.PurgeJTIs,
			seed: func(t *testing.T, s storage.Store, id string, end time.Time) {
				must(t, s.SaveJTI(t.Context(), id, end, end.Add(-time.Hour)), "save jti "+id)
			},
			// A JTI is there if it is seen just before its end.
			exists: func(t *testing.T, s storage.Store, id string, end time.Time) bool {
				seen, err := s.SeenJTI(t.Context(), id, end.Add(-time.Second))
				must(t, err, "seen jti "+id)
				return seen
			},
		},
		{
			area: storage.PurgeCounters,
			// A counter's life ends with its last failure: the caller
			// passes a time already reduced by the quiet period.
			seed: func(t *testing.T, s storage.Store, id string, end time.Time) {
				_, err := s.AddFailure(t.Context(), id, end, time.Hour)
				must(t, err, "count a failure for "+id)
			},
			exists: func(t *testing.T, s storage.Store, id string, _ time.Time) bool {
				c, err := s.GetCounter(t.Context(), id)
				must(t, err, "get counter "+id)
				return c.Failures > 0
			},
		},
		{
			area: storage.PurgeRegistrationTokens,
			seed: func(t *testing.T, s storage.Store, id string, end time.Time) {
				tok := sampleRegistrationToken(id, 1)
				tok.CreatedAt, tok.ExpiresAt = end.Add(-time.Hour), end
				must(t, s.CreateRegistrationToken(t.Context(), tok), "create registration token "+id)
			},
			exists: func(t *testing.T, s storage.Store, id string, _ time.Time) bool {
				_, err := s.GetRegistrationToken(t.Context(), id)
				return present(t, err, "registration token "+id)
			},
		},
	}
}

// present says whether a read found its record: nil is yes, ErrNotFound
// no, any other error fails the test.
func present(t *testing.T, err error, what string) bool {
	t.Helper()
	if err != nil && !isNotFound(err) {
		t.Fatalf("read %s: %v", what, err)
	}
	return err == nil
}

// seedOwners stores the client and the user the expiring records belong to.
func seedOwners(t *testing.T, s storage.Store) {
	t.Helper()
	seedClient(t, s, "app")
	seedUser(t, s, "u1", "ann@example.com")
}

func purge(t *testing.T, s storage.Store, area storage.PurgeArea, before time.Time, limit int) int {
	t.Helper()
	n, err := s.Purge(t.Context(), area, before, limit)
	must(t, err, fmt.Sprintf("purge %s before %s, limit %d", area, before.Format(time.RFC3339), limit))
	return n
}

func janitorTests() []test {
	return []test{
		{"every area has expiring records to test", func(t *testing.T, _ storage.Store) {
			recs := expiringRecords()
			areas := storage.PurgeAreas()
			if len(recs) != len(areas) {
				t.Fatalf("%d areas, %d tested", len(areas), len(recs))
			}
			for i, a := range areas {
				if recs[i].area != a {
					t.Errorf("area %d is %s, tested %s", i, a, recs[i].area)
				}
			}
		}},
		{"each area deletes what ended before the time, and nothing else", func(t *testing.T, s storage.Store) {
			seedOwners(t, s)
			recs := expiringRecords()
			ends := map[string]time.Time{
				"old":  at(-time.Hour),
				"edge": at(0), // ends at the time itself: kept
				"live": at(time.Hour),
			}
			for _, r := range recs {
				for name, end := range ends {
					r.seed(t, s, string(r.area)+"-"+name, end)
				}
			}
			// One at a time: a purge that reached into another area
			// would leave the next one nothing to delete.
			for _, r := range recs {
				if n := purge(t, s, r.area, at(0), 100); n != 1 {
					t.Errorf("purge %s deleted %d, want 1", r.area, n)
				}
			}
			for _, r := range recs {
				for name, end := range ends {
					id := string(r.area) + "-" + name
					if got, want := r.exists(t, s, id, end), name != "old"; got != want {
						t.Errorf("%s exists = %v, want %v", id, got, want)
					}
				}
			}
		}},
		{"a batch deletes at most limit records", func(t *testing.T, s storage.Store) {
			seedOwners(t, s)
			for _, r := range expiringRecords() {
				for i := range 5 {
					r.seed(t, s, fmt.Sprintf("%s-%d", r.area, i), at(time.Duration(-i-1)*time.Minute))
				}
				r.seed(t, s, string(r.area)+"-live", at(time.Hour))
				var got []int
				for range 4 {
					got = append(got, purge(t, s, r.area, at(0), 2))
				}
				same(t, string(r.area)+" batches", got, []int{2, 2, 1, 0})
				if !r.exists(t, s, string(r.area)+"-live", at(time.Hour)) {
					t.Errorf("%s: batches deleted the live record", r.area)
				}
			}
		}},
		{"tokens go on their own expiry; a rotated refresh token stays until it expires", func(t *testing.T, s storage.Store) {
			ctx := t.Context()
			seedClient(t, s, "app")
			token := func(kind storage.TokenKind, sig string, expires time.Time) {
				tok := sampleToken(kind, sig, "fam", "app")
				tok.ExpiresAt = expires
				must(t, s.CreateToken(ctx, tok), "create "+sig)
			}
			// One family, signed in an hour ago: the code and its PKCE
			// and OpenID records expired long since, the first access
			// token too; the first refresh token was rotated but lives
			// on; the second pair is live.
			token(storage.KindAuthorizeCode, "code", at(-59*time.Minute))
			must(t, s.DeactivateToken(ctx, storage.KindAuthorizeCode, "code"), "redeem code")
			token(storage.KindPKCE, "code", at(-59*time.Minute))
			token(storage.KindOpenID, "code", at(-59*time.Minute))
			token(storage.KindAccessToken, "at-1", at(-time.Minute))
			token(storage.KindRefreshToken, "rt-1", at(720*time.Hour))
			must(t, errOf(s.RotateRefreshToken(ctx, "fam", "rt-1", time.Now(), 0)), "rotate rt-1")
			token(storage.KindAccessToken, "at-2", at(time.Hour))
			token(storage.KindRefreshToken, "rt-2", at(721*time.Hour))
			// A refresh token of the family retired and expired: it can
			// no longer be redeemed by anyone.
			token(storage.KindRefreshToken, "rt-0", at(-time.Second))
			must(t, s.DeactivateToken(ctx, storage.KindRefreshToken, "rt-0"), "retire rt-0")
			// A bot's token that never expires.
			bot := sampleToken(storage.KindAccessToken, "bot", "bot-req", "app")
			bot.Subject, bot.ExpiresAt = "", time.Time{}
			must(t, s.CreateToken(ctx, bot), "create bot token")
			// Pushed authorization requests nobody used: one expired, one
			// still waiting for the browser.
			token(storage.KindPAR, "par-old", at(-time.Second))
			token(storage.KindPAR, "par-new", at(time.Minute))

			if n := purge(t, s, storage.PurgeTokens, at(0), 100); n != 6 {
				t.Errorf("purged %d tokens, want 6", n)
			}
			for _, k := range []struct {
				kind storage.TokenKind
				sig  string
				kept bool
			}{
				{storage.KindAuthorizeCode, "code", false},
				{storage.KindPKCE, "code", false},
				{storage.KindOpenID, "code", false},
				{storage.KindAccessToken, "at-1", false},
				{storage.KindRefreshToken, "rt-0", false},
				{storage.KindRefreshToken, "rt-1", true},
				{storage.KindAccessToken, "at-2", true},
				{storage.KindRefreshToken, "rt-2", true},
				{storage.KindAccessToken, "bot", true},
				{storage.KindPAR, "par-old", false},
				{storage.KindPAR, "par-new", true},
			} {
				got, err := s.GetToken(ctx, k.kind, k.sig)
				if kept := present(t, err, string(k.kind)+" "+k.sig); kept != k.kept {
					t.Errorf("%s %s kept = %v, want %v", k.kind, k.sig, kept, k.kept)
				}
				if k.sig == "rt-1" && err == nil && (got.Active || got.RequestID != "fam") {
					// Presenting it again must still find it retired, with
					// its family, to revoke the family.
					t.Errorf("rotated refresh token changed: active %v, family %q", got.Active, got.RequestID)
				}
			}

			// Once every record has expired the whole family goes, and the
			// waiting pushed request; the token without expiry never does.
			if n := purge(t, s, storage.PurgeTokens, at(10000*time.Hour), 100); n != 4 {
				t.Errorf("purged %d tokens at the family's end, want 4", n)
			}
			if _, err := s.GetToken(ctx, storage.KindAccessToken, "bot"); err != nil {
				t.Errorf("token without expiry: %v", err)
			}
		}},
		{"initial access tokens go once expired, revoked or used up, whichever came first", func(t *testing.T, s storage.Store) {
			ctx := t.Context()
			create := func(id string, maxUses int, expires time.Time) {
				tok := sampleRegistrationToken(id, maxUses)
				tok.CreatedAt, tok.ExpiresAt = at(-2*time.Hour), expires
				must(t, s.CreateRegistrationToken(ctx, tok), "create "+id)
			}
			use := func(id string, when time.Time) {
				_, err := s.UseRegistrationToken(ctx, id, when)
				must(t, err, "use "+id)
			}
			// Revoked a minute ago, though good for a day more.
			create("revoked", 5, at(24*time.Hour))
			must(t, s.RevokeRegistrationToken(ctx, "revoked", at(-time.Minute)), "revoke")
			// Used up a minute ago: its last use was its last.
			create("used-up", 2, at(24*time.Hour))
			use("used-up", at(-time.Hour))
			use("used-up", at(-time.Minute))
			// Used an hour ago, with uses left: still usable.
			create("uses-left", 2, at(24*time.Hour))
			use("uses-left", at(-time.Hour))
			// Never expiring, never used.
			create("forever", 1, time.Time{})
			// Revoked, used up and expired later than the purge's time.
			create("revoked-later", 5, at(24*time.Hour))
			must(t, s.RevokeRegistrationToken(ctx, "revoked-later", at(time.Minute)), "revoke later")
			create("used-up-later", 1, at(24*time.Hour))
			use("used-up-later", at(time.Minute))

			if n := purge(t, s, storage.PurgeRegistrationTokens, at(0), 100); n != 2 {
				t.Errorf("purged %d registration tokens, want 2", n)
			}
			for id, kept := range map[string]bool{"revoked": false, "used-up": false, "uses-left": true, "forever": true, "revoked-later": true, "used-up-later": true} {
				_, err := s.GetRegistrationToken(ctx, id)
				if got := present(t, err, "registration token "+id); got != kept {
					t.Errorf("%s kept = %v, want %v", id, got, kept)
				}
			}
			if n := purge(t, s, storage.PurgeRegistrationTokens, at(time.Hour), 100); n != 2 {
				t.Errorf("purged %d registration tokens an hour on, want 2 (revoked and used up later)", n)
			}
		}},
		{"a limit below 1 or an unknown area is an error and deletes nothing", func(t *testing.T, s storage.Store) {
			seedOwners(t, s)
			r := expiringRecords()[0]
			r.seed(t, s, "old", at(-time.Hour))
			for _, tc := range []struct {
				area  storage.PurgeArea
				limit int
			}{{storage.PurgeTokens, 0}, {storage.PurgeTokens, -1}, {"consents", 10}} {
				if _, err := s.Purge(t.Context(), tc.area, at(0), tc.limit); err == nil {
					t.Errorf("purge %s with limit %d: no error", tc.area, tc.limit)
				}
			}
			if !r.exists(t, s, "old", at(-time.Hour)) {
				t.Error("a refused purge deleted a token")
			}
		}},
	}
}
