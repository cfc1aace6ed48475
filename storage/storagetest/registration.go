package storagetest

import (
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/storage"
)

func sampleRegistrationToken(id string, maxUses int) storage.RegistrationToken {
	return storage.RegistrationToken{
		ID:        id,
		Name:      "bots of " + id,
		Prefix:    "tkr_" + id,
		Hash:      []byte("hash-of-" + id),
		CreatedBy: "admin-1",
		CreatedAt: at(0),
		ExpiresAt: at(24 * time.Hour),
		MaxUses:   maxUses,
	}
}

// registrationTests are the contract of self-registered clients
// (Client.Registration) and of initial access tokens
// (RegistrationTokens).
func registrationTests() []test {
	return []test{
		{"a self-registered client reads back with its registration, and an update replaces it", func(t *testing.T, s storage.Store) {
			ctx := t.Context()
			c := sampleClient("bot")
			c.Registration = storage.ClientRegistration{
				At:              at(time.Minute),
				AccessTokenHash: []byte("hash-of-rat-1"),
				InitialTokenID:  "iat-1",
				ClientURI:       "https://bot.example",
				PolicyURI:       "https://bot.example/policy",
				TOSURI:          "https://bot.example/tos",
				Contacts:        []string{"ops@bot.example", "dev@bot.example"},
				SoftwareID:      "4NRB1-0XZABZI9E6-5SM3R",
				SoftwareVersion: "2.1",
			}
			must(t, s.CreateClient(ctx, c), "create")
			got, err := s.GetClient(ctx, "bot")
			must(t, err, "get")
			same(t, "client", got, c)
			if !got.SelfRegistered() {
				t.Fatal("a client with a registration time is not self-registered")
			}
			_, err = s.UpdateClient(ctx, "bot", func(c storage.Client) (storage.Client, error) {
				c.Registration.AccessTokenHash = []byte("hash-of-rat-2")
				c.Registration.Contacts = []string{"ops@bot.example"}
				c.Registration.PolicyURI = ""
				return c, nil
			})
			must(t, err, "update")
			got, err = s.GetClient(ctx, "bot")
			must(t, err, "get after update")
			want := c.Registration
			want.AccessTokenHash, want.Contacts, want.PolicyURI = []byte("hash-of-rat-2"), []string{"ops@bot.example"}, ""
			same(t, "registration after the update", got.Registration, want)
			list, err := s.ListClients(ctx)
			must(t, err, "list")
			if len(list) != 1 || !list[0].SelfRegistered() {
				t.Fatalf("listed clients lose the registration: %+v", list)
			}
		}},
		{"a client an administrator made is not self-registered", func(t *testing.T, s storage.Store) {
			seedClient(t, s, "app")
			got, err := s.GetClient(t.Context(), "app")
			must(t, err, "get")
			if got.SelfRegistered() {
				t.Fatalf("registration = %+v, want none", got.Registration)
			}
		}},
		{"an initial access token reads back, lists newest first, and revokes once", func(t *testing.T, s storage.Store) {
			ctx := t.Context()
			older, newer := sampleRegistrationToken("iat-a", 1), sampleRegistrationToken("iat-b", 5)
			newer.CreatedAt = at(time.Hour)
			must(t, s.CreateRegistrationToken(ctx, older), "create older")
			must(t, s.CreateRegistrationToken(ctx, newer), "create newer")
			mustBe(t, s.CreateRegistrationToken(ctx, older), storage.ErrAlreadyExists, "create a taken ID")
			got, err := s.GetRegistrationToken(ctx, "iat-a")
			must(t, err, "get")
			same(t, "token", got, older)
			list, err := s.ListRegistrationTokens(ctx)
			must(t, err, "list")
			same(t, "list", list, []storage.RegistrationToken{newer, older})
			must(t, s.RevokeRegistrationToken(ctx, "iat-a", at(2*time.Hour)), "revoke")
			must(t, s.RevokeRegistrationToken(ctx, "iat-a", at(3*time.Hour)), "revoke again")
			got, err = s.GetRegistrationToken(ctx, "iat-a")
			must(t, err, "get revoked")
			if !got.RevokedAt.Equal(at(2 * time.Hour)) {
				t.Fatalf("revoked at %v, want the first revocation %v", got.RevokedAt, at(2*time.Hour))
			}
			_, err = s.GetRegistrationToken(ctx, "nope")
			mustBe(t, err, storage.ErrNotFound, "get absent")
			mustBe(t, s.RevokeRegistrationToken(ctx, "nope", at(0)), storage.ErrNotFound, "revoke absent")
		}},
		{"an initial access token counts its uses and refuses one past its count", func(t *testing.T, s storage.Store) {
			ctx := t.Context()
			must(t, s.CreateRegistrationToken(ctx, sampleRegistrationToken("iat", 2)), "create")
			for i := 1; i <= 2; i++ {
				got, err := s.UseRegistrationToken(ctx, "iat", at(time.Duration(i)*time.Minute))
				must(t, err, "use")
				if got.Uses != i || got.UsesLeft() != 2-i || !got.LastUsedAt.Equal(at(time.Duration(i)*time.Minute)) {
					t.Fatalf("after use %d: uses %d, left %d, last used %v", i, got.Uses, got.UsesLeft(), got.LastUsedAt)
				}
			}
			_, err := s.UseRegistrationToken(ctx, "iat", at(3*time.Minute))
			mustBe(t, err, storage.ErrConflict, "a use past the count")
			got, err := s.GetRegistrationToken(ctx, "iat")
			must(t, err, "get")
			if got.Uses != 2 || !got.LastUsedAt.Equal(at(2*time.Minute)) {
				t.Fatalf("a refused use changed the token: uses %d, last used %v", got.Uses, got.LastUsedAt)
			}
			_, err = s.UseRegistrationToken(ctx, "nope", at(0))
			mustBe(t, err, storage.ErrNotFound, "use of an absent token")
		}},
		{"an expired or revoked initial access token is refused", func(t *testing.T, s storage.Store) {
			ctx := t.Context()
			must(t, s.CreateRegistrationToken(ctx, sampleRegistrationToken("expiring", 5)), "create")
			_, err := s.UseRegistrationToken(ctx, "expiring", at(24*time.Hour))
			mustBe(t, err, storage.ErrConflict, "a use at the expiry")
			must(t, s.CreateRegistrationToken(ctx, sampleRegistrationToken("revoked", 5)), "create")
			must(t, s.RevokeRegistrationToken(ctx, "revoked", at(time.Minute)), "revoke")
			_, err = s.UseRegistrationToken(ctx, "revoked", at(2*time.Minute))
			mustBe(t, err, storage.ErrConflict, "a use after the revocation")
			never := sampleRegistrationToken("never", 1)
			never.ExpiresAt = time.Time{}
			must(t, s.CreateRegistrationToken(ctx, never), "create")
			_, err = s.UseRegistrationToken(ctx, "never", at(1000*time.Hour))
			must(t, err, "use of a token that never expires")
		}},
	}
}

// concurrentRegistrationTokens races registrations for the uses of one
// initial access token.
func concurrentRegistrationTokens(t *testing.T, open Opener, racers int, race func(func(i int) error) []error) {
	t.Run("parallel uses of a multi-use initial access token: exactly its count win", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		const uses = 3
		must(t, s.CreateRegistrationToken(t.Context(), sampleRegistrationToken("iat", uses)), "create")
		errs := race(func(int) error {
			_, err := s.UseRegistrationToken(t.Context(), "iat", at(time.Minute))
			return err
		})
		if wins := won(t, errs, storage.ErrConflict); wins != uses || racers <= uses {
			t.Fatalf("%d of %d racers used the token, want %d", wins, racers, uses)
		}
		got, err := s.GetRegistrationToken(t.Context(), "iat")
		must(t, err, "get")
		if got.Uses != uses {
			t.Fatalf("uses = %d, want %d", got.Uses, uses)
		}
	})
}
