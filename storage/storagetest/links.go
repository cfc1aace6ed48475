package storagetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/storage"
)

func link(hash string, purpose storage.LinkPurpose, userID string) storage.OneTimeLink {
	return storage.OneTimeLink{Hash: hash, Purpose: purpose, UserID: userID, CreatedAt: at(0), ExpiresAt: at(30 * time.Minute)}
}

func linkTests() []test {
	return []test{
		{"a link is consumed once", func(t *testing.T, s storage.Store) {
			seedUser(t, s, "u1", "ann@example.com")
			want := link("h1", storage.LinkActivate, "u1")
			must(t, s.CreateLink(t.Context(), want), "create")
			got, err := s.ConsumeLink(t.Context(), storage.LinkActivate, "h1", at(time.Minute))
			must(t, err, "consume")
			same(t, "link", got, want)
			_, err = s.ConsumeLink(t.Context(), storage.LinkActivate, "h1", at(time.Minute))
			mustBe(t, err, storage.ErrNotFound, "second consume")
		}},
		{"a link of another purpose, an unknown or an expired link is ErrNotFound, to get or to consume", func(t *testing.T, s storage.Store) {
			seedUser(t, s, "u1", "ann@example.com")
			must(t, s.CreateLink(t.Context(), link("h1", storage.LinkActivate, "u1")), "create")
			// Getting first: consuming an expired link may remove it.
			for _, o := range []struct {
				op   string
				find func(storage.LinkPurpose, string, time.Time) (storage.OneTimeLink, error)
			}{
				{"get", func(p storage.LinkPurpose, h string, now time.Time) (storage.OneTimeLink, error) {
					return s.GetLink(t.Context(), p, h, now)
				}},
				{"consume", func(p storage.LinkPurpose, h string, now time.Time) (storage.OneTimeLink, error) {
					return s.ConsumeLink(t.Context(), p, h, now)
				}},
			} {
				op, find := o.op, o.find
				_, err := find(storage.LinkPasswordReset, "h1", at(time.Minute))
				mustBe(t, err, storage.ErrNotFound, op+": other purpose")
				_, err = find(storage.LinkActivate, "nope", at(time.Minute))
				mustBe(t, err, storage.ErrNotFound, op+": unknown")
				_, err = find(storage.LinkActivate, "h1", at(time.Hour))
				mustBe(t, err, storage.ErrNotFound, op+": expired")
			}
		}},
		{"getting a link does not use it up", func(t *testing.T, s storage.Store) {
			seedUser(t, s, "u1", "ann@example.com")
			want := link("h1", storage.LinkPasswordReset, "u1")
			must(t, s.CreateLink(t.Context(), want), "create")
			for range 2 {
				got, err := s.GetLink(t.Context(), storage.LinkPasswordReset, "h1", at(time.Minute))
				must(t, err, "get")
				same(t, "link", got, want)
			}
			_, err := s.ConsumeLink(t.Context(), storage.LinkPasswordReset, "h1", at(time.Minute))
			must(t, err, "consume after get")
			_, err = s.GetLink(t.Context(), storage.LinkPasswordReset, "h1", at(time.Minute))
			mustBe(t, err, storage.ErrNotFound, "get after consume")
		}},
		{"a link for an unknown user is ErrNotFound; a duplicate hash ErrAlreadyExists", func(t *testing.T, s storage.Store) {
			mustBe(t, s.CreateLink(t.Context(), link("h1", storage.LinkActivate, "ghost")), storage.ErrNotFound, "unknown user")
			seedUser(t, s, "u1", "ann@example.com")
			must(t, s.CreateLink(t.Context(), link("h1", storage.LinkActivate, "u1")), "create")
			mustBe(t, s.CreateLink(t.Context(), link("h1", storage.LinkPasswordReset, "u1")), storage.ErrAlreadyExists, "duplicate")
		}},
		{"deleting a user's links of one purpose leaves the others", func(t *testing.T, s storage.Store) {
			seedUser(t, s, "u1", "ann@example.com")
			seedUser(t, s, "u2", "bob@example.com")
			must(t, s.CreateLink(t.Context(), link("a1", storage.LinkPasswordReset, "u1")), "a1")
			must(t, s.CreateLink(t.Context(), link("a2", storage.LinkPasswordReset, "u1")), "a2")
			must(t, s.CreateLink(t.Context(), link("a3", storage.LinkActivate, "u1")), "a3")
			must(t, s.CreateLink(t.Context(), link("b1", storage.LinkPasswordReset, "u2")), "b1")
			n, err := s.DeleteUserLinks(t.Context(), "u1", storage.LinkPasswordReset)
			must(t, err, "delete")
			if n != 2 {
				t.Fatalf("deleted %d, want 2", n)
			}
			for hash, purpose := range map[string]storage.LinkPurpose{"a3": storage.LinkActivate, "b1": storage.LinkPasswordReset} {
				if _, err := s.ConsumeLink(t.Context(), purpose, hash, at(time.Minute)); err != nil {
					t.Errorf("%s was deleted: %v", hash, err)
				}
			}
		}},
	}
}

