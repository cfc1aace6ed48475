package main

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/go-jose/go-jose/v4"
	"golang.org/x/oauth2"

	"github.com/tokenim/tokenim-auth/provider/keys"
	"github.com/tokenim/tokenim-auth/provider/secret"
	"github.com/tokenim/tokenim-auth/storage"
	"github.com/tokenim/tokenim-auth/storage/memory"
)

// esClient is a web app registered for ES256 ID tokens.
const esClient = `  - id: chat-es
    name: TokenIM Chat with ES256 ID tokens
    type: confidential
    secret: ` + webSecret + `
    redirect_uris: [` + webCallback + `]
    scopes: [openid, profile]
    skip_consent: true
    id_token_signed_response_alg: ES256
`

// defaultVerifier is a relying party at go-oidc's defaults without
// discovery: it accepts RS256 alone, as OpenID Connect Core 1.0 section
// 15.1 makes RS256 the one algorithm every provider must support.
func defaultVerifier(t *testing.T, p running, clientID string) *oidc.IDTokenVerifier {
	t.Helper()
	return oidc.NewVerifier(p.issuer, oidc.NewRemoteKeySet(t.Context(), p.issuer+"/.well-known/jwks.json"), &oidc.Config{ClientID: clientID})
}

// idTokenAlg is the alg header of a token response's ID token.
func idTokenAlg(t *testing.T, tok *oauth2.Token) (string, string) {
	t.Helper()
	raw, _ := tok.Extra("id_token").(string)
	var h struct {
		Alg string `json:"alg"`
	}
	if err := json.Unmarshal([]byte(decodeSegment(t, strings.SplitN(raw, ".", 2)[0])), &h); err != nil {
		t.Fatalf("ID token header: %v", err)
	}
	return h.Alg, raw
}

func TestIDTokenAlgorithms(t *testing.T) {
	t.Parallel()
	p := startProviderClients(t, "memory", esClient)
	b := newBrowser(t, p.issuer, webCallback, webBye)

	t.Run("discovery lists RS256 then ES256", func(t *testing.T) {
		var d struct {
			Algs []string `json:"id_token_signing_alg_values_supported"`
		}
		resp, err := http.Get(p.issuer + "/.well-known/openid-configuration")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if err := json.NewDecoder(resp.Body).Decode(&d); err != nil {
			t.Fatal(err)
		}
		if strings.Join(d.Algs, " ") != "RS256 ES256" {
			t.Fatalf("id_token_signing_alg_values_supported = %v", d.Algs)
		}
	})

	t.Run("a client with no algorithm gets RS256 ID tokens a relying party at its defaults verifies", func(t *testing.T) {
		tok, _, _ := newApp(t, p).login(t, b, p)
		alg, raw := idTokenAlg(t, tok)
		if alg != "RS256" {
			t.Fatalf("alg %s, want RS256", alg)
		}
		if _, err := defaultVerifier(t, p, "chat-web").Verify(t.Context(), raw); err != nil {
			t.Fatalf("go-oidc at its defaults: %v", err)
		}
	})

	t.Run("a client registered for ES256 gets ES256 ID tokens, which a relying party reading discovery verifies", func(t *testing.T) {
		a := newAppFor(t, p, "chat-es", oidc.ScopeOpenID, "profile")
		z := a.start(t)
		// Ann is signed in already and chat-es skips consent.
		cb := callback(t, b.get(z.url), p.issuer)
		tok, err := a.conf.Exchange(t.Context(), cb.Get("code"), oauth2.VerifierOption(z.verifier))
		if err != nil {
			t.Fatal(err)
		}
		alg, raw := idTokenAlg(t, tok)
		if alg != "ES256" {
			t.Fatalf("alg %s, want ES256", alg)
		}
		if _, err := a.verifier.Verify(t.Context(), raw); err != nil {
			t.Fatalf("go-oidc with the discovered algorithms: %v", err)
		}
		if _, err := defaultVerifier(t, p, "chat-es").Verify(t.Context(), raw); err == nil {
			t.Fatal("an ES256 ID token verified at go-oidc's RS256-only defaults")
		}
	})
}

