package oauth_test

import (
	"net/http"
	"net/url"
	"slices"
	"testing"

	"github.com/tokenim/tokenim-auth/provider/oauth"
	"github.com/tokenim/tokenim-auth/provider/resources"
	"github.com/tokenim/tokenim-auth/storage"
)

// Resources of the resource-indicator tests: the IM message API, a search
// service reading messages, and a call service.
const (
	imResource     = "https://im.example.com"
	searchResource = "https://search.example.com"
	callsResource  = "https://calls.example.com"
)

func withResources(c *oauth.Config) {
	r, err := resources.NewRegistry([]resources.Resource{
		{URI: imResource, Scopes: []string{"im:messages.read", "im:messages.send"}},
		{URI: searchResource, Scopes: []string{"im:messages.read"}},
		{URI: callsResource, Scopes: []string{"im:calls.read"}},
	})
	if err != nil {
		panic(err)
	}
	c.Resources = r
}

// audOf is the aud of an introspection answer.
func audOf(r reply) []string {
	var out []string
	list, _ := r.body["aud"].([]any)
	for _, v := range list {
		s, _ := v.(string)
		out = append(out, s)
	}
	return out
}

// A client-credentials token for the resources its request names says
// them in aud (RFC 8707); a resource unknown, malformed, or whose scopes
// the client may not obtain is invalid_target.
func TestResourceIndicatorsClientCredentials(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, hh *harness) {
		h := newHarness(t, hh.store, withResources)
		botSecret := h.bot("bot", "im:messages.send")
		rsSecret := h.resourceServer("im")
		ask := func(resources ...string) reply {
			return h.post("/oauth2/token", url.Values{"grant_type": {"client_credentials"}, "resource": resources}, "bot", botSecret)
		}
		r := ask(imResource)
		if r.status != http.StatusOK {
			t.Fatalf("%d %s", r.status, r.raw)
		}
		if aud := audOf(h.introspect(r.str("access_token"), "im", rsSecret)); !slices.Equal(aud, []string{imResource}) {
			t.Fatalf("aud %v, want [%s]", aud, imResource)
		}
		for _, tt := range []struct {
			name      string
			resources []string
		}{
			{"a resource whose scopes the client may not obtain", []string{callsResource}},
			{"an unknown resource", []string{"https://elsewhere.example"}},
			{"a resource with a fragment", []string{imResource + "#x"}},
			{"a relative resource", []string{"/api"}},
			{"one good, one unknown", []string{imResource, "https://elsewhere.example"}},
		} {
			t.Run(tt.name, func(t *testing.T) {
				wantError(t, ask(tt.resources...), http.StatusBadRequest, "invalid_target")
			})
		}
	})
}

// A grant's resources are named at the authorization (or PAR) endpoint;
// each token request may narrow the access token to some of them, never
// name another, and the refresh token keeps them all.
func TestResourceIndicatorsCodeAndRefresh(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, hh *harness) {
		h := newUserHarness(t, hh.store, withResources)
		rsSecret := h.resourceServer("gateway")
		aud := func(t *testing.T, token string) []string {
			t.Helper()
			return audOf(h.introspect(token, "gateway", rsSecret))
		}
		q := authParams("app", h.appRedirect)
		q.Set("scope", "openid offline_access im:messages.read")
		q["resource"] = []string{imResource, searchResource}
		code := redirected(t, h.authorize(t, q.Encode()), h.appRedirect).Get("code")
		tok := h.post("/oauth2/token", url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {h.appRedirect},
			"code_verifier": {pkceVerifier}, "resource": {searchResource}}, "app", h.appSecret)
		if tok.status != http.StatusOK {
			t.Fatalf("code: %d %s", tok.status, tok.raw)
		}
		if got := aud(t, tok.str("access_token")); !slices.Equal(got, []string{searchResource}) {
			t.Fatalf("the code's access token: aud %v, want the one resource its request named", got)
		}
		var idClaims map[string]any
		h.verifyJWT(tok.str("id_token"), "JWT", &idClaims)
		if _, ok := idClaims["resources"]; ok {
			t.Errorf("the ID token carries the grant's resources: %v", idClaims)
		}

		refresh := func(rt string, resources ...string) reply {
			return h.post("/oauth2/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}, "resource": resources}, "app", h.appSecret)
		}
		next := refresh(tok.str("refresh_token"), imResource)
		if next.status != http.StatusOK || !slices.Equal(aud(t, next.str("access_token")), []string{imResource}) {
			t.Fatalf("refresh for the other resource of the grant: %d %s aud %v", next.status, next.raw, aud(t, next.str("access_token")))
		}
		wantError(t, refresh(next.str("refresh_token"), callsResource), http.StatusBadRequest, "invalid_target")
		all := refresh(next.str("refresh_token"))
		if all.status != http.StatusOK || !slices.Equal(aud(t, all.str("access_token")), []string{imResource, searchResource}) {
			t.Fatalf("refresh naming none: %d aud %v, want both of the grant's", all.status, aud(t, all.str("access_token")))
		}

		t.Run("an unknown resource goes back to the app as invalid_target", func(t *testing.T) {
			q := authParams("app", h.appRedirect)
			q.Set("resource", "https://elsewhere.example")
			if cb := redirected(t, h.authorize(t, q.Encode()), h.appRedirect); cb.Get("error") != "invalid_target" {
				t.Fatalf("callback %v", cb)
			}
		})
		t.Run("a pushed request's resources bind the grant", func(t *testing.T) {
			push := authParams("app", h.appRedirect)
			push.Set("resource", imResource)
			pushed := h.post("/oauth2/par", push, "app", h.appSecret)
			if pushed.status != http.StatusCreated {
				t.Fatalf("push: %d %s", pushed.status, pushed.raw)
			}
			code := redirected(t, h.authorize(t, url.Values{"client_id": {"app"}, "request_uri": {pushed.str("request_uri")}}.Encode()), h.appRedirect).Get("code")
			r := h.post("/oauth2/token", url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {h.appRedirect},
				"code_verifier": {pkceVerifier}}, "app", h.appSecret)
			if r.status != http.StatusOK || !slices.Equal(aud(t, r.str("access_token")), []string{imResource}) {
				t.Fatalf("%d aud %v", r.status, aud(t, r.str("access_token")))
			}
			pushBad := authParams("app", h.appRedirect)
			pushBad.Set("resource", callsResource)
			wantError(t, h.post("/oauth2/par", pushBad, "app", h.appSecret), http.StatusBadRequest, "invalid_target")
		})
	})
}

