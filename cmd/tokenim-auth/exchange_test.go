package main

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/storage"
)

// fakeExchangeStore is the console's policies, or a store that fails.
type fakeExchangeStore struct {
	mu    sync.Mutex
	list  []storage.ExchangePolicy
	err   error
	reads int
}

func (f *fakeExchangeStore) ListExchangePolicies(context.Context) ([]storage.ExchangePolicy, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reads++
	return f.list, f.err
}

func (f *fakeExchangeStore) set(list []storage.ExchangePolicy, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.list, f.err = list, err
}

// TestExchangeDirectory: the configured policies and the console's are
// found together, a configured one shadowing a stored one of its client;
// the stored ones are read again after the refresh; a store that fails
// keeps the last ones read, logged, and a store never read makes a
// lookup an error, not a refusal.
func TestExchangeDirectory(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	store := &fakeExchangeStore{err: errors.New("database down")}
	var logs bytes.Buffer
	d := newExchangeDirectory([]storage.ExchangePolicy{{ClientID: "gateway", Scopes: []string{"im:messages.read"}}}, store, slog.New(slog.NewTextHandler(&logs, nil)))
	now := time.Date(2026, 12, 5, 6, 0, 0, 0, time.UTC)
	d.stored.now = func() time.Time { return now }

	if p, ok, err := d.Policy(ctx, "gateway"); err != nil || !ok || len(p.Scopes) != 1 {
		t.Fatalf("the configured policy while the store fails: %+v %v %v", p, ok, err)
	}
	if _, ok, err := d.Policy(ctx, "bot"); err == nil || ok {
		t.Fatalf("a stored policy while the store was never read: %v %v, want an error", ok, err)
	}
	if !strings.Contains(logs.String(), "database down") {
		t.Fatalf("the failure is not logged: %s", logs.String())
	}

	store.set([]storage.ExchangePolicy{
		{ClientID: "gateway", Impersonation: true},
		{ClientID: "bot", Resources: []string{"https://search.example.com"}, Impersonation: true},
	}, nil)
	if _, _, err := d.Policy(ctx, "bot"); err == nil {
		t.Fatal("the store is read again before the refresh")
	}
	now = now.Add(storeRefresh)
	if p, ok, err := d.Policy(ctx, "bot"); err != nil || !ok || !p.Impersonation || p.Resources[0] != "https://search.example.com" {
		t.Fatalf("the stored policy: %+v %v %v", p, ok, err)
	}
	if p, _, _ := d.Policy(ctx, "gateway"); p.Impersonation {
		t.Fatal("a stored policy wins over the configured one of its client")
	}

	store.set(nil, errors.New("database down again"))
	now = now.Add(storeRefresh)
	if _, ok, err := d.Policy(ctx, "bot"); err != nil || !ok {
		t.Fatalf("a store failure drops the policies read before: %v %v", ok, err)
	}
	store.mu.Lock()
	reads := store.reads
	store.mu.Unlock()
	d.Policy(ctx, "bot")
	d.Any(ctx)
	store.mu.Lock()
	if store.reads != reads {
		t.Fatalf("a failing store is read on every request: %d reads, want %d", store.reads, reads)
	}
	store.mu.Unlock()

	store.set([]storage.ExchangePolicy{}, nil)
	now = now.Add(storeRefresh)
	if _, ok, err := d.Policy(ctx, "bot"); err != nil || ok {
		t.Fatalf("a deleted policy after the refresh: %v %v", ok, err)
	}
	if !d.Any(ctx) {
		t.Fatal("with a configured policy, Any is false")
	}
	alone := newExchangeDirectory(nil, store, slog.New(slog.DiscardHandler))
	alone.stored.now = func() time.Time { return now }
	if alone.Any(ctx) {
		t.Fatal("without any policy, Any is true")
	}
	store.set([]storage.ExchangePolicy{{ClientID: "bot"}}, nil)
	alone.stored.now = func() time.Time { return now.Add(storeRefresh) }
	if !alone.Any(ctx) {
		t.Fatal("with a stored policy, Any is false")
	}
}
