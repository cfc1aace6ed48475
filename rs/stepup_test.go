package rs_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/rs"
)

// stepUpService is an IM API with routes needing a stronger or fresher
// sign-in (RFC 9470) behind the middleware, answering with the token's
// subject.
func stepUpService(v *rs.Verifier) http.Handler {
	hello := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok, _ := rs.FromContext(r.Context())
		_, _ = w.Write([]byte(tok.Subject))
	})
	mux := http.NewServeMux()
	// The usual order: the scope first, then the sign-in.
	mux.Handle("GET /export", rs.RequireScope("im:messages.read")(rs.RequireAuth(rs.ACRTwoFactors, 5*time.Minute)(hello)))
	// The other order: the sign-in first.
	mux.Handle("GET /admin", rs.RequireAuth(rs.ACRTwoFactors, 5*time.Minute)(rs.RequireScope("im:admin")(hello)))
	mux.Handle("GET /level", rs.RequireAuth(rs.ACRTwoFactors, 0)(hello))
	mux.Handle("GET /fresh", rs.RequireAuth("", 5*time.Minute)(hello))
	mux.Handle("GET /class", rs.RequireAuth("urn:example:gold", 0)(hello))
	mux.Handle("GET /fraction", rs.RequireAuth("", 90*time.Second+time.Millisecond)(hello))
	mux.Handle("GET /instant", rs.RequireAuth("", time.Millisecond)(hello))
	return v.Middleware(mux)
}