func counterTests() []test {
	return []test{
		{"failures count up and a success clears them", func(t *testing.T, s storage.Store) {
			for i := 1; i <= 3; i++ {
				c, err := s.AddFailure(t.Context(), "account:u1", at(time.Duration(i)*time.Second), time.Hour)
				must(t, err, "add")
				if c.Failures != i || !c.LastFailure.Equal(at(time.Duration(i)*time.Second)) || c.Key != "account:u1" {
					t.Fatalf("after %d failures: %+v", i, c)
				}
			}
			got, err := s.GetCounter(t.Context(), "account:u1")
			must(t, err, "get")
			if got.Failures != 3 {
				t.Fatalf("counter %+v", got)
			}
			must(t, s.ClearCounter(t.Context(), "account:u1"), "clear")
			got, _ = s.GetCounter(t.Context(), "account:u1")
			if got.Failures != 0 || got.Key != "account:u1" {
				t.Fatalf("cleared counter %+v", got)
			}
			must(t, s.ClearCounter(t.Context(), "never-seen"), "clear unknown")
		}},
		{"old failures are forgotten", func(t *testing.T, s storage.Store) {
			_, err := s.AddFailure(t.Context(), "ip:203.0.113.7", at(0), time.Minute)
			must(t, err, "first")
			_, err = s.AddFailure(t.Context(), "ip:203.0.113.7", at(10*time.Second), time.Minute)
			must(t, err, "second")
			c, err := s.AddFailure(t.Context(), "ip:203.0.113.7", at(5*time.Minute), time.Minute)
			must(t, err, "after a pause")
			if c.Failures != 1 {
				t.Fatalf("failures %d after the forget period, want 1", c.Failures)
			}
		}},
		{"keys count separately", func(t *testing.T, s storage.Store) {
			_, _ = s.AddFailure(t.Context(), "a", at(0), time.Hour)
			_, _ = s.AddFailure(t.Context(), "a", at(0), time.Hour)
			c, err := s.AddFailure(t.Context(), "b", at(0), time.Hour)
			must(t, err, "add")
			if c.Failures != 1 {
				t.Fatalf("b counted a's failures: %+v", c)
			}
		}},
	}
}

