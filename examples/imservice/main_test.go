package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/rs"
)

func TestParse(t *testing.T) {
	env := func(vars map[string]string) func(string) (string, bool) {
		return func(k string) (string, bool) { v, ok := vars[k]; return v, ok }
	}
	for _, tc := range []struct {
		name    string
		args    []string
		vars    map[string]string
		wantErr string
		check   func(o options) bool
	}{
		{"the secret comes from the environment", []string{"-issuer", "http://a.example"}, map[string]string{secretEnv: "s"}, "",
			func(o options) bool {
				return o.clientSecret == "s" && o.issuer == "http://a.example" && o.cacheTTL == rs.DefaultCacheTTL
			}},
		{"the flag wins over the environment", []string{"-client-secret", "f"}, map[string]string{secretEnv: "s"}, "",
			func(o options) bool { return o.clientSecret == "f" }},
		{"a zero cache TTL turns the cache off", []string{"-cache-ttl", "0"}, map[string]string{secretEnv: "s"}, "",
			func(o options) bool { return o.cacheTTL == rs.NoCache }},
		{"the resource identifier is a flag", []string{"-resource", "https://im.example.com"}, map[string]string{secretEnv: "s"}, "",
			func(o options) bool { return o.resource == "https://im.example.com" }},
		{"no secret at all is an error naming the variable", nil, nil, secretEnv, nil},
		{"stray arguments are an error", []string{"serve"}, map[string]string{secretEnv: "s"}, "unexpected arguments", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o, err := parse(tc.args, env(tc.vars), io.Discard)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want one saying %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || !tc.check(o) {
				t.Fatalf("options %+v, error %v", o, err)
			}
		})
	}
}

// do calls the API as tok with body and returns the status and the decoded answer.
func do(t *testing.T, h http.Handler, tok rs.Token, method, body string) (int, map[string]any) {
	t.Helper()
	code, _, out := doAt(t, h, tok, method, "/messages", body)
	return code, out
}

// doAt calls path as tok and returns the status, the headers and the
// decoded answer.
func doAt(t *testing.T, h http.Handler, tok rs.Token, method, path, body string) (int, http.Header, map[string]any) {
	t.Helper()
	req := httptest.NewRequestWithContext(rs.NewContext(t.Context(), tok), method, path, strings.NewReader(body))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var out map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
		t.Fatalf("%s %s: not JSON: %s", method, path, rec.Body)
	}
	return rec.Code, rec.Header(), out
}

func TestMessages(t *testing.T) {
	h := newService(func() time.Time { return time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC) }).routes()
	ann := rs.Token{Subject: "ann", Scopes: []string{"im:messages.send", "im:messages.read"}}
	bot := rs.Token{ClientID: "im-bot", Scopes: []string{"im:messages.send"}}
	bob := rs.Token{Subject: "bob", Scopes: []string{"im:messages.read"}}

	if code, m := do(t, h, ann, "POST", `{"to":"bob","text":"hi"}`); code != 201 || m["from"] != "ann" || m["to"] != "bob" {
		t.Fatalf("ann sends: %d %v", code, m)
	}
	if code, m := do(t, h, bot, "POST", `{"to":"bob","text":"build green"}`); code != 201 || m["from"] != "im-bot" {
		t.Fatalf("the bot sends as itself: %d %v", code, m)
	}
	if code, m := do(t, h, bob, "POST", `{"to":"ann","text":"yo"}`); code != 403 || m["error"] != "insufficient_scope" {
		t.Fatalf("bob cannot send: %d %v", code, m)
	}
	if code, m := do(t, h, bob, "GET", ""); code != 200 || len(m["messages"].([]any)) != 2 {
		t.Fatalf("bob reads his messages: %d %v", code, m)
	}
	if code, m := do(t, h, bot, "GET", ""); code != 403 || m["scope"] != "im:messages.read" {
		t.Fatalf("the bot cannot read: %d %v", code, m)
	}
	for _, body := range []string{`not json`, `{"to":"bob"}`, `{"text":"hi"}`, `{"to":"bob","text":"hi","x":1}`, `{"to":"bob","text":"` + strings.Repeat("a", maxText+1) + `"}`} {
		if code, m := do(t, h, ann, "POST", body); code != 400 || m["error"] != "invalid_request" || m["error_description"] == "" {
			t.Errorf("bad body %.40q: %d %v", body, code, m)
		}
	}
}

