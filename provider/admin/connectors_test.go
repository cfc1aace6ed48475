package admin

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/tokenim/tokenim-auth/config"
	"github.com/tokenim/tokenim-auth/provider/audit"
	"github.com/tokenim/tokenim-auth/provider/secret"
	"github.com/tokenim/tokenim-auth/provider/upstream"
	"github.com/tokenim/tokenim-auth/storage"
	"github.com/tokenim/tokenim-auth/storage/memory"
)

// theSecret is the secret the tests type: no page, answer or record may
// hold it.
const theSecret = "s3cret-never-shown"

// withConnectors gives a the configuration's rules, with the configured
// connector entra (domain corp.example.com), and a sealer.
func withConnectors(t *testing.T, a *API) secret.Sealer {
	t.Helper()
	cfg := config.Default()
	cfg.Issuer = "https://auth.example.com"
	cfg.Upstreams = []config.Upstream{{ID: "entra", Kind: "oidc", Preset: "entra", Tenant: "corp.example.com", Name: "Entra ID",
		ClientID: "id", ClientSecretEnv: "ENTRA_SECRET", Domains: []string{"corp.example.com"}}}
	ring, err := secret.NewKeyring(strings.Repeat("u", 32))
	if err != nil {
		t.Fatal(err)
	}
	sealer, err := ring.Sealer(secret.PurposeUpstreams)
	if err != nil {
		t.Fatal(err)
	}
	a.cfg.Connectors, a.cfg.UpstreamSealer = cfg, &sealer
	return sealer
}

// noSecretIn fails if any of texts, or any record, holds theSecret.
func noSecretIn(t *testing.T, store storage.Audit, texts ...string) {
	t.Helper()
	recs, err := json.Marshal(records(t, store))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range append(texts, string(recs)) {
		if strings.Contains(s, theSecret) {
			t.Fatalf("the secret is shown:\n%s", s)
		}
	}
}

