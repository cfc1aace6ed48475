package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
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
	d.stored.now = func() time.Time { return now }

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
	now = now.Add(storeRefresh)
	if _, ok := d.Get("https://files.example.com"); !ok {
		t.Fatal("a new stored resource is not found after the refresh")
	}
	if _, ok := d.Get("https://calls.example.com"); ok {
		t.Fatal("a deleted stored resource is still found after the refresh")
	}

	store.set(nil, errors.New("database down"))
	now = now.Add(storeRefresh)
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

// opsTokenFor asks the token endpoint for a client-credentials token of
// the ops service for resource: the status and the answer.
func opsTokenFor(t *testing.T, p running, resource string) (int, map[string]any) {
	t.Helper()
	form := url.Values{"grant_type": {"client_credentials"}, "scope": {"admin"}, "resource": {resource}}
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, p.issuer+"/oauth2/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth("ops", gatewaySecret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

// eventually polls cond until it holds, failing the test at the deadline:
// a change in the console reaches the token endpoint within
// storeRefresh.
func eventually(t *testing.T, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %s", what, within)
		}
		select {
		case <-tick.C:
		case <-t.Context().Done():
			t.Fatal(t.Context().Err())
		}
	}
}

// TestResourceAddedThroughTheAdminAPI: a resource added through the admin
// API is one the token endpoint issues tokens for within the refresh,
// their aud naming it; deleted, it is refused again as invalid_target.
// On memory and Postgres.
func TestResourceAddedThroughTheAdminAPI(t *testing.T) {
	t.Parallel()
	eachStore(t, func(t *testing.T, p running) {
		const service = "https://ops-api.example.com"
		ops := adminClient{t: t, base: p.issuer, token: serviceToken(t, p, "ops", gatewaySecret, "admin")}
		if code, body := opsTokenFor(t, p, service); code != http.StatusBadRequest || body["error"] != "invalid_target" {
			t.Fatalf("an unknown resource: %d %v", code, body)
		}
		code, created := ops.call("POST", "/admin/api/v1/resources", `{"uri":"`+service+`","name":"Operations API","scopes":["admin"]}`)
		if code != http.StatusCreated {
			t.Fatalf("add the resource: %d %v", code, created)
		}
		var token string
		eventually(t, storeRefresh+5*time.Second, "the added resource is accepted", func() bool {
			code, body := opsTokenFor(t, p, service)
			token, _ = body["access_token"].(string)
			return code == http.StatusOK
		})
		if aud, _ := introspect(t, p, token)["aud"].([]any); len(aud) != 1 || aud[0] != service {
			t.Fatalf("the token's aud: %v, want [%s]", aud, service)
		}
		if code, _ := ops.call("DELETE", "/admin/api/v1/resources/"+created["id"].(string), ""); code != http.StatusNoContent {
			t.Fatalf("delete the resource: %d", code)
		}
		eventually(t, storeRefresh+5*time.Second, "the deleted resource is refused", func() bool {
			code, body := opsTokenFor(t, p, service)
			return code == http.StatusBadRequest && body["error"] == "invalid_target"
		})
	})
}
