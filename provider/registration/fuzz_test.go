package registration_test

import (
	"strings"
	"testing"

	"github.com/tokenim/tokenim-auth/provider/registration"
)

// FuzzParseMetadata: any body is parsed or refused with an RFC 7591
// error naming what is wrong, never a panic; what is parsed is text
// within the bounds.
func FuzzParseMetadata(f *testing.F) {
	for _, seed := range []string{
		`{"redirect_uris":["https://bot.example/cb"],"client_name":"Bot","scope":"openid profile"}`,
		`{"redirect_uris":"https://x"}`, `{"grant_types":[1,2]}`, `{"jwks":{"keys":[]}}`, `{"jwks":null,"client_name":null}`,
		`[]`, `null`, `{`, `{"client_name":"\u0000"}`, `{"contacts":["a","b"],"x":{"y":[1]}}`, `"text"`, ``,
		`{"dpop_bound_access_tokens":true}`, `{"dpop_bound_access_tokens":"yes"}`, `{"dpop_bound_access_tokens":null}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		m, err := registration.ParseMetadata(body)
		if err != nil {
			if err.Status != 400 || (err.Code != registration.CodeInvalidClientMetadata && err.Code != registration.CodeInvalidRedirectURI) || err.Description == "" {
				t.Fatalf("refusal %+v", err)
			}
			return
		}
		for _, s := range append(append([]string{m.ClientName, m.ClientURI, m.Scope, m.LogoURI}, m.RedirectURIs...), m.Contacts...) {
			if strings.ContainsRune(s, 0) || len(s) > 2000 {
				t.Fatalf("accepted %q", s)
			}
		}
		if len(m.RedirectURIs) > 20 || len(m.Contacts) > 20 {
			t.Fatalf("accepted %d redirect URIs, %d contacts", len(m.RedirectURIs), len(m.Contacts))
		}
	})
}
