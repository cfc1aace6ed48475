package admin

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/tokenim/tokenim-auth/provider/install"
	"github.com/tokenim/tokenim-auth/storage"
)

// installConsole is the workspace console with the installation service,
// the app standup, bob a plain member of acme, and his request for
// standup waiting there; globex has standup installed by its owner.
type installConsole struct {
	*wsConsole
	revoked          *revokedMembers
	pending, globexd storage.Installation
}

func newInstallConsole(t *testing.T) *installConsole {
	t.Helper()
	h := newWorkspaceConsole(t)
	rev := &revokedMembers{}
	a := h.api
	a.cfg.Installs = install.New(install.Config{Store: h.store, Revoker: rev, Audit: a.cfg.Audit, Now: a.cfg.Now})
	ctx := t.Context()
	if err := h.store.CreateUser(ctx, storage.User{ID: "u-bob", Email: "bob@example.com", Role: "member", Status: storage.UserActive}); err != nil {
		t.Fatal(err)
	}
	if err := h.store.AddMember(ctx, storage.Member{WorkspaceID: h.acme.ID, UserID: "u-bob", Role: storage.WorkspaceMember}); err != nil {
		t.Fatal(err)
	}
	if err := h.store.CreateClient(ctx, storage.Client{ID: "standup", Name: "Standup bot", Type: storage.ClientConfidential,
		GrantTypes: []string{"client_credentials"}, Scopes: []string{"im:messages.read", "im:messages.send"}}); err != nil {
		t.Fatal(err)
	}
	pending, err := a.cfg.Installs.Request(ctx, h.acme.ID, "standup", "u-bob", []string{"im:messages.read", "im:messages.send"})
	if err != nil || pending.Status != storage.InstallPending {
		t.Fatalf("bob's request: %+v %v", pending, err)
	}
	globexd, err := a.cfg.Installs.Request(ctx, h.globex.ID, "standup", "u-admin", []string{"im:messages.read"})
	if err != nil || globexd.Status != storage.InstallActive {
		t.Fatalf("globex's installation: %+v %v", globexd, err)
	}
	return &installConsole{wsConsole: h, revoked: rev, pending: pending, globexd: globexd}
}

func (h *installConsole) installation(t *testing.T, id string) storage.Installation {
	t.Helper()
	in, err := h.store.GetInstallation(t.Context(), id)
	if err != nil {
		t.Fatalf("installation %s: %v", id, err)
	}
	return in
}

