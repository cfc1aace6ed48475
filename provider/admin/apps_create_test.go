package admin

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/tokenim/tokenim-auth/provider/audit"
	"github.com/tokenim/tokenim-auth/storage"
	"github.com/tokenim/tokenim-auth/storage/memory"
)

// created is the answer to POST /apps.
type created struct {
	ClientID                string   `json:"client_id"`
	ClientSecret            string   `json:"client_secret"`
	Type                    string   `json:"type"`
	GrantTypes              []string `json:"grant_types"`
	Scopes                  []string `json:"scopes"`
	TokenEndpointAuthMethod string   `json:"token_endpoint_auth_method"`
	Secrets                 []struct {
		ID     string `json:"id"`
		Prefix string `json:"prefix"`
	} `json:"secrets"`
}

func TestCreateAppShowsItsSecretOnce(t *testing.T) {
	t.Parallel()
	a, store := fixture(t)
	w := call(t, a, "POST", "/admin/api/v1/apps", `{"client_id":"ops-2","name":"Ops","type":"confidential","grant_types":["client_credentials"],"scopes":["admin"]}`)
	if w.Code != http.StatusCreated {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	var got created
	if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if got.ClientID != "ops-2" || got.ClientSecret == "" || got.TokenEndpointAuthMethod != "client_secret_basic" ||
		!slices.Equal(got.GrantTypes, []string{"client_credentials"}) || !slices.Equal(got.Scopes, []string{"admin"}) || len(got.Secrets) != 1 {
		t.Fatalf("created %s", w.Body)
	}
	c, err := store.GetClient(t.Context(), "ops-2")
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Secrets) != 1 || a.cfg.Hasher.Compare(c.Secrets[0].Hash, got.ClientSecret) != nil || !strings.HasPrefix(got.ClientSecret, c.Secrets[0].Prefix) {
		t.Fatal("the secret shown is not the one stored")
	}
	for _, path := range []string{"/admin/api/v1/apps/ops-2", "/admin/api/v1/apps", "/admin/api/v1/apps/ops-2/secrets"} {
		if w := call(t, a, "GET", path, ""); w.Code != http.StatusOK || strings.Contains(w.Body.String(), got.ClientSecret) || strings.Contains(w.Body.String(), "client_secret\"") {
			t.Fatalf("GET %s shows the secret again (status %d): %s", path, w.Code, w.Body)
		}
	}
	recs := records(t, store) // newest first
	if len(recs) != 2 || recs[1].Action != audit.AppCreated || recs[0].Action != audit.SecretCreated {
		t.Fatalf("records %+v; want app.created then secret.created", recs)
	}
	for _, r := range recs {
		if r.ClientID != "ops-2" || r.ActorType != audit.ActorClient || r.ActorID != "ops-bot" || strings.Contains(r.Detail["prefix"]+r.Detail["secret_id"], got.ClientSecret) {
			t.Errorf("record %+v", r)
		}
	}
	if recs[1].Detail["name"] != "Ops" || recs[1].Detail["type"] != "confidential" || !slices.Equal(recs[1].Scopes, []string{"admin"}) {
		t.Errorf("app.created %+v", recs[1])
	}
}

