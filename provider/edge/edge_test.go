package edge_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/tokenim/tokenim-auth/provider/edge"
	"github.com/tokenim/tokenim-auth/provider/web/webtest"
)

// serve wraps a mux holding route in the middleware with the real pages.
// The handler records that it ran and echoes the body it read.
func serve(t *testing.T, route string, reached *bool) http.Handler {
	t.Helper()
	pages := webtest.Pages(t)
	mux := http.NewServeMux()
	mux.HandleFunc(route, func(w http.ResponseWriter, r *http.Request) {
		*reached = true
		r.Body = http.MaxBytesReader(w, r.Body, edge.MaxFormBytes)
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, "too long", http.StatusRequestEntityTooLarge)
			return
		}
		_, _ = w.Write(body)
	})
	return edge.Middleware(pages, nil)(mux)
}

// TestBadBytesRefused sends bytes that are not text — invalid UTF-8, a
// NUL, a rune cut short — in each place a request carries values, to the
// routes the audit found answering 500: each is a 400 before the handler
// runs, in JSON on the protocol and API routes and on the error page
// (both languages) elsewhere.
func TestBadBytesRefused(t *testing.T) {
	t.Parallel()
	routes := []struct {
		name, pattern, method, target, form string
		json                                bool
	}{
		{"sign-in flow", "GET /login", "GET", "/login?flow=BAD", "", false},
		{"sign-in form", "POST /login", "POST", "/login", "flow=BAD&email=a%40b.c", false},
		{"consent flow", "GET /consent", "GET", "/consent?flow=BAD", "", false},
		{"portal app", "GET /apps/{id}", "GET", "/apps/BAD", "", false},
		{"portal app secrets", "POST /apps/{id}/secrets", "POST", "/apps/BAD/secrets", "csrf=x", false},
		{"account app revocation", "POST /account/apps/revoke", "POST", "/account/apps/revoke", "client_id=BAD", false},
		{"console user", "GET /admin/users/{id}", "GET", "/admin/users/BAD", "", false},
		{"console records filter", "GET /admin/records", "GET", "/admin/records?client_id=BAD", "", false},
		{"device page", "GET /device", "GET", "/device?user_code=BAD", "", false},
		{"authorization endpoint", "GET /oauth2/auth", "GET", "/oauth2/auth?client_id=BAD", "", false},
		{"a query key", "GET /login", "GET", "/login?BAD=1", "", false},
		{"admin API user", "GET /admin/api/v1/users/{id}", "GET", "/admin/api/v1/users/BAD", "", true},
		{"admin API filter", "GET /admin/api/v1/grants", "GET", "/admin/api/v1/grants?user=BAD", "", true},
		{"token endpoint", "POST /oauth2/token", "POST", "/oauth2/token", "grant_type=authorization_code&code=BAD", true},
		{"introspection", "POST /oauth2/introspect", "POST", "/oauth2/introspect", "token=BAD", true},
		{"revocation", "POST /oauth2/revoke", "POST", "/oauth2/revoke", "token=x&token_type_hint=BAD", true},
		{"a form key", "POST /oauth2/token", "POST", "/oauth2/token", "BAD=1&grant_type=client_credentials", true},
		{"userinfo", "GET /userinfo", "GET", "/userinfo?x=BAD", "", true},
		{"discovery", "GET /.well-known/{doc}", "GET", "/.well-known/BAD", "", true},
	}
	bad := map[string]string{
		"not UTF-8":            "%ff%fe",
		"a NUL":                "a%00b",
		"a rune cut short":     "%e4%b8",
		"an encoded surrogate": "%ed%a0%80",
		"raw bytes":            "\xff\xfe",
	}
	for _, rt := range routes {
		for what, b := range bad {
			t.Run(rt.name+" with "+what, func(t *testing.T) {
				t.Parallel()
				var reached bool
				h := serve(t, rt.pattern, &reached)
				req := httptest.NewRequest(rt.method, strings.ReplaceAll(rt.target, "BAD", b), strings.NewReader(strings.ReplaceAll(rt.form, "BAD", b)))
				if rt.form != "" {
					req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				}
				req.Header.Set("Accept-Language", "zh-CN")
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if reached {
					t.Fatal("the handler ran")
				}
				if rec.Code != http.StatusBadRequest {
					t.Fatalf("status %d, want 400", rec.Code)
				}
				if rt.json {
					var body struct{ Error, ErrorDescription string }
					if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || body.Error != "invalid_request" || !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") {
						t.Fatalf("want an invalid_request JSON error, got %q %s", rec.Header().Get("Content-Type"), rec.Body)
					}
					return
				}
				if !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") || !strings.Contains(rec.Body.String(), "含有无效字符") {
					t.Fatalf("want the Chinese error page, got %q %s", rec.Header().Get("Content-Type"), rec.Body)
				}
			})
		}
	}
	t.Run("SCIM answers a SCIM error", func(t *testing.T) {
		t.Parallel()
		for _, target := range []string{"/scim/v2/Users/a%00b", "/scim/v2/Users?filter=%ff"} {
			var reached bool
			rec := httptest.NewRecorder()
			serve(t, "/scim/", &reached).ServeHTTP(rec, httptest.NewRequest("GET", target, nil))
			var body struct {
				Schemas                  []string
				Status, ScimType, Detail string
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &body); reached || err != nil || rec.Code != http.StatusBadRequest ||
				rec.Header().Get("Content-Type") != "application/scim+json" || body.Status != "400" || body.ScimType != "invalidValue" ||
				len(body.Schemas) != 1 || body.Schemas[0] != "urn:ietf:params:scim:api:messages:2.0:Error" {
				t.Errorf("%s: reached %v, %d %q %s", target, reached, rec.Code, rec.Header().Get("Content-Type"), rec.Body)
			}
		}
	})
	t.Run("the page speaks English to an English browser", func(t *testing.T) {
		t.Parallel()
		var reached bool
		req := httptest.NewRequest("GET", "/login?flow=%ff", nil)
		req.Header.Set("Accept-Language", "en")
		rec := httptest.NewRecorder()
		serve(t, "GET /login", &reached).ServeHTTP(rec, req)
		if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), "characters that are not valid text") {
			t.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
	})
}

