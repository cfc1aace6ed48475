package rs

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"
)

// FuzzBearer: any Authorization header is read as a b64token of the
// Bearer scheme (RFC 6750 section 2.1) or the DPoP scheme (RFC 9449
// section 7.1; either scheme in any case), as no token, or as a malformed
// credential; a token sent as "Bearer <token>" or "DPoP <token>" comes
// back unchanged, with its scheme, exactly when it is a b64token; and the
// quoted-strings of the challenge a refusal sends are well formed
// whatever goes in them.
func FuzzBearer(f *testing.F) {
	f.Fuzz(func(t *testing.T, header, token string) {
		got, ok, malformed := readCredential(header)
		scheme, rest, _ := strings.Cut(header, " ")
		isDPoP := strings.EqualFold(scheme, "DPoP")
		known := strings.EqualFold(scheme, "Bearer") || isDPoP
		switch {
		case ok:
			if malformed != "" || !known || got.dpop != isDPoP || got.token == "" || !isB64Token(got.token) || strings.TrimLeft(rest, " ") != got.token {
				t.Fatalf("readCredential(%q) = %+v, ok, %q: not the b64token after the scheme", header, got, malformed)
			}
		case malformed != "":
			if !known || got.token != "" {
				t.Fatalf("readCredential(%q) = %+v, malformed %q, for a header of scheme %q", header, got, malformed, scheme)
			}
		case known:
			t.Fatalf("readCredential(%q) found no token and nothing malformed in a %s header", header, scheme)
		}

		if !strings.HasPrefix(token, " ") {
			for _, s := range []string{"Bearer", "bearer", "BEARER", "DPoP", "dpop"} {
				got, ok, malformed := readCredential(s + " " + token)
				if ok != isB64Token(token) || (ok && (got.token != token || got.dpop != strings.EqualFold(s, "DPoP"))) || ok == (malformed != "") {
					t.Fatalf("readCredential(%q) = %+v, %v, %q", s+" "+token, got, ok, malformed)
				}
			}
		}

		q := quote(header)
		inner, found := strings.CutPrefix(q, `"`)
		inner, found2 := strings.CutSuffix(inner, `"`)
		if !found || !found2 || strings.ContainsFunc(inner, func(r rune) bool { return r < 0x20 || r > 0x7e || r == '"' || r == '\\' }) {
			t.Fatalf("quote(%q) = %s: not a quoted-string of printable ASCII", header, q)
		}
	})
}

// FuzzRequireAuth: RequireAuth accepts exactly the levels a quoted-string
// carries unchanged and that do not read as a list; for those, a token of
// the very level required always meets the level, "" requires none, and a
// refusal's challenge is the RFC 9470 one, carrying the level and the age
// unchanged, with the description its JSON body has.
func FuzzRequireAuth(f *testing.F) {
	f.Add("2", "1", int64(60), int64(300))
	f.Add("2", "3", int64(600), int64(300))
	f.Add("urn:example:gold", "urn:example:gold", int64(-1), int64(0))
	f.Add("", "", int64(0), int64(0))
	f.Add("2 3", "2", int64(0), int64(0))
	f.Add("10", "9", int64(0), int64(1))
	f.Fuzz(func(t *testing.T, acr, have string, age, maxAge int64) {
		age, maxAge = min(max(age, -1), 1<<30), min(max(maxAge, -1), 1<<30)
		sendable := !strings.ContainsFunc(acr, func(r rune) bool { return r < '!' || r > '~' || r == '"' || r == '\\' })
		var guard func(http.Handler) http.Handler
		func() {
			defer func() {
				if p := recover(); p != nil && sendable {
					t.Fatalf("RequireAuth(%q) panicked: %v", acr, p)
				}
			}()
			guard = RequireAuth(acr, time.Duration(maxAge)*time.Second)
		}()
		if !sendable {
			if guard != nil {
				t.Fatalf("RequireAuth(%q) accepted a level a quoted-string cannot carry", acr)
			}
			return
		}
		now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
		tok := Token{ACR: have}
		if age >= 0 {
			tok.AuthTime = now.Add(-time.Duration(age) * time.Second)
		}
		req := httptest.NewRequestWithContext(context.WithValue(t.Context(), authKey{}, auth{token: tok, challenge: challenge{realm: "im"}, now: func() time.Time { return now }}), "GET", "/", nil)
		rec := httptest.NewRecorder()
		guard(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})).ServeHTTP(rec, req)

		ageOK := maxAge <= 0 || age >= 0 && age <= maxAge
		if ageOK && (acr == "" || have == acr) && rec.Code != http.StatusOK {
			t.Fatalf("level %q, required %q, %ds old, max %ds: refused %q", have, acr, age, maxAge, rec.Header().Get("WWW-Authenticate"))
		}
		if !ageOK && rec.Code == http.StatusOK {
			t.Fatalf("a sign-in %ds old passed a max age of %ds", age, maxAge)
		}
		if rec.Code == http.StatusOK {
			return
		}
		var body errorBody
		if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
			t.Fatalf("body %q: %v", rec.Body, err)
		}
		want := `Bearer realm="im", error="insufficient_user_authentication", error_description="` + body.Description + `"`
		if acr != "" {
			want += `, acr_values="` + acr + `"`
		}
		if maxAge > 0 {
			want += `, max_age="` + strconv.FormatInt(maxAge, 10) + `"`
		}
		if got := rec.Header().Get("WWW-Authenticate"); rec.Code != http.StatusUnauthorized || got != want || body.ACRValues != acr || body.Error != "insufficient_user_authentication" {
			t.Fatalf("refusal %d %q, body %+v; want 401 %q", rec.Code, got, body, want)
		}
	})
}
