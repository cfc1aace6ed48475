package oauth_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/dpop"
	"github.com/tokenim/tokenim-auth/dpop/dpoptest"
	"github.com/tokenim/tokenim-auth/provider/oauth"
	"github.com/tokenim/tokenim-auth/storage"
)

// dpopKey is a client's DPoP key pair.
type dpopKey struct {
	dpoptest.Key
	jkt string
}

func newDPoPKey(t testing.TB) dpopKey {
	k := dpoptest.NewKey(t)
	return dpopKey{Key: k, jkt: k.JKT}
}

// proof is a proof by k for method u now, presenting accessToken and
// carrying nonce when they are not empty.
func (k dpopKey) proof(t testing.TB, method, u, accessToken, nonce string) string {
	t.Helper()
	return k.Proof(t, method, u, accessToken, nonce, time.Now())
}

// withDPoP turns DPoP on over the harness's store (replays in its JTI
// table), with server nonces when nonces is set.
func withDPoP(store storage.Store, nonces bool, required ...string) func(*oauth.Config) {
	return func(c *oauth.Config) {
		cfg := dpop.Config{Replays: storage.Once{JTIs: store}}
		if nonces {
			cfg.Nonces = dpop.NewNonces([]byte(strings.Repeat("n", 32)), 0)
		}
		v, err := dpop.New(cfg)
		if err != nil {
			panic(err)
		}
		c.DPoP, c.DPoPRequired = v, required
	}
}

// cnfJKT is the cnf.jkt of an introspection answer; "" when it has none.
func cnfJKT(r reply) string {
	cnf, _ := r.body["cnf"].(map[string]any)
	jkt, _ := cnf["jkt"].(string)
	return jkt
}

// A token request with a valid DPoP proof gets a token bound to the
// proof's key: token_type DPoP, and introspection says cnf.jkt and
// token_type DPoP (RFC 9449 sections 5 and 6.2). Without a proof the
// token is a bearer token, as before.
func TestDPoPBindsClientCredentialsTokens(t *testing.T) {
	t.Parallel()
	for name, open := range backends() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			store := open(t)
			h := newHarness(t, store, withDPoP(store, false))
			botSecret := h.bot("bot", "im:messages.send")
			rsSecret := h.resourceServer("im")
			key := newDPoPKey(t)
			form := url.Values{"grant_type": {"client_credentials"}}

			bound := h.post("/oauth2/token", form, "bot", botSecret, key.proof(t, "POST", h.url("/oauth2/token"), "", ""))
			if bound.status != http.StatusOK || bound.str("token_type") != "DPoP" {
				t.Fatalf("with a proof: %d %s, want token_type DPoP", bound.status, bound.raw)
			}
			in := h.introspect(bound.str("access_token"), "im", rsSecret)
			if !active(in) || cnfJKT(in) != key.jkt || in.str("token_type") != "DPoP" {
				t.Fatalf("introspection %s, want cnf.jkt %s and token_type DPoP", in.raw, key.jkt)
			}
			if _, _, _, err := h.p.Bearer(t.Context(), bound.str("access_token")); !errors.Is(err, oauth.ErrBadToken) {
				t.Errorf("the admin API took a DPoP-bound token as a bearer token: %v", err)
			}

			plain := h.post("/oauth2/token", form, "bot", botSecret)
			if plain.status != http.StatusOK || !strings.EqualFold(plain.str("token_type"), "bearer") {
				t.Fatalf("without a proof: %d %s, want a bearer token", plain.status, plain.raw)
			}
			in = h.introspect(plain.str("access_token"), "im", rsSecret)
			if !active(in) || in.body["cnf"] != nil || in.str("token_type") != "Bearer" {
				t.Fatalf("introspection of a bearer token %s", in.raw)
			}
		})
	}
}

