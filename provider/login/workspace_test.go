package login

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/tokenim/tokenim-auth/provider/session"
	"github.com/tokenim/tokenim-auth/storage"
)

// workspaceFlow parks a flow for a new workspace of policy p.
func (h *harness) workspaceFlow(t *testing.T, p storage.WorkspacePolicy) string {
	t.Helper()
	if err := h.store.CreateWorkspace(t.Context(), storage.Workspace{ID: "w-acme", Handle: "acme", Name: "Acme", Policy: p}); err != nil {
		t.Fatal(err)
	}
	flow := h.addFlow(t, "organization", "acme")
	if _, err := h.store.UpdateFlow(t.Context(), flow, func(f storage.Flow) (storage.Flow, error) {
		f.WorkspaceID = "w-acme"
		return f, nil
	}); err != nil {
		t.Fatal(err)
	}
	return flow
}

// A workspace that requires two factors asks a member signed in with a
// password for the second factor only (step-up), as a role would; one
// with a password alone gets no further than the password.
func TestWorkspaceRequiringMFAStepsUp(t *testing.T) {
	t.Parallel()
	h := newHarness(t, withPasskeys(t))
	ann := h.addUser(t, "ann@example.com", annPassword, h.withTOTP(totpSecret, recoveryCode))
	flow := h.workspaceFlow(t, storage.WorkspacePolicy{RequireMFA: true})
	wantRedirect(t, h.post(t, "/login", signInForm("flow", flow, "email", ann.Email, "password", annPassword)), "/login/mfa?flow="+flow)
	if f, _ := h.store.GetFlow(t.Context(), flow); f.UserID != "" {
		t.Fatalf("the flow was signed in to with a password alone: %+v", f)
	}

	h.browser.mu.Lock()
	h.browser.current = storage.LoginSession{ID: "s1", UserID: ann.ID, AMR: []string{"pwd"}, ACR: session.ACRPassword, AuthTime: t0}
	h.browser.mu.Unlock()
	wantRedirect(t, h.get(t, "/login?flow="+flow), "/login/mfa?flow="+flow)
}

// A workspace that takes passkeys only refuses a password, clearly and
// before the password is checked (no hashing, no failure counted).
func TestWorkspaceRefusesADisallowedSignInMethod(t *testing.T) {
	t.Parallel()
	h := newHarness(t, withPasskeys(t))
	ann := h.addUser(t, "ann@example.com", annPassword)
	flow := h.workspaceFlow(t, storage.WorkspacePolicy{SignInMethods: []string{session.MethodPasskey}})
	// The page leaves the password form out and says why.
	page := h.get(t, "/login?flow="+flow)
	wantPage(t, page, http.StatusOK, "passkeys only")
	if body := page.Body.String(); strings.Contains(body, `type="password"`) || strings.Contains(body, "/password/forgot") || !strings.Contains(body, `data-passkey="signin"`) {
		t.Fatalf("the sign-in page of a passkeys-only workspace:\n%s", body)
	}
	before := h.hasher.verifies.Load()
	w := h.post(t, "/login", signInForm("flow", flow, "email", ann.Email, "password", annPassword))
	wantPage(t, w, http.StatusForbidden, "does not allow signing in with a password")
	if h.hasher.verifies.Load() != before {
		t.Error("the password was checked though the workspace refuses passwords")
	}
	if f, _ := h.store.GetFlow(t.Context(), flow); f.UserID != "" {
		t.Fatalf("signed in with a refused method: %+v", f)
	}
	// Without a workspace, or one that takes passwords, nothing changes.
	other := h.addFlow(t)
	if w := h.post(t, "/login", url.Values{"flow": {other}, "email": {ann.Email}, "password": {annPassword}}); strings.Contains(w.Body.String(), "does not allow") {
		t.Fatal("a flow of no workspace refused a password")
	}
	if body := h.get(t, "/login?flow="+other).Body.String(); !strings.Contains(body, `type="password"`) {
		t.Fatal("the sign-in page of a flow of no workspace has no password field")
	}
}
