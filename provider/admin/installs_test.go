package admin

import (
	"net/http"
	"slices"
	"testing"

	"github.com/tokenim/tokenim-auth/provider/install"
	"github.com/tokenim/tokenim-auth/storage"
)

// The installation and pre-approval routes: a platform client decides on
// any workspace's apps, a client bound to acme on acme's only; another
// workspace's installation or approvals answer as unknown ones.
func TestInstallationRoutes(t *testing.T) {
	t.Parallel()
	a, store, rev := workspaceFixture(t)
	a.cfg.Installs = install.New(install.Config{Store: store, Revoker: rev, Audit: a.cfg.Audit, Now: a.cfg.Now})
	acme, globex := twoWorkspaces(t, a, store)
	ctx := t.Context()
	if err := store.CreateClient(ctx, storage.Client{ID: "standup", Name: "Standup bot", Type: storage.ClientConfidential,
		GrantTypes: []string{"client_credentials"}, Scopes: []string{"im:messages.read", "im:messages.send"}}); err != nil {
		t.Fatal(err)
	}
	requests := map[string]string{}
	for _, ws := range []string{acme.ID, globex.ID} {
		if err := store.AddMember(ctx, storage.Member{WorkspaceID: ws, UserID: "u-ann", Role: storage.WorkspaceMember}); err != nil {
			t.Fatal(err)
		}
		in, err := a.cfg.Installs.Request(ctx, ws, "standup", "u-ann", []string{"im:messages.read", "im:messages.send"})
		if err != nil || in.Status != storage.InstallPending {
			t.Fatalf("ann's request in %s: %+v %v", ws, in, err)
		}
		requests[ws] = in.ID
	}
	base := func(ws string) string { return "/admin/api/v1/workspaces/" + ws }

	t.Run("a bound client reaches no other workspace's installations or approvals", func(t *testing.T) {
		unknown := callAs(t, a, "acme", "GET", base("no-such-id")+"/installations", "")
		for _, c := range []struct{ method, path, body string }{
			{"GET", base(globex.ID) + "/installations", ""},
			{"POST", base(globex.ID) + "/installations/" + requests[globex.ID] + "/approve", ""},
			{"POST", base(globex.ID) + "/installations/" + requests[globex.ID] + "/deny", `{"reason":"no"}`},
			{"DELETE", base(globex.ID) + "/installations/" + requests[globex.ID], ""},
			{"GET", base(globex.ID) + "/approved-apps", ""},
			{"PUT", base(globex.ID) + "/approved-apps/standup", ""},
			{"DELETE", base(globex.ID) + "/approved-apps/standup", ""},
		} {
			if w := callAs(t, a, "acme", c.method, c.path, c.body); w.Code != http.StatusNotFound || w.Body.String() != unknown.Body.String() {
				t.Errorf("%s %s by acme's client: %d %s, want the 404 of an unknown workspace", c.method, c.path, w.Code, w.Body)
			}
		}
		// globex's installation through acme's own path: no such installation.
		for _, c := range []struct{ method, path string }{
			{"POST", base(acme.ID) + "/installations/" + requests[globex.ID] + "/approve"},
			{"DELETE", base(acme.ID) + "/installations/" + requests[globex.ID]},
		} {
			if w := callAs(t, a, "acme", c.method, c.path, ""); w.Code != http.StatusNotFound {
				t.Errorf("%s %s by acme's client: %d %s, want 404", c.method, c.path, w.Code, w.Body)
			}
		}
		if in, err := store.GetInstallation(ctx, requests[globex.ID]); err != nil || in.Status != storage.InstallPending {
			t.Fatalf("globex's request after acme's client's attempts: %+v %v", in, err)
		}
		if list, _ := store.ListApprovedApps(ctx, globex.ID); len(list) != 0 {
			t.Fatalf("globex's approvals after acme's client's attempts: %+v", list)
		}
	})

	t.Run("approve narrowed, then nothing waits", func(t *testing.T) {
		list := decodeBody[struct {
			Installations []installationView `json:"installations"`
		}](t, callAs(t, a, "acme", "GET", base(acme.ID)+"/installations?status=pending", ""), http.StatusOK)
		if len(list.Installations) != 1 || list.Installations[0].ID != requests[acme.ID] {
			t.Fatalf("acme's pending installations: %+v", list.Installations)
		}
		if w := callAs(t, a, "acme", "GET", base(acme.ID)+"/installations?status=gone", ""); w.Code != http.StatusBadRequest {
			t.Fatalf("an unknown status: %d", w.Code)
		}
		approve := base(acme.ID) + "/installations/" + requests[acme.ID] + "/approve"
		for _, body := range []string{`{"scopes":["admin"]}`, `{"scopes":[]}`, `{"scopes":"im:messages.read"}`, `{"scopes":["im:messages.read"],"all":true}`} {
			if w := callAs(t, a, "acme", "POST", approve, body); w.Code != http.StatusBadRequest {
				t.Errorf("approve with %s: %d %s, want 400", body, w.Code, w.Body)
			}
		}
		in := decodeBody[installationView](t, callAs(t, a, "acme", "POST", approve, `{"scopes":["im:messages.read"]}`), http.StatusOK)
		if in.Status != storage.InstallActive || !slices.Equal(in.Scopes, []string{"im:messages.read"}) || in.DecidedBy != "acme-bot" {
			t.Fatalf("approved: %+v", in)
		}
		if w := callAs(t, a, "acme", "POST", approve, ""); w.Code != http.StatusConflict {
			t.Fatalf("approving what waits for nothing: %d %s", w.Code, w.Body)
		}
	})

	t.Run("deny with a reason the requester sees", func(t *testing.T) {
		deny := base(globex.ID) + "/installations/" + requests[globex.ID] + "/deny"
		if w := callAs(t, a, "platform", "POST", deny, `{"reason":"bad\u0000byte"}`); w.Code != http.StatusBadRequest {
			t.Fatalf("a reason with a NUL: %d %s", w.Code, w.Body)
		}
		in := decodeBody[installationView](t, callAs(t, a, "platform", "POST", deny, `{"reason":"Not this quarter"}`), http.StatusOK)
		if in.Status != storage.InstallDenied || in.Reason != "Not this quarter" {
			t.Fatalf("denied: %+v", in)
		}
	})

	t.Run("approve an app beforehand, list, withdraw", func(t *testing.T) {
		approved := base(acme.ID) + "/approved-apps"
		if w := callAs(t, a, "acme", "PUT", approved+"/no-such-app", ""); w.Code != http.StatusNotFound {
			t.Fatalf("an unknown app: %d %s", w.Code, w.Body)
		}
		got := decodeBody[approvedAppView](t, callAs(t, a, "acme", "PUT", approved+"/standup", ""), http.StatusOK)
		if got.ClientID != "standup" || got.ApprovedBy != "acme-bot" || got.ApprovedAt.IsZero() {
			t.Fatalf("approved: %+v", got)
		}
		decodeBody[approvedAppView](t, callAs(t, a, "acme", "PUT", approved+"/standup", ""), http.StatusOK)
		list := decodeBody[struct {
			Apps []approvedAppView `json:"approved_apps"`
		}](t, callAs(t, a, "acme", "GET", approved, ""), http.StatusOK)
		if len(list.Apps) != 1 || list.Apps[0].ClientID != "standup" {
			t.Fatalf("approved apps: %+v", list.Apps)
		}
		if w := callAs(t, a, "acme", "DELETE", approved+"/standup", ""); w.Code != http.StatusNoContent {
			t.Fatalf("withdraw: %d %s", w.Code, w.Body)
		}
		if w := callAs(t, a, "acme", "DELETE", approved+"/standup", ""); w.Code != http.StatusNotFound {
			t.Fatalf("withdraw again: %d %s", w.Code, w.Body)
		}
	})

	t.Run("uninstall revokes the installation's tokens", func(t *testing.T) {
		path := base(acme.ID) + "/installations/" + requests[acme.ID]
		if w := callAs(t, a, "acme", "DELETE", path, ""); w.Code != http.StatusNoContent {
			t.Fatalf("uninstall: %d %s", w.Code, w.Body)
		}
		if !slices.Contains(rev.calls, acme.ID+"/"+requests[acme.ID]) {
			t.Fatalf("revoked %v, want the installation's tokens", rev.calls)
		}
		if w := callAs(t, a, "acme", "DELETE", path, ""); w.Code != http.StatusNotFound {
			t.Fatalf("uninstall again: %d", w.Code)
		}
	})
}
