package oauth_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/tokenim/tokenim-auth/storage"
	"github.com/tokenim/tokenim-auth/storage/memory"
	"github.com/tokenim/tokenim-auth/storage/postgres/pgtest"
	"github.com/tokenim/tokenim-auth/storage/redis"
	"github.com/tokenim/tokenim-auth/storage/redis/redistest"
	"github.com/tokenim/tokenim-auth/storage/storagetest/faultproxy"
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
	// The authorization endpoint is a page: the app cannot be loaded, so
	// the user is asked to try again shortly, never told the app is
	// unknown nor sent anywhere.
	t.Run("the authorization page is 503 with Retry-After", func(t *testing.T) {
		resp := h.get("/oauth2/auth?"+authParams("app", h.appRedirect).Encode(), nil)
		if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" || resp.Header.Get("Location") != "" {
			t.Fatalf("got %d, Retry-After %q, Location %q; want a 503 page with Retry-After", resp.StatusCode, resp.Header.Get("Retry-After"), resp.Header.Get("Location"))
		}
	})

	proxy.Mend()
	if r := h.post("/oauth2/token", clientCredentials, "bot", botSecret); r.status != http.StatusOK {
		t.Fatalf("after the outage: %d %s", r.status, r.raw)
	}
}

// cachedOutage is a provider on Postgres behind the Redis cache, with a
// bot's token introspected by a resource server before the outage, so
// both clients and the token are cached; proxy cuts Postgres.
type cachedOutage struct {
	h                          *harness
	proxy                      *faultproxy.Proxy
	rdb                        *goredis.Client
	prefix                     string
	token, botSecret, gwSecret string
}

func newCachedOutage(t *testing.T) cachedOutage {
	t.Helper()
	pg, proxy := pgtest.OpenProxied(t)
	o := cachedOutage{proxy: proxy, rdb: redistest.Client(t), prefix: redistest.Prefix(t)}
	// No LocalTTL: the harness's nodes keep nothing in process memory.
	cache, err := redis.New(t.Context(), pg, redis.Config{Client: o.rdb, Prefix: o.prefix, TokenTTL: time.Hour, ObjectTTL: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	o.h = newHarness(t, cache)
	o.botSecret = o.h.bot("bot", "im:messages.send")
	o.gwSecret = o.h.resourceServer("gw")
	r := o.h.post("/oauth2/token", url.Values{"grant_type": {"client_credentials"}}, "bot", o.botSecret)
	if r.status != http.StatusOK {
		t.Fatalf("token: %d %s", r.status, r.raw)
	}
	o.token = r.str("access_token")
	// The first use of a secret is recorded on the client, which drops
	// it from the cache; the second fills the cache again.
	for range 2 {
		if r := o.h.introspect(o.token, "gw", o.gwSecret); !active(r) {
			t.Fatalf("before the outage: %s", r.raw)
		}
	}
	return o
}

// The Redis cache keeps introspection answering through a Postgres
// outage for the tokens it holds, while the token endpoint, which must
// write, says the service is unavailable.
func TestIntrospectionFromCacheDuringPostgresOutage(t *testing.T) {
	t.Parallel()
	o := newCachedOutage(t)
	o.proxy.Break()
	if r := o.h.introspect(o.token, "gw", o.gwSecret); !active(r) || r.str("client_id") != "bot" {
		t.Fatalf("during the outage: %d %s, want the cached token active", r.status, r.raw)
	}
	wantUnavailable(t, o.h.post("/oauth2/token", url.Values{"grant_type": {"client_credentials"}}, "bot", o.botSecret))
}

// A token that is not in a cache cannot be looked up while Postgres is
// down: introspection answers 503 temporarily_unavailable with
// Retry-After, never {"active":false} for a token that may be valid.
func TestIntrospectionOfAnUncachedTokenDuringPostgresOutage(t *testing.T) {
	t.Parallel()
	o := newCachedOutage(t)
	// The clients stay cached, the token does not.
	keys, err := o.rdb.Keys(t.Context(), o.prefix+"*t:*").Result()
	if err != nil || len(keys) == 0 {
		t.Fatalf("the token's cache entry: %v %v", keys, err)
	}
	if err := o.rdb.Del(t.Context(), keys...).Err(); err != nil {
		t.Fatal(err)
	}
	o.proxy.Break()
	r := o.h.introspect(o.token, "gw", o.gwSecret)
	if _, said := r.body["active"]; said {
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
