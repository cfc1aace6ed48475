package ratelimit_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	goredis "github.com/redis/go-redis/v9"

	"github.com/tokenim/tokenim-auth/provider"
	"github.com/tokenim/tokenim-auth/provider/ratelimit"
	"github.com/tokenim/tokenim-auth/provider/web"
	"github.com/tokenim/tokenim-auth/provider/web/webtest"
)

// endpoints stands for the provider's handlers: each reads its form as
// provider/oauth does (bounded, then ParseForm) and answers 400 when the
// form is malformed or too long, otherwise 200 echoing what it read.
type endpoints struct{}

func (endpoints) Mount(mux provider.Mux) {
	echo := func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
		if err := r.ParseForm(); err != nil {
			http.Error(w, "bad form", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(r.PostForm)
	}
	for _, p := range []string{"POST /oauth2/token", "POST /oauth2/introspect", "POST /oauth2/revoke", "POST /login", "POST /login/mfa", "GET /login"} {
		mux.HandleFunc(p, echo)
	}
}

// refusals records what OnLimited is told.
type refusals struct {
	mu   sync.Mutex
	seen []string
}

func (r *refusals) add(endpoint, by string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.seen = append(r.seen, endpoint+"/"+by)
}

func (r *refusals) list() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.seen...)
}

func newPages(t *testing.T) *web.Renderer {
	t.Helper()
	pages := webtest.Pages(t)
	return pages
}

// serve runs the provider's handler with the limiter's middleware over
// rules on a loopback server.
func serve(t *testing.T, l *ratelimit.Limiter, rules ...ratelimit.Rule) string {
	t.Helper()
	h := provider.New(provider.Deps{Parts: []provider.Mounter{endpoints{}}, Limits: l.Middleware(newPages(t), rules...)})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}

// response is what a test looks at of an answer.
type response struct {
	status int
	header http.Header
	body   string
}

func post(t *testing.T, u string, form url.Values, edit ...func(*http.Request)) response {
	t.Helper()
	return postBody(t, u, form.Encode(), edit...)
}

func postBody(t *testing.T, u, body string, edit ...func(*http.Request)) response {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, u, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for _, e := range edit {
		e(req)
	}
	return do(t, req)
}

func do(t *testing.T, req *http.Request) response {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{resp.StatusCode, resp.Header, string(b)}
}

func basic(user, pass string) func(*http.Request) {
	return func(r *http.Request) { r.SetBasicAuth(user, pass) }
}

// wantRefused checks a 429 with a Retry-After of whole seconds, at least
// 1, and returns it.
func wantRefused(t *testing.T, r response) int {
	t.Helper()
	if r.status != http.StatusTooManyRequests {
		t.Fatalf("status %d, want 429:\n%s", r.status, r.body)
	}
	secs, err := strconv.Atoi(r.header.Get("Retry-After"))
	if err != nil || secs < 1 {
		t.Fatalf("Retry-After %q, want whole seconds, at least 1", r.header.Get("Retry-After"))
	}
	return secs
}

// oauthError decodes an RFC 6749 error body.
func oauthError(t *testing.T, r response) (code, description string) {
	t.Helper()
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("Content-Type %q, want JSON", ct)
	}
	var e struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	if err := json.Unmarshal([]byte(r.body), &e); err != nil {
		t.Fatalf("body %q: %v", r.body, err)
	}
	return e.Error, e.Description
}

func tokenRule() ratelimit.Rule {
	return ratelimit.Rule{
		Pattern: "POST /oauth2/token", Endpoint: "token",
		PerClient: ratelimit.Limit{Rate: 2, Period: time.Hour, Burst: 2},
	}
}