func TestRunAgainstAProvider(t *testing.T) {
	provider := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if id, secret, _ := r.BasicAuth(); id != "demo-gateway" || secret != "s3cret" || r.URL.Path != "/oauth2/introspect" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		if r.PostFormValue("token") != "ory_at_ann.sig" {
			_, _ = io.WriteString(w, `{"active":false}`)
			return
		}
		_, _ = io.WriteString(w, `{"active":true,"sub":"ann","client_id":"chat-web","scope":"im:messages.send","token_use":"access_token"}`)
	}))
	defer provider.Close()
	ctx, cancel := context.WithCancel(t.Context())
	addr := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-issuer", provider.URL, "-listen", "127.0.0.1:0"},
			func(k string) (string, bool) { return "s3cret", k == secretEnv }, t.Output(), hooks{ready: func(a string) { addr <- a }})
	}()
	base := "http://" + <-addr
	post := func(token string) int {
		req, _ := http.NewRequestWithContext(t.Context(), "POST", base+"/messages", strings.NewReader(`{"to":"bob","text":"hi"}`))
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := post("ory_at_ann.sig"); code != 201 {
		t.Errorf("an active token with the scope: %d", code)
	}
	if code := post("ory_at_revoked.sig"); code != 401 {
		t.Errorf("an inactive token: %d", code)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("run: %v", err)
	}
}