// TestGoodRequestsPass checks that text, in any script, reaches the
// handler, and that the handler reads the whole body the client sent and
// keeps its own size limit.
func TestGoodRequestsPass(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, method, target, contentType, body string
		status                                  int
	}{
		{"a query in Chinese", "GET", "/oauth2/token?name=%E5%BC%A0%E4%B8%89", "", "", 200},
		{"a path in Chinese", "GET", "/oauth2/token/%E5%BC%A0", "", "", 200},
		{"a malformed escape is the handler's to answer", "GET", "/oauth2/token?redirect_uri=http://%zz", "", "", 200},
		{"a form", "POST", "/oauth2/token", "application/x-www-form-urlencoded; charset=utf-8", "grant_type=client_credentials&scope=openid+%E6%B6%88%E6%81%AF", 200},
		{"a form of exactly the limit", "POST", "/oauth2/token", "application/x-www-form-urlencoded", "a=" + strings.Repeat("x", edge.MaxFormBytes-2), 200},
		{"a protocol form over the limit reaches its handler, which refuses it", "POST", "/oauth2/token", "application/x-www-form-urlencoded", "a=" + strings.Repeat("x", 200<<10) + "%ff", http.StatusRequestEntityTooLarge},
		{"a JSON body is not a form", "POST", "/oauth2/token", "application/json", `{"a":"\u0000"}`, 200},
		{"a GET body is not a form", "GET", "/oauth2/token", "application/x-www-form-urlencoded", "a=%ff", 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var reached bool
			h := serve(t, "/oauth2/token/", &reached)
			if !strings.HasPrefix(tc.target, "/oauth2/token/") {
				h = serve(t, "/oauth2/token", &reached)
			}
			req := httptest.NewRequest(tc.method, tc.target, strings.NewReader(tc.body))
			if tc.contentType != "" {
				req.Header.Set("Content-Type", tc.contentType)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if !reached || rec.Code != tc.status {
				t.Fatalf("reached %t, status %d, want %d: %.200s", reached, rec.Code, tc.status, rec.Body)
			}
			if tc.status == 200 && rec.Body.String() != tc.body {
				t.Fatalf("the handler read %d bytes, the client sent %d", rec.Body.Len(), len(tc.body))
			}
		})
	}
	t.Run("a page's form over the limit is refused with 413", func(t *testing.T) {
		t.Parallel()
		var reached bool
		req := httptest.NewRequest("POST", "/login", strings.NewReader("email="+strings.Repeat("x", edge.MaxFormBytes)))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		rec := httptest.NewRecorder()
		serve(t, "POST /login", &reached).ServeHTTP(rec, req)
		if reached || rec.Code != http.StatusRequestEntityTooLarge || !strings.Contains(rec.Body.String(), "too large") {
			t.Fatalf("reached %t, status %d: %.300s", reached, rec.Code, rec.Body)
		}
	})
}