// get calls path with a bearer token; a refusal's JSON body is decoded.
func get(t *testing.T, h http.Handler, path, token string) answer {
	t.Helper()
	req := httptest.NewRequestWithContext(t.Context(), http.MethodGet, path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	a := answer{status: rec.Code, challenge: rec.Header().Get("WWW-Authenticate"), text: rec.Body.String()}
	if rec.Code != http.StatusOK {
		if err := json.Unmarshal(rec.Body.Bytes(), &a.body); err != nil || rec.Header().Get("Content-Type") != "application/json" {
			t.Fatalf("refusal %d is not JSON (%v): %s", rec.Code, err, rec.Body)
		}
	}
	return a
}

const (
	challengePrefix = `Bearer realm="im", error="insufficient_user_authentication", error_description="A stronger or more recent sign-in is required: `
	tooWeak         = `the access token's sign-in is below the level this request needs (acr 2)`
	tooOld          = `the access token's sign-in is older than this request allows (max_age 300 seconds)`
)

func TestRequireAuth(t *testing.T) {
	p := newFakeProvider(t)
	c := newClock()
	now := c.Now()
	// signedIn makes token a user's access token of a sign-in at level
	// acr (none when "") and at authTime (none when zero).
	signedIn := func(token, acr string, authTime time.Time, scope string) {
		answer := map[string]any{
			"active": true, "sub": "user-ann", "client_id": "chat-web", "scope": scope, "token_type": "Bearer",
			"token_use": "access_token", "exp": now.Add(time.Hour).Unix(), "iat": now.Unix(), "iss": p.srv.URL,
			"amr": []string{"pwd", "otp", "mfa"},
		}
		if acr != "" {
			answer["acr"] = acr
		}
		if !authTime.IsZero() {
			answer["auth_time"] = authTime.Unix()
		}
		p.set(token, answer)
	}
	const read = "im:messages.read"
	signedIn("tkm_at_level1.sig", "1", now.Add(-time.Minute), read)
	signedIn("tkm_at_level2.sig", "2", now.Add(-time.Minute), read)
	signedIn("tkm_at_level3.sig", "3", now.Add(-time.Minute), read)
	signedIn("tkm_at_level2old.sig", "2", now.Add(-5*time.Minute-time.Second), read)
	signedIn("tkm_at_level2edge.sig", "2", now.Add(-5*time.Minute), read)
	signedIn("tkm_at_level1old.sig", "1", now.Add(-time.Hour), read)
	signedIn("tkm_at_notime.sig", "2", time.Time{}, read)
	signedIn("tkm_at_nolevel.sig", "", now, read)
	signedIn("tkm_at_noscope1.sig", "1", now, "im:messages.send")
	signedIn("tkm_at_noscope2.sig", "2", now, "im:messages.send")
	signedIn("tkm_at_admin2.sig", "2", now, "im:admin")
	signedIn("tkm_at_gold.sig", "urn:example:gold", now, read)
	signedIn("tkm_at_gold2.sig", "urn:example:gold2", now, read)
	signedIn("tkm_at_level10.sig", "10", now.Add(-time.Minute), read)
	signedIn("tkm_at_level02.sig", "02", now.Add(-time.Minute), read)
	signedIn("tkm_at_90s.sig", "", now.Add(-90*time.Second), read)
	signedIn("tkm_at_91s.sig", "", now.Add(-91*time.Second), read)
	signedIn("tkm_at_now.sig", "", now, read)
	signedIn("tkm_at_1s.sig", "", now.Add(-time.Second), read)
	signedIn("tkm_at_2s.sig", "", now.Add(-2*time.Second), read)
	p.set("tkm_at_bot.sig", map[string]any{"active": true, "client_id": "im-bot", "scope": read, "token_use": "access_token", "iss": p.srv.URL})
	h := stepUpService(newVerifier(t, p, c, rs.Config{Realm: "im", CacheTTL: rs.NoCache}))

	for _, tc := range []struct {
		name, path, token string
		status            int
		challenge         string
	}{
		{"a two-factor sign-in a minute old passes", "/export", "tkm_at_level2.sig", 200, ""},
		{"a passkey sign-in meets a requirement for two factors", "/export", "tkm_at_level3.sig", 200, ""},
		{"a higher decimal level meets a lower one", "/export", "tkm_at_level10.sig", 200, ""},
		{"a sign-in exactly max_age old passes", "/export", "tkm_at_level2edge.sig", 200, ""},
		{"a one-factor sign-in is refused with the route's requirements", "/export", "tkm_at_level1.sig", 401,
			challengePrefix + tooWeak + `.", acr_values="2", max_age="300"`},
		{"a level with a leading zero is no level", "/export", "tkm_at_level02.sig", 401,
			challengePrefix + tooWeak + `.", acr_values="2", max_age="300"`},
		{"a two-factor sign-in older than max_age is refused, naming the level too", "/export", "tkm_at_level2old.sig", 401,
			challengePrefix + tooOld + `.", acr_values="2", max_age="300"`},
		{"a sign-in too weak and too old is told both", "/export", "tkm_at_level1old.sig", 401,
			challengePrefix + tooWeak + ", and " + tooOld + `.", acr_values="2", max_age="300"`},
		{"a token that does not say when its user signed in fails an age requirement", "/export", "tkm_at_notime.sig", 401,
			challengePrefix + `the access token does not say when its user signed in (auth_time), and this request needs a sign-in within 300 seconds.", acr_values="2", max_age="300"`},
		{"a token without a level fails a level requirement", "/export", "tkm_at_nolevel.sig", 401,
			challengePrefix + `the access token's sign-in has no level (acr), and this request needs acr 2.", acr_values="2", max_age="300"`},
		{"a client-credentials token has no sign-in to step up", "/export", "tkm_at_bot.sig", 401,
			challengePrefix + `the access token's sign-in has no level (acr), and this request needs acr 2, and the access token does not say when its user signed in (auth_time), and this request needs a sign-in within 300 seconds.", acr_values="2", max_age="300"`},
		{"with RequireScope first, a token without the scope is 403 whatever its sign-in", "/export", "tkm_at_noscope1.sig", 403,
			`Bearer realm="im", error="insufficient_scope", error_description="The access token lacks the scope im:messages.read.", scope="im:messages.read"`},
		{"with RequireScope first, a strong sign-in does not make up for the scope", "/export", "tkm_at_noscope2.sig", 403,
			`Bearer realm="im", error="insufficient_scope", error_description="The access token lacks the scope im:messages.read.", scope="im:messages.read"`},
		{"with RequireAuth first, the sign-in is asked for before the scope", "/admin", "tkm_at_level1.sig", 401,
			challengePrefix + tooWeak + `.", acr_values="2", max_age="300"`},
		{"with RequireAuth first, a strong sign-in still needs the scope", "/admin", "tkm_at_level2.sig", 403,
			`Bearer realm="im", error="insufficient_scope", error_description="The access token lacks the scope im:admin.", scope="im:admin"`},
		{"with both met in either order, the request passes", "/admin", "tkm_at_admin2.sig", 200, ""},
		{"a level alone: an old sign-in at the level passes", "/level", "tkm_at_level2old.sig", 200, ""},
		{"a level alone: the challenge has no max_age", "/level", "tkm_at_level1.sig", 401,
			challengePrefix + tooWeak + `.", acr_values="2"`},
		{"an age alone: a fresh one-factor sign-in passes", "/fresh", "tkm_at_level1.sig", 200, ""},
		{"an age alone: the challenge has no acr_values", "/fresh", "tkm_at_level1old.sig", 401,
			challengePrefix + tooOld + `.", max_age="300"`},
		{"a class that is not a level must match exactly", "/class", "tkm_at_gold.sig", 200, ""},
		{"a decimal level does not meet a class", "/class", "tkm_at_level3.sig", 401,
			challengePrefix + `the access token's sign-in is below the level this request needs (acr urn:example:gold).", acr_values="urn:example:gold"`},
		{"a longer class is another class", "/class", "tkm_at_gold2.sig", 401,
			challengePrefix + `the access token's sign-in is below the level this request needs (acr urn:example:gold).", acr_values="urn:example:gold"`},
		{"a fraction of a second in max_age is dropped: 90 s passes", "/fraction", "tkm_at_90s.sig", 200, ""},
		{"a fraction of a second in max_age is dropped: 91 s does not", "/fraction", "tkm_at_91s.sig", 401,
			challengePrefix + `the access token's sign-in is older than this request allows (max_age 90 seconds).", max_age="90"`},
		{"a max_age under a second is one second: a sign-in this second passes", "/instant", "tkm_at_now.sig", 200, ""},
		{"a max_age under a second is one second: a second ago passes", "/instant", "tkm_at_1s.sig", 200, ""},
		{"a max_age under a second is one second: two seconds ago does not", "/instant", "tkm_at_2s.sig", 401,
			challengePrefix + `the access token's sign-in is older than this request allows (max_age 1 second).", max_age="1"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := get(t, h, tc.path, tc.token)
			if a.status != tc.status || a.challenge != tc.challenge {
				t.Fatalf("got %d %q\nwant %d %q\n%s", a.status, a.challenge, tc.status, tc.challenge, a.text)
			}
			switch tc.status {
			case 200:
				if a.text != "user-ann" {
					t.Fatalf("handler saw %q", a.text)
				}
			case 401:
				if a.body["error"] != "insufficient_user_authentication" || a.body["error_description"] == "" {
					t.Fatalf("body %v", a.body)
				}
			}
		})
	}

	t.Run("the JSON body names the route's requirements as the challenge does", func(t *testing.T) {
		a := get(t, h, "/export", "tkm_at_level1.sig")
		if a.body["acr_values"] != "2" || a.body["max_age"] != float64(300) {
			t.Fatalf("body %v", a.body)
		}
		if a := get(t, h, "/level", "tkm_at_level1.sig"); a.body["acr_values"] != "2" || a.body["max_age"] != nil {
			t.Fatalf("level only: body %v", a.body)
		}
	})

	t.Run("a sign-in ages on the verifier's clock", func(t *testing.T) {
		signedIn("tkm_at_ageing.sig", "2", c.Now(), read)
		if a := get(t, h, "/export", "tkm_at_ageing.sig"); a.status != 200 {
			t.Fatalf("fresh: %d %q", a.status, a.challenge)
		}
		c.Advance(5*time.Minute + time.Second)
		if a := get(t, h, "/export", "tkm_at_ageing.sig"); a.status != 401 || a.challenge != challengePrefix+tooOld+`.", acr_values="2", max_age="300"` {
			t.Fatalf("five minutes later: %d %q", a.status, a.challenge)
		}
	})
}

