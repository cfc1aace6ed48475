package storagetest

import (
	"errors"
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/storage"
)

func clientTests() []test {
	return []test{
		{"created client reads back with its secrets", func(t *testing.T, s storage.Store) {
			want := seedClient(t, s, "app")
			got, err := s.GetClient(t.Context(), "app")
			must(t, err, "get client")
			same(t, "client", got, want)
		}},
		{"public client without secrets reads back", func(t *testing.T, s storage.Store) {
			c := sampleClient("native")
			c.Type = storage.ClientPublic
			c.Secrets = nil
			c.TokenEndpointAuthMethod = "none"
			c.RedirectURIs = []string{"com.example.chat:/oauth"}
			c.SkipConsent = true
			c.JWKSURI = ""
			must(t, s.CreateClient(t.Context(), c), "create")
			got, err := s.GetClient(t.Context(), "native")
			must(t, err, "get")
			same(t, "client", got, c)
		}},
		{"private_key_jwt client reads back with its signing algorithm", func(t *testing.T, s storage.Store) {
			c := sampleClient("svc")
			c.Secrets = nil
			c.TokenEndpointAuthMethod = "private_key_jwt"
			c.JWKSURI = "https://svc.example/jwks.json"
			c.TokenEndpointAuthSigningAlg = "ES256"
			must(t, s.CreateClient(t.Context(), c), "create")
			got, err := s.GetClient(t.Context(), "svc")
			must(t, err, "get")
			same(t, "client", got, c)
		}},
		{"a client requiring pushed authorization requests reads back and can be switched", func(t *testing.T, s storage.Store) {
			switchesFlag(t, s, "par", "RequirePAR", func(c *storage.Client) *bool { return &c.RequirePAR })
		}},
		{"a client requiring DPoP-bound access tokens reads back and can be switched", func(t *testing.T, s storage.Store) {
			switchesFlag(t, s, "dpop", "DPoPBoundAccessTokens", func(c *storage.Client) *bool { return &c.DPoPBoundAccessTokens })
		}},
		{"a client's refresh reuse window reads back: unset, off, or a duration", func(t *testing.T, s storage.Store) {
			for id, w := range map[string]*time.Duration{"unset": nil, "off": new(time.Duration(0)), "ten-seconds": new(10 * time.Second)} {
				c := sampleClient(id)
				c.RefreshReuseWindow = w
				must(t, s.CreateClient(t.Context(), c), "create")
				got, err := s.GetClient(t.Context(), id)
				must(t, err, "get")
				same(t, "client "+id, got, c)
			}
			_, err := s.UpdateClient(t.Context(), "unset", func(c storage.Client) (storage.Client, error) {
				c.RefreshReuseWindow = new(time.Minute)
				return c, nil
			})
			must(t, err, "update")
			got, err := s.GetClient(t.Context(), "unset")
			must(t, err, "get after update")
			if got.RefreshReuseWindow == nil || *got.RefreshReuseWindow != time.Minute {
				t.Fatalf("reuse window after the update = %v, want 1m", got.RefreshReuseWindow)
			}
		}},
		{"a client's allowed origins read back and can be changed", func(t *testing.T, s storage.Store) {
			c := sampleClient("spa")
			c.Type, c.Secrets, c.TokenEndpointAuthMethod = storage.ClientPublic, nil, "none"
			c.AllowedOrigins = []string{"https://spa.example", "http://localhost:5173"}
			must(t, s.CreateClient(t.Context(), c), "create")
			got, err := s.GetClient(t.Context(), "spa")
			must(t, err, "get")
			same(t, "client", got, c)
			_, err = s.UpdateClient(t.Context(), "spa", func(c storage.Client) (storage.Client, error) {
				c.AllowedOrigins = []string{"https://app.spa.example"}
				return c, nil
			})
			must(t, err, "update")
			got, err = s.GetClient(t.Context(), "spa")
			must(t, err, "get after update")
			same(t, "allowed origins after the update", got.AllowedOrigins, []string{"https://app.spa.example"})
			_, err = s.UpdateClient(t.Context(), "spa", func(c storage.Client) (storage.Client, error) {
				c.AllowedOrigins = nil
				return c, nil
			})
			must(t, err, "clear")
			list, err := s.ListClients(t.Context())
			must(t, err, "list")
			if len(list) != 1 || len(list[0].AllowedOrigins) != 0 {
				t.Fatalf("allowed origins after clearing them = %q, want none", list[0].AllowedOrigins)
			}
		}},
		{"a client's workspace reads back and can be changed", func(t *testing.T, s storage.Store) {
			c := sampleClient("ws-admin")
			c.WorkspaceID = "ws-1"
			must(t, s.CreateClient(t.Context(), c), "create")
			got, err := s.GetClient(t.Context(), "ws-admin")
			must(t, err, "get")
			same(t, "client", got, c)
			_, err = s.UpdateClient(t.Context(), "ws-admin", func(c storage.Client) (storage.Client, error) {
				c.WorkspaceID = ""
				return c, nil
			})
			must(t, err, "update")
			list, err := s.ListClients(t.Context())
			must(t, err, "list")
			if len(list) != 1 || list[0].WorkspaceID != "" {
				t.Fatalf("clients after making it platform-wide = %+v", list)
			}
		}},
		{"duplicate client ID is ErrAlreadyExists", func(t *testing.T, s storage.Store) {
			seedClient(t, s, "app")
			mustBe(t, s.CreateClient(t.Context(), sampleClient("app")), storage.ErrAlreadyExists, "second create")
		}},
		{"using a secret records when, at most once a minute", func(t *testing.T, s storage.Store) {
			seedClient(t, s, "app")
			secretID := sampleClient("app").Secrets[0].ID
			must(t, s.TouchClientSecret(t.Context(), "app", secretID, at(time.Hour)), "first use")
			must(t, s.TouchClientSecret(t.Context(), "app", secretID, at(time.Hour+30*time.Second)), "use within the minute")
			got, _ := s.GetClient(t.Context(), "app")
			if !got.Secrets[0].LastUsedAt.Equal(at(time.Hour)) {
				t.Fatalf("last used %v, want %v", got.Secrets[0].LastUsedAt, at(time.Hour))
			}
			must(t, s.TouchClientSecret(t.Context(), "app", secretID, at(time.Hour+2*time.Minute)), "later use")
			got, _ = s.GetClient(t.Context(), "app")
			if !got.Secrets[0].LastUsedAt.Equal(at(time.Hour + 2*time.Minute)) {
				t.Fatalf("last used %v after a later use", got.Secrets[0].LastUsedAt)
			}
			must(t, s.TouchClientSecret(t.Context(), "app", "gone", at(time.Hour)), "unknown secret")
			must(t, s.TouchClientSecret(t.Context(), "ghost", secretID, at(time.Hour)), "unknown client")
		}},
		{"unknown client is ErrNotFound", func(t *testing.T, s storage.Store) {
			_, err := s.GetClient(t.Context(), "nobody")
			mustBe(t, err, storage.ErrNotFound, "get")
		}},
		{"clients are listed ordered by ID", func(t *testing.T, s storage.Store) {
			c := seedClient(t, s, "c")
			a := seedClient(t, s, "a")
			b := seedClient(t, s, "b")
			got, err := s.ListClients(t.Context())
			must(t, err, "list")
			same(t, "clients", got, []storage.Client{a, b, c})
		}},
		{"empty store lists no clients", func(t *testing.T, s storage.Store) {
			got, err := s.ListClients(t.Context())
			must(t, err, "list")
			if len(got) != 0 {
				t.Fatalf("got %d clients, want none", len(got))
			}
		}},
		{"update replaces fields and secrets", func(t *testing.T, s storage.Store) {
			seedClient(t, s, "app")
			second := storage.ClientSecret{ID: "app-s2", Hash: []byte("hash2"), Prefix: "tks_efgh", CreatedAt: at(time.Hour)}
			updated, err := s.UpdateClient(t.Context(), "app", func(c storage.Client) (storage.Client, error) {
				c.Name = "Renamed"
				c.Secrets = append(c.Secrets, second)
				c.Scopes = []string{"openid"}
				c.UpdatedAt = at(time.Hour)
				return c, nil
			})
			must(t, err, "update")
			got, err := s.GetClient(t.Context(), "app")
			must(t, err, "get")
			same(t, "returned client", updated, got)
			if got.Name != "Renamed" || len(got.Secrets) != 2 || got.Secrets[1].ID != "app-s2" || len(got.Scopes) != 1 {
				t.Fatalf("update not stored: %+v", got)
			}
			// Removing a secret removes it.
			_, err = s.UpdateClient(t.Context(), "app", func(c storage.Client) (storage.Client, error) {
				c.Secrets = c.Secrets[1:]
				return c, nil
			})
			must(t, err, "remove secret")
			got, _ = s.GetClient(t.Context(), "app")
			if len(got.Secrets) != 1 || got.Secrets[0].ID != "app-s2" {
				t.Fatalf("secrets after removal = %+v, want only app-s2", got.Secrets)
			}
		}},
		{"update error leaves the client unchanged", func(t *testing.T, s storage.Store) {
			want := seedClient(t, s, "app")
			boom := errors.New("boom")
			_, err := s.UpdateClient(t.Context(), "app", func(c storage.Client) (storage.Client, error) {
				c.Name = "half-done"
				return c, boom
			})
			mustBe(t, err, boom, "update")
			got, _ := s.GetClient(t.Context(), "app")
			same(t, "client", got, want)
		}},
		{"update of unknown client is ErrNotFound", func(t *testing.T, s storage.Store) {
			_, err := s.UpdateClient(t.Context(), "nobody", func(c storage.Client) (storage.Client, error) { return c, nil })
			mustBe(t, err, storage.ErrNotFound, "update")
		}},
		{"caller cannot change a stored client through returned slices", func(t *testing.T, s storage.Store) {
			seedClient(t, s, "app")
			got, _ := s.GetClient(t.Context(), "app")
			got.Scopes[0] = "tampered"
			got.Secrets[0].Hash[0] = 'X'
			again, _ := s.GetClient(t.Context(), "app")
			if again.Scopes[0] != "openid" || again.Secrets[0].Hash[0] == 'X' {
				t.Fatalf("stored client changed through a returned slice: %+v", again)
			}
		}},
		{"delete removes the client with its tokens, consents and flows", func(t *testing.T, s storage.Store) {
			ctx := t.Context()
			seedClient(t, s, "app")
			seedClient(t, s, "other")
			seedUser(t, s, "user-1", "ann@example.com")
			seedToken(t, s, sampleToken(storage.KindAccessToken, "at-1", "req-1", "app"))
			seedToken(t, s, sampleToken(storage.KindAccessToken, "at-2", "req-2", "other"))
			must(t, s.SaveConsent(ctx, storage.Consent{UserID: "user-1", ClientID: "app", Scopes: []string{"openid"}, GrantedAt: at(0)}), "consent")
			must(t, s.CreateFlow(ctx, storage.Flow{ID: "flow-1", ClientID: "app", Query: "a=b", CreatedAt: at(0), ExpiresAt: at(time.Hour)}), "flow")

			must(t, s.DeleteClient(ctx, "app"), "delete")
			_, err := s.GetClient(ctx, "app")
			mustBe(t, err, storage.ErrNotFound, "get deleted client")
			_, err = s.GetToken(ctx, storage.KindAccessToken, "at-1")
			mustBe(t, err, storage.ErrNotFound, "token of deleted client")
			_, err = s.GetConsent(ctx, "user-1", "app")
			mustBe(t, err, storage.ErrNotFound, "consent of deleted client")
			_, err = s.GetFlow(ctx, "flow-1")
			mustBe(t, err, storage.ErrNotFound, "flow of deleted client")
			_, err = s.GetToken(ctx, storage.KindAccessToken, "at-2")
			must(t, err, "another client's token survives")
			mustBe(t, s.DeleteClient(ctx, "app"), storage.ErrNotFound, "second delete")
		}},
	}
}

