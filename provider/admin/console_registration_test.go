package admin

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/provider/audit"
	"github.com/tokenim/tokenim-auth/provider/registration"
	"github.com/tokenim/tokenim-auth/storage"
)

// An administrator issues an initial access token from the apps page
// (confirmed, then posted): it is shown once, listed by its prefix since,
// and revoked from the list; each step is recorded with the
// administrator as actor.
func TestConsoleIssuesAndRevokesRegistrationTokens(t *testing.T) {
	h := newConsole(t)
	if w := h.get(t, "/admin/registration-tokens/create?expires=24h&uses=1"); w.Code != http.StatusNotFound {
		t.Fatalf("with registration off: %d, want 404", w.Code)
	}
	if w := h.get(t, "/admin/apps"); strings.Contains(w.Body.String(), "/admin/registration-tokens/create") {
		t.Fatal("the apps page offers registration tokens while registration is off")
	}
	tokens := registration.NewTokens(registration.TokensConfig{Store: h.store, Hasher: h.api.cfg.Links, Audit: h.api.cfg.Audit, Now: h.api.cfg.Now})
	h.api.cfg.RegistrationTokens = tokens

	if w := h.get(t, "/admin/apps"); !strings.Contains(w.Body.String(), `action="/admin/registration-tokens/create"`) {
		t.Fatalf("the apps page has no form issuing a token:\n%s", w.Body)
	}
	c := h.get(t, "/admin/registration-tokens/create?name=CI+bots&expires=168h&uses=5")
	if c.Code != http.StatusOK || !strings.Contains(c.Body.String(), `action="/admin/registration-tokens/create"`) || len(records(t, h.store)) != 0 {
		t.Fatalf("confirmation: %d\n%s", c.Code, c.Body)
	}
	for _, bad := range []string{"expires=24h&uses=0", "expires=24h&uses=1001", "expires=2h&uses=1", "expires=24h&uses=x"} {
		if w := h.get(t, "/admin/registration-tokens/create?"+bad); w.Code != http.StatusBadRequest {
			t.Errorf("confirming %s: %d, want 400", bad, w.Code)
		}
	}
	w := h.post(t, "/admin/registration-tokens/create", url.Values{"name": {"CI bots"}, "expires": {"168h"}, "uses": {"5"}})
	token := regexp.MustCompile(`<code id="registration-token">([^<]+)</code>`).FindStringSubmatch(w.Body.String())
	if w.Code != http.StatusCreated || token == nil {
		t.Fatalf("issuing: %d, no token shown:\n%s", w.Code, w.Body)
	}
	rec, err := tokens.Use(t.Context(), token[1])
	if err != nil || rec.MaxUses != 5 || rec.Name != "CI bots" || !rec.ExpiresAt.Equal(rec.CreatedAt.Add(168*time.Hour)) || rec.CreatedBy != "user:u-admin" {
		t.Fatalf("the token shown: %+v, %v", rec, err)
	}
	list := h.get(t, "/admin/apps").Body.String()
	if strings.Contains(list, token[1]) || !strings.Contains(list, rec.Prefix) || !strings.Contains(list, "1 / 5") {
		t.Fatalf("the list shows the token, or not its prefix and uses:\n%s", list)
	}
	revoke := "/admin/registration-tokens/" + rec.ID + "/revoke"
	if c := h.get(t, revoke); c.Code != http.StatusOK || !strings.Contains(c.Body.String(), `action="`+revoke+`"`) {
		t.Fatalf("revocation's confirmation: %d", c.Code)
	}
	if w := h.post(t, revoke, url.Values{}); w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/admin/apps?done=registration-revoked" {
		t.Fatalf("revoking: %d to %q", w.Code, w.Header().Get("Location"))
	}
	if _, err := tokens.Use(t.Context(), token[1]); err == nil {
		t.Fatal("a revoked token works")
	}
	if w := h.post(t, "/admin/registration-tokens/nope/revoke", url.Values{}); w.Code != http.StatusNotFound {
		t.Errorf("revoking an unknown token: %d, want 404", w.Code)
	}
	recs := records(t, h.store)
	if len(recs) != 2 || recs[0].Action != audit.RegistrationTokenRevoked || recs[1].Action != audit.RegistrationTokenCreated ||
		recs[0].ActorID != "u-admin" || recs[1].ActorID != "u-admin" {
		t.Fatalf("records %+v", recs)
	}
}

// A self-registered app is marked as such in the list and on its page;
// the scopes it asked for are approved, and it is disabled, as any app's.
func TestConsoleMarksAndApprovesSelfRegisteredApps(t *testing.T) {
	h := newConsole(t)
	bot := storage.Client{ID: "dcr-bot", Name: "Build bot", Type: storage.ClientConfidential, GrantTypes: []string{"authorization_code"},
		RedirectURIs: []string{"https://bot.example/cb"}, Scopes: []string{"openid"}, RequestedScopes: []string{"im:calls.read"},
		Registration: storage.ClientRegistration{At: time.Now(), ClientURI: "https://bot.example"}}
	if err := h.store.CreateClient(t.Context(), bot); err != nil {
		t.Fatal(err)
	}
	mark := "Self-registered"
	if body := h.get(t, "/admin/apps").Body.String(); strings.Count(body, mark) != 1 {
		t.Fatalf("the apps list marks %d apps self-registered, want 1:\n%s", strings.Count(body, mark), body)
	}
	page := h.get(t, "/admin/apps/dcr-bot").Body.String()
	if !strings.Contains(page, mark) || strings.Contains(page, `value="admin"`) {
		t.Fatalf("the app's page: no mark, or the admin scope offered:\n%s", page)
	}
	if w := h.post(t, "/admin/apps/dcr-bot/scopes", url.Values{"scope": {"openid", "im:calls.read"}}); w.Code != http.StatusSeeOther {
		t.Fatalf("approving: %d", w.Code)
	}
	if w := h.post(t, "/admin/apps/dcr-bot/scopes", url.Values{"scope": {"admin"}}); w.Code != http.StatusBadRequest {
		t.Fatalf("giving the admin scope to a self-registered app: %d, want 400", w.Code)
	}
	if w := h.post(t, "/admin/apps/dcr-bot/disable", url.Values{}); w.Code != http.StatusSeeOther {
		t.Fatalf("disabling: %d", w.Code)
	}
	c, _ := h.store.GetClient(t.Context(), "dcr-bot")
	if len(c.RequestedScopes) != 0 || strings.Join(c.Scopes, " ") != "openid im:calls.read" || !c.Disabled {
		t.Fatalf("after approval and disabling: %+v", c)
	}
}
