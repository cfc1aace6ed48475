package admin

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/tokenim/tokenim-auth/provider/audit"
	"github.com/tokenim/tokenim-auth/provider/resources"
)

// TestConsoleResources: the console lists the configured resources
// read-only and the stored ones; an administrator adds one (a refused
// form shown again with what was typed), changes its scopes and deletes
// it once confirmed, each recorded with them as actor; a configured one
// has no form and cannot be deleted.
func TestConsoleResources(t *testing.T) {
	t.Parallel()
	h := newConsole(t)
	h.api.cfg.Resources = []resources.Resource{{URI: "https://im.example.com", Name: "IM", Scopes: []string{"openid"}}}
	list := h.get(t, "/admin/resources")
	if list.Code != http.StatusOK || !strings.Contains(list.Body.String(), "https://im.example.com") || !strings.Contains(list.Body.String(), "From the configuration file") {
		t.Fatalf("the list: %d %s", list.Code, list.Body)
	}

	refused := h.post(t, "/admin/resources/create", url.Values{"uri": {"https://calls.example.com/#x"}, "name": {"Calls"}, "scope": {"im:calls.read"}})
	if refused.Code != http.StatusBadRequest || !strings.Contains(refused.Body.String(), "without a fragment") ||
		!strings.Contains(refused.Body.String(), `value="https://calls.example.com/#x"`) {
		t.Fatalf("refused: %d %s", refused.Code, refused.Body)
	}
	if w := h.post(t, "/admin/resources/create", url.Values{"uri": {"https://calls.example.com"}}); w.Code != http.StatusBadRequest ||
		!strings.Contains(w.Body.String(), "Tick at least one scope") {
		t.Errorf("no scope: %d", w.Code)
	}
	if w := h.post(t, "/admin/resources/create", url.Values{"uri": {"https://im.example.com"}, "scope": {"openid"}}); w.Code != http.StatusConflict {
		t.Errorf("a configured URI: %d", w.Code)
	}

	const calls = "https://calls.example.com"
	page := "/admin/resources/" + ResourceID(calls)
	made := h.post(t, "/admin/resources/create", url.Values{"uri": {calls}, "name": {"Calls"}, "scope": {"im:calls.read"}})
	if made.Code != http.StatusSeeOther || made.Header().Get("Location") != page+"?done=resource-created" {
		t.Fatalf("created: %d %s", made.Code, made.Header().Get("Location"))
	}
	if w := h.get(t, page); w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `action="`+page+`"`) {
		t.Fatalf("its page: %d %s", w.Code, w.Body)
	}
	if w := h.post(t, page, url.Values{"name": {"Calls API"}, "scope": {"im:calls.read", "openid"}}); w.Code != http.StatusSeeOther {
		t.Fatalf("save: %d %s", w.Code, w.Body)
	}
	if res, err := h.store.GetResource(t.Context(), calls); err != nil || res.Name != "Calls API" || len(res.Scopes) != 2 {
		t.Fatalf("saved %+v, %v", res, err)
	}
	if w := h.post(t, page, url.Values{"name": {"Calls API"}, "scope": {"im:nothing"}}); w.Code != http.StatusBadRequest {
		t.Errorf("save an unknown scope: %d", w.Code)
	}

	configured := "/admin/resources/" + ResourceID("https://im.example.com")
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
	if w := h.get(t, "/admin/resources/not!an-id"); w.Code != http.StatusNotFound {
		t.Errorf("a bad ID: %d", w.Code)
	}

	if w := h.get(t, page+"/delete"); w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `action="`+page+`/delete"`) {
		t.Fatalf("confirm delete: %d", w.Code)
	}
	if w := h.post(t, page+"/delete", url.Values{}); w.Code != http.StatusSeeOther {
		t.Fatalf("delete: %d %s", w.Code, w.Body)
	}
	if _, err := h.store.GetResource(t.Context(), calls); err == nil {
		t.Fatal("the resource is still stored")
	}
	var actions []string
	for _, rec := range records(t, h.store) {
		if rec.ActorID != "u-admin" {
			t.Errorf("record %s by %q", rec.Action, rec.ActorID)
		}
		actions = append(actions, rec.Action)
	}
	if strings.Join(actions, " ") != strings.Join([]string{audit.ResourceDeleted, audit.ResourceUpdated, audit.ResourceCreated}, " ") {
		t.Errorf("records %v", actions)
	}
}
