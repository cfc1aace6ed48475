package admin

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/tokenim/tokenim-auth/provider/audit"
	"github.com/tokenim/tokenim-auth/provider/resources"
	"github.com/tokenim/tokenim-auth/storage"
)

// TestConsoleExchangePolicies: the console lists the configured policies
// read-only and the stored ones; an administrator gives a client a
// policy (a refused form shown again with what was ticked, naming what is
// wrong), changes it and deletes it once confirmed, each recorded with
// them as actor; a configured one has no form and cannot be deleted; a
// post without the CSRF token changes nothing.
func TestConsoleExchangePolicies(t *testing.T) {
	t.Parallel()
	h := newConsole(t)
	h.api.cfg.Resources = []resources.Resource{{URI: "https://im.example.com", Name: "IM", Scopes: []string{"openid"}}}
	h.api.cfg.Exchange = []storage.ExchangePolicy{{ClientID: "chat", SubjectAudiences: []string{"https://im.example.com"}}}
	ctx := t.Context()
	if err := h.store.CreateResource(ctx, storage.Resource{URI: "https://search.example.com", Scopes: []string{"openid"}, CreatedAt: t0, UpdatedAt: t0}); err != nil {
		t.Fatal(err)
	}
	if err := h.store.CreateClient(ctx, storage.Client{ID: "spa", Name: "SPA", Type: storage.ClientPublic, TokenEndpointAuthMethod: "none",
		GrantTypes: []string{"authorization_code"}, RedirectURIs: []string{"https://spa.example/cb"}, CreatedAt: t0}); err != nil {
		t.Fatal(err)
	}
	list := h.get(t, "/admin/token-exchange")
	if body := list.Body.String(); list.Code != http.StatusOK || !strings.Contains(body, "<code>chat</code>") || !strings.Contains(body, "From the configuration file") ||
		!strings.Contains(body, `value="https://search.example.com"`) {
		t.Fatalf("the list: %d %s", list.Code, body)
	}

	for _, bad := range []struct {
		name string
		form url.Values
		want string
	}{
		{"an unknown client", url.Values{"client_id": {"nobody"}}, "must be an existing confidential client"},
		{"a public client", url.Values{"client_id": {"spa"}}, "public clients may not exchange tokens"},
		{"an unknown resource", url.Values{"client_id": {"bot"}, "resource": {"https://elsewhere.example"}}, "Tick only protected resources that exist"},
		{"an unknown scope", url.Values{"client_id": {"bot"}, "scope": {"im:nothing"}}, "Tick only scopes of the catalogue"},
	} {
		w := h.post(t, "/admin/token-exchange", bad.form)
		if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), bad.want) ||
			!strings.Contains(w.Body.String(), `value="`+bad.form.Get("client_id")+`"`) {
			t.Errorf("%s: %d %s", bad.name, w.Code, w.Body)
		}
	}
	if w := h.post(t, "/admin/token-exchange", url.Values{"client_id": {"chat"}}); w.Code != http.StatusConflict || !strings.Contains(w.Body.String(), "set in the configuration file") {
		t.Errorf("a configured client: %d", w.Code)
	}
	if w := h.post(t, "/admin/token-exchange", url.Values{"client_id": {"bot"}, "csrf_token": {"forged"}}); w.Code != http.StatusForbidden {
		t.Errorf("a post without the CSRF token: %d", w.Code)
	}
	if recs := records(t, h.store); len(recs) != 0 {
		t.Fatalf("refused posts changed something: %+v", recs)
	}

	page := "/admin/token-exchange/bot"
	made := h.post(t, "/admin/token-exchange", url.Values{"client_id": {"bot"}, "subject_audience": {"https://im.example.com"},
		"resource": {"https://search.example.com"}, "scope": {"im:calls.read"}, "impersonation": {"on"}})
	if made.Code != http.StatusSeeOther || made.Header().Get("Location") != page+"?done=exchange-created" {
		t.Fatalf("created: %d %s %s", made.Code, made.Header().Get("Location"), made.Body)
	}
	if p, err := h.store.GetExchangePolicy(ctx, "bot"); err != nil || !p.Impersonation || len(p.Resources) != 1 || p.SubjectAudiences[0] != "https://im.example.com" {
		t.Fatalf("stored %+v, %v", p, err)
	}
	if w := h.get(t, page+"?done=exchange-created"); w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `action="`+page+`"`) ||
		!strings.Contains(w.Body.String(), "The policy was added.") || !strings.Contains(w.Body.String(), `href="/admin/apps/bot"`) {
		t.Fatalf("its page: %d %s", w.Code, w.Body)
	}
	if w := h.post(t, page, url.Values{"scope": {"openid"}}); w.Code != http.StatusSeeOther {
		t.Fatalf("save: %d %s", w.Code, w.Body)
	}
	if p, err := h.store.GetExchangePolicy(ctx, "bot"); err != nil || p.Impersonation || len(p.Resources) != 0 || len(p.Scopes) != 1 {
		t.Fatalf("saved %+v, %v (unticked boxes must clear their lists)", p, err)
	}
	if w := h.post(t, page, url.Values{"resource": {"https://elsewhere.example"}}); w.Code != http.StatusBadRequest ||
		!strings.Contains(w.Body.String(), `value="https://elsewhere.example" checked`) {
		t.Errorf("save an unknown resource: %d %s", w.Code, w.Body)
	}

	configured := "/admin/token-exchange/chat"
	if w := h.get(t, configured); w.Code != http.StatusOK || strings.Contains(w.Body.String(), `action="`+configured+`"`) ||
		!strings.Contains(w.Body.String(), "it is read-only here") {
		t.Fatalf("the configured one's page: %d %s", w.Code, w.Body)
	}
	if w := h.get(t, configured+"/delete"); w.Code != http.StatusConflict {
		t.Errorf("confirm deleting a configured one: %d", w.Code)
	}
	if w := h.post(t, configured, url.Values{"scope": {"openid"}}); w.Code != http.StatusConflict {
		t.Errorf("save a configured one: %d", w.Code)
	}
	if w := h.get(t, "/admin/token-exchange/nobody"); w.Code != http.StatusNotFound {
		t.Errorf("a client without a policy: %d", w.Code)
	}

	if w := h.get(t, page+"/delete"); w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `action="`+page+`/delete"`) {
		t.Fatalf("confirm delete: %d", w.Code)
	}
	if w := h.post(t, page+"/delete", url.Values{"csrf_token": {"forged"}}); w.Code != http.StatusForbidden {
		t.Fatalf("delete without the CSRF token: %d", w.Code)
	}
	if w := h.post(t, page+"/delete", url.Values{}); w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/admin/token-exchange?done=exchange-deleted" {
		t.Fatalf("delete: %d %s", w.Code, w.Body)
	}
	if _, err := h.store.GetExchangePolicy(ctx, "bot"); err == nil {
		t.Fatal("the policy is still stored")
	}
	var actions []string
	for _, rec := range records(t, h.store) {
		if rec.ActorID != "u-admin" || rec.ClientID != "bot" {
			t.Errorf("record %s by %q about %q", rec.Action, rec.ActorID, rec.ClientID)
		}
		actions = append(actions, rec.Action)
	}
	if strings.Join(actions, " ") != strings.Join([]string{audit.ExchangePolicyDeleted, audit.ExchangePolicyUpdated, audit.ExchangePolicyCreated}, " ") {
		t.Errorf("records %v", actions)
	}
}
