package main

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/tokenim/tokenim-auth/config"
	"github.com/tokenim/tokenim-auth/storage/postgres/pgtest"
	"github.com/tokenim/tokenim-auth/storage/redis/redistest"
)

// benchProvider assembles the provider as serve does, over dbURL, behind
// a real loopback HTTP server.
func benchProvider(b *testing.B, dbURL string) string {
	b.Helper()
	return benchProviderRedis(b, dbURL, "")
}

// benchProviderRedis is benchProvider with the Redis cache at redisURL
// (none when empty).
func benchProviderRedis(b *testing.B, dbURL, redisURL string) string {
	b.Helper()
	srv := httptest.NewUnstartedServer(nil)
	issuer := "http://" + srv.Listener.Addr().String()
	cfg := config.Default()
	cfg.Issuer = issuer
	cfg.Database.URL = dbURL
	cfg.Secrets.System = "bench-system-secret-0123456789abcdef"
	cfg.Clients = []config.Client{
		{ID: "bot", Name: "bot", Type: config.ClientConfidential, Secret: webSecret, GrantTypes: []string{"client_credentials"}, Scopes: []string{"im:messages.send"}},
		{ID: "im-gateway", Name: "gateway", Type: config.ClientResourceServer, Secret: gatewaySecret},
		{ID: "chat-web", Name: "web", Type: config.ClientConfidential, Secret: webSecret, RedirectURIs: []string{webCallback},
			Scopes: []string{"openid", "offline_access", "im:messages.read"}, SkipConsent: true},
	}
	cfg.Users = []config.User{{Email: annEmail, Name: "Ann", Password: annPassword}}
	// One client on one address asks thousands of times a second: far
	// past any sensible rate limit (provider/ratelimit has its own
	// benchmarks).
	cfg.RateLimit.Enabled = false
	if redisURL != "" {
		cfg.Redis.URL, cfg.Redis.Prefix = redisURL, redistest.Prefix(b)
	}
	if err := cfg.Validate(); err != nil {
		b.Fatal(err)
	}
	a, err := build(b.Context(), cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(a.store.Close)
	srv.Config.Handler = a.handler
	srv.Start()
	b.Cleanup(srv.Close)
	return issuer
}

func benchStores(b *testing.B, fn func(b *testing.B, issuer string)) {
	b.Run("memory", func(b *testing.B) { fn(b, benchProvider(b, "memory")) })
	b.Run("postgres", func(b *testing.B) { fn(b, benchProvider(b, pgtest.MigratedURL(b))) })
	b.Run("postgres+redis", func(b *testing.B) {
		fn(b, benchProviderRedis(b, pgtest.MigratedURL(b), fmt.Sprintf("redis://%s/%d", redistest.Addr(b), redistest.DB)))
	})
}

func postForm(b *testing.B, client *http.Client, u, user, pass string, form url.Values) string {
	req, _ := http.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(user, pass)
	resp, err := client.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b.Fatalf("%s: %d %s", u, resp.StatusCode, body)
	}
	return string(body)
}

func accessToken(b *testing.B, body string) string {
	_, rest, ok := strings.Cut(body, `"access_token":"`)
	if !ok {
		b.Fatalf("no access token in %s", body)
	}
	tok, _, _ := strings.Cut(rest, `"`)
	return tok
}

// BenchmarkClientCredentials issues bot tokens (one token per operation).
func BenchmarkClientCredentials(b *testing.B) {
	benchStores(b, func(b *testing.B, issuer string) {
		client := &http.Client{}
		form := url.Values{"grant_type": {"client_credentials"}}
		b.ReportAllocs()
		for b.Loop() {
			postForm(b, client, issuer+"/oauth2/token", "bot", webSecret, form)
		}
	})
}

// BenchmarkIntrospection introspects one active token as a resource server.
func BenchmarkIntrospection(b *testing.B) {
	benchStores(b, func(b *testing.B, issuer string) {
		client := &http.Client{}
		tok := accessToken(b, postForm(b, client, issuer+"/oauth2/token", "bot", webSecret, url.Values{"grant_type": {"client_credentials"}}))
		form := url.Values{"token": {tok}}
		b.ReportAllocs()
		for b.Loop() {
			if body := postForm(b, client, issuer+"/oauth2/introspect", "im-gateway", gatewaySecret, form); !strings.Contains(body, `"active":true`) {
				b.Fatalf("inactive: %s", body)
			}
		}
	})
}

