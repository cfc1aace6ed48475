package main

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/tokenim/tokenim-auth/provider/keys"
	"github.com/tokenim/tokenim-auth/storage/postgres/pgtest"
	"github.com/tokenim/tokenim-auth/storage/redis/redistest"
)

// cluster is several serve processes sharing one Postgres schema and one
// Redis prefix, behind one issuer: the first node's address, as a load
// balancer would present them.
type cluster struct {
	issuer string
	config string
	vars   map[string]string
	nodes  []running
}

// startCluster starts n nodes with extra YAML appended to the
// configuration.
func startCluster(t *testing.T, n int, extra string) cluster {
	t.Helper()
	return startClusterVia(t, n, extra, redistest.Addr(t))
}

// startClusterVia is startCluster with Redis reached at redisAddr (a
// redistest.Proxy, say).
func startClusterVia(t *testing.T, n int, extra, redisAddr string) cluster {
	t.Helper()
	return startClusterEnv(t, n, extra, redisAddr, nil)
}

// startClusterEnv is startClusterVia with more environment variables for
// every node.
func startClusterEnv(t *testing.T, n int, extra, redisAddr string, more map[string]string) cluster {
	t.Helper()
	addrs := make([]string, n)
	for i := range addrs {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addrs[i] = ln.Addr().String()
		ln.Close()
	}
	c := cluster{issuer: "http://" + addrs[0]}
	c.config = writeProviderConfig(t, c.issuer, extra)
	c.vars = map[string]string{
		"TOKENIM_DATABASE_URL":   pgtest.MigratedURL(t),
		"TOKENIM_SECRETS_SYSTEM": "e2e-system-secret-0123456789abcdefgh",
		"TOKENIM_REDIS_URL":      fmt.Sprintf("redis://%s/%d", redisAddr, redistest.DB),
		"TOKENIM_REDIS_PREFIX":   redistest.Prefix(t),
		// Other nodes must learn of a key rotation through Redis, not by
		// re-reading the keys on a timer.
		"TOKENIM_KEYS_REFRESH": "10m",
	}
	maps.Copy(c.vars, more)
	for _, addr := range addrs {
		base, _, logs := startServe(t, c.vars, "--config", c.config, "--listen", addr)
		c.nodes = append(c.nodes, running{issuer: base, config: c.config, vars: c.vars, logs: logs})
	}
	return c
}

// at returns the URL of path on node i.
func (c cluster) at(i int, path string) string { return c.nodes[i].issuer + path }

// onNode rewrites a URL of the provider to node i.
func (c cluster) onNode(i int, raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		panic(err)
	}
	n, _ := url.Parse(c.nodes[i].issuer)
	u.Host = n.Host
	return u.String()
}

// introspectAt asks node i, as the IM gateway, whether token is active.
func (c cluster) introspectAt(t *testing.T, i int, token string) bool {
	t.Helper()
	out := introspect(t, running{issuer: c.nodes[i].issuer}, token)
	active, _ := out["active"].(bool)
	return active
}

// signInAcross signs Ann in to chat-web through node A, consents on node
// B, and redeems the code on the node conf's token URL names.
func (c cluster) signInAcross(t *testing.T, conf oauth2.Config) (*browser, *oauth2.Token) {
	t.Helper()
	b := newBrowser(t, c.issuer, webCallback)
	verifier := oauth2.GenerateVerifier()
	state := random(t)
	signedIn := signIn(t, b, b.get(conf.AuthCodeURL(state, oauth2.S256ChallengeOption(verifier))), annEmail, annPassword)
	if !strings.Contains(signedIn.url.Path, "/consent") {
		t.Fatalf("after signing in on node A: %d %s", signedIn.status, signedIn.url)
	}
	consentOnB := b.get(c.onNode(1, signedIn.url.String()))
	cb := callback(t, consentTo(t, b, consentOnB, "allow"), c.issuer)
	if cb.Get("state") != state {
		t.Fatalf("state %q, want %q", cb.Get("state"), state)
	}
	tok, err := conf.Exchange(t.Context(), cb.Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatalf("redeem the code: %v", err)
	}
	return b, tok
}

