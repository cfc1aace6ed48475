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

	"github.com/tokenim/tokenim-auth/provider/clientrules"
	"github.com/tokenim/tokenim-auth/provider/web"
	"github.com/tokenim/tokenim-auth/storage"
)

// FuzzAppForm: any body posted as the app form is refused with a portal
// message, or read as an app whose every part is valid: a name of 1 to
// 100 characters, offered scopes, an https logo, a known token format,
// redirect URIs that pass clientrules.RedirectURIProblem (at least one unless
// a service, which has none and pushes nothing), allowed origins that pass
// clientrules.CheckOrigin (only for a web or browser app; a browser app always
// has some), a reuse window clientrules.ParseReuseWindow takes; the form
// re-shown and sent again reads the same.
func FuzzAppForm(f *testing.F) {
	offered := []string{"openid", "im:messages.send"}
	redirectProblem := func(raw string, native bool) string { return clientrules.RedirectURIProblem(raw, native, false) }
	checkOrigin := func(raw string) (string, string) { return clientrules.CheckOrigin(raw, false) }
	h := New(Config{Scopes: offered})
	read := func(t *testing.T, body string) (appForm, string, string) {
		r := httptest.NewRequestWithContext(t.Context(), http.MethodPost, "/apps", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		return h.form(r, r.PostFormValue("kind"))
	}
	f.Add("name=SPA&kind=browser&redirect_uris=https://spa.example/cb&refresh_token_reuse_window=30s")
	f.Add("name=SPA&kind=browser&redirect_uris=https://spa.example/cb&allowed_origins=https://SPA.example:443%0Ahttp://localhost:5173")
	f.Add("name=App&kind=native&redirect_uris=com.example:/cb&allowed_origins=https://app.example")
	f.Fuzz(func(t *testing.T, body string) {
		form, problem, arg := read(t, body)
		redirects := form.redirects
		if problem != "" {
			if !strings.HasPrefix(problem, "portal.") {
				t.Fatalf("body %q refused with %q", body, problem)
			}
			if problem == "portal.origin_invalid" {
				if _, msg := checkOrigin(arg); arg == "" || msg == "" {
					t.Fatalf("body %q: origin %q refused, but it is fine", body, arg)
				}
			}
			if problem == "portal.redirect_invalid" && (arg == "" || arg != strings.TrimSpace(arg) || redirectProblem(arg, form.Kind == kindNative) == "") {
				t.Fatalf("body %q: redirect URI %q refused, but it is fine", body, arg)
			}
		} else {
			switch {
			case form.Name == "" || form.Name != strings.TrimSpace(form.Name) || utf8.RuneCountInString(form.Name) > 100:
				t.Fatalf("body %q: name %q", body, form.Name)
			case !slices.Contains([]string{kindWeb, kindBrowser, kindNative, kindService}, form.Kind):
				t.Fatalf("body %q: kind %q", body, form.Kind)
			case slices.ContainsFunc(form.Scopes, func(s string) bool { return !slices.Contains(offered, s) }):
				t.Fatalf("body %q: scopes %q not offered", body, form.Scopes)
			case form.LogoURI != "" && !web.LogoAllowed(form.LogoURI):
				t.Fatalf("body %q: logo %q", body, form.LogoURI)
			case !storage.AccessTokenFormat(form.AccessTokenFormat).Known():
				t.Fatalf("body %q: token format %q", body, form.AccessTokenFormat)
			case form.BackchannelLogoutURI != "" && redirectProblem(form.BackchannelLogoutURI, false) != "":
				t.Fatalf("body %q: back-channel logout URI %q", body, form.BackchannelLogoutURI)
			case form.Kind == kindService && (redirects != nil || form.RequirePAR):
				t.Fatalf("body %q: a service with redirect URIs %q or pushed requests", body, redirects)
			case form.Kind != kindService && len(redirects) == 0:
				t.Fatalf("body %q: a %s app without a redirect URI", body, form.Kind)
			case (form.Kind == kindBrowser) != (len(form.origins) > 0) && form.Kind != kindWeb:
				t.Fatalf("body %q: a %s app with origins %q", body, form.Kind, form.origins)
			case form.Kind == kindService && form.window != nil:
				t.Fatalf("body %q: a service with a reuse window", body)
			}
			for _, o := range form.origins {
				if got, msg := checkOrigin(o); msg != "" || got != o {
					t.Fatalf("body %q: origin %q kept", body, o)
				}
			}
			if w, msg := clientrules.ParseReuseWindow(form.RefreshReuseWindow); msg != "" || (form.Kind != kindService && !reflect.DeepEqual(w, form.window)) {
				t.Fatalf("body %q: reuse window %q kept as %v", body, form.RefreshReuseWindow, form.window)
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
			"access_token_format": {form.AccessTokenFormat}, "allowed_origins": {form.AllowedOrigins}, "refresh_token_reuse_window": {form.RefreshReuseWindow}}
		if form.RequirePAR {
			again.Set("require_par", "1")
		}
		if form.DPoPBoundAccessTokens {
			again.Set("dpop_bound_access_tokens", "true")
		}
		form2, problem2, arg2 := read(t, again.Encode())
		if problem2 != problem || arg2 != arg || !reflect.DeepEqual(form2, form) {
			t.Fatalf("body %q read as %+v %q; sent again: %+v %q", body, form, problem, form2, problem2)
		}
	})
}
