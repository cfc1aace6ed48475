package login

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/tokenim/tokenim-auth/provider/session"
	"github.com/tokenim/tokenim-auth/provider/web"
	"github.com/tokenim/tokenim-auth/templates"
)

// withSignedInBar gives the handler pages of its own that show who is
// signed in, from the harness's browser, as serve wires them.
func withSignedInBar(t *testing.T) func(*Config) {
	return func(c *Config) {
		sessions := c.Sessions
		pages, err := web.New(web.Config{FS: templates.FS(), SignedIn: func(r *http.Request) (string, bool) {
			s, ok, err := sessions.Current(r.Context(), r)
			if err != nil || !ok {
				return "", false
			}
			return s.User.Email, true
		}})
		if err != nil {
			t.Fatal(err)
		}
		c.Pages = pages
	}
}

// The sign-out link every page shows a signed-in browser leads to the
// confirmation (GET /oauth2/logout with no parameters), which signs out
// once confirmed; neither that page nor the signed-out page shows the
// link, and afterwards no page does.
func TestSignOutLinkOfEveryPage(t *testing.T) {
	t.Parallel()
	h := signedInWithApp(t, withSignedInBar(t))
	const bar = "Signed in as ann@example.com"

	w := h.get(t, "/password/forgot")
	wantPage(t, w, http.StatusOK, bar, `href="/account"`, `href="/oauth2/logout"`)
	wantPage(t, h.get(t, "/password/forgot", "Accept-Language", "zh-CN"), http.StatusOK, "已登录：ann@example.com", "退出登录")

	w = h.get(t, "/oauth2/logout")
	wantPage(t, w, http.StatusOK, "Sign out of TokenIM?", `action="/oauth2/logout"`)
	if strings.Contains(w.Body.String(), bar) || strings.Contains(w.Body.String(), `href="/oauth2/logout"`) {
		t.Errorf("the confirmation page shows the signed-in bar:\n%s", w.Body)
	}
	w = h.post(t, "/oauth2/logout", url.Values{session.CSRFField: {"t"}})
	wantPage(t, w, http.StatusOK, "You have signed out")
	if h.signedIn(t) {
		t.Fatal("confirming did not sign out")
	}
	if strings.Contains(w.Body.String(), bar) {
		t.Errorf("the signed-out page shows the signed-in bar:\n%s", w.Body)
	}
	if w := h.get(t, "/password/forgot"); strings.Contains(w.Body.String(), bar) || strings.Contains(w.Body.String(), `href="/oauth2/logout"`) {
		t.Errorf("a page after signing out shows the signed-in bar:\n%s", w.Body)
	}
}