func TestCreatePublicAppHasNoSecret(t *testing.T) {
	t.Parallel()
	a, store := fixture(t)
	w := call(t, a, "POST", "/admin/api/v1/apps", `{"name":"Desk","type":"public","redirect_uris":["http://127.0.0.1/cb"],"scopes":["openid"]}`)
	if w.Code != http.StatusCreated {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	var got created
	if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(got.ClientID, "app-") || got.ClientSecret != "" || len(got.Secrets) != 0 || got.TokenEndpointAuthMethod != "none" ||
		!slices.Equal(got.GrantTypes, []string{"authorization_code", "refresh_token"}) {
		t.Fatalf("created %s; want a generated ID, no secret, the public defaults", w.Body)
	}
	if recs := records(t, store); len(recs) != 1 || recs[0].Action != audit.AppCreated {
		t.Fatalf("records %+v; want app.created alone", recs)
	}
}

func TestCreateAppRefusals(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, body, field string
	}{
		{"no name", `{"type":"confidential","grant_types":["client_credentials"]}`, "name"},
		{"a name longer than the consent page shows", `{"name":"` + strings.Repeat("x", 101) + `","type":"confidential","grant_types":["client_credentials"]}`, "name"},
		{"an unknown type", `{"name":"x","type":"trusted"}`, "type"},
		{"an ID with a space", `{"client_id":"my app","name":"x","type":"confidential","grant_types":["client_credentials"]}`, "id"},
		{"plain http to a public host", `{"name":"x","type":"confidential","redirect_uris":["http://app.example.com/cb"]}`, "redirect_uris[0]"},
		{"no redirect URI for the code grant", `{"name":"x","type":"confidential"}`, "redirect_uris"},
		{"a public app with client credentials", `{"name":"x","type":"public","grant_types":["client_credentials"]}`, "grant_types"},
		{"an unknown grant", `{"name":"x","type":"confidential","grant_types":["password"]}`, "grant_types[0]"},
		{"a scope outside the catalogue", `{"name":"x","type":"confidential","grant_types":["client_credentials"],"scopes":["root"]}`, "scopes[0]"},
		{"a reuse window over a minute", `{"name":"x","type":"public","redirect_uris":["http://127.0.0.1/cb"],"refresh_token_reuse_window":"2m"}`, "refresh_token_reuse_window"},
		{"private_key_jwt without keys", `{"name":"x","type":"confidential","grant_types":["client_credentials"],"token_endpoint_auth_method":"private_key_jwt"}`, "jwks_uri"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			a, store := fixture(t)
			wantRefused(t, call(t, a, "POST", "/admin/api/v1/apps", tc.body), tc.field)
			wantNoApp(t, store)
		})
	}
	t.Run("an ID in use is 409 naming client_id", func(t *testing.T) {
		t.Parallel()
		a, store := fixture(t)
		w := call(t, a, "POST", "/admin/api/v1/apps", `{"client_id":"chat","name":"x","type":"confidential","grant_types":["client_credentials"]}`)
		if w.Code != http.StatusConflict || !strings.Contains(w.Body.String(), "client_id: ") {
			t.Fatalf("status %d %s; want 409 naming client_id", w.Code, w.Body)
		}
		wantNoApp(t, store)
	})
	t.Run("an unknown field is 400", func(t *testing.T) {
		t.Parallel()
		a, store := fixture(t)
		w := call(t, a, "POST", "/admin/api/v1/apps", `{"name":"x","type":"confidential","grant_types":["client_credentials"],"client_secret":"mine"}`)
		if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), "client_secret") {
			t.Fatalf("status %d %s; want 400 naming the field", w.Code, w.Body)
		}
		wantNoApp(t, store)
	})
}

// wantNoApp checks that the fixture has its two apps and no record.
func wantNoApp(t *testing.T, store *memory.Store) {
	t.Helper()
	if list, _ := store.ListClients(t.Context()); len(list) != 3 { // chat, bot and ops-bot, the caller
		t.Fatalf("a refused app was stored: %+v", list)
	}
	if recs := records(t, store); len(recs) != 0 {
		t.Fatalf("a refused app left records: %+v", recs)
	}
}

// addDevApp adds a service a developer registered in the portal, its
// scopes waiting for approval.
func addDevApp(t *testing.T, store *memory.Store) {
	t.Helper()
	if err := store.CreateClient(t.Context(), storage.Client{ID: "dev-bot", Name: "Dev bot", Type: storage.ClientConfidential, OwnerID: "u-ann",
		TokenEndpointAuthMethod: "client_secret_basic", GrantTypes: []string{"client_credentials"}, RequestedScopes: []string{"im:calls.read"}, CreatedAt: t0}); err != nil {
		t.Fatal(err)
	}
}