// Each proof the token endpoint refuses is invalid_dpop_proof with what
// was wrong, and no token.
func TestDPoPTokenEndpointRefusesBadProofs(t *testing.T) {
	t.Parallel()
	store := storageFor(t)
	h := newHarness(t, store, withDPoP(store, false))
	botSecret := h.bot("bot", "im:messages.send")
	key := newDPoPKey(t)
	form := url.Values{"grant_type": {"client_credentials"}}
	tokenURL := h.url("/oauth2/token")

	replayed := key.proof(t, "POST", tokenURL, "", "")
	if r := h.post("/oauth2/token", form, "bot", botSecret, replayed); r.status != http.StatusOK {
		t.Fatalf("first use: %d %s", r.status, r.raw)
	}
	for _, tt := range []struct {
		name, want string
		proofs     []string
	}{
		{"replayed", "jti already used", []string{replayed}},
		{"for another URL", "htu", []string{key.proof(t, "POST", h.url("/oauth2/par"), "", "")}},
		{"for another method", "htm", []string{key.proof(t, "GET", tokenURL, "", "")}},
		{"two proofs", "DPoP headers", []string{key.proof(t, "POST", tokenURL, "", ""), key.proof(t, "POST", tokenURL, "", "")}},
		{"not a JWS", "compact JWS", []string{"not-a-proof"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := h.post("/oauth2/token", form, "bot", botSecret, tt.proofs...)
			wantError(t, r, http.StatusBadRequest, "invalid_dpop_proof")
			if !strings.Contains(r.str("error_description"), tt.want) {
				t.Errorf("description %q does not say %q", r.str("error_description"), tt.want)
			}
		})
	}
}

// storageFor is the memory store: a test whose behaviour does not depend
// on the backend runs once.
func storageFor(t *testing.T) storage.Store {
	t.Helper()
	return backends()["memory"](t)
}

// With server nonces, a proof without the current nonce is answered
// use_dpop_nonce with the nonce in DPoP-Nonce, which a new proof then
// carries (RFC 9449 section 8); the code is still good for that retry.
func TestDPoPNonceAtTheTokenEndpoint(t *testing.T) {
	t.Parallel()
	store := storageFor(t)
	h := newUserHarness(t, store, withDPoP(store, true))
	key := newDPoPKey(t)
	q := authParams("desktop", "http://127.0.0.1/callback")
	code := redirected(t, h.authorize(t, q.Encode()), "http://127.0.0.1/callback").Get("code")
	form := url.Values{"grant_type": {"authorization_code"}, "client_id": {"desktop"}, "code": {code},
		"redirect_uri": {"http://127.0.0.1/callback"}, "code_verifier": {pkceVerifier}}

	first := h.post("/oauth2/token", form, "", "", key.proof(t, "POST", h.url("/oauth2/token"), "", ""))
	wantError(t, first, http.StatusBadRequest, "use_dpop_nonce")
	nonce := first.header.Get(dpop.NonceHeader)
	if nonce == "" {
		t.Fatalf("use_dpop_nonce without a DPoP-Nonce header: %v", first.header)
	}
	stale := h.post("/oauth2/token", form, "", "", key.proof(t, "POST", h.url("/oauth2/token"), "", strings.Repeat("A", 43)))
	wantError(t, stale, http.StatusBadRequest, "use_dpop_nonce")

	ok := h.post("/oauth2/token", form, "", "", key.proof(t, "POST", h.url("/oauth2/token"), "", nonce))
	if ok.status != http.StatusOK || ok.str("token_type") != "DPoP" {
		t.Fatalf("with the nonce: %d %s", ok.status, ok.raw)
	}
	if ok.header.Get(dpop.NonceHeader) == "" {
		t.Error("a successful answer carries no DPoP-Nonce for the next proof")
	}
}