// A revoked token is refused as soon as the provider streams its
// revocation, although its introspection answer is cached for an hour.
func TestRevokedTokenRefusedAtOnce(t *testing.T) {
	var revoked atomic.Bool
	subscribed := make(chan struct{}, 1)
	revoke := make(chan struct{})
	provider := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if id, secret, _ := r.BasicAuth(); id != "demo-gateway" || secret != "s3cret" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		switch r.URL.Path {
		case "/oauth2/introspect":
			if revoked.Load() {
				_, _ = io.WriteString(w, `{"active":false}`)
				return
			}
			_, _ = io.WriteString(w, `{"active":true,"sub":"ann","client_id":"chat-web","scope":"im:messages.send","token_use":"access_token"}`)
		case "/oauth2/revocations":
			w.Header().Set("Content-Type", "text/event-stream")
			w.WriteHeader(http.StatusOK)
			w.(http.Flusher).Flush()
			subscribed <- struct{}{}
			select {
			case <-revoke:
				revoked.Store(true)
				_, _ = io.WriteString(w, "id: 1\ndata: {\"seq\":1,\"kind\":\"grant\",\"action\":\"consent.withdrawn\",\"subject\":\"ann\",\"client_id\":\"chat-web\"}\n\n")
				w.(http.Flusher).Flush()
				<-r.Context().Done()
			case <-r.Context().Done():
			}
		default:
			w.WriteHeader(http.StatusNotFound)
		}
	}))
	defer provider.Close()
	ctx, cancel := context.WithCancel(t.Context())
	addr := make(chan string, 1)
	events := make(chan rs.Event, 1)
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-issuer", provider.URL, "-listen", "127.0.0.1:0", "-cache-ttl", "1h"},
			func(k string) (string, bool) { return "s3cret", k == secretEnv }, t.Output(),
			hooks{ready: func(a string) { addr <- a }, revoked: func(e rs.Event) { events <- e }})
	}()
	base := "http://" + <-addr
	post := func() int {
		req, _ := http.NewRequestWithContext(t.Context(), "POST", base+"/messages", strings.NewReader(`{"to":"bob","text":"hi"}`))
		req.Header.Set("Authorization", "Bearer tkm_at_ann.sig")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	select {
	case <-subscribed:
	case <-time.After(10 * time.Second):
		t.Fatal("the service did not subscribe to the revocation stream")
	}
	if code := post(); code != http.StatusCreated {
		t.Fatalf("before the revocation: %d", code)
	}
	close(revoke)
	select {
	case e := <-events:
		if e.Kind != "grant" || e.Subject != "ann" {
			t.Fatalf("event %+v", e)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the revocation did not reach the service")
	}
	if code := post(); code != http.StatusUnauthorized {
		t.Fatalf("after the revocation, within the cache TTL: %d, want 401", code)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("run: %v", err)
	}
}

// The export needs, besides im:messages.read, a two-factor sign-in at
// most ten minutes old; any other token is asked to step up (RFC 9470).
// (A token from rs.NewContext is judged on the real clock.)
func TestExportNeedsAFreshTwoFactorSignIn(t *testing.T) {
	h := newService(time.Now).routes()
	signedIn := time.Now().Add(-time.Minute)
	read := []string{"im:messages.send", "im:messages.read"}
	ann := rs.Token{Subject: "ann", Scopes: read, ACR: "2", AuthTime: signedIn}
	if code, m := do(t, h, ann, "POST", `{"to":"bob","text":"hi"}`); code != 201 {
		t.Fatalf("ann sends: %d %v", code, m)
	}
	const challenge = `Bearer realm="tokenim", error="insufficient_user_authentication", error_description="A stronger or more recent sign-in is required: `

	t.Run("a fresh two-factor sign-in downloads the history", func(t *testing.T) {
		code, header, m := doAt(t, h, ann, "GET", "/messages/export", "")
		if code != 200 || m["user"] != "ann" || len(m["messages"].([]any)) != 1 {
			t.Fatalf("export: %d %v", code, m)
		}
		if header.Get("Content-Disposition") != `attachment; filename="history.json"` || header.Get("Cache-Control") != "no-store" {
			t.Fatalf("export headers %v", header)
		}
	})
	t.Run("a passkey sign-in is stronger still", func(t *testing.T) {
		passkey := ann
		passkey.ACR = "3"
		if code, _, m := doAt(t, h, passkey, "GET", "/messages/export", ""); code != 200 {
			t.Fatalf("export: %d %v", code, m)
		}
	})
	for _, tc := range []struct {
		name      string
		tok       rs.Token
		challenge string
	}{
		{"a one-factor sign-in is asked for two factors", rs.Token{Subject: "ann", Scopes: read, ACR: "1", AuthTime: signedIn},
			challenge + `the access token's sign-in is below the level this request needs (acr 2).", acr_values="2", max_age="600"`},
		{"a two-factor sign-in an hour old is asked for a fresh one", rs.Token{Subject: "ann", Scopes: read, ACR: "2", AuthTime: time.Now().Add(-time.Hour)},
			challenge + `the access token's sign-in is older than this request allows (max_age 600 seconds).", acr_values="2", max_age="600"`},
		{"a bot has no sign-in to step up", rs.Token{ClientID: "im-bot", Scopes: read},
			challenge + `the access token's sign-in has no level (acr), and this request needs acr 2, and the access token does not say when its user signed in (auth_time), and this request needs a sign-in within 600 seconds.", acr_values="2", max_age="600"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, header, m := doAt(t, h, tc.tok, "GET", "/messages/export", "")
			if code != 401 || header.Get("WWW-Authenticate") != tc.challenge || m["error"] != "insufficient_user_authentication" || m["messages"] != nil {
				t.Fatalf("got %d %q %v\nwant 401 %q", code, header.Get("WWW-Authenticate"), m, tc.challenge)
			}
		})
	}
	t.Run("a strong sign-in does not stand in for the scope", func(t *testing.T) {
		sender := rs.Token{Subject: "ann", Scopes: []string{"im:messages.send"}, ACR: "3", AuthTime: signedIn}
		if code, _, m := doAt(t, h, sender, "GET", "/messages/export", ""); code != 403 || m["scope"] != "im:messages.read" {
			t.Fatalf("export without the scope: %d %v", code, m)
		}
	})
}

// Through the service as it runs: the provider's introspection answer
// tells the sign-in, a level-1 token gets the step-up challenge and a
// fresh level-2 token the history.
func TestRunAsksForStepUp(t *testing.T) {
	provider := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if id, secret, _ := r.BasicAuth(); id != "demo-gateway" || secret != "s3cret" || r.URL.Path != "/oauth2/introspect" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		acr := map[string]string{"tkm_at_password.sig": "1", "tkm_at_twofactor.sig": "2"}[r.PostFormValue("token")]
		if acr == "" {
			_, _ = io.WriteString(w, `{"active":false}`)
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"active": true, "sub": "ann", "client_id": "chat-web", "scope": "im:messages.read",
			"token_use": "access_token", "acr": acr, "amr": []string{"pwd"}, "auth_time": time.Now().Unix()})
	}))
	defer provider.Close()
	ctx, cancel := context.WithCancel(t.Context())
	addr := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-issuer", provider.URL, "-listen", "127.0.0.1:0", "-cache-ttl", "0"},
			func(k string) (string, bool) { return "s3cret", k == secretEnv }, t.Output(), hooks{ready: func(a string) { addr <- a }})
	}()
	base := "http://" + <-addr
	export := func(token string) (int, string) {
		req, _ := http.NewRequestWithContext(t.Context(), "GET", base+"/messages/export", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode, resp.Header.Get("WWW-Authenticate")
	}
	want := `Bearer realm="imservice", resource_metadata="` + base + `/.well-known/oauth-protected-resource", error="insufficient_user_authentication", error_description="A stronger or more recent sign-in is required: the access token's sign-in is below the level this request needs (acr 2).", acr_values="2", max_age="600"`
	if code, challenge := export("tkm_at_password.sig"); code != 401 || challenge != want {
		t.Errorf("a one-factor token: %d %q\nwant 401 %q", code, challenge, want)
	}
	if code, challenge := export("tkm_at_twofactor.sig"); code != 200 {
		t.Errorf("a fresh two-factor token: %d %q", code, challenge)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("run: %v", err)
	}
}

// A workspace's routes take a token issued for that workspace only, and
// keep its messages apart.
func TestWorkspaceMessages(t *testing.T) {
	h := newService(func() time.Time { return time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC) }).routes()
	scopes := []string{"im:messages.send", "im:messages.read"}
	acme := rs.Token{Subject: "ann", Scopes: scopes, WorkspaceID: "w-acme", WorkspaceHandle: "acme"}
	beta := rs.Token{Subject: "ann", Scopes: scopes, WorkspaceID: "w-beta", WorkspaceHandle: "beta"}
	if code, _, m := doAt(t, h, acme, "POST", "/workspaces/acme/messages", `{"to":"bob","text":"hi acme"}`); code != 201 || m["workspace"] != "w-acme" {
		t.Fatalf("ann sends in acme: %d %v", code, m)
	}
	if code, _, m := doAt(t, h, beta, "POST", "/workspaces/acme/messages", `{"to":"bob","text":"hi"}`); code != 403 || m["error"] != "insufficient_scope" {
		t.Fatalf("a beta token in acme: %d %v", code, m)
	}
	if code, _, m := doAt(t, h, beta, "GET", "/workspaces/w-beta/messages", ""); code != 200 || len(m["messages"].([]any)) != 0 {
		t.Fatalf("beta's messages: %d %v", code, m)
	}
	if code, _, m := doAt(t, h, acme, "GET", "/workspaces/w-acme/messages", ""); code != 200 || len(m["messages"].([]any)) != 1 {
		t.Fatalf("acme's messages: %d %v", code, m)
	}
}
