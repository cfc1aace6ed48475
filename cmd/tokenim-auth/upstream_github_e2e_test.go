package main

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// fakeGitHubEnterprise answers as a GitHub Enterprise Server does for an
// OAuth app (https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps):
// the authorization page signs octo in at once and sends the browser back
// with a code; the token endpoint checks the code, the client and the
// PKCE verifier; /api/v3/user and /api/v3/user/emails describe octo.
func fakeGitHubEnterprise(t *testing.T, clientID, secret string) *httptest.Server {
	t.Helper()
	var mu sync.Mutex
	challenges := map[string]string{}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /login/oauth/authorize", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if q.Get("client_id") != clientID || q.Get("code_challenge_method") != "S256" {
			http.Error(w, "bad authorization request", http.StatusBadRequest)
			return
		}
		mu.Lock()
		challenges["code-1"] = q.Get("code_challenge")
		mu.Unlock()
		back, _ := url.Parse(q.Get("redirect_uri"))
		back.RawQuery = url.Values{"code": {"code-1"}, "state": {q.Get("state")}}.Encode()
		http.Redirect(w, r, back.String(), http.StatusFound)
	})
	mux.HandleFunc("POST /login/oauth/access_token", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		mu.Lock()
		challenge, ok := challenges[r.PostFormValue("code")]
		delete(challenges, r.PostFormValue("code"))
		mu.Unlock()
		sum := sha256.Sum256([]byte(r.PostFormValue("code_verifier")))
		user, pass, basic := r.BasicAuth()
		if !basic {
			user, pass = r.PostFormValue("client_id"), r.PostFormValue("client_secret")
		}
		if !ok || base64.RawURLEncoding.EncodeToString(sum[:]) != challenge || user != clientID || pass != secret {
			// GitHub answers a bad code with 200 and an error field.
			fmt.Fprint(w, `{"error":"bad_verification_code","error_description":"The code passed is incorrect or expired."}`)
			return
		}
		fmt.Fprint(w, `{"access_token":"gho_16C7e42F292c6912E7710c838347Ae178B4a","scope":"read:user,user:email","token_type":"bearer"}`)
	})
	authorized := func(next func(w http.ResponseWriter)) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			if !strings.EqualFold(r.Header.Get("Authorization"), "Bearer gho_16C7e42F292c6912E7710c838347Ae178B4a") {
				http.Error(w, `{"message":"Requires authentication"}`, http.StatusUnauthorized)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			next(w)
		}
	}
	mux.HandleFunc("GET /api/v3/user", authorized(func(w http.ResponseWriter) {
		json.NewEncoder(w).Encode(map[string]any{"login": "octo", "id": 4242, "name": "Octo Cat", "email": nil})
	}))
	mux.HandleFunc("GET /api/v3/user/emails", authorized(func(w http.ResponseWriter) {
		fmt.Fprint(w, `[{"email":"octo@github.example","verified":true,"primary":true,"visibility":"public"}]`)
	}))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// TestUpstreamGitHubEnterpriseSignIn runs serve with an oauth2-github
// connector whose base_url is a GitHub Enterprise Server on loopback: the
// sign-in page's button, GitHub's authorization and back, an account
// created just in time from GitHub's primary verified email, the
// consent page; the app's tokens say amr fed.
func TestUpstreamGitHubEnterpriseSignIn(t *testing.T) {
	t.Parallel()
	addr, issuer := freeIssuer(t)
	ghe := fakeGitHubEnterprise(t, "Iv1.corp", "ghe-s3cret")
	path := writeProviderConfig(t, issuer, fmt.Sprintf(`
upstreams:
  - id: ghe
    kind: oauth2-github
    name: Corp GitHub
    base_url: %s
    client_id: Iv1.corp
    client_secret_env: GHE_SECRET
    jit: true
`, ghe.URL))
	vars := map[string]string{"TOKENIM_DATABASE_URL": "memory", "TOKENIM_SECRETS_SYSTEM": "e2e-system-secret-0123456789abcdefgh", "GHE_SECRET": "ghe-s3cret"}
	base, _, _, stop := launchServeEnv(t, vars, nil, "--config", path, "--listen", addr)
	t.Cleanup(stop)
	p := running{issuer: base}
	app := newApp(t, p)
	b := newBrowser(t, p.issuer, webCallback)
	z := app.start(t)
	login := b.get(z.url)
	if !strings.Contains(login.body, "Sign in with Corp GitHub") {
		t.Fatalf("sign-in page %d without the Corp GitHub button:\n%s", login.status, login.body)
	}
	consent := b.submitTo(login, "/login/upstream/ghe", nil)
	if consent.url.Path != "/consent" {
		t.Fatalf("after GitHub: %d at %s\n%s", consent.status, consent.url, consent.body)
	}
	cb := callback(t, consentTo(t, b, consent, "allow"), p.issuer)
	wantUpstreamSignIn(t, app, cb.Get("code"), z.verifier, "octo@github.example")
}
