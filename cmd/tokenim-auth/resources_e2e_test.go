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

	"github.com/tokenim/tokenim-auth/provider/resources"
	"github.com/tokenim/tokenim-auth/storage"
)

// fakeResourceStore is the console's resources, or a store that fails.
type fakeResourceStore struct {
	mu    sync.Mutex
	list  []storage.Resource
	err   error
	reads int
}

func (f *fakeResourceStore) ListResources(context.Context) ([]storage.Resource, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reads++
	return f.list, f.err
}

func (f *fakeResourceStore) set(list []storage.Resource, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.list, f.err = list, err
}

// TestResourceDirectory: the configured resources and the console's are
// found together, a configured one shadowing a stored one of its URI; the
// stored ones are read again after the refresh, and a store that fails
// keeps the last ones read, logged, and is not asked again on every
// request.
func TestResourceDirectory(t *testing.T) {
	t.Parallel()
	configured, err := resources.NewRegistry([]resources.Resource{{URI: "https://im.example.com", Name: "IM", Scopes: []string{"im:messages.read"}}})
	if err != nil {
		t.Fatal(err)
	}
	store := &fakeResourceStore{list: []storage.Resource{
		{URI: "https://im.example.com", Name: "stored IM", Scopes: []string{"im:calls.read"}},
		{URI: "https://calls.example.com", Name: "Calls", Scopes: []string{"im:calls.read"}},
	}}
	var logs bytes.Buffer
	d := newResourceDirectory(configured, store, slog.New(slog.NewTextHandler(&logs, nil)))
	now := time.Date(2026, 12, 5, 6, 0, 0, 0, time.UTC)
	d.now = func() time.Time { return now }

	if r, ok := d.Get("https://im.example.com"); !ok || r.Name != "IM" || !r.Accepts([]string{"im:messages.read"}) {
		t.Fatalf("the configured resource: %+v %v (a stored one of its URI must not win)", r, ok)
	}
	if r, ok := d.Get("https://calls.example.com"); !ok || r.Name != "Calls" || !r.Accepts([]string{"im:calls.read"}) {
		t.Fatalf("the stored resource: %+v %v", r, ok)
	}
	if _, ok := d.Get("https://other.example.com"); ok {
		t.Fatal("an unknown resource is found")
	}

	store.set([]storage.Resource{{URI: "https://files.example.com", Scopes: []string{"im:files.read"}}}, nil)
	if _, ok := d.Get("https://files.example.com"); ok {
		t.Fatal("a new stored resource is found before the refresh")
	}
	now = now.Add(resourceRefresh)
	if _, ok := d.Get("https://files.example.com"); !ok {
		t.Fatal("a new stored resource is not found after the refresh")
	}
	if _, ok := d.Get("https://calls.example.com"); ok {
		t.Fatal("a deleted stored resource is still found after the refresh")
	}

	store.set(nil, errors.New("database down"))
	now = now.Add(resourceRefresh)
	if _, ok := d.Get("https://files.example.com"); !ok {
		t.Fatal("a store failure drops the resources read before")
	}
	if !strings.Contains(logs.String(), "database down") {
		t.Fatalf("the failure is not logged: %s", logs.String())
	}
	store.mu.Lock()
	reads := store.reads
	store.mu.Unlock()
	d.Get("https://files.example.com")
	d.Get("https://nothing.example.com")
	store.mu.Lock()
	defer store.mu.Unlock()
	if store.reads != reads {
		t.Fatalf("a failing store is read on every request: %d reads, want %d", store.reads, reads)
	}
}