// A public client's refresh token is bound to its DPoP key: a refresh
// needs a proof of that key (RFC 9449 section 5). A confidential client's
// is not; a refresh without a proof gets it a bearer access token.
func TestDPoPBoundRefresh(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, hh *harness) {
		h := newUserHarness(t, hh.store, withDPoP(hh.store, false))
		key, other := newDPoPKey(t), newDPoPKey(t)
		tokenURL := h.url("/oauth2/token")
		q := authParams("desktop", "http://127.0.0.1/callback")
		q.Set("scope", "openid offline_access")
		code := redirected(t, h.authorize(t, q.Encode()), "http://127.0.0.1/callback").Get("code")
		tok := h.post("/oauth2/token", url.Values{"grant_type": {"authorization_code"}, "client_id": {"desktop"}, "code": {code},
			"redirect_uri": {"http://127.0.0.1/callback"}, "code_verifier": {pkceVerifier}}, "", "", key.proof(t, "POST", tokenURL, "", ""))
		if tok.status != http.StatusOK || tok.str("token_type") != "DPoP" || tok.str("refresh_token") == "" {
			t.Fatalf("code exchange: %d %s", tok.status, tok.raw)
		}
		refresh := url.Values{"grant_type": {"refresh_token"}, "client_id": {"desktop"}, "refresh_token": {tok.str("refresh_token")}}

		wantError(t, h.post("/oauth2/token", refresh, "", ""), http.StatusBadRequest, "invalid_dpop_proof")
		wantError(t, h.post("/oauth2/token", refresh, "", "", other.proof(t, "POST", tokenURL, "", "")), http.StatusBadRequest, "invalid_dpop_proof")
		next := h.post("/oauth2/token", refresh, "", "", key.proof(t, "POST", tokenURL, "", ""))
		if next.status != http.StatusOK || next.str("token_type") != "DPoP" {
			t.Fatalf("refresh with the key: %d %s", next.status, next.raw)
		}

		app := h.codeFlow(t, "app", h.appSecret, h.appRedirect, "openid offline_access", nil)
		unbound := h.post("/oauth2/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {app.str("refresh_token")}},
			"app", h.appSecret, key.proof(t, "POST", tokenURL, "", ""))
		if unbound.status != http.StatusOK || unbound.str("token_type") != "DPoP" {
			t.Fatalf("confidential refresh with a proof: %d %s", unbound.status, unbound.raw)
		}
		plain := h.post("/oauth2/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {unbound.str("refresh_token")}}, "app", h.appSecret)
		if plain.status != http.StatusOK || !strings.EqualFold(plain.str("token_type"), "bearer") {
			t.Fatalf("confidential refresh without a proof: %d %s, want a bearer token", plain.status, plain.raw)
		}
	})
}

// An authorization code is bound to a key by dpop_jkt at the
// authorization endpoint, or by a proof sent to the PAR endpoint: only a
// proof of that key redeems it (RFC 9449 section 10).
func TestDPoPCodeBinding(t *testing.T) {
	t.Parallel()
	store := storageFor(t)
	h := newUserHarness(t, store, withDPoP(store, false))
	key, other := newDPoPKey(t), newDPoPKey(t)
	tokenURL := h.url("/oauth2/token")
	redirect := "http://127.0.0.1/callback"
	exchange := func(code string) url.Values {
		return url.Values{"grant_type": {"authorization_code"}, "client_id": {"desktop"}, "code": {code},
			"redirect_uri": {redirect}, "code_verifier": {pkceVerifier}}
	}
	codeFor := func(t *testing.T, extra url.Values) string {
		q := authParams("desktop", redirect)
		for k, v := range extra {
			q[k] = v
		}
		return redirected(t, h.authorize(t, q.Encode()), redirect).Get("code")
	}

	t.Run("dpop_jkt: another key is refused", func(t *testing.T) {
		code := codeFor(t, url.Values{"dpop_jkt": {key.jkt}})
		wantError(t, h.post("/oauth2/token", exchange(code), "", "", other.proof(t, "POST", tokenURL, "", "")), http.StatusBadRequest, "invalid_dpop_proof")
	})
	t.Run("dpop_jkt: no proof is refused", func(t *testing.T) {
		code := codeFor(t, url.Values{"dpop_jkt": {key.jkt}})
		wantError(t, h.post("/oauth2/token", exchange(code), "", ""), http.StatusBadRequest, "invalid_dpop_proof")
	})
	t.Run("dpop_jkt: the key's proof redeems it", func(t *testing.T) {
		code := codeFor(t, url.Values{"dpop_jkt": {key.jkt}})
		r := h.post("/oauth2/token", exchange(code), "", "", key.proof(t, "POST", tokenURL, "", ""))
		if r.status != http.StatusOK || r.str("token_type") != "DPoP" {
			t.Fatalf("%d %s", r.status, r.raw)
		}
	})
	t.Run("a malformed dpop_jkt goes back to the app as invalid_request", func(t *testing.T) {
		q := authParams("desktop", redirect)
		q.Set("dpop_jkt", "not-a-thumbprint")
		cb := redirected(t, h.authorize(t, q.Encode()), redirect)
		if cb.Get("error") != "invalid_request" || !strings.Contains(cb.Get("error_description"), "dpop_jkt") {
			t.Fatalf("callback %v", cb)
		}
	})
	t.Run("a proof at the PAR endpoint binds the code", func(t *testing.T) {
		push := authParams("desktop", redirect)
		pushed := h.post("/oauth2/par", push, "", "", key.proof(t, "POST", h.url("/oauth2/par"), "", ""))
		if pushed.status != http.StatusCreated {
			t.Fatalf("push: %d %s", pushed.status, pushed.raw)
		}
		q := url.Values{"client_id": {"desktop"}, "request_uri": {pushed.str("request_uri")}}
		code := redirected(t, h.authorize(t, q.Encode()), redirect).Get("code")
		wantError(t, h.post("/oauth2/token", exchange(code), "", "", other.proof(t, "POST", tokenURL, "", "")), http.StatusBadRequest, "invalid_dpop_proof")
	})
	t.Run("a PAR proof and a dpop_jkt of another key are refused", func(t *testing.T) {
		push := authParams("desktop", redirect)
		push.Set("dpop_jkt", other.jkt)
		r := h.post("/oauth2/par", push, "", "", key.proof(t, "POST", h.url("/oauth2/par"), "", ""))
		wantError(t, r, http.StatusBadRequest, "invalid_dpop_proof")
	})
}

