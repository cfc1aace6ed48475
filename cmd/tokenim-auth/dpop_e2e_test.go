package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	goredis "github.com/redis/go-redis/v9"

	"github.com/tokenim/tokenim-auth/dpop"
	"github.com/tokenim/tokenim-auth/dpop/dpoptest"
	"github.com/tokenim/tokenim-auth/rs"
	"github.com/tokenim/tokenim-auth/storage/redis/redistest"
)

// redisReplays is the DPoP replay store two instances of an IM service
// share: a key set once, with the proof's expiry.
type redisReplays struct {
	rdb    *goredis.Client
	prefix string
}

func (r redisReplays) Use(ctx context.Context, key string, until time.Time) (bool, error) {
	return r.rdb.SetNX(ctx, r.prefix+key, 1, max(time.Until(until), time.Second)).Result()
}

// TestOpenIDClientDPoP drives the provider's DPoP with openid-client 6
// (npm, at its defaults but for allowInsecureRequests), as a public
// desktop app would: the device grant and refreshes with its proofs,
// userinfo and an IM service (the rs package) called with DPoP, and its
// bound refresh token refused without its key. On Postgres it runs on two
// nodes requiring nonces (which openid-client fetches and retries), with
// two instances of the IM service sharing a replay store in Redis; a proof
// one node took is refused by the other.
func TestOpenIDClientDPoP(t *testing.T) {
	t.Parallel()
	dir := npmInstall(t, openIDClientDir)
	t.Run("memory", func(t *testing.T) {
		t.Parallel()
		p := startProviderClients(t, "memory", "")
		v, err := rs.New(rs.Config{Issuer: p.issuer, ClientID: "im-gateway", ClientSecret: gatewaySecret})
		if err != nil {
			t.Fatal(err)
		}
		runDPoPClient(t, dir, p, rsService(t, v).URL)
	})
	t.Run("postgres, two nodes, nonces", func(t *testing.T) {
		t.Parallel()
		c := startCluster(t, 2, "dpop:\n  nonce: true\n")
		p := running{issuer: c.issuer}
		replays := redisReplays{rdb: redistest.Client(t), prefix: redistest.Prefix(t)}
		service := func() string {
			v, err := rs.New(rs.Config{Issuer: c.issuer, ClientID: "im-gateway", ClientSecret: gatewaySecret, DPoP: rs.DPoP{Replays: replays}})
			if err != nil {
				t.Fatal(err)
			}
			return rsService(t, v).URL
		}
		first, second := service(), service()
		runDPoPClient(t, dir, p, first)
		proofAcrossNodes(t, c)

		// The second instance refuses a proof the first one took.
		key := newProofKey(t)
		tok := dpopToken(t, c.at(0, "/oauth2/token"), c.issuer+"/oauth2/token", key, "")
		proof := key.proof(t, "GET", first+"/messages", tok)
		if status, _ := dpopGet(t, first+"/messages", tok, proof); status != http.StatusForbidden {
			// The ops client's token has no IM scope: the proof was good, the
			// scope check refused it.
			t.Fatalf("first instance: %d, want 403 after the proof", status)
		}
		if status, challenge := dpopGet(t, second+"/messages", tok, proof); status != http.StatusUnauthorized || !strings.Contains(challenge, "invalid_dpop_proof") {
			t.Fatalf("second instance took a replayed proof: %d %q", status, challenge)
		}
	})
}

// runDPoPClient runs dpop.mjs against p with the IM service at service
// and checks each step.
func runDPoPClient(t *testing.T, dir string, p running, service string) {
	t.Helper()
	s := runNodeScript(t, dir, "dpop.mjs", map[string]any{
		"issuer":      p.issuer,
		"desktop":     map[string]any{"client_id": "chat-desktop", "scope": "openid offline_access im:messages.read"},
		"service_url": service + "/messages",
	})
	var disc struct {
		Metadata struct {
			Algs []string `json:"dpop_signing_alg_values_supported"`
		} `json:"metadata"`
	}
	s.next(t, "discovery", &disc)
	if !slices.Contains(disc.Metadata.Algs, "ES256") {
		t.Fatalf("dpop_signing_alg_values_supported %v", disc.Metadata.Algs)
	}
	var key struct {
		JWK jose.JSONWebKey `json:"jwk"`
	}
	s.next(t, "key", &key)
	jkt, err := dpop.Thumbprint(&key.JWK)
	if err != nil {
		t.Fatal(err)
	}

	var auth struct {
		Authorization struct {
			VerificationURIComplete string `json:"verification_uri_complete"`
		} `json:"authorization"`
	}
	s.next(t, "device_authorization", &auth)
	b := newBrowser(t, p.issuer)
	if pg := b.submit(openSignedIn(t, b, auth.Authorization.VerificationURIComplete), map[string]string{"decision": "allow"}); !strings.Contains(pg.body, "You approved the sign-in") {
		t.Fatalf("approving the device: %d\n%s", pg.status, pg.body)
	}
	var device tokenResult
	s.next(t, "device_token", &device)
	if !strings.EqualFold(device.Response.TokenType, "DPoP") || device.Response.RefreshToken == "" {
		t.Fatalf("the device's tokens: %+v, want token_type DPoP", device.Response)
	}

	var info struct {
		Userinfo map[string]any `json:"userinfo"`
	}
	s.next(t, "userinfo", &info)
	if info.Userinfo["sub"] != device.Claims.Subject {
		t.Fatalf("userinfo %v", info.Userinfo)
	}
	var res struct {
		Status int    `json:"status"`
		Body   string `json:"body"`
	}
	s.next(t, "resource", &res)
	if res.Status != http.StatusOK || res.Body != "chat-desktop" {
		t.Fatalf("the IM service answered openid-client's DPoP call %d %q", res.Status, res.Body)
	}
	var refreshed tokenResult
	s.next(t, "refresh", &refreshed)
	if !strings.EqualFold(refreshed.Response.TokenType, "DPoP") || refreshed.Response.RefreshToken == device.Response.RefreshToken {
		t.Fatalf("refresh: %+v", refreshed.Response)
	}
	for _, step := range []string{"refresh_without_proof", "refresh_other_key"} {
		var e struct {
			Error string `json:"error"`
		}
		s.next(t, step, &e)
		if e.Error != "invalid_dpop_proof" {
			t.Fatalf("%s: error %q, want invalid_dpop_proof", step, e.Error)
		}
	}
	var again tokenResult
	s.next(t, "refresh_again", &again)
	if !strings.EqualFold(again.Response.TokenType, "DPoP") {
		t.Fatalf("refresh with the key after the refusals: %+v", again.Response)
	}
	s.next(t, "done", nil)
	s.wait(t)

	// The app's last token without its key (the script has ended: nothing
	// rotates it meanwhile): refused by the service and by userinfo, each
	// with a DPoP challenge.
	last := again.Response.AccessToken
	in := introspect(t, p, last)
	cnf, _ := in["cnf"].(map[string]any)
	if in["active"] != true || in["token_type"] != "DPoP" || cnf["jkt"] != jkt {
		t.Fatalf("introspection %v, want cnf.jkt %s (the app's key) and token_type DPoP", in, jkt)
	}
	if status, challenge := bearerGet(t, service+"/messages", last); status != http.StatusUnauthorized || !strings.HasPrefix(challenge, "DPoP ") {
		t.Fatalf("the IM service took the bound token as a bearer token: %d %q", status, challenge)
	}
	if status, challenge := bearerGet(t, p.issuer+"/userinfo", last); status != http.StatusUnauthorized || !strings.HasPrefix(challenge, "DPoP ") {
		t.Fatalf("userinfo took the bound token as a bearer token: %d %q", status, challenge)
	}
}

