package scim_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/provider/audit"
	"github.com/tokenim/tokenim-auth/provider/scim"
	"github.com/tokenim/tokenim-auth/provider/secret"
	"github.com/tokenim/tokenim-auth/storage/postgres/pgtest"
)

// Only a live token of the workspace gets in; guessing is slowed down per
// client IP.
func TestAuthentication(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.do(t, "", "GET", "/Users", "").wantError(t, "no token", http.StatusUnauthorized, "")
	r := f.do(t, f.acme[:len(f.acme)-1]+"x", "GET", "/Users", "")
	r.wantError(t, "a wrong token with a real ID", http.StatusUnauthorized, "")
	if r.header.Get("WWW-Authenticate") == "" {
		t.Errorf("401 without WWW-Authenticate")
	}
	toks, err := f.tokens.List(t.Context(), "w1")
	if err != nil || len(toks) != 1 {
		t.Fatalf("list: %v, %v", toks, err)
	}
	if toks[0].Prefix != f.acme[:len(toks[0].Prefix)] || string(toks[0].Hash) == f.acme {
		t.Errorf("stored token: prefix %q, hash holds the token: %v", toks[0].Prefix, string(toks[0].Hash) == f.acme)
	}
	if err := f.tokens.Revoke(t.Context(), scim.Actor{Type: audit.ActorCLI}, "w2", toks[0].ID); err == nil {
		t.Errorf("another workspace revoked acme's token")
	}
	f.do(t, f.acme, "GET", "/Users", "").want(t, "before revocation", http.StatusOK)
	if err := f.tokens.Revoke(t.Context(), scim.Actor{Type: audit.ActorCLI}, "w1", toks[0].ID); err != nil {
		t.Fatal(err)
	}
	f.do(t, f.acme, "GET", "/Users", "").wantError(t, "revoked token", http.StatusUnauthorized, "")
	f.do(t, "tkm_scim_", "GET", "/Users", "").wantError(t, "a bare prefix", http.StatusUnauthorized, "")

	// Four failures so far: past the free ones, even the right token waits.
	slow := f.do(t, f.other, "GET", "/Users", "")
	slow.wantError(t, "after failures", http.StatusTooManyRequests, "")
	if slow.header.Get("Retry-After") == "" {
		t.Errorf("429 without Retry-After")
	}
	f.now = f.now.Add(2 * time.Hour)
	f.do(t, f.other, "GET", "/Users", "").want(t, "after the quiet period", http.StatusOK)
}

// An expired token is refused.
func TestExpiredToken(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	tok, _, err := f.tokens.Create(t.Context(), scim.Actor{Type: audit.ActorCLI}, "w1", "short", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	f.do(t, tok, "GET", "/Users", "").want(t, "live", http.StatusOK)
	f.now = f.now.Add(time.Hour)
	f.do(t, tok, "GET", "/Users", "").wantError(t, "expired", http.StatusUnauthorized, "")
	if _, _, err := f.tokens.Create(t.Context(), scim.Actor{Type: audit.ActorCLI}, "nope", "x", 0); err == nil {
		t.Errorf("a token for an unknown workspace was made")
	}
}

// A token of bytes Postgres cannot hold in text (not UTF-8, a NUL) is a
// bad token, as any other wrong one, not a fault of the store: the store
// answers storage.ErrInvalidInput, which Authenticate must not pass on
// as a server error.
func TestStrangeTokenBytesAreBadTokens(t *testing.T) {
	t.Parallel()
	store := pgtest.Open(t)
	ring, err := secret.NewKeyring("scim-test-system-secret-0123456789abcdef")
	if err != nil {
		t.Fatal(err)
	}
	tokens := scim.NewTokens(scim.TokensConfig{Store: store, Hasher: secret.NewHasherFor(ring, scim.Purpose),
		Audit: audit.NewRecorder(audit.RecorderConfig{Store: store})})
	for _, tok := range []string{
		scim.TokenPrefix + "\xff\xfe" + strings.Repeat("x", 40),
		scim.TokenPrefix + "abc\x00defghij" + strings.Repeat("x", 40),
		scim.TokenPrefix + "abcdefghijk\xe6" + strings.Repeat("x", 40),
	} {
		if _, err := tokens.Authenticate(t.Context(), tok); !errors.Is(err, scim.ErrBadToken) {
			t.Errorf("Authenticate(%q): %v, want ErrBadToken", tok, err)
		}
	}
}