func TestAPIConnectors(t *testing.T) {
	t.Parallel()
	a, store := fixture(t)
	sealer := withConnectors(t, a)
	var bodies []string
	do := func(method, path, body string, status int) map[string]any {
		t.Helper()
		w := call(t, a, method, path, body)
		bodies = append(bodies, w.Body.String())
		if w.Code != status {
			t.Fatalf("%s %s: status %d, want %d: %s", method, path, w.Code, status, w.Body)
		}
		var out map[string]any
		if w.Body.Len() > 0 {
			if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil {
				t.Fatal(err)
			}
		}
		return out
	}

	created := do("POST", "/admin/api/v1/connectors", `{"id":"okta","kind":"oidc","name":"Okta","domains":["okta.example"],
		"issuer":"https://example.okta.com","client_id":"0oa1","client_secret":"`+theSecret+`"}`, http.StatusCreated)
	if created["has_secret"] != true || created["issuer"] != "https://example.okta.com" || created["configured"] != false {
		t.Fatalf("created %v", created)
	}
	stored, err := store.GetConnector(t.Context(), "okta")
	if err != nil {
		t.Fatal(err)
	}
	if plain, err := upstream.OpenSecret(sealer, "okta", stored.SealedSecret); err != nil || plain != theSecret {
		t.Fatalf("the stored secret opens to %q, %v", plain, err)
	}
	if recs := records(t, store); len(recs) != 1 || recs[0].Action != audit.ConnectorCreated || recs[0].ActorID != "ops-bot" ||
		recs[0].Detail["connector"] != "okta" || recs[0].Detail["secret"] != "set" {
		t.Fatalf("records %+v", recs)
	}

	list := do("GET", "/admin/api/v1/connectors", "", http.StatusOK)["connectors"].([]any)
	if len(list) != 2 || list[0].(map[string]any)["id"] != "entra" || list[0].(map[string]any)["configured"] != true ||
		list[0].(map[string]any)["has_secret"] != false || list[1].(map[string]any)["id"] != "okta" {
		t.Fatalf("list %v", list)
	}
	if got := do("GET", "/admin/api/v1/connectors/entra", "", http.StatusOK); got["tenant"] != "corp.example.com" || got["client_secret_env"] != nil {
		t.Fatalf("configured connector %v", got)
	}

	changed := do("PATCH", "/admin/api/v1/connectors/okta", `{"domains":["okta.example","okta.example.org"],"client_secret":"`+theSecret+`2"}`, http.StatusOK)
	if changed["has_secret"] != true || len(changed["domains"].([]any)) != 2 {
		t.Fatalf("changed %v", changed)
	}
	if r := records(t, store)[0]; r.Action != audit.ConnectorUpdated || r.Detail["changed"] != "domains secret" {
		t.Fatalf("record %+v", r)
	}
	// A change keeping the secret keeps the sealed one.
	do("PATCH", "/admin/api/v1/connectors/okta", `{"name":"Okta SSO","scopes":["openid","email"]}`, http.StatusOK)
	if again, _ := store.GetConnector(t.Context(), "okta"); string(again.SealedSecret) == string(stored.SealedSecret) || len(again.SealedSecret) == 0 {
		t.Fatal("the secret was not replaced, or was lost")
	}
	if r := records(t, store)[0]; r.Detail["changed"] != "name settings.scopes" {
		t.Fatalf("record %+v", r)
	}

	for _, tc := range []struct{ method, path, body, field string }{
		{"POST", "/admin/api/v1/connectors", `{"id":"x","kind":"kerberos","name":"X"}`, "kind"},
		{"POST", "/admin/api/v1/connectors", `{"id":"x","kind":"oidc","name":"X","issuer":"https://x.example","client_secret":"s"}`, "client_id"},
		{"POST", "/admin/api/v1/connectors", `{"id":"x","kind":"oidc","name":"X","issuer":"https://x.example","client_id":"c","client_secret":"s","domains":["corp.example.com"]}`, "domains[0]"},
		{"POST", "/admin/api/v1/connectors", `{"id":"x","kind":"oidc","name":"X","colour":"red"}`, "colour"},
		{"POST", "/admin/api/v1/connectors", `{"id":"x","kind":"oidc","name":"X","bind_password":"` + theSecret + `"}`, "bind_password"},
		{"POST", "/admin/api/v1/connectors", `{"id":"x","kind":"oidc","name":"X","client_secret_file":"/etc/shadow"}`, "client_secret_file"},
		{"POST", "/admin/api/v1/connectors", `{"id":"x","kind":"oidc","name":7}`, "name"},
		{"POST", "/admin/api/v1/connectors", `{"id":"Entra","kind":"oidc","name":"X"}`, "id"},
		{"POST", "/admin/api/v1/connectors", `{"id":"create","kind":"oidc","name":"X"}`, "id"},
		{"POST", "/admin/api/v1/connectors", `{"id":"okta","kind":"oidc","name":"X","issuer":"https://x.example","client_id":"c","client_secret":"s"}`, "id"},
		{"POST", "/admin/api/v1/connectors", `{"id":"x","kind":"oidc","name":"a\u0000b"}`, "name"},
		{"PATCH", "/admin/api/v1/connectors/okta", `{"kind":"saml"}`, "kind"},
		{"PATCH", "/admin/api/v1/connectors/okta", `{"has_secret":false}`, "has_secret"},
		{"PATCH", "/admin/api/v1/connectors/okta", `{"issuer":"javascript:alert(1)"}`, "issuer"},
	} {
		w := call(t, a, tc.method, tc.path, tc.body)
		bodies = append(bodies, w.Body.String())
		wantRefused(t, w, tc.field)
	}
	if w := call(t, a, "POST", "/admin/api/v1/connectors", `[1]`); w.Code != http.StatusBadRequest {
		t.Fatalf("a body that is not an object: %d", w.Code)
	}
	if w := call(t, a, "POST", "/admin/api/v1/connectors", `{"id":"x","kind":"oidc","name":"X","issuer":"https://x.example","client_id":"c","client_secret":"s","domains":["corp.example.com"]}`); !strings.Contains(w.Body.String(), `connector \"entra\"`) {
		t.Fatalf("a domain of the configured connector is refused without naming it: %s", w.Body)
	}
	do("PATCH", "/admin/api/v1/connectors/entra", `{"name":"X"}`, http.StatusConflict)
	do("DELETE", "/admin/api/v1/connectors/entra", "", http.StatusConflict)
	do("GET", "/admin/api/v1/connectors/nope", "", http.StatusNotFound)

	if err := store.LinkIdentity(t.Context(), storage.LinkedIdentity{ConnectorID: "okta", Subject: "00u1", UserID: "u-ann", CreatedAt: t0}); err != nil {
		t.Fatal(err)
	}
	do("DELETE", "/admin/api/v1/connectors/okta", "", http.StatusNoContent)
	if r := records(t, store)[0]; r.Action != audit.ConnectorDeleted || r.Detail["connector"] != "okta" {
		t.Fatalf("record %+v", r)
	}
	if links, _ := store.ListUserIdentities(t.Context(), "u-ann"); len(links) != 0 {
		t.Fatalf("links through the deleted connector: %+v", links)
	}
	noSecretIn(t, store, bodies...)
}

