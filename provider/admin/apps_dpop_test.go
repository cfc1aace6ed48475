package admin

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/tokenim/tokenim-auth/provider/audit"
)

// An administrator makes an app require DPoP-bound tokens (RFC 9449
// section 5.2) through the API: when creating it and by PATCH, recorded
// as app.changed, and the app shows the flag.
func TestAPIAppRequiresDPoP(t *testing.T) {
	t.Parallel()
	a, store := fixture(t)
	shown := func(path string) bool {
		t.Helper()
		w := call(t, a, "GET", path, "")
		var body struct {
			DPoP *bool `json:"dpop_bound_access_tokens"`
		}
		if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil || w.Code != http.StatusOK || body.DPoP == nil {
			t.Fatalf("GET %s: %d %s; want the app with dpop_bound_access_tokens", path, w.Code, w.Body)
		}
		return *body.DPoP
	}

	if shown("/admin/api/v1/apps/chat") {
		t.Fatal("an app shows dpop_bound_access_tokens true before it was set")
	}
	if w := call(t, a, "PATCH", "/admin/api/v1/apps/chat", `{"dpop_bound_access_tokens":true}`); w.Code != http.StatusOK {
		t.Fatalf("PATCH: %d %s", w.Code, w.Body)
	}
	if c, _ := store.GetClient(t.Context(), "chat"); !c.DPoPBoundAccessTokens {
		t.Fatal("the flag was not stored")
	}
	if !shown("/admin/api/v1/apps/chat") {
		t.Fatal("GET does not show the flag set")
	}
	recs := records(t, store)
	if len(recs) != 1 || recs[0].Action != audit.AppChanged || recs[0].Detail["dpop_bound_access_tokens"] != "true" {
		t.Fatalf("records %+v; want one app.changed with dpop_bound_access_tokens true", recs)
	}

	w := call(t, a, "POST", "/admin/api/v1/apps", `{"client_id":"svc","name":"Svc","type":"confidential","grant_types":["client_credentials"],"dpop_bound_access_tokens":true}`)
	if w.Code != http.StatusCreated {
		t.Fatalf("POST: %d %s", w.Code, w.Body)
	}
	if c, _ := store.GetClient(t.Context(), "svc"); !c.DPoPBoundAccessTokens {
		t.Fatal("the created app does not require DPoP")
	}
	if !shown("/admin/api/v1/apps/svc") {
		t.Fatal("GET does not show the created app's flag")
	}
}

// While DPoP is off, an app cannot be made to require it: it could get no
// token. Both the PATCH and the creation are refused naming the field, and
// nothing is stored.
func TestAPIRefusesDPoPWhileOff(t *testing.T) {
	t.Parallel()
	a, store := fixture(t)
	a.cfg.DPoPOff = true
	wantRefused(t, call(t, a, "PATCH", "/admin/api/v1/apps/chat", `{"dpop_bound_access_tokens":true}`), "dpop_bound_access_tokens")
	if c, _ := store.GetClient(t.Context(), "chat"); c.DPoPBoundAccessTokens {
		t.Fatal("a refused change was stored")
	}
	if recs := records(t, store); len(recs) != 0 {
		t.Fatalf("a refused change left records: %+v", recs)
	}
	wantRefused(t, call(t, a, "POST", "/admin/api/v1/apps", `{"client_id":"svc","name":"Svc","type":"confidential","grant_types":["client_credentials"],"dpop_bound_access_tokens":true}`), "dpop_bound_access_tokens")
	if w := call(t, a, "PATCH", "/admin/api/v1/apps/chat", `{"dpop_bound_access_tokens":false}`); w.Code != http.StatusOK {
		t.Fatalf("turning the flag off while DPoP is off: %d %s", w.Code, w.Body)
	}
}