func TestMiddleware(t *testing.T) {
	grant := url.Values{"grant_type": {"client_credentials"}}
	t.Run("a client past its budget gets 429, Retry-After and an RFC 6749 error", func(t *testing.T) {
		seen := &refusals{}
		base := serve(t, ratelimit.New(ratelimit.Config{OnLimited: seen.add}), tokenRule())
		for i := range 2 {
			if r := post(t, base+"/oauth2/token", grant, basic("bot", "s3cret")); r.status != http.StatusOK {
				t.Fatalf("request %d: %d %s", i+1, r.status, r.body)
			}
		}
		r := post(t, base+"/oauth2/token", grant, basic("bot", "s3cret"))
		secs := wantRefused(t, r)
		code, desc := oauthError(t, r)
		if code != "rate_limited" || desc != fmt.Sprintf("Too many requests from this client; retry after %d s.", secs) {
			t.Fatalf("error %q %q", code, desc)
		}
		if r.header.Get("Cache-Control") != "no-store" || r.header.Get("X-Request-Id") == "" || r.header.Get("X-Content-Type-Options") != "nosniff" {
			t.Fatalf("headers %v: want no-store, a request id and the security headers", r.header)
		}
		if got := seen.list(); len(got) != 1 || got[0] != "token/client" {
			t.Fatalf("OnLimited told %v, want [token/client]", got)
		}
	})
	t.Run("the client is the same whichever way it is sent", func(t *testing.T) {
		base := serve(t, ratelimit.New(ratelimit.Config{}), tokenRule())
		// RFC 6749 section 2.3.1: the Basic user is form-urlencoded.
		post(t, base+"/oauth2/token", grant, basic(url.QueryEscape("svc:bot 1"), "x"))
		post(t, base+"/oauth2/token", url.Values{"grant_type": {"client_credentials"}, "client_id": {"svc:bot 1"}})
		r := post(t, base+"/oauth2/token", url.Values{"client_assertion": {assertion(t, "svc:bot 1")}, "grant_type": {"client_credentials"}})
		wantRefused(t, r)
	})
	t.Run("another client still gets through", func(t *testing.T) {
		base := serve(t, ratelimit.New(ratelimit.Config{}), tokenRule())
		for range 3 {
			post(t, base+"/oauth2/token", grant, basic("bot", "x"))
		}
		if r := post(t, base+"/oauth2/token", grant, basic("other", "x")); r.status != http.StatusOK {
			t.Fatalf("another client: %d %s", r.status, r.body)
		}
	})
	t.Run("the handler reads the body the client sent", func(t *testing.T) {
		base := serve(t, ratelimit.New(ratelimit.Config{}), tokenRule())
		form := url.Values{"grant_type": {"authorization_code"}, "client_id": {"web"}, "code": {"c0de"}, "code_verifier": {strings.Repeat("v", 64)}}
		r := post(t, base+"/oauth2/token", form)
		var got url.Values
		if err := json.Unmarshal([]byte(r.body), &got); err != nil || got.Encode() != form.Encode() {
			t.Fatalf("handler read %v (%v), want %v", got, err, form)
		}
	})
	t.Run("a malformed or oversized body is the handler's to refuse", func(t *testing.T) {
		base := serve(t, ratelimit.New(ratelimit.Config{}), tokenRule())
		for name, body := range map[string]string{
			"malformed": "client_id=%zz&grant_type=client_credentials",
			"oversized": "client_id=bot&pad=" + strings.Repeat("a", 70<<10),
		} {
			if r := postBody(t, base+"/oauth2/token", body); r.status != http.StatusBadRequest || r.body != "bad form\n" {
				t.Errorf("%s: %d %q, want the handler's 400", name, r.status, r.body)
			}
		}
	})
	t.Run("a request naming no client passes to the handler", func(t *testing.T) {
		base := serve(t, ratelimit.New(ratelimit.Config{}), tokenRule())
		for range 3 {
			if r := post(t, base+"/oauth2/token", grant); r.status != http.StatusOK {
				t.Fatalf("%d %s", r.status, r.body)
			}
		}
	})
	t.Run("other routes and methods are not limited", func(t *testing.T) {
		base := serve(t, ratelimit.New(ratelimit.Config{}), tokenRule())
		for range 4 {
			if r := post(t, base+"/oauth2/revoke", url.Values{"token": {"t"}}, basic("bot", "x")); r.status != http.StatusOK {
				t.Fatalf("revoke: %d", r.status)
			}
		}
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, base+"/oauth2/token", nil)
		req.SetBasicAuth("bot", "x")
		for range 4 {
			if r := do(t, req); r.status == http.StatusTooManyRequests {
				t.Fatal("GET /oauth2/token was limited")
			}
		}
	})
	t.Run("an address past its budget is refused, whatever client it names", func(t *testing.T) {
		seen := &refusals{}
		base := serve(t, ratelimit.New(ratelimit.Config{OnLimited: seen.add}), ratelimit.Rule{
			Pattern: "POST /oauth2/introspect", Endpoint: "introspect",
			PerIP: ratelimit.Limit{Rate: 1, Period: time.Hour, Burst: 2},
		})
		post(t, base+"/oauth2/introspect", url.Values{"token": {"t"}}, basic("a", "x"))
		post(t, base+"/oauth2/introspect", url.Values{"token": {"t"}}, basic("b", "x"))
		r := post(t, base+"/oauth2/introspect", url.Values{"token": {"t"}}, basic("c", "x"))
		secs := wantRefused(t, r)
		if code, desc := oauthError(t, r); code != "rate_limited" || desc != fmt.Sprintf("Too many requests from this address; retry after %d s.", secs) {
			t.Fatalf("error %q %q", code, desc)
		}
		if got := seen.list(); len(got) != 1 || got[0] != "introspect/ip" {
			t.Fatalf("OnLimited told %v", got)
		}
	})
	t.Run("rules with one endpoint share its budget", func(t *testing.T) {
		limit := ratelimit.Limit{Rate: 1, Period: time.Hour, Burst: 2}
		base := serve(t, ratelimit.New(ratelimit.Config{}),
			ratelimit.Rule{Pattern: "POST /login", Endpoint: "login", PerIP: limit, Page: true},
			ratelimit.Rule{Pattern: "POST /login/mfa", Endpoint: "login", PerIP: limit, Page: true},
		)
		post(t, base+"/login", url.Values{"email": {"a@example.com"}})
		post(t, base+"/login/mfa", url.Values{"code": {"123456"}})
		wantRefused(t, post(t, base+"/login", url.Values{"email": {"a@example.com"}}))
		if r := do(t, mustGet(t, base+"/login")); r.status != http.StatusOK {
			t.Fatalf("GET /login: %d", r.status)
		}
	})
	t.Run("with every limit off the handler is served as is", func(t *testing.T) {
		l := ratelimit.New(ratelimit.Config{})
		var h http.Handler = http.NotFoundHandler()
		if got := l.Middleware(nil, ratelimit.Rule{Pattern: "POST /oauth2/token", Endpoint: "token"})(h); fmt.Sprint(got) != fmt.Sprint(h) {
			t.Fatal("the middleware wrapped the handler with nothing to limit")
		}
	})
}