// BenchmarkAuthorizationCode runs a whole authorization-code exchange for
// a signed-in user: authorize with PKCE, code, token (with ID token and
// refresh token).
func BenchmarkAuthorizationCode(b *testing.B) {
	benchStores(b, func(b *testing.B, issuer string) {
		conf := benchApp(b, issuer)
		br := benchBrowser(b, issuer, conf)
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			i++
			verifier := oauth2.GenerateVerifier()
			resp, err := br.Get(conf.AuthCodeURL(fmt.Sprintf("state-%08d", i), oauth2.S256ChallengeOption(verifier), oidc.Nonce(fmt.Sprintf("nonce-%08d", i))))
			if err != nil {
				b.Fatal(err)
			}
			resp.Body.Close()
			loc, _ := url.Parse(resp.Header.Get("Location"))
			code := loc.Query().Get("code")
			if code == "" {
				b.Fatalf("no code: %d %s", resp.StatusCode, resp.Header.Get("Location"))
			}
			if _, err := conf.Exchange(b.Context(), code, oauth2.VerifierOption(verifier)); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// benchApp is the web app of the benchmarks, its endpoints read from the
// provider's discovery document.
func benchApp(b *testing.B, issuer string) oauth2.Config {
	b.Helper()
	op, err := oidc.NewProvider(b.Context(), issuer)
	if err != nil {
		b.Fatal(err)
	}
	return oauth2.Config{ClientID: "chat-web", ClientSecret: webSecret, RedirectURL: webCallback, Endpoint: op.Endpoint(),
		Scopes: []string{"openid", "offline_access", "im:messages.read"}}
}

// benchBrowser signs the benchmark user in once and returns a client that
// stops at the app's callback.
func benchBrowser(b *testing.B, issuer string, conf oauth2.Config) *http.Client {
	b.Helper()
	br := newBrowser(b, issuer, webCallback)
	verifier := oauth2.GenerateVerifier()
	p := br.get(conf.AuthCodeURL("warm-up-state", oauth2.S256ChallengeOption(verifier), oidc.Nonce("warm-up-nonce")))
	p = br.submit(p, map[string]string{"email": annEmail, "password": annPassword})
	if p.status != http.StatusSeeOther || !strings.HasPrefix(p.location, webCallback) {
		b.Fatalf("sign-in for the benchmark: %d %s", p.status, p.location)
	}
	return br.client
}

// BenchmarkRefresh rotates a user's refresh token (refresh token
// rotation: each operation revokes the old access and refresh tokens and
// issues new ones, with their authorization records).
func BenchmarkRefresh(b *testing.B) {
	benchStores(b, func(b *testing.B, issuer string) {
		conf := benchApp(b, issuer)
		br := benchBrowser(b, issuer, conf)
		verifier := oauth2.GenerateVerifier()
		resp, err := br.Get(conf.AuthCodeURL("refresh-state", oauth2.S256ChallengeOption(verifier), oidc.Nonce("refresh-nonce")))
		if err != nil {
			b.Fatal(err)
		}
		resp.Body.Close()
		loc, _ := url.Parse(resp.Header.Get("Location"))
		tok, err := conf.Exchange(b.Context(), loc.Query().Get("code"), oauth2.VerifierOption(verifier))
		if err != nil {
			b.Fatal(err)
		}
		client := &http.Client{}
		refresh := tok.RefreshToken
		b.ReportAllocs()
		for b.Loop() {
			body := postForm(b, client, issuer+"/oauth2/token", "chat-web", webSecret,
				url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refresh}})
			_, rest, ok := strings.Cut(body, `"refresh_token":"`)
			if !ok {
				b.Fatalf("no refresh token in %s", body)
			}
			refresh, _, _ = strings.Cut(rest, `"`)
		}
	})
}
