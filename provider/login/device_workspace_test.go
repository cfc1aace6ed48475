package login

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/provider/session"
	"github.com/tokenim/tokenim-auth/storage"
)

// The device page sends a browser whose sign-in a workspace's policy does
// not accept to /login?next=/device?user_code=…&workspace=ID. The
// sign-in page then asks for the sign-in that workspace takes, when the
// browser's user is an active member of it; for anyone else the page is
// the plain one, whatever the workspace.

// deviceNext is the device page's address naming workspace id.
func deviceNext(id string) string {
	return "/device?" + url.Values{"user_code": {"BCDF-GHJK"}, "workspace": {id}}.Encode()
}

// deviceWorkspace adds a workspace of policy p with u as a member,
// suspended or not.
func (h *harness) deviceWorkspace(t *testing.T, id string, p storage.WorkspacePolicy, u storage.User, suspended bool) {
	t.Helper()
	ctx := t.Context()
	if err := h.store.CreateWorkspace(ctx, storage.Workspace{ID: id, Handle: id, Name: id, Policy: p}); err != nil {
		t.Fatal(err)
	}
	if err := h.store.AddMember(ctx, storage.Member{WorkspaceID: id, UserID: u.ID, Role: storage.WorkspaceMember, Suspended: suspended}); err != nil {
		t.Fatal(err)
	}
}

// signedInWith signs u in to the browser with the methods of amr, at the
// harness's time.
func (h *harness) signedInWith(u storage.User, amr ...string) {
	h.browser.mu.Lock()
	defer h.browser.mu.Unlock()
	h.browser.current = storage.LoginSession{ID: "s-" + u.ID, UserID: u.ID, AMR: amr, ACR: session.ACR(amr), AuthTime: t0}
}

func loginPath(next string) string { return "/login?" + url.Values{"next": {next}}.Encode() }

// A member of a passkeys-only workspace sent back from the device page is
// shown the passkeys-only form, and a password is refused before it is
// checked: no loop through a password sign-in the device page refuses.
func TestDevicePagesWorkspaceAsksForPasskeys(t *testing.T) {
	t.Parallel()
	h := newHarness(t, withPasskeys(t))
	ann := h.addUser(t, "ann@example.com", annPassword)
	h.deviceWorkspace(t, "w-keys", storage.WorkspacePolicy{SignInMethods: []string{session.MethodPasskey}}, ann, false)
	h.signedInWith(ann, session.AMRPassword)
	next := deviceNext("w-keys")

	page := h.get(t, loginPath(next))
	wantPage(t, page, http.StatusOK, "passkeys only")
	if body := page.Body.String(); strings.Contains(body, `type="password"`) || !strings.Contains(body, `data-passkey="signin"`) {
		t.Fatalf("the sign-in page for a passkeys-only workspace's device request:\n%s", body)
	}
	before := h.hasher.verifies.Load()
	wantPage(t, h.post(t, "/login", signInForm("next", next, "email", ann.Email, "password", annPassword)),
		http.StatusForbidden, "does not allow signing in with a password")
	if h.hasher.verifies.Load() != before {
		t.Error("the password was checked though the workspace refuses passwords")
	}
}