// Two nodes sharing Postgres and Redis, with the default reuse window:
// parallel refreshes with one refresh token, half on each node, all get a
// pair that works on both nodes, as a desktop app's windows would.
func TestRefreshRaceAcrossNodes(t *testing.T) {
	t.Parallel()
	c := startClusterEnv(t, 2, "", redistest.Addr(t), map[string]string{"TOKENIM_LIFESPANS_REFRESH_REUSE_WINDOW": "10s"})
	confAt := func(i int) oauth2.Config {
		return oauth2.Config{
			ClientID: "chat-web", ClientSecret: webSecret, RedirectURL: webCallback,
			Scopes:   []string{"openid", "offline_access", "im:messages.read"},
			Endpoint: oauth2.Endpoint{AuthURL: c.at(0, "/oauth2/auth"), TokenURL: c.at(i, "/oauth2/token"), AuthStyle: oauth2.AuthStyleInHeader},
		}
	}
	_, tok := c.signInAcross(t, confAt(0))
	const racers = 4
	got := make([]*oauth2.Token, racers)
	errs := make([]error, racers)
	var wg sync.WaitGroup
	for i := range racers {
		conf := confAt(i % 2)
		wg.Go(func() {
			got[i], errs[i] = conf.TokenSource(t.Context(), &oauth2.Token{RefreshToken: tok.RefreshToken, Expiry: time.Now().Add(-time.Hour)}).Token()
		})
	}
	wg.Wait()
	for i := range racers {
		if errs[i] != nil {
			t.Fatalf("refresh %d on node %d: %v", i, i%2, errs[i])
		}
	}
	for i, next := range got {
		for n := range c.nodes {
			if !c.introspectAt(t, n, next.AccessToken) {
				t.Errorf("the access token of refresh %d is inactive on node %d", i, n)
			}
		}
	}
	// Each refresh token works, once more, on the other node (a rotation
	// retires the family's access tokens, so this comes last).
	for i, next := range got {
		conf := confAt((i + 1) % 2)
		if _, err := conf.TokenSource(t.Context(), &oauth2.Token{RefreshToken: next.RefreshToken, Expiry: time.Now().Add(-time.Hour)}).Token(); err != nil {
			t.Errorf("the refresh token of refresh %d on the other node: %v", i, err)
		}
	}
}

func TestSeveralNodesAsOneProvider(t *testing.T) {
	t.Parallel()
	c := startCluster(t, 3, "")
	conf := oauth2.Config{
		ClientID: "chat-web", ClientSecret: webSecret, RedirectURL: webCallback,
		Scopes:   []string{"openid", "offline_access", "im:messages.read"},
		Endpoint: oauth2.Endpoint{AuthURL: c.at(0, "/oauth2/auth"), TokenURL: c.at(2, "/oauth2/token"), AuthStyle: oauth2.AuthStyleInHeader},
	}

	// A user signs in through node A; the flow goes on on node B (consent)
	// and the code is redeemed on node C.
	b, tok := c.signInAcross(t, conf)

	t.Run("the signed-in session is known on every node", func(t *testing.T) {
		for i := range c.nodes {
			p := b.get(c.at(i, "/account"))
			if p.status != http.StatusOK || !strings.Contains(p.body, annEmail) {
				t.Fatalf("node %d: account page %d, want Ann's page", i, p.status)
			}
		}
	})

	t.Run("a token issued on C introspects active on A, B and C, twice (cached)", func(t *testing.T) {
		for range 2 {
			for i := range c.nodes {
				if !c.introspectAt(t, i, tok.AccessToken) {
					t.Fatalf("node %d: token inactive", i)
				}
			}
		}
	})

	t.Run("every node answers ready", func(t *testing.T) {
		for i := range c.nodes {
			resp, err := http.Get(c.at(i, "/health/ready"))
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `"status":"ok"`) {
				t.Fatalf("node %d ready: %d %s", i, resp.StatusCode, body)
			}
		}
	})

	t.Run("revoked on C, inactive on A and B within 1s", func(t *testing.T) {
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, c.at(2, "/oauth2/revoke"),
			strings.NewReader(url.Values{"token": {tok.AccessToken}, "token_type_hint": {"access_token"}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth("chat-web", webSecret)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("revoke on node C: %d", resp.StatusCode)
		}
		revoked := time.Now()
		for _, i := range []int{0, 1} {
			for c.introspectAt(t, i, tok.AccessToken) {
				if time.Since(revoked) > time.Second {
					t.Fatalf("node %d still says active 1s after the revocation", i)
				}
				time.Sleep(10 * time.Millisecond)
			}
		}
	})

	t.Run("a key rotated on one node is published by the others at once", func(t *testing.T) {
		before := jwksKids(t, c.at(1, "/.well-known/jwks.json"))
		vars := maps.Clone(c.vars)
		var out, errs strings.Builder
		if code := run(t.Context(), []string{"keys", "rotate", "--config", c.config}, env{
			stdin: strings.NewReader(""), stdout: &out, stderr: &errs,
			lookup: func(k string) (string, bool) { v, ok := vars[k]; return v, ok },
		}); code != 0 {
			t.Fatalf("keys rotate exited %d: %s", code, errs.String())
		}
		rotated := time.Now()
		for i := range c.nodes {
			for {
				after := jwksKids(t, c.at(i, "/.well-known/jwks.json"))
				if len(after) == len(before)+len(keys.Algorithms()) {
					break
				}
				if time.Since(rotated) > time.Second {
					t.Fatalf("node %d publishes %v 1s after the rotation; before it published %v", i, after, before)
				}
				time.Sleep(10 * time.Millisecond)
			}
		}
	})
}

