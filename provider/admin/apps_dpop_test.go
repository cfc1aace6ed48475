package admin

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
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

// The console's token settings set and clear an app's DPoP requirement:
// the box on the app's page, the confirmation listing it, the record the
// API's; while DPoP is off, ticking the box is refused with a page saying
// why.
func TestConsoleSetsDPoPRequirement(t *testing.T) {
	h := newConsole(t)
	page := h.get(t, "/admin/apps/chat").Body.String()
	for _, want := range []string{`name="dpop_bound_access_tokens" value="true" aria-describedby="dpop-hint">`, "Require DPoP-bound tokens",
		"<dt>DPoP-bound tokens</dt><dd>Not required</dd>"} {
		if !strings.Contains(page, want) {
			t.Fatalf("the app's page lacks %q:\n%s", want, page)
		}
	}
	c := h.get(t, "/admin/apps/chat/options?access_token_format=opaque&dpop_bound_access_tokens=true").Body.String()
	for _, want := range []string{"dpop_bound_access_tokens: true", `name="dpop_bound_access_tokens" value="true"`} {
		if !strings.Contains(c, want) {
			t.Fatalf("the confirmation lacks %q:\n%s", want, c)
		}
	}
	if w := h.post(t, "/admin/apps/chat/options", url.Values{"access_token_format": {"opaque"}, "dpop_bound_access_tokens": {"true"}}); w.Code != http.StatusSeeOther {
		t.Fatalf("set: status %d:\n%s", w.Code, w.Body)
	}
	if a, _ := h.store.GetClient(t.Context(), "chat"); !a.DPoPBoundAccessTokens {
		t.Fatal("the app does not require DPoP after the change")
	}
	recs := records(t, h.store)
	if len(recs) != 1 || recs[0].ActorType != audit.ActorUser || recs[0].Detail["dpop_bound_access_tokens"] != "true" {
		t.Fatalf("records %+v, want one app.changed by the administrator with dpop_bound_access_tokens true", recs)
	}
	page = h.get(t, "/admin/apps/chat").Body.String()
	if !strings.Contains(page, "<dt>DPoP-bound tokens</dt><dd>Required</dd>") || !strings.Contains(page, `aria-describedby="dpop-hint" checked>`) {
		t.Fatalf("the app's page after the change:\n%s", page)
	}
	// Unticking the box posts no dpop_bound_access_tokens: DPoP is no
	// longer required.
	if w := h.post(t, "/admin/apps/chat/options", url.Values{"access_token_format": {"opaque"}}); w.Code != http.StatusSeeOther {
		t.Fatalf("unset: status %d", w.Code)
	}
	if a, _ := h.store.GetClient(t.Context(), "chat"); a.DPoPBoundAccessTokens {
		t.Fatal("the app still requires DPoP after the box was unticked")
	}

	h.api.cfg.DPoPOff = true
	for _, w := range []*httptest.ResponseRecorder{
		h.get(t, "/admin/apps/chat/options?access_token_format=opaque&dpop_bound_access_tokens=true"),
		h.post(t, "/admin/apps/chat/options", url.Values{"access_token_format": {"opaque"}, "dpop_bound_access_tokens": {"true"}}),
	} {
		if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), "DPoP is turned off on this provider") {
			t.Fatalf("while DPoP is off: status %d:\n%s", w.Code, w.Body)
		}
	}
	if a, _ := h.store.GetClient(t.Context(), "chat"); a.DPoPBoundAccessTokens {
		t.Fatal("a refused change was stored")
	}
}
