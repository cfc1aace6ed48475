package main

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"golang.org/x/oauth2"

	"github.com/tokenim/tokenim-auth/storage/postgres/pgtest"
)

// The device grant picks the workspace as a browser sign-in does, on
// memory and on Postgres: golang.org/x/oauth2's device flow names it with
// the organization parameter, or Ann, a member of several, chooses it on
// the page with the approval; the device's tokens name it (ID token,
// introspection). An unknown organization is invalid_request.
func TestDeviceWorkspaceEndToEnd(t *testing.T) {
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
			annInTwoWorkspaces(t, store)
			d := newDesktop(t, p)
			b := newBrowser(t, p.issuer)

			// approve runs the device flow with opts, approves it on the
			// page with the form values, and checks that the tokens name
			// the workspace handle.
			approve := func(t *testing.T, page string, values map[string]string, handle string, opts ...oauth2.AuthCodeOption) {
				t.Helper()
				da, err := d.conf.DeviceAuth(ctx, opts...)
				if err != nil {
					t.Fatal(err)
				}
				pg := openSignedIn(t, b, da.VerificationURIComplete)
				if pg.status != http.StatusOK || !strings.Contains(pg.body, page) {
					t.Fatalf("the confirmation page does not say %q: %d\n%s", page, pg.status, pg.body)
				}
				values["decision"] = "allow"
				if pg = b.submit(pg, values); !strings.Contains(pg.body, "You approved the sign-in") {
					t.Fatalf("approving: %d\n%s", pg.status, pg.body)
				}
				tok, id, err := d.tokens(t, da)
				if err != nil {
					t.Fatalf("polling after approval: %v", err)
				}
				var claims struct {
					OrgID     string `json:"org_id"`
					OrgHandle string `json:"org_handle"`
				}
				if err := id.Claims(&claims); err != nil || claims.OrgID != "w-"+handle || claims.OrgHandle != handle {
					t.Fatalf("ID token names org_id %q, org_handle %q (%v); want w-%s, %s", claims.OrgID, claims.OrgHandle, err, handle, handle)
				}
				if in := introspect(t, p, tok.AccessToken); in["active"] != true || in["org_id"] != "w-"+handle || in["org_handle"] != handle {
					t.Fatalf("introspection: %v", in)
				}
			}

			t.Run("organization named by the device", func(t *testing.T) {
				approve(t, "Workspace: Acme (acme)", map[string]string{}, "acme", oauth2.SetAuthURLParam("organization", "acme"))
			})
			t.Run("several workspaces: chosen with the approval", func(t *testing.T) {
				approve(t, `name="workspace" value="w-beta"`, map[string]string{"workspace": "w-beta"}, "beta")
			})
			t.Run("an unknown organization is invalid_request", func(t *testing.T) {
				_, err := d.conf.DeviceAuth(ctx, oauth2.SetAuthURLParam("organization", "nope"))
				var re *oauth2.RetrieveError
				if !errors.As(err, &re) || re.ErrorCode != "invalid_request" || !strings.Contains(re.ErrorDescription, "nope") {
					t.Fatalf("device authorization for an unknown organization: %v, want invalid_request naming it", err)
				}
			})
		})
	}
}