// TestAdminScopeIsNeverGivenToADevelopersApp: neither the API nor the
// console gives the admin scope to an app a developer registered, and
// the console does not offer it; an app an administrator registered may
// have it.
func TestAdminScopeIsNeverGivenToADevelopersApp(t *testing.T) {
	t.Parallel()
	t.Run("the API refuses it naming scopes", func(t *testing.T) {
		t.Parallel()
		a, store := fixture(t)
		addDevApp(t, store)
		wantRefused(t, call(t, a, "PATCH", "/admin/api/v1/apps/dev-bot", `{"scopes":["im:calls.read","admin"]}`), "scopes")
		if c, _ := store.GetClient(t.Context(), "dev-bot"); len(c.Scopes) != 0 || !slices.Equal(c.RequestedScopes, []string{"im:calls.read"}) {
			t.Fatalf("a refused change was stored: %+v", c)
		}
		if recs := records(t, store); len(recs) != 0 {
			t.Fatalf("a refused change left records: %+v", recs)
		}
		if w := call(t, a, "PATCH", "/admin/api/v1/apps/bot", `{"scopes":["admin"]}`); w.Code != http.StatusOK {
			t.Fatalf("an administrator's app refused the admin scope: %d %s", w.Code, w.Body)
		}
	})
	t.Run("the console does not offer it and refuses it", func(t *testing.T) {
		t.Parallel()
		h := newConsole(t)
		addDevApp(t, h.store)
		page := h.get(t, "/admin/apps/dev-bot")
		if page.Code != http.StatusOK || strings.Contains(page.Body.String(), `value="admin"`) || !strings.Contains(page.Body.String(), `value="im:calls.read"`) {
			t.Fatalf("status %d; want the form without the admin scope:\n%s", page.Code, page.Body)
		}
		if page := h.get(t, "/admin/apps/bot"); !strings.Contains(page.Body.String(), `value="admin"`) {
			t.Fatalf("an administrator's app is not offered the admin scope:\n%s", page.Body)
		}
		if w := h.get(t, "/admin/apps/dev-bot/scopes?scope=admin"); w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), "never given to an app a developer registered") {
			t.Fatalf("confirming the admin scope: status %d:\n%s", w.Code, w.Body)
		}
		if w := h.post(t, "/admin/apps/dev-bot/scopes", url.Values{"scope": {"admin"}}); w.Code != http.StatusBadRequest {
			t.Fatalf("posting the admin scope: status %d:\n%s", w.Code, w.Body)
		}
		if c, _ := h.store.GetClient(t.Context(), "dev-bot"); len(c.Scopes) != 0 {
			t.Fatalf("the admin scope was given: %+v", c.Scopes)
		}
		if recs := records(t, h.store); len(recs) != 0 {
			t.Fatalf("a refused change left records: %+v", recs)
		}
	})
}

// TestConsoleTicksRequestedScopes: the approval form comes with the
// scopes a developer requested ticked, so reviewing it as it is approves
// them.
func TestConsoleTicksRequestedScopes(t *testing.T) {
	t.Parallel()
	h := newConsole(t)
	addDevApp(t, h.store)
	body := h.get(t, "/admin/apps/dev-bot").Body.String()
	box := regexp.MustCompile(`<input type="checkbox" id="scope-\d+" name="scope" value="([^"]+)"( checked)?>`)
	ticked := map[string]bool{}
	for _, m := range box.FindAllStringSubmatch(body, -1) {
		ticked[m[1]] = m[2] != ""
	}
	if !ticked["im:calls.read"] || ticked["openid"] || len(ticked) != 2 {
		t.Fatalf("boxes %v; want im:calls.read ticked, openid not, no admin:\n%s", ticked, body)
	}
}