func TestAPIUserIdentities(t *testing.T) {
	t.Parallel()
	a, store := fixture(t)
	withConnectors(t, a)
	for _, l := range []storage.LinkedIdentity{
		{ConnectorID: "entra", Subject: "a/b c", UserID: "u-ann", Email: "ann@corp.example.com", CreatedAt: t0},
		{ConnectorID: "gone", Subject: "42", UserID: "u-ann", CreatedAt: t0, LastUsedAt: t0},
	} {
		if err := store.LinkIdentity(t.Context(), l); err != nil {
			t.Fatal(err)
		}
	}
	w := call(t, a, "GET", "/admin/api/v1/users/u-ann/identities", "")
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `"connector":"entra","connector_name":"Entra ID","subject":"a/b c"`) ||
		!strings.Contains(w.Body.String(), `"connector":"gone","connector_name":""`) {
		t.Fatalf("identities: %d %s", w.Code, w.Body)
	}
	if w := call(t, a, "GET", "/admin/api/v1/users/nobody/identities", ""); w.Code != http.StatusNotFound {
		t.Fatalf("an unknown user's identities: %d", w.Code)
	}
	path := "/admin/api/v1/users/u-ann/identities/entra/" + url.PathEscape("a/b c")
	if w := call(t, a, "DELETE", path, ""); w.Code != http.StatusNoContent {
		t.Fatalf("unlink: %d %s", w.Code, w.Body)
	}
	if r := records(t, store)[0]; r.Action != audit.UpstreamUnlinked || r.Subject != "u-ann" || r.ActorID != "ops-bot" ||
		r.Detail["connector"] != "entra" || r.Detail["subject"] != "a/b c" {
		t.Fatalf("record %+v", r)
	}
	if w := call(t, a, "DELETE", path, ""); w.Code != http.StatusNotFound {
		t.Fatalf("unlink again: %d", w.Code)
	}
	if w := call(t, a, "DELETE", "/admin/api/v1/users/u-admin/identities/gone/42", ""); w.Code != http.StatusNotFound {
		t.Fatalf("another user's link: %d", w.Code)
	}
}

