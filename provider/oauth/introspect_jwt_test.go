package oauth_test

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// introspectAccept asks about token as the given client with the Accept
// header accept.
func (h *harness) introspectAccept(token, user, pass, accept string) reply {
	h.t.Helper()
	req, err := http.NewRequestWithContext(h.t.Context(), http.MethodPost, h.url("/oauth2/introspect"), strings.NewReader(url.Values{"token": {token}}.Encode()))
	if err != nil {
		h.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", accept)
	req.SetBasicAuth(user, pass)
	return h.do(req)
}

// signedIntrospection are the claims of a signed introspection answer
// (RFC 9701 section 5).
type signedIntrospection struct {
	Issuer   string         `json:"iss"`
	Audience string         `json:"aud"`
	IssuedAt int64          `json:"iat"`
	Answer   map[string]any `json:"token_introspection"`
}

// A resource server asking with Accept: application/token-introspection+jwt
// gets the answer as a JWT the provider signed with its RS256 key (RFC
// 9701): typ token-introspection+jwt, iss, aud the caller, iat, and the
// JSON answer in token_introspection, inactive tokens included; any other
// Accept gets JSON as before.
func TestSignedIntrospection(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, h *harness) {
		botSecret := h.bot("bot", "im:messages.send")
		rsSecret := h.resourceServer("im")
		token := h.clientCredentials("bot", botSecret, nil)

		r := h.introspectAccept(token, "im", rsSecret, "application/token-introspection+jwt")
		if r.status != http.StatusOK || r.header.Get("Content-Type") != "application/token-introspection+jwt" || r.header.Get("Cache-Control") != "no-store" {
			t.Fatalf("%d %v %s", r.status, r.header, r.raw)
		}
		var c signedIntrospection
		h.verifyJWT(r.raw, "token-introspection+jwt", &c)
		if alg := jwtAlg(t, r.raw); alg != "RS256" {
			t.Errorf("signed with %s, want RS256 (RFC 9701's default)", alg)
		}
		if c.Issuer != h.srv.URL || c.Audience != "im" || time.Since(time.Unix(c.IssuedAt, 0)).Abs() > time.Minute {
			t.Errorf("claims %+v", c)
		}
		if c.Answer["active"] != true || c.Answer["client_id"] != "bot" || c.Answer["scope"] != "im:messages.send" {
			t.Errorf("token_introspection %v", c.Answer)
		}
		// Numbers as the JSON answer writes them, integers.
		if raw := jwtPayload(t, r.raw); !regexp.MustCompile(`"exp":\d+[,}]`).MatchString(raw) {
			t.Errorf("exp is not an integer in %s", raw)
		}

		r = h.introspectAccept("not-a-token", "im", rsSecret, "application/json;q=0.5, application/token-introspection+jwt")
		var unknown signedIntrospection
		h.verifyJWT(r.raw, "token-introspection+jwt", &unknown)
		if len(unknown.Answer) != 1 || unknown.Answer["active"] != false {
			t.Errorf("an unknown token: token_introspection %v, want only active false", unknown.Answer)
		}

		for _, accept := range []string{"application/json", "*/*", "application/token-introspection+jwt;q=0", ""} {
			r := h.introspectAccept(token, "im", rsSecret, accept)
			if r.status != http.StatusOK || !strings.HasPrefix(r.header.Get("Content-Type"), "application/json") || r.body["active"] != true {
				t.Errorf("Accept %q: %d %q %s", accept, r.status, r.header.Get("Content-Type"), r.raw)
			}
		}
		// A refused caller is refused in JSON, whatever it accepts.
		r = h.introspectAccept(token, "im", "wrong", "application/token-introspection+jwt")
		wantError(t, r, http.StatusUnauthorized, "invalid_client")
	})
}

// jwtPayload is the decoded payload of a compact JWT.
func jwtPayload(t *testing.T, token string) string {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("%q is not a compact JWT", token)
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}
