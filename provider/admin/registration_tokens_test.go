package admin

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/provider/registration"
)

func TestRegistrationTokensThroughTheAPI(t *testing.T) {
	t.Parallel()
	a, store, _ := workspaceFixture(t)
	base := "/admin/api/v1/registration-tokens"
	if w := callAs(t, a, "platform", "GET", base, ""); w.Code != http.StatusNotFound {
		t.Fatalf("with registration off: %d %s, want 404", w.Code, w.Body)
	}
	tokens := registration.NewTokens(registration.TokensConfig{Store: store, Hasher: a.cfg.Links, Audit: a.cfg.Audit, Now: a.cfg.Now})
	a.cfg.RegistrationTokens = tokens

	made := decodeBody[struct {
		Token string                `json:"token"`
		Rec   registrationTokenView `json:"registration_token"`
	}](t, callAs(t, a, "platform", "POST", base, `{"name":"CI bots","expires_in_seconds":3600,"max_uses":2}`), http.StatusCreated)
	if !strings.HasPrefix(made.Token, made.Rec.Prefix) || made.Rec.MaxUses != 2 || made.Rec.UsesLeft != 2 || !made.Rec.Usable ||
		!made.Rec.ExpiresAt.Equal(a.cfg.Now().UTC().Truncate(time.Second).Add(time.Hour)) {
		t.Fatalf("the token made: %q %+v", made.Token, made.Rec)
	}
	if _, err := tokens.Use(t.Context(), made.Token); err != nil {
		t.Fatalf("using the token made: %v", err)
	}
	dflt := decodeBody[struct {
		Rec registrationTokenView `json:"registration_token"`
	}](t, callAs(t, a, "platform", "POST", base, `{}`), http.StatusCreated)
	if dflt.Rec.MaxUses != 1 || !dflt.Rec.ExpiresAt.Equal(dflt.Rec.CreatedAt.Add(24*time.Hour)) {
		t.Fatalf("defaults: %+v, want single use for a day", dflt.Rec)
	}
	list := callAs(t, a, "platform", "GET", base, "")
	if list.Code != http.StatusOK || strings.Contains(list.Body.String(), made.Token) || !strings.Contains(list.Body.String(), made.Rec.Prefix) ||
		!strings.Contains(list.Body.String(), `"uses":1`) {
		t.Fatalf("the list: %d %s, want the prefix and uses, never the token", list.Code, list.Body)
	}
	for _, body := range []string{`{"max_uses":0}`, `{"max_uses":1001}`, `{"expires_in_seconds":10}`, `{"expires_in_seconds":9223372036854775807}`,
		`{"expires_in_seconds":-1}`, `{"name":"a\nb"}`, `{"uses":3}`} {
		if w := callAs(t, a, "platform", "POST", base, body); w.Code != http.StatusBadRequest {
			t.Errorf("POST %s: %d %s, want 400", body, w.Code, w.Body)
		}
	}
	twoWorkspaces(t, a, store)
	if w := callAs(t, a, "acme", "GET", base, ""); w.Code != http.StatusForbidden {
		t.Errorf("a workspace-bound client: %d, want 403", w.Code)
	}
	if w := callAs(t, a, "platform", "DELETE", base+"/nope", ""); w.Code != http.StatusNotFound {
		t.Errorf("revoking an unknown token: %d, want 404", w.Code)
	}
	if w := callAs(t, a, "platform", "DELETE", base+"/"+made.Rec.ID, ""); w.Code != http.StatusNoContent {
		t.Fatalf("revoking: %d %s", w.Code, w.Body)
	}
	if _, err := tokens.Use(t.Context(), made.Token); err == nil {
		t.Fatal("a revoked token works")
	}
	if recs := records(t, store); recs[0].Action != "registration_token.revoked" || recs[0].ActorID != "ops-bot" {
		t.Fatalf("the last record %+v", recs[0])
	}
}
