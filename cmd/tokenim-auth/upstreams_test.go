package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/config"
	"github.com/tokenim/tokenim-auth/provider/login"
	"github.com/tokenim/tokenim-auth/provider/secret"
	"github.com/tokenim/tokenim-auth/provider/upstream"
	"github.com/tokenim/tokenim-auth/storage"
	"github.com/tokenim/tokenim-auth/storage/memory"
)

// ids are the connectors' IDs, in order.
func ids(l []login.Upstream) []string {
	var out []string
	for _, u := range l {
		out = append(out, u.ID)
	}
	return out
}

// TestUpstreamDirectory: the sign-in pages see the configured connectors
// first, then the console's (their secrets opened), a change in the
// console within storeRefresh, never a disabled one nor one a
// configured connector shadows, and a stored one that cannot be built
// is left out while the rest are served.
func TestUpstreamDirectory(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	store := memory.New()
	sealer, err := secret.NewSealer(make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	now := time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	cfg := config.Config{Issuer: "https://auth.tokenim.example", Upstreams: []config.Upstream{
		{ID: "corp", Kind: storage.ConnectorOIDC, Name: "Corp", Issuer: "https://sso.corp.example", ClientID: "c", ClientSecret: "s"},
	}}
	d, err := loginUpstreams(ctx, cfg, store, func(c storage.Connector) (config.Upstream, error) {
		return config.OpenConnector(c, sealer)
	}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	d.stored.now = clock
	stored := func(id, name string, settings map[string]any, disabled bool) storage.Connector {
		raw, err := json.Marshal(settings)
		if err != nil {
			t.Fatal(err)
		}
		return storage.Connector{ID: id, Kind: storage.ConnectorGitHub, Name: name, Settings: raw,
			SealedSecret: upstream.SealSecret(sealer, id, "gh-secret"), Disabled: disabled, CreatedAt: clock(), UpdatedAt: clock()}
	}
	if got := ids(d.Upstreams(ctx)); !slices.Equal(got, []string{"corp"}) {
		t.Fatalf("connectors %q, want the configured corp", got)
	}
	for _, c := range []storage.Connector{
		stored("github", "GitHub", map[string]any{"client_id": "Iv1.abc"}, false),
		stored("corp", "Shadowed", map[string]any{"client_id": "x"}, false),
		stored("old", "Old", map[string]any{"client_id": "x"}, true),
	} {
		if err := store.CreateConnector(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	if got := ids(d.Upstreams(ctx)); !slices.Equal(got, []string{"corp"}) {
		t.Fatalf("connectors %q within the refresh period, want the list read before", got)
	}
	advance(storeRefresh)
	got := d.Upstreams(ctx)
	if !slices.Equal(ids(got), []string{"corp", "github"}) || got[1].Name != "GitHub" || got[1].Connector == nil {
		t.Fatalf("connectors %q, want corp then the console's github, built", ids(got))
	}
	built := got[1].Connector

	// Unchanged: the same connector, not built again; renamed: rebuilt.
	advance(storeRefresh)
	if again := d.Upstreams(ctx); again[1].Connector != built {
		t.Fatal("an unchanged connector was built again")
	}
	if _, err := store.UpdateConnector(ctx, "github", func(c storage.Connector) (storage.Connector, error) {
		c.Name, c.UpdatedAt = "GitHub Enterprise", clock().Add(time.Second)
		return c, nil
	}); err != nil {
		t.Fatal(err)
	}
	advance(storeRefresh)
	if again := d.Upstreams(ctx); again[1].Name != "GitHub Enterprise" || again[1].Connector == built {
		t.Fatalf("after a change: %q, want it rebuilt", again[1].Name)
	}

	// A connector whose secret no longer opens is left out, the rest
	// served.
	if err := store.CreateConnector(ctx, storage.Connector{ID: "broken", Kind: storage.ConnectorGitHub, Name: "Broken",
		Settings: json.RawMessage(`{"client_id":"x"}`), SealedSecret: []byte("not sealed"), CreatedAt: clock(), UpdatedAt: clock()}); err != nil {
		t.Fatal(err)
	}
	advance(storeRefresh)
	if got := ids(d.Upstreams(ctx)); !slices.Equal(got, []string{"corp", "github"}) {
		t.Fatalf("connectors %q, want the broken one left out", got)
	}
	// Deleted: gone at the next read.
	if err := store.DeleteConnector(ctx, "github"); err != nil {
		t.Fatal(err)
	}
	advance(storeRefresh)
	if got := ids(d.Upstreams(ctx)); !slices.Equal(got, []string{"corp"}) {
		t.Fatalf("connectors %q after the delete", got)
	}
}

// failingConnectors is a store that cannot list connectors.
type failingConnectors struct{ storage.JTIs }

func (failingConnectors) ListConnectors(context.Context) ([]storage.Connector, error) {
	return nil, context.DeadlineExceeded
}

// TestUpstreamDirectoryKeepsTheConfiguredOnesWhenTheStoreFails: a store
// that cannot be read leaves the sign-in page its configured connectors.
func TestUpstreamDirectoryKeepsTheConfiguredOnesWhenTheStoreFails(t *testing.T) {
	t.Parallel()
	cfg := config.Config{Issuer: "https://auth.tokenim.example", Upstreams: []config.Upstream{
		{ID: "corp", Kind: storage.ConnectorOIDC, Name: "Corp", Issuer: "https://sso.corp.example", ClientID: "c", ClientSecret: "s"},
	}}
	d, err := loginUpstreams(t.Context(), cfg, failingConnectors{}, func(storage.Connector) (config.Upstream, error) {
		t.Fatal("nothing to open")
		return config.Upstream{}, nil
	}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(d.Upstreams(t.Context())); !slices.Equal(got, []string{"corp"}) {
		t.Fatalf("connectors %q, want the configured corp", got)
	}
}