// TestAPIConnectorsNeedTheAdminScope: a token without the admin scope, or
// a workspace-bound admin client, is refused the connectors.
func TestAPIConnectorsNeedTheAdminScope(t *testing.T) {
	t.Parallel()
	a := New(Config{Store: memory.New(), AdminScope: "admin", Authenticate: func(context.Context, string) (string, string, []string, error) {
		return "chat", "", []string{"openid"}, nil
	}})
	for _, path := range []string{"/admin/api/v1/connectors", "/admin/api/v1/users/u-ann/identities"} {
		if w := call(t, a, "GET", path, ""); w.Code != http.StatusForbidden {
			t.Errorf("%s without the admin scope: %d", path, w.Code)
		}
	}
}

func TestConsoleConnectors(t *testing.T) {
	t.Parallel()
	h := newConsole(t)
	withConnectors(t, h.api)
	var pages []string
	get := func(path string, status int) string {
		t.Helper()
		w := h.get(t, path)
		pages = append(pages, w.Body.String())
		if w.Code != status {
			t.Fatalf("GET %s: status %d, want %d:\n%s", path, w.Code, status, w.Body)
		}
		return w.Body.String()
	}
	post := func(path string, form url.Values, status int) string {
		t.Helper()
		w := h.post(t, path, form)
		pages = append(pages, w.Body.String())
		if w.Code != status {
			t.Fatalf("POST %s: status %d, want %d:\n%s", path, w.Code, status, w.Body)
		}
		return w.Header().Get("Location") + w.Body.String()
	}

	if page := get("/admin/connectors", http.StatusOK); !strings.Contains(page, `href="/admin/connectors/entra"`) || !strings.Contains(page, "From the configuration file") {
		t.Fatalf("the list lacks the configured connector:\n%s", page)
	}
	if page := get("/admin/connectors/entra", http.StatusOK); strings.Contains(page, "<form method=\"post\"") || !strings.Contains(page, "read-only") {
		t.Fatalf("the configured connector is editable:\n%s", page)
	}
	get("/admin/connectors/create?kind=kerberos", http.StatusBadRequest)
	if page := get("/admin/connectors/create?kind=ldap", http.StatusOK); !strings.Contains(page, `name="bind_password" type="password" value=""`) ||
		!strings.Contains(page, `name="user_search.filter"`) {
		t.Fatalf("the ldap form:\n%s", page)
	}
	form := url.Values{"kind": {"ldap"}, "id": {"dir"}, "name": {"Directory"}, "url": {"ldaps://ldap.example.com"}, "bind_dn": {"cn=svc"},
		"user_search.base_dn": {"ou=people"}, "user_search.filter": {"(uid=%s)"}, "bind_password": {theSecret}, "email_verified": {"true"},
		"role_mapping": {"groups admins admin"}}
	if w := h.post(t, "/admin/connectors/create", url.Values{"csrf_token": {"forged"}, "kind": {"ldap"}}); w.Code != http.StatusForbidden {
		t.Fatalf("a post without the CSRF token: %d", w.Code)
	}
	bad := url.Values{}
	for k, v := range form {
		bad[k] = v
	}
	bad.Set("user_search.filter", "(uid=alice)")
	bad.Set("domains", "corp.example.com")
	page := post("/admin/connectors/create", bad, http.StatusBadRequest)
	for _, want := range []string{"<code>user_search.filter</code>", `a domain of connector &#34;entra&#34;`, `value="(uid=alice)"`, `value="cn=svc"`,
		`name="domains" type="text" value="corp.example.com" autocomplete="off" spellcheck="false" aria-describedby="connector-domains-hint" aria-invalid="true"`} {
		if !strings.Contains(page, want) {
			t.Fatalf("the refused form lacks %q:\n%s", want, page)
		}
	}
	bad.Set("role_mapping", "groups admins")
	if page := post("/admin/connectors/create", bad, http.StatusBadRequest); !strings.Contains(page, "role_mapping[0]") {
		t.Fatalf("a mapping of two words:\n%s", page)
	}
	if recs := records(t, h.store); len(recs) != 0 {
		t.Fatalf("a refused form changed something: %+v", recs)
	}
	if to := post("/admin/connectors/create", form, http.StatusSeeOther); !strings.HasPrefix(to, "/admin/connectors/dir?done=connector-created") {
		t.Fatalf("created: to %q", to)
	}
	r := records(t, h.store)[0]
	if r.Action != audit.ConnectorCreated || r.ActorType != audit.ActorUser || r.ActorID != "u-admin" || r.Detail["connector"] != "dir" {
		t.Fatalf("record %+v", r)
	}
	stored, err := h.store.GetConnector(t.Context(), "dir")
	if err != nil || string(stored.Settings) != `{"url":"ldaps://ldap.example.com","bind_dn":"cn=svc","user_search":{"base_dn":"ou=people","filter":"(uid=%s)"},"email_verified":true}` ||
		len(stored.RoleMapping) != 1 {
		t.Fatalf("stored %s %+v, %v", stored.Settings, stored.RoleMapping, err)
	}
	page = get("/admin/connectors/dir?done=connector-created", http.StatusOK)
	for _, want := range []string{"The connector was added.", "A secret is kept", `action="/admin/connectors/dir"`, "groups admins admin", `value="true" checked`} {
		if !strings.Contains(page, want) {
			t.Fatalf("the connector's page lacks %q:\n%s", want, page)
		}
	}
	// Saved again with the secret left empty: the sealed one stays.
	form.Del("bind_password")
	form.Set("name", "Corporate directory")
	if to := post("/admin/connectors/dir", form, http.StatusSeeOther); !strings.HasPrefix(to, "/admin/connectors/dir?done=connector-saved") {
		t.Fatalf("saved: to %q", to)
	}
	if again, _ := h.store.GetConnector(t.Context(), "dir"); string(again.SealedSecret) != string(stored.SealedSecret) || again.Name != "Corporate directory" {
		t.Fatalf("after saving: name %q, secret kept %v", again.Name, string(again.SealedSecret) == string(stored.SealedSecret))
	}
	if r := records(t, h.store)[0]; r.Action != audit.ConnectorUpdated || r.Detail["changed"] != "name" {
		t.Fatalf("record %+v", r)
	}

	for _, step := range []struct {
		action, to string
		want       audit.Event
	}{
		{"disable", "/admin/connectors/dir?done=connector-disabled", audit.Event{Action: audit.ConnectorUpdated}},
		{"enable", "/admin/connectors/dir?done=connector-enabled", audit.Event{Action: audit.ConnectorUpdated}},
		{"delete", "/admin/connectors?done=connector-deleted", audit.Event{Action: audit.ConnectorDeleted}},
	} {
		c := get("/admin/connectors/dir/"+step.action, http.StatusOK)
		if !strings.Contains(c, `action="/admin/connectors/dir/`+step.action+`"`) {
			t.Fatalf("%s: no confirmation:\n%s", step.action, c)
		}
		if step.action == "delete" && !strings.Contains(c, "identities linked through it are removed too") {
			t.Fatalf("the deletion's confirmation does not say the links go:\n%s", c)
		}
		if to := post("/admin/connectors/dir/"+step.action, url.Values{}, http.StatusSeeOther); to != step.to {
			t.Fatalf("%s: to %q", step.action, to)
		}
		if r := records(t, h.store)[0]; r.Action != step.want.Action || r.ActorID != "u-admin" {
			t.Fatalf("%s: record %+v", step.action, r)
		}
	}
	get("/admin/connectors/dir", http.StatusNotFound)
	get("/admin/connectors/entra/disable", http.StatusConflict)
	noSecretIn(t, h.store, pages...)
}

