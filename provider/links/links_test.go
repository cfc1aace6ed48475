package links_test

import (
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/provider/links"
	"github.com/tokenim/tokenim-auth/provider/secret"
	"github.com/tokenim/tokenim-auth/storage"
	"github.com/tokenim/tokenim-auth/storage/memory"
)

var t0 = time.Date(2026, 11, 25, 9, 30, 0, 0, time.UTC)

func setup(t *testing.T) (*links.Maker, *memory.Store) {
	t.Helper()
	store := memory.New()
	if err := store.CreateUser(t.Context(), storage.User{ID: "u1", Email: "ann@example.com", Status: storage.UserActive, CreatedAt: t0}); err != nil {
		t.Fatal(err)
	}
	ring, err := secret.NewKeyring(strings.Repeat("k", 32))
	if err != nil {
		t.Fatal(err)
	}
	m := links.New(links.Config{Store: store, Hasher: secret.NewHasherFor(ring, secret.PurposeOneTimeLinks),
		Issuer: "https://auth.example.com", Now: func() time.Time { return t0 }})
	return m, store
}

// token returns the token of a link's URL, checking the URL's page.
func token(t *testing.T, link, page string) url.Values {
	t.Helper()
	u, err := url.Parse(link)
	if err != nil || u.Scheme+"://"+u.Host+u.Path != "https://auth.example.com"+page || u.Query().Get("token") == "" {
		t.Fatalf("link %q: want https://auth.example.com%s?token=…", link, page)
	}
	return u.Query()
}

func TestPasswordLinkWorksUntilItExpires(t *testing.T) {
	t.Parallel()
	m, store := setup(t)
	link, err := m.Password(t.Context(), "u1", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	tok := token(t, link, "/password/reset").Get("token")
	if l, err := store.GetLink(t.Context(), storage.LinkPasswordReset, m.Hash(tok), t0.Add(59*time.Minute)); err != nil || l.UserID != "u1" {
		t.Fatalf("the link within its hour: %+v, %v", l, err)
	}
	if _, err := store.GetLink(t.Context(), storage.LinkPasswordReset, m.Hash(tok), t0.Add(time.Hour+time.Second)); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("the link after its hour: %v, want ErrNotFound", err)
	}
	if _, err := store.GetLink(t.Context(), storage.LinkPasswordReset, tok, t0); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("the token itself is stored: %v", err)
	}
	if _, err := store.GetLink(t.Context(), storage.LinkActivate, m.Hash(tok), t0); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("a password link activates: %v", err)
	}
}

func TestANewLinkReplacesTheOldOne(t *testing.T) {
	t.Parallel()
	m, store := setup(t)
	first, err := m.Password(t.Context(), "u1", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	activation, err := m.Activation(t.Context(), "u1", "", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Password(t.Context(), "u1", time.Hour); err != nil {
		t.Fatal(err)
	}
	if _, err := store.GetLink(t.Context(), storage.LinkPasswordReset, m.Hash(token(t, first, "/password/reset").Get("token")), t0); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("the first password link still works: %v", err)
	}
	if _, err := store.GetLink(t.Context(), storage.LinkActivate, m.Hash(token(t, activation, "/activate").Get("token")), t0); err != nil {
		t.Fatalf("a password link replaced the activation link: %v", err)
	}
}

func TestActivationLinkKeepsTheFlow(t *testing.T) {
	t.Parallel()
	m, _ := setup(t)
	link, err := m.Activation(t.Context(), "u1", "flow-1", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if q := token(t, link, "/activate"); q.Get("flow") != "flow-1" {
		t.Fatalf("link %q lost the flow", link)
	}
	if _, err := m.Activation(t.Context(), "nobody", "", time.Hour); err == nil {
		t.Fatal("a link for an unknown user was made")
	}
}
