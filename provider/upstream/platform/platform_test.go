package platform_test

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/tokenim/tokenim-auth/provider/upstream"
	"github.com/tokenim/tokenim-auth/provider/upstream/platform"
	"github.com/tokenim/tokenim-auth/storage"
)

const (
	redirectURI = "https://id.example.com/login/upstream/callback/corp"
	secret      = "s3cret-never-shown"
)

// fake is a platform's API on loopback: each path answers as the
// platform's documentation shows, and counts its calls.
type fake struct {
	t      *testing.T
	srv    *httptest.Server
	mu     sync.Mutex
	hits   map[string]int
	routes map[string]http.HandlerFunc
}

func newFake(t *testing.T) *fake {
	t.Helper()
	f := &fake{t: t, hits: map[string]int{}, routes: map[string]http.HandlerFunc{}}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.hits[r.URL.Path]++
		h := f.routes[r.URL.Path]
		f.mu.Unlock()
		if h == nil {
			t.Errorf("unexpected request %s %s", r.Method, r.URL.Path)
			http.NotFound(w, r)
			return
		}
		h(w, r)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fake) route(path string, h http.HandlerFunc) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.routes[path] = h
}

// answerWith makes path answer status and body.
func (f *fake) answerWith(path string, status int, body string) {
	f.route(path, func(w http.ResponseWriter, _ *http.Request) { answer(w, status, body) })
}

func (f *fake) hit(path string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.hits[path]
}

func answer(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

// expect reports a request that is not as the documentation says.
func expect(t *testing.T, what, got, want string) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %q, want %q", what, got, want)
	}
}

// clock is an injected clock a test can move.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock { return &clock{now: time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// kindCase is one platform as the shared tests drive it.
type kindCase struct {
	// config is the connector's configuration, endpoints not set.
	config platform.Config
	// docs installs the documented answers of a successful sign-in.
	docs func(t *testing.T, f *fake)
	// auth is the path of the authorization page, tokenPath of the
	// first call of a sign-in (the token exchange, WeCom's gettoken).
	auth      string
	tokenPath string
	// denied is the callback of a user who declined at the platform.
	denied url.Values
}

func kindCases() []kindCase {
	return []kindCase{githubCase(), wecomCase(), dingtalkCase(), feishuCase(), wechatCase()}
}