// The userinfo endpoint takes a bound token only as "Authorization: DPoP"
// with a proof of its key for this request, ath included, and answers
// otherwise with a DPoP challenge (RFC 9449 section 7); the ID token says
// nothing of the key.
func TestDPoPUserinfo(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, hh *harness) {
		h := newUserHarness(t, hh.store, withDPoP(hh.store, false))
		key, other := newDPoPKey(t), newDPoPKey(t)
		tokenURL, infoURL := h.url("/oauth2/token"), h.url("/userinfo")
		q := authParams("app", h.appRedirect)
		code := redirected(t, h.authorize(t, q.Encode()), h.appRedirect).Get("code")
		tok := h.post("/oauth2/token", url.Values{"grant_type": {"authorization_code"}, "code": {code},
			"redirect_uri": {h.appRedirect}, "code_verifier": {pkceVerifier}}, "app", h.appSecret, key.proof(t, "POST", tokenURL, "", ""))
		if tok.status != http.StatusOK || tok.str("token_type") != "DPoP" {
			t.Fatalf("token: %d %s", tok.status, tok.raw)
		}
		at := tok.str("access_token")
		var idClaims map[string]any
		h.verifyJWT(tok.str("id_token"), "JWT", &idClaims)
		if _, ok := idClaims["dpop_jkt"]; ok {
			t.Errorf("the ID token carries the session's key: %v", idClaims)
		}

		get := func(scheme string, proofs ...string) reply {
			req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, infoURL, nil)
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Authorization", scheme+" "+at)
			for _, p := range proofs {
				req.Header.Add(dpop.Header, p)
			}
			return h.do(req)
		}
		refused := func(t *testing.T, r reply, code string) {
			t.Helper()
			ch := r.header.Get("WWW-Authenticate")
			if r.status != http.StatusUnauthorized || r.str("error") != code || !strings.HasPrefix(ch, "DPoP ") || !strings.Contains(ch, `error="`+code+`"`) {
				t.Fatalf("got %d %s, challenge %q; want 401 %s with a DPoP challenge", r.status, r.raw, ch, code)
			}
		}
		t.Run("as a bearer token", func(t *testing.T) { refused(t, get("Bearer"), "invalid_token") })
		t.Run("without a proof", func(t *testing.T) { refused(t, get("DPoP"), "invalid_dpop_proof") })
		t.Run("a proof without ath", func(t *testing.T) {
			refused(t, get("DPoP", key.proof(t, "GET", infoURL, "", "")), "invalid_dpop_proof")
		})
		t.Run("a proof of another key", func(t *testing.T) {
			refused(t, get("DPoP", other.proof(t, "GET", infoURL, at, "")), "invalid_dpop_proof")
		})
		t.Run("a proof of the key", func(t *testing.T) {
			r := get("DPoP", key.proof(t, "GET", infoURL, at, ""))
			if r.status != http.StatusOK || r.str("sub") != "ann" {
				t.Fatalf("%d %s", r.status, r.raw)
			}
		})
		t.Run("a bearer token as DPoP", func(t *testing.T) {
			plain := h.codeFlow(t, "app", h.appSecret, h.appRedirect, "openid", nil)
			req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, infoURL, nil)
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Authorization", "DPoP "+plain.str("access_token"))
			req.Header.Set(dpop.Header, key.proof(t, "GET", infoURL, plain.str("access_token"), ""))
			refused(t, h.do(req), "invalid_token")
		})
	})
}

