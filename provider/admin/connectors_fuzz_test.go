package admin

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// FuzzConnectorBody: whatever JSON an admin client sends to create or
// change a connector, the answer is a success or a 400 (a 404 or 409 for
// a change), never a 500, and never holds a secret it was sent.
func FuzzConnectorBody(f *testing.F) {
	for _, s := range []string{
		`{"id":"okta","kind":"oidc","name":"Okta","issuer":"https://x.example","client_id":"c","client_secret":"s3cret-fuzz"}`,
		`{"id":"dir","kind":"ldap","name":"D","url":"ldaps://l","bind_dn":"cn=x","bind_password":"s3cret-fuzz","user_search":{"base_dn":"o","filter":"(uid=%s)"}}`,
		`{"kind":"saml","attributes":{"email":7}}`, `{"domains":"x"}`, `{"role_mapping":[{"claim":"g"}]}`, `null`, `{"":null}`, `{"id":"\u0000"}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		a, _ := fixture(t)
		withConnectors(t, a)
		if w := call(t, a, "POST", "/admin/api/v1/connectors", `{"id":"base","kind":"oidc","name":"B","issuer":"https://b.example","client_id":"c","client_secret":"x"}`); w.Code != http.StatusCreated {
			t.Fatalf("setup: %d %s", w.Code, w.Body)
		}
		var secrets map[string]any
		_ = json.Unmarshal([]byte(body), &secrets)
		for _, req := range []struct{ method, path string }{{"POST", "/admin/api/v1/connectors"}, {"PATCH", "/admin/api/v1/connectors/base"}} {
			w := call(t, a, req.method, req.path, body)
			if w.Code >= 500 {
				t.Fatalf("%s %s %q: %d %s", req.method, req.path, body, w.Code, w.Body)
			}
			for _, k := range []string{"client_secret", "bind_password"} {
				if s, ok := secrets[k].(string); ok && len(s) > 3 && strings.Contains(w.Body.String(), s) {
					t.Fatalf("%s %q: the answer holds the secret: %s", req.method, body, w.Body)
				}
			}
		}
	})
}

// FuzzConsoleConnectorForm: whatever a connector form posts, the console
// answers a redirect or a page saying what is wrong, never a 500.
func FuzzConsoleConnectorForm(f *testing.F) {
	f.Add("ldap", "dir", "D", "ldaps://l", "(uid=%s)", "groups admins admin", "corp.example.com")
	f.Add("oidc", "x", "", "javascript:x", "", "a b", "A.example")
	f.Add("kerberos", "create", "\x00", "", "", "\n\n", ",")
	f.Fuzz(func(t *testing.T, kind, id, name, link, filter, mapping, domains string) {
		h := newConsole(t)
		withConnectors(t, h.api)
		form := url.Values{"kind": {kind}, "id": {id}, "name": {name}, "url": {link}, "issuer": {link}, "metadata_url": {link},
			"user_search.filter": {filter}, "role_mapping": {mapping}, "domains": {domains}, "client_id": {name}, "client_secret": {"s"}}
		if w := h.post(t, "/admin/connectors/create", form); w.Code >= 500 {
			t.Fatalf("%v: %d\n%s", form, w.Code, w.Body)
		}
	})
}