// connect builds the case's connector against base, changed by change.
func connect(t *testing.T, tc kindCase, base string, change func(*platform.Config)) *platform.Connector {
	t.Helper()
	cfg := tc.config
	cfg.Endpoints = platform.Endpoints{AuthURL: base + tc.auth, TokenURL: base + tc.tokenPath, APIURL: base}
	cfg.HTTPClient = &http.Client{Timeout: 5 * time.Second}
	if change != nil {
		change(&cfg)
	}
	c, err := platform.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// start runs the case's platform, answering as documented, and its
// connector.
func start(t *testing.T, tc kindCase, change func(*platform.Config)) (*fake, *platform.Connector) {
	t.Helper()
	f := newFake(t)
	tc.docs(t, f)
	return f, connect(t, tc, f.srv.URL, change)
}

// signIn runs the callback and Finish of a sign-in whose callback
// carried q.
func signIn(t *testing.T, c *platform.Connector, q url.Values, verifier string) (upstream.Identity, error) {
	t.Helper()
	code, err := c.CheckCallback(t.Context(), q)
	if err != nil {
		return upstream.Identity{}, err
	}
	return c.Finish(t.Context(), code, verifier, "unused-nonce")
}

// mustSignIn is signIn of a sign-in that must succeed.
func mustSignIn(t *testing.T, c *platform.Connector, q url.Values, verifier string) upstream.Identity {
	t.Helper()
	id, err := signIn(t, c, q, verifier)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func callback(code string) url.Values { return url.Values{"code": {code}, "state": {"st"}} }

func wantErr(t *testing.T, err, kind error, contains string) {
	t.Helper()
	if !errors.Is(err, kind) {
		t.Fatalf("error %v, want %v", err, kind)
	}
	if !strings.Contains(err.Error(), contains) {
		t.Fatalf("error %q does not say %q", err, contains)
	}
	if strings.Contains(err.Error(), secret) {
		t.Fatalf("error %q shows the client secret", err)
	}
}

func wantIdentity(t *testing.T, got, want upstream.Identity) {
	t.Helper()
	if got.Connector != want.Connector || got.Subject != want.Subject || got.Email != want.Email || got.EmailVerified != want.EmailVerified ||
		got.Name != want.Name || got.Username != want.Username || len(got.Groups) != 0 || len(got.AMR) != 0 {
		t.Fatalf("identity %+v, want %+v", got, want)
	}
}

func TestNewNamesTheBadField(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		change func(*platform.Config)
		want   string
	}{
		{"no ID", func(c *platform.Config) { c.ID = "" }, "needs an ID"},
		{"unknown kind", func(c *platform.Config) { c.Kind = "oidc" }, `kind "oidc" is not a platform`},
		{"no secret", func(c *platform.Config) { c.ClientSecret = "" }, "ClientSecret is required"},
		{"no client ID", func(c *platform.Config) { c.ClientID = "" }, "ClientID is required for GitHub"},
		{"no redirect", func(c *platform.Config) { c.RedirectURL = "" }, "RedirectURL"},
		{"relative redirect", func(c *platform.Config) { c.RedirectURL = "/callback" }, "RedirectURL"},
		{"bad endpoint", func(c *platform.Config) { c.Endpoints.APIURL = "ftp://api.example.com" }, "Endpoints.APIURL"},
		{"client without timeout", func(c *platform.Config) { c.HTTPClient = &http.Client{} }, "HTTPClient has no timeout"},
		{"wecom without corp", func(c *platform.Config) { *c = wecomCase().config; c.CorpID = "" }, "CorpID is required for WeCom"},
		{"wecom without agent", func(c *platform.Config) { *c = wecomCase().config; c.AgentID = "" }, "AgentID is required for WeCom"},
		{"wecom with scopes", func(c *platform.Config) { *c = wecomCase().config; c.Scopes = []string{"snsapi_base"} }, "takes no scopes"},
		{"wechat without app", func(c *platform.Config) { *c = wechatCase().config; c.AppID = "" }, "AppID is required for WeChat"},
		{"feishu without client", func(c *platform.Config) { *c = feishuCase().config; c.ClientID = "" }, "ClientID is required for Feishu"},
		{"dingtalk without client", func(c *platform.Config) { *c = dingtalkCase().config; c.ClientID = "" }, "ClientID is required for DingTalk"},
	} {
		cfg := githubCase().config
		tc.change(&cfg)
		_, err := platform.New(cfg)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one saying %q", tc.name, err, tc.want)
		}
	}
	for _, tc := range kindCases() {
		if _, err := platform.New(tc.config); err != nil {
			t.Errorf("%s: %v", tc.config.Kind, err)
		}
	}
}

// TestDeniedCallbackRefused: a user who declines at the platform comes
// back without a code (with error=access_denied on the OAuth platforms).
func TestDeniedCallbackRefused(t *testing.T) {
	t.Parallel()
	for _, tc := range kindCases() {
		c, err := platform.New(tc.config)
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.CheckCallback(t.Context(), tc.denied)
		if e := tc.denied.Get("error"); e != "" {
			wantErr(t, err, upstream.ErrRefused, "answered "+e)
		} else {
			wantErr(t, err, upstream.ErrRefused, "no code (the user did not approve")
		}
		_, err = c.CheckCallback(t.Context(), url.Values{"code": {"a\x00b"}})
		wantErr(t, err, upstream.ErrRefused, "not a usable code")
		_, err = c.CheckCallback(t.Context(), url.Values{"error": {"temporarily_unavailable"}})
		wantErr(t, err, upstream.ErrUnavailable, "temporarily_unavailable")
		_, err = c.Finish(t.Context(), "", "v", "")
		wantErr(t, err, upstream.ErrRefused, "missing code")
	}
}

