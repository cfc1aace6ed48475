package admin

import (
	"net/http"
	"strings"
	"testing"

	"github.com/tokenim/tokenim-auth/provider/scim"
)

func TestSCIMTokensThroughTheAPI(t *testing.T) {
	t.Parallel()
	a, store, _ := workspaceFixture(t)
	tokens := scim.NewTokens(scim.TokensConfig{Store: store, Hasher: a.cfg.Links, Audit: a.cfg.Audit, Now: a.cfg.Now})
	a.cfg.SCIMTokens = tokens
	acme, globex := twoWorkspaces(t, a, store)
	base := "/admin/api/v1/workspaces/" + acme.ID + "/scim-tokens"

	made := decodeBody[struct {
		Token string        `json:"token"`
		SCIM  scimTokenView `json:"scim_token"`
	}](t, callAs(t, a, "acme", "POST", base, `{"name":"Entra ID","expires_in_seconds":3600}`), http.StatusCreated)
	if rec, err := tokens.Authenticate(t.Context(), made.Token); err != nil || rec.WorkspaceID != acme.ID || made.SCIM.ExpiresAt == nil {
		t.Fatalf("the token made: %+v %+v, %v", made.SCIM, rec, err)
	}
	list := callAs(t, a, "acme", "GET", base, "")
	if list.Code != http.StatusOK || strings.Contains(list.Body.String(), made.Token) || !strings.Contains(list.Body.String(), made.SCIM.Prefix) {
		t.Fatalf("the list: %d %s, want the prefix and never the token", list.Code, list.Body)
	}
	for _, body := range []string{`{"name":""}`, `{"name":"a\u0000b"}`, `{"name":"x","expires_in_seconds":-1}`, `{"name":"x","expires_in_seconds":9223372036854775807}`, `{"nom":"x"}`} {
		if w := callAs(t, a, "acme", "POST", base, body); w.Code != http.StatusBadRequest {
			t.Errorf("POST %s: %d %s, want 400", body, w.Code, w.Body)
		}
	}
	// Another workspace's tokens are those of an unknown one.
	other := "/admin/api/v1/workspaces/" + globex.ID + "/scim-tokens"
	for _, c := range []struct{ method, path, body string }{
		{"GET", other, ""}, {"POST", other, `{"name":"mine"}`}, {"DELETE", other + "/" + made.SCIM.ID, ""},
	} {
		if w := callAs(t, a, "acme", c.method, c.path, c.body); w.Code != http.StatusNotFound {
			t.Errorf("%s %s by acme's client: %d, want 404", c.method, c.path, w.Code)
		}
	}
	if w := callAs(t, a, "platform", "DELETE", other+"/"+made.SCIM.ID, ""); w.Code != http.StatusNotFound {
		t.Fatalf("revoking acme's token under globex: %d, want 404", w.Code)
	}
	if _, err := tokens.Authenticate(t.Context(), made.Token); err != nil {
		t.Fatalf("acme's token after the attempts: %v", err)
	}
	if w := callAs(t, a, "acme", "DELETE", base+"/"+made.SCIM.ID, ""); w.Code != http.StatusNoContent {
		t.Fatalf("revoking: %d %s", w.Code, w.Body)
	}
	if _, err := tokens.Authenticate(t.Context(), made.Token); err == nil {
		t.Fatal("a revoked token works")
	}
	if recs := records(t, store); recs[0].Action != "scim.token_revoked" || recs[0].ActorID != "acme-bot" {
		t.Fatalf("the last record %+v", recs[0])
	}
}