// proofAcrossNodes shows the nodes share the proofs they took: a proof
// node A accepted is refused by node B, and a nonce node A gave is good
// on node B.
func proofAcrossNodes(t *testing.T, c cluster) {
	t.Helper()
	key := newProofKey(t)
	tokenURL := c.issuer + "/oauth2/token"
	first := postProof(t, c.at(0, "/oauth2/token"), key.proofWith(t, "POST", tokenURL, "", ""))
	nonce := first.Header.Get(dpop.NonceHeader)
	if first.StatusCode != http.StatusBadRequest || nonce == "" {
		t.Fatalf("node A without a nonce: %d, DPoP-Nonce %q", first.StatusCode, nonce)
	}
	proof := key.proofWith(t, "POST", tokenURL, "", nonce)
	if r := postProof(t, c.at(1, "/oauth2/token"), proof); r.StatusCode != http.StatusOK {
		t.Fatalf("node B with node A's nonce: %d", r.StatusCode)
	}
	r := postProof(t, c.at(0, "/oauth2/token"), proof)
	var body struct {
		Error string `json:"error"`
	}
	_ = json.NewDecoder(r.Body).Decode(&body)
	if r.StatusCode != http.StatusBadRequest || body.Error != "invalid_dpop_proof" {
		t.Fatalf("node A took the proof node B had: %d %q", r.StatusCode, body.Error)
	}
}

// proofKey is a DPoP key pair made with go-jose.
type proofKey struct{ dpoptest.Key }

func newProofKey(t *testing.T) proofKey { return proofKey{dpoptest.NewKey(t)} }

// proof is a proof for method u now presenting accessToken ("" for none).
func (k proofKey) proof(t *testing.T, method, u, accessToken string) string {
	return k.proofWith(t, method, u, accessToken, "")
}

func (k proofKey) proofWith(t *testing.T, method, u, accessToken, nonce string) string {
	t.Helper()
	return k.Proof(t, method, u, accessToken, nonce, time.Now())
}

// postProof asks at for a client-credentials token of the ops client
// with proof; the body is closed when the test ends.
func postProof(t *testing.T, at, proof string) *http.Response {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, at, strings.NewReader("grant_type=client_credentials"))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth("ops", url.QueryEscape(gatewaySecret))
	req.Header.Set(dpop.Header, proof)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// dpopToken gets the ops client a token bound to key at the token
// endpoint at (whose URL as the issuer names it is htu), fetching the
// nonce first when the provider asks for one.
func dpopToken(t *testing.T, at, htu string, key proofKey, nonce string) string {
	t.Helper()
	r := postProof(t, at, key.proofWith(t, "POST", htu, "", nonce))
	if n := r.Header.Get(dpop.NonceHeader); r.StatusCode == http.StatusBadRequest && n != "" && nonce == "" {
		return dpopToken(t, at, htu, key, n)
	}
	var body struct {
		AccessToken string `json:"access_token"`
		TokenType   string `json:"token_type"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil || r.StatusCode != http.StatusOK || body.TokenType != "DPoP" {
		t.Fatalf("token: %d %+v %v", r.StatusCode, body, err)
	}
	return body.AccessToken
}

// dpopGet calls u with a DPoP-bound token and its proof and returns the
// status and the challenge.
func dpopGet(t *testing.T, u, token, proof string) (int, string) {
	t.Helper()
	return getWith(t, u, "DPoP "+token, proof)
}

// bearerGet calls u with token as a bearer token.
func bearerGet(t *testing.T, u, token string) (int, string) {
	t.Helper()
	return getWith(t, u, "Bearer "+token, "")
}

func getWith(t *testing.T, u, authorization, proof string) (int, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", authorization)
	if proof != "" {
		req.Header.Set(dpop.Header, proof)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("WWW-Authenticate")
}
