package oauth_test

import (
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/tokenim/tokenim-auth/provider/oauth"
	"github.com/tokenim/tokenim-auth/provider/web/webtest"
)

// formPost is what a browser finds on a form_post page: the form's
// method, action and fields, the inline scripts and the button.
type formPost struct {
	method, action string
	fields         url.Values
	scripts        []string
	button         bool
}

func readFormPost(t *testing.T, resp *http.Response) formPost {
	t.Helper()
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Location") != "" || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("got %d %q to %q, want a form_post page", resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Location"))
	}
	doc, err := html.Parse(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	f := formPost{fields: url.Values{}}
	attr := func(n *html.Node, key string) string {
		for _, a := range n.Attr {
			if a.Key == key {
				return a.Val
			}
		}
		return ""
	}
	for n := range doc.Descendants() {
		if n.Type != html.ElementNode {
			continue
		}
		switch n.Data {
		case "form":
			f.method, f.action = attr(n, "method"), attr(n, "action")
		case "input":
			f.fields.Add(attr(n, "name"), attr(n, "value"))
		case "script":
			if n.FirstChild != nil {
				f.scripts = append(f.scripts, n.FirstChild.Data)
			}
		case "button":
			f.button = n.FirstChild != nil && strings.TrimSpace(n.FirstChild.Data) != ""
		}
	}
	return f
}

// cspDirectives splits a Content-Security-Policy into its directives.
func cspDirectives(csp string) map[string][]string {
	out := map[string][]string{}
	for d := range strings.SplitSeq(csp, ";") {
		if fields := strings.Fields(d); len(fields) > 0 {
			out[fields[0]] = fields[1:]
		}
	}
	return out
}

// The form_post response mode (OAuth 2.0 Form Post Response Mode) answers
// with a page that posts code or error, state and iss (RFC 9207) to the
// redirect URI; its Content-Security-Policy lets exactly its own script
// run and its form go to the redirect URI's origin alone.
func TestFormPostResponseMode(t *testing.T) {
	t.Parallel()
	pages := webtest.Pages(t)
	eachBackend(t, func(t *testing.T, hh *harness) {
		h := newUserHarness(t, hh.store, func(cfg *oauth.Config) { cfg.Pages = pages })
		formPostOf := func(q url.Values) (formPost, *http.Response) {
			q.Set("response_mode", "form_post")
			resp := h.authorize(t, q.Encode())
			return readFormPost(t, resp), resp
		}
		checkPage := func(t *testing.T, f formPost, resp *http.Response) {
			t.Helper()
			if f.method != "post" || f.action != h.appRedirect || f.fields.Get("state") != "state-0123456789" || f.fields.Get("iss") != h.srv.URL || !f.button {
				t.Fatalf("form %+v", f)
			}
			if len(f.scripts) != 1 {
				t.Fatalf("scripts %q", f.scripts)
			}
			sum := sha256.Sum256([]byte(f.scripts[0]))
			csp := cspDirectives(resp.Header.Get("Content-Security-Policy"))
			if want := []string{"'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"}; !slices.Equal(csp["script-src"], want) {
				t.Fatalf("script-src %q, want %q", csp["script-src"], want)
			}
			if !slices.Equal(csp["form-action"], []string{"https://app.example"}) || !slices.Equal(csp["default-src"], []string{"'none'"}) {
				t.Fatalf("Content-Security-Policy %q", resp.Header.Get("Content-Security-Policy"))
			}
			if strings.Contains(resp.Header.Get("Content-Security-Policy"), "unsafe") {
				t.Fatalf("Content-Security-Policy %q", resp.Header.Get("Content-Security-Policy"))
			}
		}
		t.Run("a code is posted with state and iss", func(t *testing.T) {
			f, resp := formPostOf(authParams("app", h.appRedirect))
			checkPage(t, f, resp)
			if f.fields.Get("code") == "" || f.fields.Has("error") {
				t.Fatalf("fields %v", f.fields)
			}
			r := h.post("/oauth2/token", url.Values{"grant_type": {"authorization_code"}, "code": {f.fields.Get("code")},
				"redirect_uri": {h.appRedirect}, "code_verifier": {pkceVerifier}}, "app", h.appSecret)
			if r.status != http.StatusOK {
				t.Fatalf("the posted code: %d %s", r.status, r.raw)
			}
		})
		t.Run("an error is posted with state and iss", func(t *testing.T) {
			q := authParams("app", h.appRedirect)
			q.Set("scope", "openid nope")
			f, resp := formPostOf(q)
			checkPage(t, f, resp)
			if f.fields.Get("error") != "invalid_scope" || f.fields.Get("error_description") == "" || f.fields.Has("code") {
				t.Fatalf("fields %v", f.fields)
			}
		})
		t.Run("a bad redirect URI still ends on the error page", func(t *testing.T) {
			q := authParams("app", "https://evil.example/cb")
			q.Set("response_mode", "form_post")
			pageKey(t, h.authorize(t, q.Encode()), http.StatusBadRequest)
		})
		for _, mode := range []string{"fragment", "web_message", "jwt"} {
			t.Run("response_mode="+mode+" is refused in the query, with iss", func(t *testing.T) {
				q := authParams("app", h.appRedirect)
				q.Set("response_mode", mode)
				cb := redirected(t, h.authorize(t, q.Encode()), h.appRedirect)
				if cb.Get("error") != "unsupported_response_mode" || cb.Get("iss") != h.srv.URL || cb.Get("state") != "state-0123456789" || cb.Get("code") != "" {
					t.Fatalf("callback %v", cb)
				}
			})
		}
		t.Run("discovery lists query and form_post", func(t *testing.T) {
			r := h.do(mustGet(t, h.url("/.well-known/openid-configuration")))
			if modes, _ := r.body["response_modes_supported"].([]any); len(modes) != 2 || modes[0] != "query" || modes[1] != "form_post" {
				t.Fatalf("response_modes_supported %v", r.body["response_modes_supported"])
			}
		})
	})
}