func TestConsoleConnectorsAreForAdmins(t *testing.T) {
	t.Parallel()
	h := newConsole(t)
	withConnectors(t, h.api)
	h.sessions.signed.User.Role = "member"
	for _, path := range []string{"/admin/connectors", "/admin/connectors/create?kind=oidc", "/admin/connectors/entra", "/admin/users/u-ann"} {
		if w := h.get(t, path); w.Code != http.StatusForbidden {
			t.Errorf("GET %s as a member: %d", path, w.Code)
		}
	}
	if w := h.post(t, "/admin/connectors/create", url.Values{"kind": {"oidc"}, "id": {"x"}, "name": {"X"}}); w.Code != http.StatusForbidden {
		t.Errorf("POST as a member: %d", w.Code)
	}
	if _, err := h.store.GetConnector(t.Context(), "x"); err == nil {
		t.Error("a member made a connector")
	}
}

func TestConsoleUserIdentities(t *testing.T) {
	t.Parallel()
	h := newConsole(t)
	withConnectors(t, h.api)
	if err := h.store.LinkIdentity(t.Context(), storage.LinkedIdentity{ConnectorID: "entra", Subject: "a/b", UserID: "u-ann",
		Email: "ann@corp.example.com", CreatedAt: t0}); err != nil {
		t.Fatal(err)
	}
	page := h.get(t, "/admin/users/u-ann").Body.String()
	remove := "/admin/users/u-ann/identities/entra/a%2Fb/remove"
	for _, want := range []string{"<td>Entra ID</td>", "<code>a/b</code>", "ann@corp.example.com", `href="` + remove + `"`} {
		if !strings.Contains(page, want) {
			t.Fatalf("the user's page lacks %q:\n%s", want, page)
		}
	}
	if c := h.get(t, remove); c.Code != http.StatusOK || !strings.Contains(c.Body.String(), `action="`+remove+`"`) {
		t.Fatalf("confirmation: %d\n%s", c.Code, c.Body)
	}
	if w := h.get(t, "/admin/users/u-admin/identities/entra/a%2Fb/remove"); w.Code != http.StatusNotFound {
		t.Fatalf("another user's link: %d", w.Code)
	}
	if w := h.post(t, remove, url.Values{"csrf_token": {"forged"}}); w.Code != http.StatusForbidden {
		t.Fatalf("without the CSRF token: %d", w.Code)
	}
	if w := h.post(t, remove, url.Values{}); w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/admin/users/u-ann?done=identity-removed" {
		t.Fatalf("remove: %d %q", w.Code, w.Header().Get("Location"))
	}
	r := records(t, h.store)[0]
	if r.Action != audit.UpstreamUnlinked || r.ActorID != "u-admin" || r.Subject != "u-ann" || r.Detail["subject"] != "a/b" {
		t.Fatalf("record %+v", r)
	}
	if w := h.post(t, remove, url.Values{}); w.Code != http.StatusNotFound {
		t.Fatalf("remove again: %d", w.Code)
	}
}

// TestShadowedConnectorIsNotDeleted: a stored connector the configuration
// shadows (same ID) is not deleted, since its links are the configured
// one's too: they stay.
func TestShadowedConnectorIsNotDeleted(t *testing.T) {
	t.Parallel()
	a, store := fixture(t)
	withConnectors(t, a)
	ctx := t.Context()
	if err := store.CreateConnector(ctx, storage.Connector{ID: "entra", Kind: "oidc", Name: "Old Entra", Settings: json.RawMessage(`{"client_id":"x"}`)}); err != nil {
		t.Fatal(err)
	}
	u, err := store.GetUserByEmail(ctx, "ann@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if err := store.LinkIdentity(ctx, storage.LinkedIdentity{ConnectorID: "entra", Subject: "ann-entra", UserID: u.ID}); err != nil {
		t.Fatal(err)
	}
	if err := a.DeleteConnector(ctx, ByUser(u.ID), "entra"); !errors.Is(err, ErrConfiguredConnector) {
		t.Fatalf("delete of a shadowed connector: %v, want ErrConfiguredConnector", err)
	}
	if _, err := store.GetLinkedIdentity(ctx, "entra", "ann-entra"); err != nil {
		t.Fatalf("the configured connector's link is gone: %v", err)
	}
}
