package oidc

import (
	"encoding/json"
	"errors"
	"net/url"
	"testing"

	"github.com/tokenim/tokenim-auth/provider/mailaddr"
	"github.com/tokenim/tokenim-auth/provider/upstream"
)

// FuzzMapClaims: whatever claims an upstream signs, the mapping never
// panics and yields a usable subject and, if any, a plain email.
func FuzzMapClaims(f *testing.F) {
	f.Add([]byte(`{"sub":"a","email":"a@example.com","email_verified":"true","groups":["x",1,null],"amr":"pwd"}`), "")
	f.Add([]byte(`{"sub":"\u0000","email":"a@b\u0000.c"}`), "entra")
	f.Add([]byte(`{"sub":"ok","email":"Bob <b@example.com>","xms_edov":true,"groups_direct":"g"}`), "gitlab")
	f.Add([]byte(`{"sub":"ok","sid":"op-session\u0007"}`), "")
	f.Fuzz(func(t *testing.T, raw []byte, preset string) {
		var claims map[string]any
		if json.Unmarshal(raw, &claims) != nil {
			return
		}
		id, err := mapClaims(ClaimMapping{}, Preset(preset), claims)
		if err != nil {
			return
		}
		if id.Subject == "" || !upstream.CleanText(id.Subject) || len(id.Subject) > upstream.MaxSubject {
			t.Fatalf("subject %q", id.Subject)
		}
		if id.Email != "" && !mailaddr.Valid(id.Email) {
			t.Fatalf("email %q", id.Email)
		}
		if id.Email == "" && id.EmailVerified {
			t.Fatal("verified without an email")
		}
		for _, s := range append(append([]string{id.Name, id.Username, id.SessionID}, id.Groups...), id.AMR...) {
			if !upstream.CleanText(s) {
				t.Fatalf("text %q", s)
			}
		}
		if len(id.SessionID) > upstream.MaxSubject {
			t.Fatalf("session ID of %d bytes", len(id.SessionID))
		}
	})
}

// FuzzCheckCallback: any callback query gives a code only when it has
// one and its iss, if any, is the connector's issuer (or, multi-tenant,
// one tenant's); otherwise ErrRefused or ErrUnavailable.
func FuzzCheckCallback(f *testing.F) {
	f.Add("code=c&state=s", false)
	f.Add("code=c&iss=https%3A%2F%2Fevil.example", false)
	f.Add("error=access_denied&error_description=%00%ff", true)
	f.Add("code=c&iss=https%3A%2F%2Flogin.microsoftonline.com%2Ft1%2Fv2.0", true)
	f.Fuzz(func(t *testing.T, query string, multi bool) {
		q, err := url.ParseQuery(query)
		if err != nil {
			return
		}
		issuer := "https://op.example"
		if multi {
			issuer = "https://login.microsoftonline.com/{tenantid}/v2.0"
		}
		code, err := checkCallback("x", issuer, multi, q)
		if err != nil {
			if !errors.Is(err, upstream.ErrRefused) && !errors.Is(err, upstream.ErrUnavailable) {
				t.Fatalf("unclassified error %v", err)
			}
			return
		}
		if code == "" || q.Get("error") != "" {
			t.Fatalf("code %q from %q", code, query)
		}
		if (q.Has("iss") || multi) && !issuerMatches(issuer, q.Get("iss")) {
			t.Fatalf("accepted iss %q for %q", q.Get("iss"), issuer)
		}
		if !multi && q.Has("iss") && q.Get("iss") != issuer {
			t.Fatalf("accepted iss %q", q.Get("iss"))
		}
	})
}
