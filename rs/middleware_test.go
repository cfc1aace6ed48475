package rs_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/rs"
)

// service is a tiny IM API behind the middleware: POST /messages needs
// im:messages.send, GET /messages im:messages.read. It answers with the
// verified token's subject.
func service(v *rs.Verifier) http.Handler {
	mux := http.NewServeMux()
	hello := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok, ok := rs.FromContext(r.Context())
		if !ok {
			http.Error(w, "no token in context", http.StatusInternalServerError)
			return
		}
		_, _ = w.Write([]byte(tok.Subject + " " + tok.ClientID))
	})
	mux.Handle("POST /messages", rs.RequireScope("im:messages.send")(hello))
	mux.Handle("GET /messages", rs.RequireScope("im:messages.read")(hello))
	mux.Handle("DELETE /messages", rs.RequireScope("im:messages.read", "im:messages.delete", "im:admin")(hello))
	return v.Middleware(mux)
}

// answer is one response of the service.
type answer struct {
	status    int
	challenge string
	body      map[string]any
	text      string
}

func call(t *testing.T, h http.Handler, method, authorization string) answer {
	t.Helper()
	req := httptest.NewRequestWithContext(t.Context(), method, "/messages", nil)
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	a := answer{status: rec.Code, challenge: rec.Header().Get("WWW-Authenticate"), text: rec.Body.String()}
	if rec.Code != http.StatusOK {
		if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
			t.Fatalf("%s: refusal with Content-Type %q, want application/json", method, ct)
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &a.body); err != nil {
			t.Fatalf("%s: refusal body is not JSON: %v\n%s", method, err, rec.Body)
		}
	}
	return a
}

func TestMiddleware(t *testing.T) {
	p := newFakeProvider(t)
	c := newClock()
	p.issue("ory_at_send.sig", "user-ann", c.Now().Add(time.Hour), "im:messages.send")
	p.issue("ory_at_both.sig", "user-ann", c.Now().Add(time.Hour), "im:messages.send im:messages.read")
	p.set("ory_rt_refresh.sig", map[string]any{"active": true, "sub": "user-ann", "scope": "im:messages.read", "token_use": "refresh_token"})
	p.set("ory_at_elsewhere.sig", map[string]any{"active": true, "sub": "user-ann", "scope": "im:messages.read", "iss": "https://other.example.com"})
	p.set("ory_at_foreign.sig", map[string]any{"active": true, "sub": "user-ann", "scope": "im:messages.read", "aud": []string{"https://mail.example.com"}})
	h := service(newVerifier(t, p, c, rs.Config{Realm: "im", Audience: "https://im.example.com", CacheTTL: rs.NoCache}))

	for _, tc := range []struct {
		name          string
		method        string
		authorization string
		status        int
		// challenge is the exact WWW-Authenticate, or a prefix ending
		// with "…".
		challenge string
		error     string
	}{
		{"a token with the route's scope is allowed", "POST", "Bearer ory_at_send.sig", 200, "", ""},
		{"the Bearer scheme is case-insensitive", "GET", "bearer ory_at_both.sig", 200, "", ""},
		{"a request without a token gets a challenge without an error code", "GET", "", 401, `Bearer realm="im"`, ""},
		{"another authentication scheme counts as no token", "GET", "Basic aW0tZ2F0ZXdheTpzZWNyZXQ=", 401, `Bearer realm="im"`, ""},
		{"a Bearer header without a token is a malformed request", "GET", "Bearer ", 400, `Bearer realm="im", error="invalid_request", …`, "invalid_request"},
		{"a token with a space inside is a malformed request", "GET", "Bearer two tokens", 400, `Bearer realm="im", error="invalid_request", …`, "invalid_request"},
		{"a token without the route's scope is forbidden, naming the scope", "GET", "Bearer ory_at_send.sig", 403,
			`Bearer realm="im", error="insufficient_scope", error_description="The access token lacks the scope im:messages.read.", scope="im:messages.read"`, "insufficient_scope"},
		{"every missing scope is named", "DELETE", "Bearer ory_at_both.sig", 403, `Bearer realm="im", error="insufficient_scope", …, scope="im:messages.delete im:admin"`, "insufficient_scope"},
		{"an unknown token is invalid", "GET", "Bearer ory_at_unknown.sig", 401, `Bearer realm="im", error="invalid_token", error_description="The access token is not valid: the access token is not active…`, "invalid_token"},
		{"a refresh token is not an access token", "GET", "Bearer ory_rt_refresh.sig", 401, `Bearer realm="im", error="invalid_token", error_description="The access token is not valid: the token is not an access token."`, "invalid_token"},
		{"a token of another issuer is invalid", "GET", "Bearer ory_at_elsewhere.sig", 401, `Bearer realm="im", error="invalid_token", …`, "invalid_token"},
		{"a token for another audience is invalid", "GET", "Bearer ory_at_foreign.sig", 401, `Bearer realm="im", error="invalid_token", error_description="The access token is not valid: the access token is not meant for this resource server."`, "invalid_token"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := call(t, h, tc.method, tc.authorization)
			if a.status != tc.status {
				t.Fatalf("status %d, want %d: %s", a.status, tc.status, a.text)
			}
			if !matches(a.challenge, tc.challenge) {
				t.Errorf("WWW-Authenticate %q, want %q", a.challenge, tc.challenge)
			}
			if tc.status == 200 {
				if a.text != "user-ann chat-bot" {
					t.Errorf("handler saw %q, want the token's subject and client", a.text)
				}
				return
			}
			if got, _ := a.body["error"].(string); got != tc.error {
				t.Errorf("body error %q, want %q: %v", got, tc.error, a.body)
			}
			if d, _ := a.body["error_description"].(string); d == "" {
				t.Errorf("body without error_description: %v", a.body)
			}
		})
	}
}