func mustGet(t *testing.T, u string) *http.Request {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

func TestRefusalPage(t *testing.T) {
	base := serve(t, ratelimit.New(ratelimit.Config{}), ratelimit.Rule{
		Pattern: "POST /login", Endpoint: "login", PerIP: ratelimit.Limit{Rate: 1, Period: time.Hour, Burst: 1}, Page: true,
	})
	post(t, base+"/login", url.Values{"email": {"a@example.com"}})
	for _, tc := range []struct {
		lang, wantLang, title, text string
	}{
		{"en-GB,en;q=0.8", "en", "<h1>Too many requests</h1>", "Try again in %d seconds."},
		{"zh-CN,zh;q=0.9", "zh-CN", "<h1>请求过于频繁</h1>", "请在 %d 秒后重试。"},
	} {
		t.Run("a page in "+tc.wantLang, func(t *testing.T) {
			r := post(t, base+"/login", url.Values{"email": {"a@example.com"}}, func(r *http.Request) { r.Header.Set("Accept-Language", tc.lang) })
			secs := wantRefused(t, r)
			if !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") || r.header.Get("Content-Language") != tc.wantLang {
				t.Fatalf("Content-Type %q, Content-Language %q", r.header.Get("Content-Type"), r.header.Get("Content-Language"))
			}
			if !strings.Contains(r.body, tc.title) || !strings.Contains(r.body, fmt.Sprintf(tc.text, secs)) {
				t.Fatalf("page does not say %q and %q:\n%s", tc.title, fmt.Sprintf(tc.text, secs), r.body)
			}
			if r.header.Get("Cache-Control") != "no-store" {
				t.Fatalf("Cache-Control %q", r.header.Get("Cache-Control"))
			}
		})
	}
}

// TestSharedAcrossNodes runs two nodes, each with its own Redis client,
// behind real HTTP: the budget of a client is one, wherever its requests
// land.
func TestSharedAcrossNodes(t *testing.T) {
	first := redisClient(t)
	second := goredisClient(t)
	rule := tokenRule()
	a := serve(t, ratelimit.New(ratelimit.Config{Redis: first}), rule)
	b := serve(t, ratelimit.New(ratelimit.Config{Redis: second}), rule)
	grant := url.Values{"grant_type": {"client_credentials"}}
	if r := post(t, a+"/oauth2/token", grant, basic("bot", "x")); r.status != http.StatusOK {
		t.Fatalf("node A: %d", r.status)
	}
	if r := post(t, b+"/oauth2/token", grant, basic("bot", "x")); r.status != http.StatusOK {
		t.Fatalf("node B: %d", r.status)
	}
	wantRefused(t, post(t, a+"/oauth2/token", grant, basic("bot", "x")))
	wantRefused(t, post(t, b+"/oauth2/token", grant, basic("bot", "x")))
	if r := post(t, b+"/oauth2/token", grant, basic("other", "x")); r.status != http.StatusOK {
		t.Fatalf("another client on node B: %d", r.status)
	}
}

// TestRedisDown serves requests with a Redis nothing listens on: they are
// answered, and limited in process.
func TestRedisDown(t *testing.T) {
	base := serve(t, ratelimit.New(ratelimit.Config{Redis: deadRedis(t)}), tokenRule())
	grant := url.Values{"grant_type": {"client_credentials"}}
	for i := range 2 {
		if r := post(t, base+"/oauth2/token", grant, basic("bot", "x")); r.status != http.StatusOK {
			t.Fatalf("request %d with Redis down: %d %s", i+1, r.status, r.body)
		}
	}
	wantRefused(t, post(t, base+"/oauth2/token", grant, basic("bot", "x")))
}

// goredisClient is a second connection to the test database (a second
// node); redisClient must have been called first to empty it.
func goredisClient(t *testing.T) *goredis.Client {
	t.Helper()
	c := goredis.NewClient(&goredis.Options{Addr: redisAddr, DB: testDB})
	t.Cleanup(func() { c.Close() })
	return c
}

// assertion is a private_key_jwt client assertion (RFC 7523) for
// clientID, signed with a throwaway key.
func assertion(t *testing.T, clientID string) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: key}, nil)
	if err != nil {
		t.Fatal(err)
	}
	s, err := jwt.Signed(signer).Claims(jwt.Claims{
		Issuer: clientID, Subject: clientID, Audience: jwt.Audience{"https://auth.example.com/oauth2/token"},
		ID: "jti-1", Expiry: jwt.NewNumericDate(time.Now().Add(time.Minute)),
	}).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return s
}
