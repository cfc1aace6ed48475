package oauth_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/tokenim/tokenim-auth/storage"
)

// Every JSON protocol endpoint refuses a parameter sent twice (RFC 6749
// section 3.1) before acting on either value.
func TestRepeatedParametersAreRefused(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, hh *harness) {
		h := newUserHarness(t, hh.store)
		botSecret := h.bot("bot", "im:messages.send")
		gwSecret := h.resourceServer("gw")
		h.addClient(storage.Client{ID: "tv", Name: "TV", Type: storage.ClientPublic, GrantTypes: []string{"urn:ietf:params:oauth:grant-type:device_code"}, Scopes: []string{"openid"}})
		push := authParams("app", h.appRedirect)
		push.Del("client_id")
		for _, tc := range []struct {
			name, path, body, user, pass string
		}{
			{"grant_type twice at the token endpoint", "/oauth2/token", "grant_type=client_credentials&grant_type=client_credentials", "bot", botSecret},
			{"scope twice at the token endpoint", "/oauth2/token", "grant_type=client_credentials&scope=im:messages.send&scope=im:messages.send", "bot", botSecret},
			{"a parameter both in the query and the body", "/oauth2/token?grant_type=client_credentials", "grant_type=client_credentials", "bot", botSecret},
			{"client_id twice at the device authorization endpoint", "/oauth2/device/auth", "client_id=tv&client_id=tv", "", ""},
			{"token twice at introspection", "/oauth2/introspect", "token=a&token=b", "gw", gwSecret},
			{"token twice at revocation", "/oauth2/revoke", "token=a&token=b", "app", h.appSecret},
			{"state twice at the PAR endpoint", "/oauth2/par", push.Encode() + "&state=other-state-value", "app", h.appSecret},
		} {
			t.Run(tc.name, func(t *testing.T) {
				req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, h.url(tc.path), strings.NewReader(tc.body))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				if tc.user != "" {
					req.SetBasicAuth(tc.user, tc.pass)
				}
				r := h.do(req)
				wantError(t, r, http.StatusBadRequest, "invalid_request")
				if !strings.Contains(r.str("error_description"), "more than once") {
					t.Fatalf("description %q does not say what is wrong", r.str("error_description"))
				}
			})
		}
		t.Run("audience may repeat (RFC 8693)", func(t *testing.T) {
			s := h.addClient(storage.Client{ID: "aud-bot", Name: "aud-bot", Type: storage.ClientConfidential, GrantTypes: []string{"client_credentials"},
				Scopes: []string{"im:messages.send"}, Audience: []string{"https://a.example", "https://b.example"}})
			req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, h.url("/oauth2/token"),
				strings.NewReader("grant_type=client_credentials&audience=https://a.example&audience=https://b.example"))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.SetBasicAuth("aud-bot", s)
			if r := h.do(req); r.status != http.StatusOK {
				t.Fatalf("got %d %s", r.status, r.raw)
			}
		})
	})
}

// A pushed request is held to the bounds and the redirect URI rule of
// the authorization endpoint, where it will be answered.
func TestPushedRequestBounds(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, hh *harness) {
		h := newUserHarness(t, hh.store)
		for name, mutate := range map[string]func(q map[string][]string){
			"an oversized state":                      func(q map[string][]string) { q["state"] = []string{strings.Repeat("s", 2049)} },
			"a loopback redirect URI on another path": func(q map[string][]string) { q["redirect_uri"] = []string{"http://127.0.0.1:5556/other"} },
			"a redirect URI with a user name":         func(q map[string][]string) { q["redirect_uri"] = []string{"http://evil@127.0.0.1/callback"} },
		} {
			t.Run(name+" is invalid_request", func(t *testing.T) {
				form := authParams("desktop", "http://127.0.0.1/callback")
				mutate(form)
				wantError(t, h.post("/oauth2/par", form, "", ""), http.StatusBadRequest, "invalid_request")
			})
		}
		t.Run("a native app pushes a loopback URI with another port", func(t *testing.T) {
			if r := h.post("/oauth2/par", authParams("desktop", "http://127.0.0.1:49152/callback"), "", ""); r.status != http.StatusCreated {
				t.Fatalf("got %d %s", r.status, r.raw)
			}
		})
	})
}
