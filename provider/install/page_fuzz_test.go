package install_test

import (
	"html"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/tokenim/tokenim-auth/provider/install"
	"github.com/tokenim/tokenim-auth/provider/session"
	"github.com/tokenim/tokenim-auth/provider/web/webtest"
	"github.com/tokenim/tokenim-auth/storage"
)

// FuzzInstallPageForm: whatever the address's workspace and app and
// whatever bytes a member posts (with a valid CSRF token), the page
// answers without a server error, and an installation made carries only
// scopes the app asks for, never a sign-in scope.
func FuzzInstallPageForm(f *testing.F) {
	const valid = "scope=im:messages.read&scope=im:messages.send"
	for _, s := range [][3]string{
		{"acme", "bot", valid},
		{"acme", "bot", "scope=openid&scope=admin"},
		{"acme", "bot", "scope=%00&scope=%ff%fe&scope="},
		{"acme", "bot", "scope=im:messages.read;scope=x&&=&%zz"},
		{"ACME", "bot", "scope=im:messages.read"},
		{"acme/../x", "%2e%2e", "scope=im:messages.read"},
		{"", "", strings.Repeat("scope=im:messages.read&", 300)},
	} {
		f.Add(s[0], s[1], s[2])
	}
	f.Fuzz(func(t *testing.T, handle, clientID, body string) {
		h := newPageHarness(t, storage.InstallsMembers)
		h.browser.user = "member"
		page := h.serve(t, webtest.Get(t, botPage))
		m := csrfInput.FindStringSubmatch(page.Body.String())
		if page.Code != http.StatusOK || m == nil {
			t.Fatalf("the page: %d", page.Code)
		}
		path := install.Path(handle, clientID)
		if got := h.serve(t, webtest.Get(t, path)); got.Code >= 500 {
			t.Fatalf("GET %q: %d", path, got.Code)
		}
		req := httptest.NewRequestWithContext(t.Context(), http.MethodPost, path,
			strings.NewReader(body+"&"+session.CSRFField+"="+strings.ReplaceAll(html.UnescapeString(m[1]), "+", "%2B")))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		for _, c := range page.Result().Cookies() {
			req.AddCookie(c)
		}
		if got := h.serve(t, req, "Origin", "https://auth.example.com"); got.Code >= 500 {
			t.Fatalf("POST %q %q: %d\n%s", path, body, got.Code, got.Body)
		}
		list, err := h.store.ListInstallations(t.Context(), "w1", "")
		if err != nil {
			t.Fatal(err)
		}
		if path == botPage && body == valid && len(list) != 1 {
			t.Fatalf("the valid form installed %+v: the fuzz target posts no accepted form", list)
		}
		for _, in := range list {
			for _, sc := range slices.Concat(in.Scopes, in.Requested) {
				if sc != "im:messages.read" && sc != "im:messages.send" {
					t.Fatalf("installed %+v from %q", in, body)
				}
			}
		}
	})
}