// matches compares a challenge with want, where "…" stands for anything.
func matches(got, want string) bool {
	parts := strings.Split(want, "…")
	if !strings.HasPrefix(got, parts[0]) {
		return false
	}
	rest := got[len(parts[0]):]
	for _, part := range parts[1:] {
		i := strings.Index(rest, part)
		if i < 0 {
			return false
		}
		rest = rest[i+len(part):]
	}
	return rest == "" || strings.HasSuffix(want, "…")
}

func TestMiddlewareProviderFaults(t *testing.T) {
	c := newClock()
	for _, tc := range []struct {
		name  string
		setup func(p *fakeProvider)
	}{
		{"the provider is down", func(p *fakeProvider) { p.srv.Close() }},
		{"the provider fails", func(p *fakeProvider) { p.setStatus(http.StatusInternalServerError, false) }},
		{"the provider refuses the resource server's credentials", func(p *fakeProvider) { p.setStatus(http.StatusUnauthorized, false) }},
		{"the provider does not answer in time", func(p *fakeProvider) { p.setStatus(0, true) }},
	} {
		t.Run(tc.name+": 503, not a 500 nor a 401", func(t *testing.T) {
			p := newFakeProvider(t)
			p.issue("ory_at_send.sig", "user-ann", c.Now().Add(time.Hour), "im:messages.send")
			h := service(newVerifier(t, p, c, rs.Config{Timeout: 200 * time.Millisecond}))
			tc.setup(p)
			a := call(t, h, "POST", "Bearer ory_at_send.sig")
			if a.status != http.StatusServiceUnavailable || a.body["error"] != "temporarily_unavailable" || a.challenge != "" {
				t.Fatalf("got %d %q %v", a.status, a.challenge, a.body)
			}
			// A fault is not cached: the next request asks again.
			before := p.introspections.Load()
			call(t, h, "POST", "Bearer ory_at_send.sig")
			if tc.name != "the provider is down" && p.introspections.Load() == before {
				t.Error("a provider fault was cached")
			}
		})
	}
}

func TestRequireScopeWithoutMiddleware(t *testing.T) {
	h := rs.RequireScope("im:messages.read")(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	if a := call(t, h, "GET", "Bearer whatever"); a.status != 401 || a.challenge != `Bearer realm="tokenim"` {
		t.Fatalf("no verified token: %d %q", a.status, a.challenge)
	}
	req := httptest.NewRequestWithContext(rs.NewContext(t.Context(), rs.Token{Scopes: []string{"im:messages.read"}}), "GET", "/", nil)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != 200 {
		t.Fatalf("a token from NewContext with the scope: %d", rec.Code)
	}
}

func containsText(s, sub string) bool { return strings.Contains(s, sub) }