func jtiTests() []test {
	return []test{
		{"a saved JTI is seen until it expires", func(t *testing.T, s storage.Store) {
			ctx := t.Context()
			seen, err := s.SeenJTI(ctx, "jti-1", at(0))
			must(t, err, "seen before save")
			if seen {
				t.Fatal("unsaved JTI reported seen")
			}
			must(t, s.SaveJTI(ctx, "jti-1", at(time.Minute), at(0)), "save")
			if seen, _ := s.SeenJTI(ctx, "jti-1", at(30*time.Second)); !seen {
				t.Fatal("saved JTI not seen before expiry")
			}
			if seen, _ := s.SeenJTI(ctx, "jti-1", at(2*time.Minute)); seen {
				t.Fatal("JTI still seen after expiry")
			}
		}},
		{"saving a live JTI again is ErrAlreadyExists", func(t *testing.T, s storage.Store) {
			ctx := t.Context()
			must(t, s.SaveJTI(ctx, "jti-1", at(time.Minute), at(0)), "save")
			mustBe(t, s.SaveJTI(ctx, "jti-1", at(2*time.Minute), at(10*time.Second)), storage.ErrAlreadyExists, "replay")
		}},
		{"an expired JTI can be saved again", func(t *testing.T, s storage.Store) {
			ctx := t.Context()
			must(t, s.SaveJTI(ctx, "jti-1", at(time.Minute), at(0)), "save")
			must(t, s.SaveJTI(ctx, "jti-1", at(3*time.Minute), at(2*time.Minute)), "save after expiry")
			if seen, _ := s.SeenJTI(ctx, "jti-1", at(150*time.Second)); !seen {
				t.Fatal("re-saved JTI not seen")
			}
		}},
	}
}

// switchesFlag checks a client's boolean setting named name (flag points
// at it): a client created with it set reads back whole, and updates
// turn it off and on again.
func switchesFlag(t *testing.T, s storage.Store, id, name string, flag func(*storage.Client) *bool) {
	t.Helper()
	c := sampleClient(id)
	*flag(&c) = true
	must(t, s.CreateClient(t.Context(), c), "create")
	got, err := s.GetClient(t.Context(), id)
	must(t, err, "get")
	same(t, "client", got, c)
	for _, want := range []bool{false, true} {
		_, err = s.UpdateClient(t.Context(), id, func(c storage.Client) (storage.Client, error) {
			*flag(&c) = want
			return c, nil
		})
		must(t, err, "update")
		got, err = s.GetClient(t.Context(), id)
		must(t, err, "get after update")
		if *flag(&got) != want {
			t.Fatalf("%s is %v after an update setting it %v", name, !want, want)
		}
	}
}