// A JWT access token bound to a key carries cnf.jkt (RFC 9449 section
// 6.1).
func TestDPoPJWTAccessToken(t *testing.T) {
	t.Parallel()
	store := storageFor(t)
	h := newHarness(t, store, withDPoP(store, false))
	botSecret := h.addClient(storage.Client{ID: "jwt-bot", Name: "JWT bot", Type: storage.ClientConfidential, GrantTypes: []string{"client_credentials"},
		Scopes: []string{"im:messages.send"}, AccessTokenFormat: storage.AccessTokenJWT})
	key := newDPoPKey(t)
	r := h.post("/oauth2/token", url.Values{"grant_type": {"client_credentials"}}, "jwt-bot", botSecret, key.proof(t, "POST", h.url("/oauth2/token"), "", ""))
	if r.status != http.StatusOK || r.str("token_type") != "DPoP" {
		t.Fatalf("%d %s", r.status, r.raw)
	}
	var claims struct {
		Cnf struct {
			JKT string `json:"jkt"`
		} `json:"cnf"`
	}
	h.verifyJWT(r.str("access_token"), "at+jwt", &claims)
	if claims.Cnf.JKT != key.jkt {
		t.Fatalf("cnf.jkt %q, want %q", claims.Cnf.JKT, key.jkt)
	}
}

// DPoPRequired makes the kinds of client it names get no token without a
// proof; others are not affected.
func TestDPoPRequiredForPublicClients(t *testing.T) {
	t.Parallel()
	store := storageFor(t)
	h := newUserHarness(t, store, withDPoP(store, false, oauth.DPoPPublic))
	redirect := "http://127.0.0.1/callback"
	code := redirected(t, h.authorize(t, authParams("desktop", redirect).Encode()), redirect).Get("code")
	r := h.post("/oauth2/token", url.Values{"grant_type": {"authorization_code"}, "client_id": {"desktop"}, "code": {code},
		"redirect_uri": {redirect}, "code_verifier": {pkceVerifier}}, "", "")
	wantError(t, r, http.StatusBadRequest, "invalid_dpop_proof")
	if !strings.Contains(r.str("error_description"), "must bind its tokens with DPoP") {
		t.Errorf("description %q", r.str("error_description"))
	}
	if tok := h.codeFlow(t, "app", h.appSecret, h.appRedirect, "openid", nil); !strings.EqualFold(tok.str("token_type"), "bearer") {
		t.Errorf("a confidential client got %s", tok.raw)
	}
}

// Discovery advertises DPoP's algorithms only when DPoP is on; off, a
// proof is ignored and the token is a bearer token.
func TestDPoPDiscoveryAndOff(t *testing.T) {
	t.Parallel()
	metadata := func(h *harness) map[string]any {
		req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, h.url("/.well-known/openid-configuration"), nil)
		if err != nil {
			t.Fatal(err)
		}
		return h.do(req).body
	}
	store := storageFor(t)
	on := newHarness(t, store, withDPoP(store, false))
	algs, _ := metadata(on)["dpop_signing_alg_values_supported"].([]any)
	if !slices.Contains(algs, any("ES256")) {
		t.Errorf("dpop_signing_alg_values_supported %v, want ES256 among them", algs)
	}

	offStore := storageFor(t)
	off := newHarness(t, offStore)
	if v, ok := metadata(off)["dpop_signing_alg_values_supported"]; ok {
		t.Errorf("DPoP off, discovery says %v", v)
	}
	botSecret := off.bot("bot", "im:messages.send")
	r := off.post("/oauth2/token", url.Values{"grant_type": {"client_credentials"}}, "bot", botSecret, newDPoPKey(t).proof(t, "POST", off.url("/oauth2/token"), "", ""))
	if r.status != http.StatusOK || !strings.EqualFold(r.str("token_type"), "bearer") {
		t.Fatalf("DPoP off: %d %s, want a bearer token", r.status, r.raw)
	}
	var body map[string]any
	if err := json.Unmarshal([]byte(r.raw), &body); err != nil || body["cnf"] != nil {
		t.Errorf("DPoP off: %s", r.raw)
	}
}