// A workspace admin decides on her workspace's requests in the console:
// approves one narrowed, denies a re-approval with a reason, uninstalls,
// approves an app beforehand and withdraws that, each a confirmation
// page then a POST.
func TestConsoleInstallQueue(t *testing.T) {
	t.Parallel()
	h := newInstallConsole(t)
	h.asAnn(t)
	apps := "/admin/workspaces/" + h.acme.ID + "/apps"
	in := apps + "/" + h.pending.ID

	if w := h.get(t, "/admin/workspaces/"+h.acme.ID); !strings.Contains(w.Body.String(), `href="`+apps+`"`) {
		t.Fatalf("the workspace page does not link to its apps:\n%s", w.Body)
	}
	page := h.get(t, apps)
	if body := page.Body.String(); page.Code != http.StatusOK || !strings.Contains(body, "Standup bot") || !strings.Contains(body, "bob@example.com") ||
		!strings.Contains(body, `action="`+in+`/approve"`) || !strings.Contains(body, `value="im:messages.send" checked`) {
		t.Fatalf("the apps page: %d\n%s", page.Code, body)
	}

	t.Run("approve narrowed: confirmation, then POST", func(t *testing.T) {
		confirm := h.get(t, in+"/approve?scope=im:messages.read")
		if body := confirm.Body.String(); confirm.Code != http.StatusOK || !strings.Contains(body, `name="scope" value="im:messages.read"`) || strings.Contains(body, "im:messages.send") {
			t.Fatalf("confirmation: %d\n%s", confirm.Code, body)
		}
		if got := h.installation(t, h.pending.ID); got.Status != storage.InstallPending {
			t.Fatalf("the confirmation page changed the installation: %+v", got)
		}
		if w := h.post(t, in+"/approve", url.Values{"scope": {"im:messages.read"}}); w.Code != http.StatusSeeOther || w.Header().Get("Location") != apps+"?done=install-approved" {
			t.Fatalf("approve: %d %s", w.Code, w.Header().Get("Location"))
		}
		if got := h.installation(t, h.pending.ID); got.Status != storage.InstallActive || !slices.Equal(got.Scopes, []string{"im:messages.read"}) || got.DecidedBy != "u-ann" {
			t.Fatalf("after approving: %+v", got)
		}
	})

	// The app now asks for one more scope: a re-approval.
	if _, err := h.store.UpdateClient(t.Context(), "standup", func(c storage.Client) (storage.Client, error) {
		c.Scopes = append(c.Scopes, "im:calls.read")
		return c, nil
	}); err != nil {
		t.Fatal(err)
	}

	t.Run("a form with no scope ticked approves none, not all", func(t *testing.T) {
		if w := h.get(t, in+"/approve"); w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), "Tick at least one") {
			t.Fatalf("confirmation without scopes: %d", w.Code)
		}
		if w := h.post(t, in+"/approve", url.Values{}); w.Code != http.StatusBadRequest {
			t.Fatalf("POST without scopes: %d", w.Code)
		}
		if w := h.post(t, in+"/approve", url.Values{"scope": {"admin"}}); w.Code != http.StatusBadRequest {
			t.Fatalf("POST of a scope the app does not ask for: %d", w.Code)
		}
		if got := h.installation(t, h.pending.ID); !slices.Equal(got.Scopes, []string{"im:messages.read"}) || !slices.Contains(got.Requested, "im:calls.read") {
			t.Fatalf("after refused approvals: %+v", got)
		}
	})

	t.Run("deny the re-approval with a reason", func(t *testing.T) {
		page := h.get(t, apps).Body.String()
		if !strings.Contains(page, "Now also asks for") || !strings.Contains(page, "im:calls.read") {
			t.Fatalf("the re-approval is not shown:\n%s", page)
		}
		if w := h.get(t, in+"/deny?reason="+url.QueryEscape("bad\x00byte")); w.Code != http.StatusBadRequest {
			t.Fatalf("a reason with a NUL: %d", w.Code)
		}
		if w := h.get(t, in+"/deny?reason=Calls+are+private"); w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `name="reason" value="Calls are private"`) {
			t.Fatalf("confirmation: %d\n%s", w.Code, w.Body)
		}
		if w := h.post(t, in+"/deny", url.Values{"reason": {"Calls are private"}}); w.Code != http.StatusSeeOther {
			t.Fatalf("deny: %d", w.Code)
		}
		if got := h.installation(t, h.pending.ID); got.Reason != "Calls are private" || len(got.Requested) != 0 || !slices.Equal(got.Scopes, []string{"im:messages.read"}) {
			t.Fatalf("after denying: %+v", got)
		}
		if w := h.post(t, in+"/deny", url.Values{"reason": {"again"}}); w.Code != http.StatusConflict {
			t.Fatalf("denying what waits for nothing: %d", w.Code)
		}
	})

	t.Run("another workspace's apps and installations are the not-found page", func(t *testing.T) {
		unknown := h.get(t, "/admin/workspaces/no-such-id/apps")
		g := "/admin/workspaces/" + h.globex.ID
		for _, path := range []string{g + "/apps", g + "/apps/" + h.globexd.ID + "/uninstall", g + "/approved-apps/add?client_id=standup",
			apps + "/" + h.globexd.ID + "/uninstall"} {
			if w := h.get(t, path); w.Code != http.StatusNotFound || !strings.Contains(path, apps) && w.Body.String() != unknown.Body.String() {
				t.Errorf("GET %s by ann: %d, want the not-found page", path, w.Code)
			}
		}
		for _, path := range []string{g + "/apps/" + h.globexd.ID + "/uninstall", g + "/apps/" + h.globexd.ID + "/approve", apps + "/" + h.globexd.ID + "/uninstall",
			g + "/approved-apps/add"} {
			if w := h.post(t, path, url.Values{"scope": {"im:messages.read"}, "client_id": {"standup"}}); w.Code != http.StatusNotFound {
				t.Errorf("POST %s by ann: %d, want 404", path, w.Code)
			}
		}
		if got := h.installation(t, h.globexd.ID); got.Status != storage.InstallActive {
			t.Fatalf("globex's installation after ann's attempts: %+v", got)
		}
		if list, _ := h.api.cfg.Installs.Approved(t.Context(), h.globex.ID); len(list) != 0 {
			t.Fatalf("globex's approved apps after ann's attempts: %+v", list)
		}
	})

	t.Run("approve an app beforehand, then withdraw it", func(t *testing.T) {
		if w := h.get(t, "/admin/workspaces/"+h.acme.ID+"/approved-apps/add?client_id=nope"); w.Code != http.StatusBadRequest {
			t.Fatalf("an unknown app: %d", w.Code)
		}
		if w := h.get(t, "/admin/workspaces/"+h.acme.ID+"/approved-apps/add?client_id=standup"); w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "Standup bot") {
			t.Fatalf("confirmation: %d", w.Code)
		}
		if w := h.post(t, "/admin/workspaces/"+h.acme.ID+"/approved-apps/add", url.Values{"client_id": {"standup"}}); w.Code != http.StatusSeeOther {
			t.Fatalf("approve beforehand: %d", w.Code)
		}
		if page := h.get(t, apps+"?done=preapproved").Body.String(); !strings.Contains(page, "/approved-apps/standup/remove") || !strings.Contains(page, "The app is approved beforehand.") {
			t.Fatalf("the apps page after approving beforehand:\n%s", page)
		}
		remove := "/admin/workspaces/" + h.acme.ID + "/approved-apps/standup/remove"
		if w := h.get(t, remove); w.Code != http.StatusOK {
			t.Fatalf("confirm the withdrawal: %d", w.Code)
		}
		if w := h.post(t, remove, url.Values{}); w.Code != http.StatusSeeOther {
			t.Fatalf("withdraw: %d", w.Code)
		}
		if w := h.get(t, remove); w.Code != http.StatusNotFound {
			t.Fatalf("withdrawing again: %d", w.Code)
		}
	})

	t.Run("uninstall: confirmation says tokens go at once, then POST revokes them", func(t *testing.T) {
		confirm := h.get(t, in+"/uninstall")
		if confirm.Code != http.StatusOK || !strings.Contains(confirm.Body.String(), "revoked at once") {
			t.Fatalf("confirmation: %d\n%s", confirm.Code, confirm.Body)
		}
		if w := h.post(t, in+"/uninstall", url.Values{}); w.Code != http.StatusSeeOther {
			t.Fatalf("uninstall: %d", w.Code)
		}
		if _, err := h.store.GetInstallation(t.Context(), h.pending.ID); !errors.Is(err, storage.ErrNotFound) {
			t.Fatalf("the installation after uninstalling: %v", err)
		}
		if !slices.Contains(h.revoked.calls, h.acme.ID+"/"+h.pending.ID) {
			t.Fatalf("revoked %v, want the installation's tokens", h.revoked.calls)
		}
	})
}
