package rs_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/tokenim/tokenim-auth/rs"
)

// workspaceService answers with the token's workspace on a route of one
// workspace, named in the path by ID or handle.
func workspaceService(v *rs.Verifier) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /workspaces/{ws}/messages", rs.RequireWorkspace(func(r *http.Request) string { return r.PathValue("ws") })(
		http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			id, handle, _ := rs.Workspace(r)
			_, _ = w.Write([]byte(id + " " + handle))
		})))
	return v.Middleware(mux)
}

// A token names its workspace whether it is introspected or a JWT, and
// RequireWorkspace lets it through for that workspace only: by ID or
// handle (any letter case), never another's, never a token of none.
func TestRequireWorkspace(t *testing.T) {
	p, c := newFakeProvider(t), newClock()
	k := newSigningKey(t, "k1")
	p.publish(k)
	v := newVerifier(t, p, c, rs.Config{Realm: "im", Audience: "https://im.example.com", CacheTTL: rs.NoCache})
	h := workspaceService(v)
	p.set("tkm_at_acme.sig", map[string]any{"active": true, "sub": "user-ann", "client_id": "chat-web", "scope": "im:messages.read",
		"token_use": "access_token", "iss": p.srv.URL, "org_id": "w-acme", "org_handle": "acme"})
	p.set("tkm_at_none.sig", map[string]any{"active": true, "sub": "user-ann", "client_id": "chat-web", "scope": "im:messages.read",
		"token_use": "access_token", "iss": p.srv.URL})
	acmeJWT := p.atClaims(c.Now())
	acmeJWT["org_id"], acmeJWT["org_handle"] = "w-acme", "acme"

	for name, raw := range map[string]string{"introspected": "tkm_at_acme.sig", "JWT": sign(t, k, "at+jwt", acmeJWT)} {
		t.Run(name, func(t *testing.T) {
			tok, err := v.Verify(t.Context(), raw)
			if err != nil || tok.WorkspaceID != "w-acme" || tok.WorkspaceHandle != "acme" {
				t.Fatalf("token's workspace %q %q, %v", tok.WorkspaceID, tok.WorkspaceHandle, err)
			}
			for _, ws := range []string{"w-acme", "acme", "ACME"} {
				if a := get(t, h, "/workspaces/"+ws+"/messages", raw); a.status != http.StatusOK || a.text != "w-acme acme" {
					t.Errorf("its own workspace as %s: %d %q", ws, a.status, a.text)
				}
			}
			a := get(t, h, "/workspaces/beta/messages", raw)
			if a.status != http.StatusForbidden || a.body["error"] != "insufficient_scope" ||
				!strings.HasPrefix(a.challenge, `Bearer realm="im", error="insufficient_scope", error_description="The access token was not issued for this workspace`) {
				t.Fatalf("another workspace: %d %q %v", a.status, a.challenge, a.body)
			}
		})
	}
	t.Run("a token of no workspace authorizes none", func(t *testing.T) {
		if a := get(t, h, "/workspaces/acme/messages", "tkm_at_none.sig"); a.status != http.StatusForbidden {
			t.Fatalf("got %d", a.status)
		}
	})
	t.Run("without a verified token, 401; naming no workspace, refused", func(t *testing.T) {
		guard := rs.RequireWorkspace(func(*http.Request) string { return "" })(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
		if a := call(t, guard, "GET", "Bearer whatever"); a.status != http.StatusUnauthorized {
			t.Fatalf("no verified token: %d", a.status)
		}
		req := httptest.NewRequestWithContext(rs.NewContext(t.Context(), rs.Token{Subject: "ann", WorkspaceID: "w-acme"}), "GET", "/", nil)
		rec := httptest.NewRecorder()
		guard.ServeHTTP(rec, req)
		if rec.Code != http.StatusForbidden {
			t.Fatalf("a request naming no workspace: %d", rec.Code)
		}
	})
}
