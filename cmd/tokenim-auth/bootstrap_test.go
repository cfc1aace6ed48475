package main

import (
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/config"
	"github.com/tokenim/tokenim-auth/provider/secret"
)

// A configured client's refresh_token_reuse_window reaches its record,
// unset staying unset (the provider's default applies).
func TestClientFromConfigCarriesRefreshReuseWindow(t *testing.T) {
	t.Parallel()
	ring, err := secret.NewKeyring(adminSystemSecret)
	if err != nil {
		t.Fatal(err)
	}
	hasher := secret.NewHasher(ring)
	w := 30 * time.Second
	rec := clientFromConfig(config.Client{ID: "phone", RefreshTokenReuseWindow: &w}, hasher, time.Now())
	if rec.RefreshReuseWindow == nil || *rec.RefreshReuseWindow != w {
		t.Fatalf("reuse window %v, want 30s", rec.RefreshReuseWindow)
	}
	if rec := clientFromConfig(config.Client{ID: "web"}, hasher, time.Now()); rec.RefreshReuseWindow != nil {
		t.Fatalf("an unset reuse window became %v", *rec.RefreshReuseWindow)
	}
}