func jwksKids(t *testing.T, u string) []string {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var set struct {
		Keys []struct {
			Kid string `json:"kid"`
		} `json:"keys"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&set); err != nil {
		t.Fatal(err)
	}
	var kids []string
	for _, k := range set.Keys {
		kids = append(kids, k.Kid)
	}
	return kids
}

func TestRateLimitSharedAcrossNodes(t *testing.T) {
	t.Parallel()
	c := startCluster(t, 2, `
rate_limit:
  token:
    per_client: {rate: 3, period: 1m, burst: 3}
metrics:
  listen: 127.0.0.1:0
`)
	var refused *oauth2.RetrieveError
	for i := range 4 {
		cc := clientcredentials.Config{ClientID: "ops", ClientSecret: gatewaySecret, TokenURL: c.at(i%2, "/oauth2/token"), Scopes: []string{"admin"}, AuthStyle: oauth2.AuthStyleInHeader}
		_, err := cc.Token(t.Context())
		if i < 3 {
			if err != nil {
				t.Fatalf("request %d (node %d): %v", i+1, i%2, err)
			}
			continue
		}
		var ok bool
		if refused, ok = err.(*oauth2.RetrieveError); !ok {
			t.Fatalf("request 4 (node 1): err %v, want the shared budget spent", err)
		}
	}
	if refused.Response.StatusCode != http.StatusTooManyRequests || refused.Response.Header.Get("Retry-After") == "" || refused.ErrorCode != "rate_limited" {
		t.Fatalf("refusal %d, Retry-After %q, error %q: want 429 with Retry-After and rate_limited",
			refused.Response.StatusCode, refused.Response.Header.Get("Retry-After"), refused.ErrorCode)
	}
	// Node B refused the fourth request and counts it; both nodes count
	// what their cache answered.
	status, body := get(t, "http://"+metricsAddr(t, c.nodes[1])+"/metrics")
	if status != http.StatusOK {
		t.Fatalf("metrics of node B: %d", status)
	}
	for _, want := range []string{`tokenim_rate_limited_total{by="client",endpoint="token"} 1`, `tokenim_cache_requests_total{cache="client",result=`} {
		if !strings.Contains(body, want) {
			t.Errorf("node B's metrics lack %s:\n%s", want, body)
		}
	}
}

func TestRedisOutageSeenFromOutside(t *testing.T) {
	t.Parallel()
	proxy := redistest.NewProxy(t)
	c := startClusterVia(t, 2, "", proxy.Addr())
	issue := func() string {
		t.Helper()
		cc := clientcredentials.Config{ClientID: "ops", ClientSecret: gatewaySecret, TokenURL: c.at(0, "/oauth2/token"), Scopes: []string{"admin"}}
		tok, err := cc.Token(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		return tok.AccessToken
	}
	// status introspects on node i; an answer other than 200 (a 5xx)
	// fails the test.
	status := func(i int, token string) bool {
		t.Helper()
		return c.introspectAt(t, i, token)
	}
	kept, doomed := issue(), issue()
	for i := range 2 {
		if !status(i, kept) || !status(i, doomed) {
			t.Fatal("fresh tokens inactive")
		}
	}

	proxy.Break()
	for i := range 2 {
		if !status(i, kept) {
			t.Fatalf("node %d: a live token reads inactive while Redis is down", i)
		}
	}
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, c.at(1, "/oauth2/revoke"), strings.NewReader(url.Values{"token": {doomed}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth("ops", gatewaySecret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("revocation while Redis is down: %d", resp.StatusCode)
	}
	for i := range 2 {
		deadline := time.Now().Add(time.Second)
		for status(i, doomed) {
			if time.Now().After(deadline) {
				t.Fatalf("node %d: a token revoked while Redis is down still active after 1s", i)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	ready, err := http.Get(c.at(0, "/health/ready"))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(ready.Body)
	ready.Body.Close()
	if ready.StatusCode != http.StatusOK || !strings.Contains(string(body), `"status":"degraded"`) {
		t.Fatalf("readiness while Redis is down: %d %s, want 200 degraded", ready.StatusCode, body)
	}

	proxy.Mend()
	// Redis still holds the revoked token as it was cached before the
	// outage; for a few seconds, while the nodes reconnect, neither node
	// may bring it back.
	for end := time.Now().Add(3 * time.Second); time.Now().Before(end); {
		for i := range 2 {
			if status(i, doomed) {
				t.Fatalf("node %d: the token revoked during the outage is active again", i)
			}
			if !status(i, kept) {
				t.Fatalf("node %d: a live token reads inactive after the outage", i)
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
}