// The sign-in is read from introspection and from a JWT access token
// alike, and RequireAuth judges both.
func TestRequireAuthReadsBothFormats(t *testing.T) {
	p, c := newFakeProvider(t), newClock()
	k := newSigningKey(t, "k1")
	p.publish(k)
	v := newVerifier(t, p, c, rs.Config{Realm: "im", Audience: "https://im.example.com", CacheTTL: rs.NoCache})
	h := stepUpService(v)
	signedAt := c.Now().Add(-time.Minute)
	p.set("tkm_at_ann.sig", map[string]any{"active": true, "sub": "user-ann", "client_id": "chat-web", "scope": "im:messages.read",
		"token_use": "access_token", "iss": p.srv.URL, "auth_time": signedAt.Unix(), "acr": "2", "amr": []string{"pwd", "otp", "mfa"}})
	weak := p.atClaims(c.Now())
	weak["acr"], weak["amr"] = "1", []string{"pwd"}

	for name, raw := range map[string]string{"introspected": "tkm_at_ann.sig", "JWT": sign(t, k, "at+jwt", p.atClaims(c.Now()))} {
		t.Run(name, func(t *testing.T) {
			tok, err := v.Verify(t.Context(), raw)
			if err != nil {
				t.Fatal(err)
			}
			if !tok.AuthTime.Equal(signedAt) || tok.ACR != "2" || !slices.Equal(tok.AMR, []string{"pwd", "otp", "mfa"}) {
				t.Fatalf("token's sign-in: %v %q %v", tok.AuthTime, tok.ACR, tok.AMR)
			}
			if a := get(t, h, "/export", raw); a.status != 200 {
				t.Fatalf("a two-factor sign-in: %d %q", a.status, a.challenge)
			}
		})
	}
	t.Run("a one-factor JWT is refused", func(t *testing.T) {
		if a := get(t, h, "/export", sign(t, k, "at+jwt", weak)); a.status != 401 || a.challenge != challengePrefix+tooWeak+`.", acr_values="2", max_age="300"` {
			t.Fatalf("got %d %q", a.status, a.challenge)
		}
	})
	t.Run("a handler changing the token's amr does not change the cached token", func(t *testing.T) {
		v := newVerifier(t, p, c, rs.Config{})
		tok, _ := v.Verify(t.Context(), "tkm_at_ann.sig")
		tok.AMR[0] = "changed"
		again, _ := v.Verify(t.Context(), "tkm_at_ann.sig")
		if again.AMR[0] != "pwd" {
			t.Fatalf("cached amr changed: %v", again.AMR)
		}
	})
}