// TestUpstreamCallbackBoundsItsOwnForm: a SAML IdP's Response may be
// longer than a page's form; the callback gets it whole, to bound itself.
func TestUpstreamCallbackBoundsItsOwnForm(t *testing.T) {
	t.Parallel()
	body := "SAMLResponse=" + strings.Repeat("x", 200<<10)
	reached := false
	pages := webtest.Pages(t)
	mux := http.NewServeMux()
	mux.HandleFunc("POST /login/upstream/callback/corp", func(w http.ResponseWriter, r *http.Request) {
		reached = true
		got, _ := io.ReadAll(r.Body)
		if string(got) != body {
			t.Errorf("the callback read %d bytes of %d", len(got), len(body))
		}
	})
	req := httptest.NewRequest("POST", "/login/upstream/callback/corp", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	edge.Middleware(pages, nil)(mux).ServeHTTP(rec, req)
	if !reached || rec.Code != http.StatusOK {
		t.Fatalf("reached %t, status %d", reached, rec.Code)
	}
}

// TestPeekForm checks that peeking leaves the body whole for the handler.
func TestPeekForm(t *testing.T) {
	t.Parallel()
	body := "client_id=chat-web&scope=openid"
	req := httptest.NewRequest("POST", "/oauth2/token", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if v := edge.PeekValues(req); v.Get("client_id") != "chat-web" {
		t.Fatalf("peeked %v", v)
	}
	if v := edge.PeekValues(req); v.Get("scope") != "openid" {
		t.Fatalf("a second peek got %v", v)
	}
	if err := req.ParseForm(); err != nil || req.PostForm.Get("client_id") != "chat-web" {
		t.Fatalf("the handler parsed %v (%v)", req.PostForm, err)
	}
	// A second peek before the handler reads takes the first one's bytes
	// instead of reading and copying the body again.
	twice := httptest.NewRequest("POST", "/oauth2/token", strings.NewReader(body))
	twice.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	first, _, _ := edge.PeekForm(twice)
	if again, _, _ := edge.PeekForm(twice); string(again) != body || &again[0] != &first[0] {
		t.Fatalf("a second peek got %q, read afresh", again)
	}
	if rest, _ := io.ReadAll(twice.Body); string(rest) != body {
		t.Fatalf("the handler read %q", rest)
	}
	long := httptest.NewRequest("POST", "/oauth2/token", bytes.NewReader(bytes.Repeat([]byte("x"), edge.MaxFormBytes+10)))
	long.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if _, has, fits := edge.PeekForm(long); !has || fits {
		t.Fatalf("a long form: has %t fits %t", has, fits)
	}
	if rest, _ := io.ReadAll(long.Body); len(rest) != edge.MaxFormBytes+10 {
		t.Fatalf("the handler read %d bytes of a long form", len(rest))
	}
}
