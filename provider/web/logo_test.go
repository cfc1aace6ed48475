package web

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

func TestLogoAllowed(t *testing.T) {
	t.Parallel()
	for uri, want := range map[string]bool{
		"https://chat.example.com/logo.png":                           true,
		"https://chat.example.com:8443/a/logo.svg":                    true,
		"https://[2001:db8::1]/logo.png":                              true,
		"http://chat.example.com/logo.png":                            false,
		"javascript:alert(1)":                                         false,
		"JAVASCRIPT:alert(1)":                                         false,
		"data:image/png;base64,iVBORw0KGgo=":                          false,
		"data:image/svg+xml,<svg onload=alert(1)>":                    false,
		"//chat.example.com/logo.png":                                 false,
		"/static/logo.png":                                            false,
		"https://":                                                    false,
		"https:logo.png":                                              false,
		"https://user:pw@chat.example.com/l.png":                      false,
		"https://chat.example.com;script-src *":                       false,
		"https://chat.example.com/" + strings.Repeat("a", maxLogoURI): false,
		"": false,
	} {
		if got := LogoAllowed(uri); got != want {
			t.Errorf("LogoAllowed(%q) = %t, want %t", uri, got, want)
		}
	}
}

// A logo the rule refuses is not shown, and the page's
// Content-Security-Policy then allows no image from elsewhere; an allowed
// one is shown, sized, named after the app and loaded without a referrer,
// from its origin alone.
func TestConsentLogo(t *testing.T) {
	t.Parallel()
	r := newTestRenderer(t)
	for _, tc := range []struct {
		logo, wantSrc, wantImgSrc string
	}{
		{"https://cdn.acme.example/chat.png", "https://cdn.acme.example/chat.png", "img-src 'self' data: https://cdn.acme.example;"},
		{"http://cdn.acme.example/chat.png", "", "img-src 'self' data:;"},
		{"javascript:alert(document.domain)", "", "img-src 'self' data:;"},
		{"data:image/svg+xml,<svg/onload=alert(1)>", "", "img-src 'self' data:;"},
	} {
		t.Run(tc.logo, func(t *testing.T) {
			w := httptest.NewRecorder()
			req := httptest.NewRequestWithContext(t.Context(), http.MethodGet, "/consent", nil)
			if err := r.Consent(w, req, http.StatusOK, ConsentPage{CSRFToken: testCSRF, Flow: "f", ClientName: "Acme Chat", ClientID: "acme-chat",
				ClientLogoURI: tc.logo, UserEmail: "ann@example.com", Scopes: []string{"openid"}}); err != nil {
				t.Fatal(err)
			}
			if csp := w.Header().Get("Content-Security-Policy"); !strings.Contains(csp, tc.wantImgSrc) {
				t.Errorf("Content-Security-Policy %q, want %q", csp, tc.wantImgSrc)
			}
			if strings.Contains(w.Body.String(), "javascript:") || strings.Contains(w.Body.String(), "data:image") {
				t.Errorf("the page carries the refused logo:\n%s", w.Body)
			}
			doc, err := html.Parse(w.Body)
			if err != nil {
				t.Fatal(err)
			}
			imgs := elements(doc)["img"]
			if tc.wantSrc == "" {
				if len(imgs) != 0 {
					t.Fatalf("a refused logo is shown: %q", attr(imgs[0], "src"))
				}
				return
			}
			if len(imgs) != 1 || attr(imgs[0], "src") != tc.wantSrc || attr(imgs[0], "alt") != "Acme Chat" ||
				attr(imgs[0], "width") == "" || attr(imgs[0], "height") == "" || attr(imgs[0], "referrerpolicy") != "no-referrer" {
				t.Fatalf("want one logo %s, sized, named and sent without a referrer", tc.wantSrc)
			}
		})
	}
}