func TestRequireAuthWithoutMiddleware(t *testing.T) {
	h := rs.RequireAuth(rs.ACRTwoFactors, time.Minute)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	if a := call(t, h, "GET", "Bearer whatever"); a.status != 401 || a.challenge != `Bearer realm="tokenim"` {
		t.Fatalf("no verified token: %d %q", a.status, a.challenge)
	}
	for _, tc := range []struct {
		tok    rs.Token
		status int
	}{
		{rs.Token{Subject: "ann", ACR: "2", AuthTime: time.Now()}, 200},
		{rs.Token{Subject: "ann", ACR: "1", AuthTime: time.Now()}, 401},
	} {
		req := httptest.NewRequestWithContext(rs.NewContext(t.Context(), tc.tok), "GET", "/", nil)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != tc.status {
			t.Errorf("a token from NewContext at level %s: %d, want %d", tc.tok.ACR, rec.Code, tc.status)
		}
	}
}

// A level that cannot be sent in a quoted-string as it is, or that would
// read as a list of levels, is a fault of the program: RequireAuth panics
// when the route is built, not when a request comes.
func TestRequireAuthRefusesAnUnsendableLevel(t *testing.T) {
	for _, acr := range []string{"2 3", `gold"`, `a\b`, "é", "2\n", "\x00"} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("RequireAuth(%q) did not panic", acr)
				}
			}()
			rs.RequireAuth(acr, 0)
		}()
	}
}