func revokeSubjectTests() []test {
	tok := func(kind storage.TokenKind, sig, subject, client string) storage.Token {
		t := sampleToken(kind, sig, "req-"+sig, client)
		t.Subject = subject
		return t
	}
	return []test{
		{"revoking a user's tokens of one client leaves other clients and users", func(t *testing.T, s storage.Store) {
			ctx := t.Context()
			for _, c := range []storage.Token{
				tok(storage.KindAccessToken, "a1", "u1", "app"),
				tok(storage.KindRefreshToken, "r1", "u1", "app"),
				tok(storage.KindAccessToken, "a2", "u1", "other"),
				tok(storage.KindAccessToken, "a3", "u2", "app"),
				tok(storage.KindAuthorizeCode, "c1", "u1", "app"),
			} {
				seedToken(t, s, c)
			}
			n, err := s.RevokeSubject(ctx, "u1", "app")
			must(t, err, "revoke")
			if n != 2 {
				t.Fatalf("revoked %d, want 2", n)
			}
			for _, c := range []struct {
				kind   storage.TokenKind
				sig    string
				active bool
			}{
				{storage.KindAccessToken, "a1", false}, {storage.KindRefreshToken, "r1", false},
				{storage.KindAccessToken, "a2", true}, {storage.KindAccessToken, "a3", true},
				{storage.KindAuthorizeCode, "c1", true},
			} {
				got, err := s.GetToken(ctx, c.kind, c.sig)
				must(t, err, "get "+c.sig)
				if got.Active != c.active {
					t.Errorf("%s active = %v, want %v", c.sig, got.Active, c.active)
				}
			}
		}},
		{"revoking the tokens beyond a lowered role", func(t *testing.T, s storage.Store) {
			ctx := t.Context()
			send := tok(storage.KindAccessToken, "send", "u1", "app")
			send.Scopes = []string{"openid", "im:messages.send"}
			read := tok(storage.KindRefreshToken, "read", "u1", "app")
			read.Scopes = []string{"openid", "im:messages.read"}
			other := tok(storage.KindAccessToken, "other", "u2", "app")
			other.Scopes = []string{"im:messages.send"}
			for _, x := range []storage.Token{send, read, other} {
				seedToken(t, s, x)
			}
			n, err := s.RevokeSubjectBeyond(ctx, "u1", []string{"openid", "im:messages.read"})
			must(t, err, "revoke")
			if n != 1 {
				t.Fatalf("revoked %d, want 1", n)
			}
			for sig, want := range map[string]bool{"send": false, "read": true, "other": true} {
				kind := storage.KindAccessToken
				if sig == "read" {
					kind = storage.KindRefreshToken
				}
				if got, _ := s.GetToken(ctx, kind, sig); got.Active != want {
					t.Errorf("%s active = %v, want %v", sig, got.Active, want)
				}
			}
		}},
		{"revoking all of a user's tokens", func(t *testing.T, s storage.Store) {
			ctx := t.Context()
			seedToken(t, s, tok(storage.KindAccessToken, "a1", "u1", "app"))
			seedToken(t, s, tok(storage.KindRefreshToken, "r2", "u1", "other"))
			seedToken(t, s, tok(storage.KindAccessToken, "a3", "u2", "app"))
			n, err := s.RevokeSubject(ctx, "u1", "")
			must(t, err, "revoke")
			if n != 2 {
				t.Fatalf("revoked %d, want 2", n)
			}
			if got, _ := s.GetToken(ctx, storage.KindAccessToken, "a3"); !got.Active {
				t.Fatal("another user's token was revoked")
			}
		}},
	}
}

// concurrentLinkAndCounter are the races of links and counters.
func concurrentLinkAndCounter(t *testing.T, open Opener, race func(func(i int) error) []error, oneWinner func(*testing.T, []error)) {
	t.Run("parallel uses of one link: exactly one gets it", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		seedUser(t, s, "u1", "ann@example.com")
		must(t, s.CreateLink(t.Context(), link("h1", storage.LinkPasswordReset, "u1")), "create")
		errs := race(func(int) error {
			_, err := s.ConsumeLink(t.Context(), storage.LinkPasswordReset, "h1", at(time.Minute))
			if err != nil && !isNotFound(err) {
				return err
			}
			if err != nil {
				return fmt.Errorf("%w", storage.ErrConflict)
			}
			return nil
		})
		oneWinner(t, errs)
	})
	t.Run("parallel failures all count", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		errs := race(func(int) error {
			_, err := s.AddFailure(t.Context(), "account:u1", at(0), time.Hour)
			return err
		})
		for _, err := range errs {
			must(t, err, "add failure")
		}
		c, _ := s.GetCounter(t.Context(), "account:u1")
		if c.Failures != len(errs) {
			t.Fatalf("%d failures counted of %d", c.Failures, len(errs))
		}
	})
}