// A JWT access token's aud is its resources.
func TestResourceIndicatorsJWT(t *testing.T) {
	t.Parallel()
	h := newHarness(t, storageFor(t), withResources)
	secret := h.addClient(storage.Client{ID: "jwt-bot", Name: "JWT bot", Type: storage.ClientConfidential, GrantTypes: []string{"client_credentials"},
		Scopes: []string{"im:messages.read"}, AccessTokenFormat: storage.AccessTokenJWT})
	r := h.post("/oauth2/token", url.Values{"grant_type": {"client_credentials"}, "resource": {imResource, searchResource}}, "jwt-bot", secret)
	if r.status != http.StatusOK {
		t.Fatalf("%d %s", r.status, r.raw)
	}
	c := h.verifyAccessJWT(r.str("access_token"))
	if !slices.Equal([]string(c.Audience), []string{imResource, searchResource}) {
		t.Fatalf("aud %v", c.Audience)
	}
}

// A device names the resources at the device authorization endpoint
// (RFC 8707 with RFC 8628): its tokens are for them, a poll may narrow to
// some of them, and an unknown one is refused at once.
func TestResourceIndicatorsDevice(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, hh *harness) {
		h := newDeviceWorkspaceHarness(t, hh.store, withResources)
		rsSecret := h.resourceServer("im-gateway")
		wantError(t, h.ask("openid im:messages.read", url.Values{"resource": {callsResource}}), http.StatusBadRequest, "invalid_target")
		r := h.ask("openid offline_access im:messages.read", url.Values{"resource": {imResource, searchResource}})
		if r.status != http.StatusOK {
			t.Fatalf("device authorization: %d %s", r.status, r.raw)
		}
		h.approve(t, r.str("user_code"), "w-acme", "openid", "offline_access", "im:messages.read")
		tok := h.post("/oauth2/token", url.Values{"client_id": {"tv"}, "grant_type": {deviceGrant}, "device_code": {r.str("device_code")},
			"resource": {searchResource}}, "", "")
		if tok.status != http.StatusOK {
			t.Fatalf("poll: %d %s", tok.status, tok.raw)
		}
		if aud := audOf(h.introspect(tok.str("access_token"), "im-gateway", rsSecret)); !slices.Equal(aud, []string{searchResource}) {
			t.Fatalf("aud %v, want the one resource the poll named", aud)
		}
		next := h.post("/oauth2/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok.str("refresh_token")}, "client_id": {"tv"}}, "", "")
		if aud := audOf(h.introspect(next.str("access_token"), "im-gateway", rsSecret)); next.status != http.StatusOK || !slices.Equal(aud, []string{imResource, searchResource}) {
			t.Fatalf("refresh: %d aud %v, want both of the device's", next.status, aud)
		}
	})
}