// TestPlatformUnreachable: a platform that is down, times out, fails or
// answers something that is not its protocol is ErrUnavailable, and the
// error never shows the secret (WeChat and WeCom send it in the query).
func TestPlatformUnreachable(t *testing.T) {
	t.Parallel()
	huge := `{"x":"` + strings.Repeat("a", 1<<20) + `"}`
	for _, tc := range kindCases() {
		for _, fail := range []struct {
			name string
			how  func(f *fake) string // returns the base URL to use
			want string
		}{
			{"down", func(f *fake) string { f.srv.Close(); return f.srv.URL }, "connect"},
			{"500", func(f *fake) string {
				f.answerWith(tc.tokenPath, http.StatusInternalServerError, `{"errcode":-1,"errmsg":"system error"}`)
				return f.srv.URL
			}, "500"},
			{"502 page", func(f *fake) string {
				f.answerWith(tc.tokenPath, http.StatusBadGateway, `<html>bad gateway</html>`)
				return f.srv.URL
			}, "502"},
			{"garbage", func(f *fake) string {
				f.answerWith(tc.tokenPath, http.StatusOK, `<html>maintenance</html>`)
				return f.srv.URL
			}, "no JSON"},
			{"too large", func(f *fake) string {
				f.answerWith(tc.tokenPath, http.StatusOK, huge)
				return f.srv.URL
			}, "more than"},
			{"timeout", func(f *fake) string {
				// The handler holds the request until the client gives
				// up (or the test ends), reading the body first so the
				// server notices the client leaving.
				stop := make(chan struct{})
				f.t.Cleanup(func() { close(stop) })
				f.route(tc.tokenPath, func(_ http.ResponseWriter, r *http.Request) {
					_, _ = io.Copy(io.Discard, r.Body)
					select {
					case <-r.Context().Done():
					case <-stop:
					}
				})
				return f.srv.URL
			}, "Timeout"},
		} {
			t.Run(tc.config.Kind+"/"+fail.name, func(t *testing.T) {
				t.Parallel()
				f := newFake(t)
				tc.docs(t, f)
				base := fail.how(f)
				c := connect(t, tc, base, func(cfg *platform.Config) {
					// A short timeout only where the platform never
					// answers: a busy machine may take longer than that
					// to send the other answers (a megabyte too large).
					if fail.name == "timeout" {
						cfg.HTTPClient = &http.Client{Timeout: 300 * time.Millisecond}
					}
				})
				_, err := signIn(t, c, callback("CODE"), oauth2.GenerateVerifier())
				wantErr(t, err, upstream.ErrUnavailable, fail.want)
			})
		}
	}
}

// TestRedirectToPlatformDefaults: without Endpoints, each platform sends
// the browser to its documented host.
func TestRedirectToPlatformDefaults(t *testing.T) {
	t.Parallel()
	for kind, want := range map[string]string{
		storage.ConnectorGitHub:   "https://github.com/login/oauth/authorize?",
		storage.ConnectorWeCom:    "https://login.work.weixin.qq.com/wwlogin/sso/login?",
		storage.ConnectorDingTalk: "https://login.dingtalk.com/oauth2/auth?",
		storage.ConnectorFeishu:   "https://accounts.feishu.cn/open-apis/authen/v1/authorize?",
		storage.ConnectorWeChat:   "https://open.weixin.qq.com/connect/qrconnect?",
	} {
		for _, tc := range kindCases() {
			if tc.config.Kind != kind {
				continue
			}
			c, err := platform.New(tc.config)
			if err != nil {
				t.Fatal(err)
			}
			u, err := c.AuthCodeURL(t.Context(), "st", "nonce", oauth2.GenerateVerifier())
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(u, want) {
				t.Errorf("%s: authorization URL %s, want it at %s", kind, u, want)
			}
			if _, err := c.AuthCodeURL(t.Context(), "", "nonce", "v"); err == nil {
				t.Errorf("%s: an authorization URL without a state", kind)
			}
		}
	}
}

// authQuery is the query of c's authorization URL for state and
// verifier.
func authQuery(t *testing.T, c *platform.Connector, state, verifier string) (*url.URL, url.Values) {
	t.Helper()
	raw, err := c.AuthCodeURL(t.Context(), state, "nonce", verifier)
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u, u.Query()
}

// wantQuery checks the authorization request's parameters: exactly want.
func wantQuery(t *testing.T, q url.Values, want map[string]string) {
	t.Helper()
	for k, v := range want {
		expect(t, "authorization parameter "+k, q.Get(k), v)
	}
	for k := range q {
		if _, ok := want[k]; !ok {
			t.Errorf("authorization URL has undocumented parameter %s=%q", k, q.Get(k))
		}
	}
}
