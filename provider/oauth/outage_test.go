package oauth_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/storage"
	"github.com/tokenim/tokenim-auth/storage/memory"
	"github.com/tokenim/tokenim-auth/storage/postgres/pgtest"
	"github.com/tokenim/tokenim-auth/storage/redis"
	"github.com/tokenim/tokenim-auth/storage/redis/redistest"
)

// wantUnavailable checks an answer to a request the store could not
// serve: 503 temporarily_unavailable with a Retry-After.
func wantUnavailable(t *testing.T, r reply) {
	t.Helper()
	wantError(t, r, http.StatusServiceUnavailable, "temporarily_unavailable")
	if r.header.Get("Retry-After") == "" {
		t.Fatal("503 without Retry-After")
	}
}

// During a Postgres outage every protocol endpoint says so, in its RFC
// 6749 shape with a hint to retry, instead of a bare 5xx or a claim that
// the client's credentials or token are wrong; once Postgres is back, so
// is the service.
func TestPostgresOutage(t *testing.T) {
	t.Parallel()
	store, proxy := pgtest.OpenProxied(t)
	h := newUserHarness(t, store)
	botSecret := h.bot("bot", "im:messages.send")
	gwSecret := h.resourceServer("gw")
	h.addClient(storage.Client{ID: "tv", Name: "TV", Type: storage.ClientPublic, GrantTypes: []string{"urn:ietf:params:oauth:grant-type:device_code"}, Scopes: []string{"openid"}})
	tok := h.tokens(t, "openid offline_access")
	clientCredentials := url.Values{"grant_type": {"client_credentials"}}
	if r := h.post("/oauth2/token", clientCredentials, "bot", botSecret); r.status != http.StatusOK {
		t.Fatalf("before the outage: %d %s", r.status, r.raw)
	}

	proxy.Break()
	for name, call := range map[string]func() reply{
		"client credentials": func() reply { return h.post("/oauth2/token", clientCredentials, "bot", botSecret) },
		"refresh": func() reply {
			return h.post("/oauth2/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok.str("refresh_token")}}, "app", h.appSecret)
		},
		"introspection": func() reply { return h.introspect(tok.str("access_token"), "gw", gwSecret) },
		"revocation": func() reply {
			return h.post("/oauth2/revoke", url.Values{"token": {tok.str("access_token")}}, "app", h.appSecret)
		},
		"pushed authorization request": func() reply {
			form := authParams("app", h.appRedirect)
			form.Del("client_id")
			return h.post("/oauth2/par", form, "app", h.appSecret)
		},
		"device authorization": func() reply { return h.post("/oauth2/device/auth", url.Values{"client_id": {"tv"}}, "", "") },
		"userinfo": func() reply {
			req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, h.url("/userinfo"), nil)
			req.Header.Set("Authorization", "Bearer "+tok.str("access_token"))
			return h.do(req)
		},
	} {
		t.Run(name+" is 503 temporarily_unavailable", func(t *testing.T) { wantUnavailable(t, call()) })
	}

	proxy.Mend()
	if r := h.post("/oauth2/token", clientCredentials, "bot", botSecret); r.status != http.StatusOK {
		t.Fatalf("after the outage: %d %s", r.status, r.raw)
	}
}

// The Redis cache keeps introspection answering through a Postgres
// outage for the tokens it holds, while the token endpoint, which must
// write, says the service is unavailable.
func TestIntrospectionFromCacheDuringPostgresOutage(t *testing.T) {
	t.Parallel()
	pg, proxy := pgtest.OpenProxied(t)
	cache, err := redis.New(t.Context(), pg, redis.Config{Client: redistest.Client(t), Prefix: redistest.Prefix(t), TokenTTL: time.Hour, ObjectTTL: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, cache)
	botSecret := h.bot("bot", "im:messages.send")
	gwSecret := h.resourceServer("gw")
	r := h.post("/oauth2/token", url.Values{"grant_type": {"client_credentials"}}, "bot", botSecret)
	if r.status != http.StatusOK {
		t.Fatalf("token: %d %s", r.status, r.raw)
	}
	token := r.str("access_token")
	// The first use of a secret is recorded on the client, which drops
	// it from the cache; the second fills the cache again.
	for range 2 {
		if r := h.introspect(token, "gw", gwSecret); !active(r) {
			t.Fatalf("before the outage: %s", r.raw)
		}
	}

	proxy.Break()
	if r := h.introspect(token, "gw", gwSecret); !active(r) || r.str("client_id") != "bot" {
		t.Fatalf("during the outage: %d %s, want the cached token active", r.status, r.raw)
	}
	wantUnavailable(t, h.post("/oauth2/token", url.Values{"grant_type": {"client_credentials"}}, "bot", botSecret))
}

// A token that is not in a cache cannot be looked up while Postgres is
// down: introspection answers 503 temporarily_unavailable with
// Retry-After, never {"active":false} for a token that may be valid.
func TestIntrospectionOfAnUncachedTokenDuringPostgresOutage(t *testing.T) {
	t.Parallel()
	pg, proxy := pgtest.OpenProxied(t)
	rdb, prefix := redistest.Client(t), redistest.Prefix(t)
	cache, err := redis.New(t.Context(), pg, redis.Config{Client: rdb, Prefix: prefix, TokenTTL: time.Hour, ObjectTTL: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, cache)
	botSecret := h.bot("bot", "im:messages.send")
	gwSecret := h.resourceServer("gw")
	r := h.post("/oauth2/token", url.Values{"grant_type": {"client_credentials"}}, "bot", botSecret)
	if r.status != http.StatusOK {
		t.Fatalf("token: %d %s", r.status, r.raw)
	}
	token := r.str("access_token")
	// The first use of each secret is recorded on its client; the
	// second fills the cache with both clients again.
	for range 2 {
		if r := h.introspect(token, "gw", gwSecret); !active(r) {
			t.Fatalf("before the outage: %s", r.raw)
		}
	}
	// The clients stay cached, the token does not: it is in no cache
	// (the harness's nodes keep nothing in process memory).
	keys, err := rdb.Keys(t.Context(), prefix+"*t:*").Result()
	if err != nil || len(keys) == 0 {
		t.Fatalf("the token's cache entry: %v %v", keys, err)
	}
	if err := rdb.Del(t.Context(), keys...).Err(); err != nil {
		t.Fatal(err)
	}
	proxy.Break()
	r = h.introspect(token, "gw", gwSecret)
	if active(r) || r.str("active") != "" {
		t.Fatalf("during the outage: %d %s, want no answer about the token", r.status, r.raw)
	}
	wantUnavailable(t, r)
}

// failingTokens is a store whose token writes fail for no reason the
// client could know of.
type failingTokens struct{ storage.Store }

var errDiskOnFire = errors.New("disk on fire")

func (failingTokens) CreateToken(context.Context, storage.Token) error { return errDiskOnFire }

// A fault of ours that is not an outage is 500 server_error with a
// description, never fosite's {"error":"error"}.
func TestServerErrorIsRFC6749Shaped(t *testing.T) {
	t.Parallel()
	h := newHarness(t, failingTokens{memory.New()})
	botSecret := h.bot("bot", "im:messages.send")
	r := h.post("/oauth2/token", url.Values{"grant_type": {"client_credentials"}}, "bot", botSecret)
	wantError(t, r, http.StatusInternalServerError, "server_error")
	if strings.Contains(r.raw, errDiskOnFire.Error()) {
		t.Fatalf("the cause reached the client: %s", r.raw)
	}
}
