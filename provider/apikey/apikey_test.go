package apikey_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/provider/apikey"
	"github.com/tokenim/tokenim-auth/provider/secret"
	"github.com/tokenim/tokenim-auth/storage"
	"github.com/tokenim/tokenim-auth/storage/memory"
)

func setup(t *testing.T) (*memory.Store, secret.Hasher, time.Time) {
	t.Helper()
	ring, err := secret.NewKeyring(strings.Repeat("k", 40))
	if err != nil {
		t.Fatal(err)
	}
	store := memory.New()
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	if err := store.CreateClient(t.Context(), storage.Client{ID: "bot", Name: "bot", Type: storage.ClientConfidential, TokenEndpointAuthMethod: "client_secret_basic"}); err != nil {
		t.Fatal(err)
	}
	return store, secret.NewHasher(ring), now
}

func TestRotate(t *testing.T) {
	store, h, now := setup(t)
	p := apikey.Policy{Lifetime: 90 * 24 * time.Hour, Grace: 24 * time.Hour}
	first, rec1, err := apikey.Rotate(t.Context(), store, h, "bot", p, now)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("a new secret expires after the lifetime and is stored hashed", func(t *testing.T) {
		c, _ := store.GetClient(t.Context(), "bot")
		if len(c.Secrets) != 1 || !c.Secrets[0].ExpiresAt.Equal(now.Add(p.Lifetime)) || h.Compare(c.Secrets[0].Hash, first) != nil {
			t.Fatalf("secrets %+v", c.Secrets)
		}
		if strings.Contains(string(c.Secrets[0].Hash), first) || rec1.Prefix != secret.Prefix(first) {
			t.Fatal("secret stored in clear or wrong prefix")
		}
	})
	second, _, err := apikey.Rotate(t.Context(), store, h, "bot", p, now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	t.Run("rotation keeps the old secret working for the grace period only", func(t *testing.T) {
		c, _ := store.GetClient(t.Context(), "bot")
		if len(c.Secrets) != 2 {
			t.Fatalf("%d secrets", len(c.Secrets))
		}
		old := c.Secrets[0]
		if !old.ExpiresAt.Equal(now.Add(time.Hour + p.Grace)) {
			t.Fatalf("old secret expires %v, want after the grace period", old.ExpiresAt)
		}
		if !apikey.Live(old, now.Add(2*time.Hour)) || apikey.Live(old, now.Add(26*time.Hour)) {
			t.Fatal("the old secret's life is wrong")
		}
		if h.Compare(c.Secrets[1].Hash, second) != nil {
			t.Fatal("the new secret is not stored")
		}
	})
	t.Run("a third live secret is refused", func(t *testing.T) {
		if _, _, err := apikey.Rotate(t.Context(), store, h, "bot", p, now.Add(2*time.Hour)); !errors.Is(err, apikey.ErrTooManyLive) {
			t.Fatalf("got %v, want ErrTooManyLive", err)
		}
	})
	t.Run("after the grace period a rotation is allowed again", func(t *testing.T) {
		if _, _, err := apikey.Rotate(t.Context(), store, h, "bot", p, now.Add(48*time.Hour)); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("secrets long expired are dropped", func(t *testing.T) {
		later := now.Add(200 * 24 * time.Hour)
		if _, _, err := apikey.Rotate(t.Context(), store, h, "bot", apikey.Policy{Grace: time.Hour}, later); err != nil {
			t.Fatal(err)
		}
		c, _ := store.GetClient(t.Context(), "bot")
		for _, s := range c.Secrets {
			if !s.ExpiresAt.IsZero() && later.Sub(s.ExpiresAt) > 30*24*time.Hour {
				t.Fatalf("a secret expired at %v is still kept", s.ExpiresAt)
			}
		}
	})
	t.Run("a public client has no secrets to rotate", func(t *testing.T) {
		if err := store.CreateClient(t.Context(), storage.Client{ID: "native", Name: "n", Type: storage.ClientPublic, TokenEndpointAuthMethod: "none"}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := apikey.Rotate(t.Context(), store, h, "native", p, now); !errors.Is(err, apikey.ErrNoSecrets) {
			t.Fatalf("got %v", err)
		}
	})
}

func TestRevoke(t *testing.T) {
	store, h, now := setup(t)
	p := apikey.Policy{Lifetime: 0, Grace: 24 * time.Hour}
	_, first, _ := apikey.Rotate(t.Context(), store, h, "bot", p, now)
	t.Run("the only live secret cannot be revoked", func(t *testing.T) {
		if err := apikey.Revoke(t.Context(), store, "bot", first.ID, now); !errors.Is(err, apikey.ErrLastSecret) {
			t.Fatalf("got %v, want ErrLastSecret", err)
		}
	})
	_, second, _ := apikey.Rotate(t.Context(), store, h, "bot", p, now)
	t.Run("a leaked secret is revoked at once", func(t *testing.T) {
		if err := apikey.Revoke(t.Context(), store, "bot", first.ID, now); err != nil {
			t.Fatal(err)
		}
		c, _ := store.GetClient(t.Context(), "bot")
		if len(c.Secrets) != 1 || c.Secrets[0].ID != second.ID {
			t.Fatalf("secrets %+v", c.Secrets)
		}
		if !c.Secrets[0].ExpiresAt.IsZero() {
			t.Fatal("a never-expiring policy gave the new secret an expiry")
		}
	})
	t.Run("an unknown secret is ErrNotFound", func(t *testing.T) {
		if err := apikey.Revoke(t.Context(), store, "bot", "nope", now); !errors.Is(err, storage.ErrNotFound) {
			t.Fatalf("got %v", err)
		}
	})
}

func TestState(t *testing.T) {
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		expires time.Time
		want    string
	}{
		{time.Time{}, "live"}, {now.Add(30 * 24 * time.Hour), "live"}, {now.Add(3 * 24 * time.Hour), "expiring"}, {now.Add(-time.Second), "expired"},
	} {
		if got := apikey.State(storage.ClientSecret{ExpiresAt: tc.expires}, now, 7*24*time.Hour); got != tc.want {
			t.Errorf("expires %v: %s, want %s", tc.expires, got, tc.want)
		}
	}
}
