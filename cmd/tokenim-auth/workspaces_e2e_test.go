package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/tokenim/tokenim-auth/rs"
	"github.com/tokenim/tokenim-auth/storage"
	"github.com/tokenim/tokenim-auth/storage/postgres/pgtest"
)

// startWorkspaceProvider is startProvider that also returns the store
// serve opened, for the test to make workspaces no configuration declares.
func startWorkspaceProvider(t *testing.T, dbURL string) (running, storage.Store) {
	t.Helper()
	opened := make(chan storage.Store, 1)
	p := startProviderEnv(t, dbURL, "", func(e *env) { e.opened = func(s storage.Store) { opened <- s } })
	return p, <-opened
}

// Two workspaces side by side, on memory and on Postgres: Ann, a member
// of both, signs in to an app through golang.org/x/oauth2 and
// coreos/go-oidc at their defaults, naming the workspace with the
// organization parameter. Each token names its workspace (ID token,
// introspection), a resource server guarded by rs.RequireWorkspace takes
// each for its own workspace only, and removing Ann from one workspace
// (RevokeSubjectWorkspace) ends that workspace's token alone.
func TestWorkspaceSignInEndToEnd(t *testing.T) {
	t.Parallel()
	for _, backend := range []struct {
		name string
		url  func(t testing.TB) string
	}{
		{"memory", func(testing.TB) string { return "memory" }},
		{"postgres", pgtest.MigratedURL},
	} {
		t.Run(backend.name, func(t *testing.T) {
			t.Parallel()
			p, store := startWorkspaceProvider(t, backend.url(t))
			ctx := t.Context()
			ann := annInTwoWorkspaces(t, store)
			a := newAppFor(t, p, "chat-home", oidc.ScopeOpenID, "im:messages.read")
			b := newBrowser(t, p.issuer, webCallback)

			// tokenFor runs the code flow for the workspace org; the first
			// one signs Ann in, the next finds her signed in.
			signedIn := false
			tokenFor := func(t *testing.T, org string) *oauth2.Token {
				t.Helper()
				z := a.start(t, oauth2.SetAuthURLParam("organization", org))
				pg := b.get(z.url)
				if !signedIn {
					pg, signedIn = signIn(t, b, pg, annEmail, annPassword), true
				}
				cb := callback(t, pg, p.issuer)
				tok, err := a.conf.Exchange(ctx, cb.Get("code"), oauth2.VerifierOption(z.verifier))
				if err != nil {
					t.Fatal(err)
				}
				raw, _ := tok.Extra("id_token").(string)
				id, err := a.verifier.Verify(ctx, raw)
				if err != nil {
					t.Fatal(err)
				}
				var claims struct {
					OrgID     string `json:"org_id"`
					OrgHandle string `json:"org_handle"`
				}
				if err := id.Claims(&claims); err != nil || claims.OrgID != "w-"+org || claims.OrgHandle != org {
					t.Fatalf("ID token for %s names org_id %q, org_handle %q (%v)", org, claims.OrgID, claims.OrgHandle, err)
				}
				in := introspect(t, p, tok.AccessToken)
				if in["active"] != true || in["org_id"] != "w-"+org || in["org_handle"] != org {
					t.Fatalf("introspection of the %s token: %v", org, in)
				}
				return tok
			}
			acme, beta := tokenFor(t, "acme"), tokenFor(t, "beta")

			t.Run("a member of several workspaces is asked to choose without organization", func(t *testing.T) {
				pg := b.get(a.start(t).url)
				if pg.status != http.StatusOK || pg.url.Path != "/choose-workspace" || !strings.Contains(pg.body, "Acme") || !strings.Contains(pg.body, "Beta") {
					t.Fatalf("got %d %s:\n%s", pg.status, pg.url, pg.body)
				}
			})

			v, err := rs.New(rs.Config{Issuer: p.issuer, ClientID: "im-gateway", ClientSecret: gatewaySecret, CacheTTL: rs.NoCache})
			if err != nil {
				t.Fatal(err)
			}
			mux := http.NewServeMux()
			mux.Handle("GET /workspaces/{ws}/messages", rs.RequireWorkspace(func(r *http.Request) string { return r.PathValue("ws") })(
				http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusOK) })))
			srv := httptest.NewServer(v.Middleware(mux))
			t.Cleanup(srv.Close)
			call := func(ws, token string) int {
				req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/workspaces/"+ws+"/messages", nil)
				req.Header.Set("Authorization", "Bearer "+token)
				resp, err := srv.Client().Do(req)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				return resp.StatusCode
			}
			t.Run("rs.RequireWorkspace takes each token for its own workspace only", func(t *testing.T) {
				for _, c := range []struct {
					ws, token string
					want      int
				}{
					{"acme", acme.AccessToken, http.StatusOK}, {"w-acme", acme.AccessToken, http.StatusOK}, {"beta", acme.AccessToken, http.StatusForbidden},
					{"beta", beta.AccessToken, http.StatusOK}, {"acme", beta.AccessToken, http.StatusForbidden},
				} {
					if got := call(c.ws, c.token); got != c.want {
						t.Errorf("workspace %s with the %s token: %d, want %d", c.ws, map[string]string{acme.AccessToken: "acme", beta.AccessToken: "beta"}[c.token], got, c.want)
					}
				}
			})
			t.Run("a member removed from a workspace loses that workspace's tokens only", func(t *testing.T) {
				if n, err := store.RevokeSubjectWorkspace(ctx, ann.ID, "w-acme"); err != nil || n == 0 {
					t.Fatalf("revoked %d, %v", n, err)
				}
				if in := introspect(t, p, acme.AccessToken); in["active"] != false {
					t.Errorf("the acme token is still active: %v", in)
				}
				if in := introspect(t, p, beta.AccessToken); in["active"] != true {
					t.Errorf("the beta token died with acme's: %v", in)
				}
				if got := call("acme", acme.AccessToken); got != http.StatusUnauthorized {
					t.Errorf("the revoked acme token at the resource server: %d, want 401", got)
				}
			})
		})
	}
}

// annInTwoWorkspaces makes the workspaces acme (w-acme) and beta (w-beta)
// and Ann a member of both, and returns Ann.
func annInTwoWorkspaces(t *testing.T, store storage.Store) storage.User {
	t.Helper()
	ctx := t.Context()
	ann, err := store.GetUserByEmail(ctx, annEmail)
	if err != nil {
		t.Fatal(err)
	}
	for _, ws := range []storage.Workspace{{ID: "w-acme", Handle: "acme", Name: "Acme"}, {ID: "w-beta", Handle: "beta", Name: "Beta"}} {
		if err := store.CreateWorkspace(ctx, ws); err != nil {
			t.Fatal(err)
		}
		if err := store.AddMember(ctx, storage.Member{WorkspaceID: ws.ID, UserID: ann.ID, Role: storage.WorkspaceMember}); err != nil {
			t.Fatal(err)
		}
	}
	return ann
}