// Only the browser's user's active workspaces count: a workspace of
// which the user is no member, a suspended membership, a workspace that
// does not exist and a browser nobody is signed in to all get the same
// plain page, so the page tells nothing of other workspaces.
func TestDevicePagesWorkspaceOfNoActiveMembershipIsIgnored(t *testing.T) {
	t.Parallel()
	h := newHarness(t, withPasskeys(t))
	ann := h.addUser(t, "ann@example.com", annPassword)
	bob := h.addUser(t, "bob@example.com", annPassword)
	passkeysOnly := storage.WorkspacePolicy{SignInMethods: []string{session.MethodPasskey}, RequireMFA: true}
	h.deviceWorkspace(t, "w-bobs", passkeysOnly, bob, false)
	h.deviceWorkspace(t, "w-gone", passkeysOnly, ann, true)

	plain := func(name, id string) string {
		t.Helper()
		w := h.get(t, loginPath(deviceNext(id)))
		if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `type="password"`) || strings.Contains(w.Body.String(), "passkeys only") {
			t.Fatalf("%s: status %d, want the plain sign-in page:\n%s", name, w.Code, w.Body)
		}
		return strings.ReplaceAll(w.Body.String(), id, "ID")
	}
	h.signedInWith(ann, session.AMRPassword)
	notMine := plain("another user's workspace", "w-bobs")
	if unknown := plain("an unknown workspace", "w-none"); unknown != notMine {
		t.Error("the page for another user's workspace differs from the page for an unknown one")
	}
	plain("a suspended membership", "w-gone")
	plain("a workspace ID that is not text", "w\x00\xff")
	// The password is not refused for them either.
	wantRedirect(t, h.post(t, "/login", signInForm("next", deviceNext("w-bobs"), "email", ann.Email, "password", annPassword)), deviceNext("w-bobs"))

	h.browser.mu.Lock()
	h.browser.current = storage.LoginSession{}
	h.browser.mu.Unlock()
	plain("nobody signed in", deviceNext("w-bobs"))
}

// A member of a workspace that requires a second factor, signed in with
// a password, is asked for the second factor only, then goes back to the
// device page; a password sign-in there asks for it too; and one with no
// second factor set up lands on the account page to set one up, not back
// on the device page that would send it to sign in again.
func TestDevicePagesWorkspaceAsksForTheSecondFactor(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	ann := h.addUser(t, "ann@example.com", annPassword, h.withTOTP(totpSecret, recoveryCode))
	bob := h.addUser(t, "bob@example.com", annPassword)
	mfa := storage.WorkspacePolicy{RequireMFA: true, SessionLifetime: time.Hour}
	h.deviceWorkspace(t, "w-secure", mfa, ann, false)
	if err := h.store.AddMember(t.Context(), storage.Member{WorkspaceID: "w-secure", UserID: bob.ID}); err != nil {
		t.Fatal(err)
	}
	next := deviceNext("w-secure")

	// Signed in with a password: the step-up only.
	h.signedInWith(ann, session.AMRPassword)
	step := "/login/mfa?" + url.Values{"next": {next}}.Encode()
	wantRedirect(t, h.get(t, loginPath(next)), step)
	wantPage(t, h.get(t, step), http.StatusOK, `name="code"`)
	wantRedirect(t, h.post(t, "/login/mfa", url.Values{"next": {next}, "code": {h.totpCode(t)}}), next)
	if s, _, _ := h.browser.Current(t.Context(), nil); !session.MeetsACR(s.Session.ACR, session.ACRTwoFactor) {
		t.Fatalf("after the second factor the sign-in is at level %q", s.Session.ACR)
	}

	// A sign-in older than the workspace's session lifetime is a new
	// sign-in, not a step-up; its password asks for the second factor.
	h.signedInWith(ann, session.AMRPassword)
	h.advance(2 * time.Hour)
	if w := h.get(t, loginPath(next)); w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `type="password"`) {
		t.Fatalf("an old sign-in: status %d to %q, want the sign-in page", w.Code, w.Header().Get("Location"))
	}
	wantRedirect(t, h.post(t, "/login", signInForm("next", next, "email", ann.Email, "password", annPassword)), step)

	// No second factor to give: the account page, to set one up.
	h.signedInWith(bob, session.AMRPassword)
	wantRedirect(t, h.post(t, "/login", signInForm("next", next, "email", bob.Email, "password", annPassword)), "/account?setup=mfa")

	// Without the workspace the same password goes straight back.
	wantRedirect(t, h.post(t, "/login", signInForm("next", "/device?user_code=BCDF-GHJK", "email", bob.Email, "password", annPassword)), "/device?user_code=BCDF-GHJK")
}
