package ratelimit

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// FuzzAssertionSubject: the client a request's client assertion names is
// read without trusting it, so any string may come. Reading it never
// panics; only a compact JWS names a client; a signed assertion names its
// sub claim; a form's client_assertion is read as that, and a client_id
// beside it wins; the budget key made of what was read is short and
// printable whatever was sent.
func FuzzAssertionSubject(f *testing.F) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		f.Fatal(err)
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: key}, (&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, assertion, subject string) {
		sub := assertionSubject(assertion)
		if sub != "" && strings.Count(assertion, ".") != 2 {
			t.Fatalf("assertionSubject(%q) = %q, but it is not a compact JWS", assertion, sub)
		}
		if got := clientID(formRequest(url.Values{"client_assertion": {assertion}})); got != sub {
			t.Fatalf("a form's client_assertion names %q, want %q", got, sub)
		}
		if got := clientID(formRequest(url.Values{"client_id": {"app"}, "client_assertion": {assertion}})); got != "app" {
			t.Fatalf("with a client_id beside the assertion the client is %q, want app", got)
		}
		if k := clientKey(sub); len(k) > maxKeyPart || strings.ContainsFunc(k, func(r rune) bool { return r <= ' ' || r >= 0x7f }) {
			t.Fatalf("budget key %q of %q is long or not printable", k, sub)
		}

		if !utf8.ValidString(subject) {
			return // JSON would carry it changed
		}
		signed, err := jwt.Signed(signer).Claims(jwt.Claims{Issuer: subject, Subject: subject, Audience: jwt.Audience{"https://auth.example.com/oauth2/token"}}).Serialize()
		if err != nil {
			t.Fatal(err)
		}
		if got := assertionSubject(signed); got != subject {
			t.Fatalf("the assertion of %q names %q", subject, got)
		}
	})
}

func formRequest(form url.Values) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/oauth2/token", strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return r
}