// A store set up when the provider kept one ES256 key (migrated since, as
// the storage tests check it survives) gets an RS256 key beside it at the
// next start; the ES256 key stays current and published.
func TestUpgradeAddsAnRS256Key(t *testing.T) {
	t.Parallel()
	vars := migratedVars(t)
	vars["TOKENIM_SECRETS_SYSTEM"] = "e2e-system-secret-0123456789abcdefgh"
	store := storeOf(t, vars)
	ring, err := secret.NewKeyring(vars["TOKENIM_SECRETS_SYSTEM"])
	if err != nil {
		t.Fatal(err)
	}
	// The key the provider made then: ES256, sealed under the system secret.
	scratch := memory.New()
	km, err := keys.New(keys.Config{Store: scratch, SealKey: ring.Derive(secret.PurposeSigningKeys), Algorithm: keys.ES256})
	if err != nil {
		t.Fatal(err)
	}
	if err := km.Ensure(t.Context()); err != nil {
		t.Fatal(err)
	}
	made, err := scratch.ListSigningKeys(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	var es storage.SigningKey
	for _, k := range made {
		if k.Algorithm == keys.ES256 {
			es = k
		}
	}
	if err := store.CreateSigningKey(t.Context(), es); err != nil {
		t.Fatal(err)
	}

	p := startProvider(t, vars["TOKENIM_DATABASE_URL"])
	resp, err := http.Get(p.issuer + "/.well-known/jwks.json")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var set jose.JSONWebKeySet
	if err := json.NewDecoder(resp.Body).Decode(&set); err != nil {
		t.Fatal(err)
	}
	published := map[string]string{}
	for _, k := range set.Keys {
		published[k.Algorithm] = k.KeyID
	}
	if len(set.Keys) != 2 || published["ES256"] != es.ID || published["RS256"] == "" {
		t.Fatalf("published %v, want the ES256 key %s kept and an RS256 key beside it", published, es.ID)
	}
	tok, _, _ := newApp(t, p).login(t, newBrowser(t, p.issuer, webCallback, webBye), p)
	if _, raw := idTokenAlg(t, tok); raw == "" {
		t.Fatal("no ID token")
	} else if _, err := defaultVerifier(t, p, "chat-web").Verify(t.Context(), raw); err != nil {
		t.Fatalf("go-oidc at its defaults after the upgrade: %v", err)
	}
}

func TestClientsIDTokenAlgorithm(t *testing.T) {
	t.Parallel()
	vars := migratedVars(t)
	createClient(t, vars, "--id", "web-es", "--name", "Web ES", "--type", "confidential", "--redirect-uri", "https://app.example/cb",
		"--id-token-signed-response-alg", "ES256")
	createClient(t, vars, "--id", "web-rs", "--name", "Web", "--type", "confidential", "--redirect-uri", "https://app.example/cb")
	store := storeOf(t, vars)
	for id, want := range map[string]string{"web-es": "ES256", "web-rs": ""} {
		rec, err := store.GetClient(t.Context(), id)
		if err != nil {
			t.Fatal(err)
		}
		if rec.IDTokenSignedResponseAlg != want {
			t.Fatalf("%s: stored algorithm %q, want %q", id, rec.IDTokenSignedResponseAlg, want)
		}
	}

	t.Run("list --output json shows each client's ID token algorithm", func(t *testing.T) {
		var listed []struct {
			ClientID string `json:"client_id"`
			Alg      string `json:"id_token_signed_response_alg"`
		}
		if err := json.Unmarshal([]byte(mustRun(t, vars, "", "clients", "list", "--output", "json").stdout), &listed); err != nil {
			t.Fatal(err)
		}
		if len(listed) != 2 || listed[0].Alg != "ES256" || listed[1].Alg != "RS256" {
			t.Fatalf("json list %+v", listed)
		}
	})

	t.Run("an algorithm without a key exits 2 naming the field", func(t *testing.T) {
		r := runCmd(t, vars, "", "clients", "create", "--name", "Bad", "--type", "confidential", "--redirect-uri", "https://app.example/cb",
			"--id-token-signed-response-alg", "HS256")
		if r.code != 2 || !strings.Contains(r.stderr, "id_token_signed_response_alg") {
			t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
		}
	})
}
