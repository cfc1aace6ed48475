package portal

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/tokenim/tokenim-auth/config"
	"github.com/tokenim/tokenim-auth/provider/web"
	"github.com/tokenim/tokenim-auth/storage"
)

// FuzzAppForm: any body posted as the app form is refused with a portal
// message, or read as an app whose every part is valid: a name of 1 to
// 100 characters, offered scopes, an https logo, a known token format,
// redirect URIs that pass config.RedirectURIProblem (at least one unless
// a service, which has none and pushes nothing); the form re-shown and
// sent again reads the same.
func FuzzAppForm(f *testing.F) {
	offered := []string{"openid", "im:messages.send"}
	redirectProblem := func(raw string, native bool) string { return config.RedirectURIProblem(raw, native, false) }
	h := New(Config{Scopes: offered, RedirectProblem: redirectProblem})
	read := func(t *testing.T, body string) (web.AppForm, []string, string, string) {
		r := httptest.NewRequestWithContext(t.Context(), http.MethodPost, "/apps", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		return h.form(r, r.PostFormValue("kind"))
	}
	f.Fuzz(func(t *testing.T, body string) {
		form, redirects, problem, arg := read(t, body)
		if problem != "" {
			if !strings.HasPrefix(problem, "portal.") || redirects != nil {
				t.Fatalf("body %q refused with %q, redirects %q", body, problem, redirects)
			}
			if problem == "portal.redirect_invalid" && (arg == "" || arg != strings.TrimSpace(arg) || redirectProblem(arg, form.Kind == kindNative) == "") {
				t.Fatalf("body %q: redirect URI %q refused, but it is fine", body, arg)
			}
		} else {
			switch {
			case form.Name == "" || form.Name != strings.TrimSpace(form.Name) || utf8.RuneCountInString(form.Name) > 100:
				t.Fatalf("body %q: name %q", body, form.Name)
			case form.Kind != kindWeb && form.Kind != kindNative && form.Kind != kindService:
				t.Fatalf("body %q: kind %q", body, form.Kind)
			case slices.ContainsFunc(form.Scopes, func(s string) bool { return !slices.Contains(offered, s) }):
				t.Fatalf("body %q: scopes %q not offered", body, form.Scopes)
			case form.LogoURI != "" && !strings.HasPrefix(form.LogoURI, "https://"):
				t.Fatalf("body %q: logo %q", body, form.LogoURI)
			case !storage.AccessTokenFormat(form.AccessTokenFormat).Known():
				t.Fatalf("body %q: token format %q", body, form.AccessTokenFormat)
			case form.BackchannelLogoutURI != "" && redirectProblem(form.BackchannelLogoutURI, false) != "":
				t.Fatalf("body %q: back-channel logout URI %q", body, form.BackchannelLogoutURI)
			case form.Kind == kindService && (redirects != nil || form.RequirePAR):
				t.Fatalf("body %q: a service with redirect URIs %q or pushed requests", body, redirects)
			case form.Kind != kindService && len(redirects) == 0:
				t.Fatalf("body %q: a %s app without a redirect URI", body, form.Kind)
			}
			for _, u := range redirects {
				if u != strings.TrimSpace(u) || strings.Contains(u, "\n") || redirectProblem(u, form.Kind == kindNative) != "" {
					t.Fatalf("body %q: redirect URI %q kept", body, u)
				}
			}
		}

		// The form as the page shows it again, sent again.
		again := url.Values{"name": {form.Name}, "description": {form.Description}, "logo_uri": {form.LogoURI}, "kind": {form.Kind},
			"redirect_uris": {form.RedirectURIs}, "backchannel_logout_uri": {form.BackchannelLogoutURI}, "scope": form.Scopes,
			"access_token_format": {form.AccessTokenFormat}}
		if form.RequirePAR {
			again.Set("require_par", "1")
		}
		form2, redirects2, problem2, arg2 := read(t, again.Encode())
		if problem2 != problem || arg2 != arg || !slices.Equal(redirects2, redirects) || !reflect.DeepEqual(form2, form) {
			t.Fatalf("body %q read as %+v %q %q; sent again: %+v %q %q", body, form, redirects, problem, form2, redirects2, problem2)
		}
	})
}
