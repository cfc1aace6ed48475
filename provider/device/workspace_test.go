package device_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/provider/audit"
	"github.com/tokenim/tokenim-auth/provider/session"
	"github.com/tokenim/tokenim-auth/storage"
)

// addWorkspaces stores Acme, Beta, Secure (which requires a second
// factor) and Other, and makes u a member of Acme (member), Beta (guest)
// and Secure (member) besides the default workspace. Other has no place
// for u.
func (h *harness) addWorkspaces(t *testing.T, u storage.User) {
	t.Helper()
	ctx := t.Context()
	for _, ws := range []storage.Workspace{
		{ID: "w-acme", Handle: "acme", Name: "Acme Corp"},
		{ID: "w-beta", Handle: "beta", Name: "Beta Club"},
		{ID: "w-secure", Handle: "secure", Name: "Secure Ltd", Policy: storage.WorkspacePolicy{RequireMFA: true, SessionLifetime: time.Hour}},
		{ID: "w-other", Handle: "other", Name: "Other"},
	} {
		if err := h.store.CreateWorkspace(ctx, ws); err != nil {
			t.Fatal(err)
		}
	}
	for _, m := range []storage.Member{
		{WorkspaceID: "w-acme", UserID: u.ID, Role: "member"},
		{WorkspaceID: "w-beta", UserID: u.ID, Role: "guest"},
		{WorkspaceID: "w-secure", UserID: u.ID, Role: "member"},
	} {
		if err := h.store.AddMember(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
}

// leave ends u's memberships of the workspaces ids.
func (h *harness) leave(t *testing.T, u storage.User, ids ...string) {
	t.Helper()
	for _, id := range ids {
		if err := h.store.RemoveMember(t.Context(), id, u.ID); err != nil {
			t.Fatal(err)
		}
	}
}

// suspend suspends u's membership of the workspace id, as the
// workspace's directory does (SCIM active=false).
func (h *harness) suspend(t *testing.T, u storage.User, id string) {
	t.Helper()
	if _, err := h.store.UpdateMember(t.Context(), id, u.ID, func(m storage.Member) (storage.Member, error) {
		m.Suspended = true
		return m, nil
	}); err != nil {
		t.Fatal(err)
	}
}

// decideIn is the confirmation form with a chosen workspace.
func decideIn(code, decision, workspaceID string) url.Values {
	f := decide(code, decision)
	f.Set("workspace", workspaceID)
	return f
}

// wantDecided checks the stored request's status, workspace and granted
// scopes.
func wantDecided(t *testing.T, d storage.DeviceAuthorization, status storage.DeviceStatus, workspaceID string, scopes ...string) {
	t.Helper()
	if d.Status != status || d.WorkspaceID != workspaceID || !slices.Equal(d.GrantedScopes, scopes) {
		t.Fatalf("request %s for workspace %q granting %q; want %s for %q granting %q", d.Status, d.WorkspaceID, d.GrantedScopes, status, workspaceID, scopes)
	}
}

// A request naming a workspace the user is a member of is confirmed for
// it, without a choice: the page names it, the approval and its record
// carry it.
func TestNamedWorkspaceOfAMember(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.addWorkspaces(t, h.ann)
	h.signIn(t, h.ann, session.ACRPassword)
	code, sig := h.requestFor(t, "w-acme", "openid", "im:messages.read")
	w := h.get(t, show(code))
	wantPage(t, w, http.StatusOK, "Workspace: Acme Corp (acme)", "<li>im:messages.read</li>")
	if strings.Contains(w.Body.String(), `type="radio"`) {
		t.Fatalf("a choice is offered for a request that named its workspace:\n%s", w.Body)
	}
	// A workspace posted with the form changes nothing: the request named one.
	wantPage(t, h.post(t, decideIn(code, "allow", "w-beta")), http.StatusOK, "You approved the sign-in.")
	wantDecided(t, h.stored(t, sig), storage.DeviceApproved, "w-acme", "openid", "im:messages.read")
	if recs := h.records(t); len(recs) != 1 || recs[0].WorkspaceID != "w-acme" || recs[0].Outcome != audit.Success {
		t.Fatalf("consent records %+v, want one success of w-acme", recs)
	}
}

// A request naming a workspace the user is not an active member of is
// refused on the page, and denied for the device: not a member at all,
// or a membership the workspace's directory suspended.
func TestNamedWorkspaceOfANonMemberIsRefused(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.addWorkspaces(t, h.ann)
	h.signIn(t, h.ann, session.ACRPassword)
	h.suspend(t, h.ann, "w-beta")
	for _, tc := range []struct{ name, workspace, handle, method string }{
		{"not a member, on the page", "w-other", "other", http.MethodGet},
		{"not a member, in the form", "w-other", "other", http.MethodPost},
		{"suspended", "w-beta", "beta", http.MethodPost},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, sig := h.requestFor(t, tc.workspace, "openid", "im:messages.read")
			var w *httptest.ResponseRecorder
			if tc.method == http.MethodPost {
				w = h.post(t, decideIn(code, "allow", tc.workspace))
			} else {
				w = h.get(t, show(code))
			}
			wantPage(t, w, http.StatusForbidden, "Your account is not a member of the workspace "+tc.handle)
			wantDecided(t, h.stored(t, sig), storage.DeviceDenied, tc.workspace)
			if recs := h.records(t); recs[0].Outcome != audit.Failure || recs[0].Reason != "not_a_member" || recs[0].WorkspaceID != tc.workspace {
				t.Fatalf("latest consent record %+v, want a failure not_a_member of %s", recs[0], tc.workspace)
			}
		})
	}
	code, _ := h.requestFor(t, "w-other", "openid")
	wantPage(t, h.get(t, show(code), "Accept-Language", "zh-CN"), http.StatusForbidden, "您的账号不是应用所请求的工作区 other 的成员")
}

// A member of one active workspace only signs the device in to it
// without being asked; a workspace posted with the form is not theirs to
// pick.
func TestOnlyWorkspaceIsPickedSilently(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.addWorkspaces(t, h.ann)
	h.leave(t, h.ann, "w-acme", "w-secure")
	h.suspend(t, h.ann, "w-beta")
	h.signIn(t, h.ann, session.ACRPassword)
	code, sig := h.request(t, "openid", "im:messages.read")
	w := h.get(t, show(code))
	wantPage(t, w, http.StatusOK, "Workspace: Default (default)")
	if strings.Contains(w.Body.String(), `type="radio"`) {
		t.Fatalf("a choice is offered to a member of one workspace:\n%s", w.Body)
	}
	wantPage(t, h.post(t, decideIn(code, "allow", "w-other")), http.StatusOK, "You approved the sign-in.")
	wantDecided(t, h.stored(t, sig), storage.DeviceApproved, storage.DefaultWorkspaceID, "openid", "im:messages.read")

	// A member of no active workspace has nothing to sign a device in to.
	h.leave(t, h.ann, storage.DefaultWorkspaceID)
	code, sig = h.request(t, "openid")
	wantPage(t, h.get(t, show(code)), http.StatusForbidden, "not an active member of any workspace")
	wantDecided(t, h.stored(t, sig), storage.DeviceDenied, "")
}

// A member of several workspaces chooses one with the approval; a missing
// or forged choice (a workspace that is not theirs, or whose membership
// is suspended) is refused and the request stays pending.
func TestSeveralWorkspacesAreChosenWithTheApproval(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.addWorkspaces(t, h.ann)
	h.suspend(t, h.ann, "w-secure")
	h.signIn(t, h.ann, session.ACRPassword)
	code, sig := h.request(t, "openid", "im:messages.read")
	w := h.get(t, show(code))
	wantPage(t, w, http.StatusOK, "Choose the workspace to use TokenIM Desktop with on this device:",
		`name="workspace" value="w-acme"`, `name="workspace" value="w-beta"`, "Handle: acme")
	if strings.Contains(w.Body.String(), "w-secure") || strings.Contains(w.Body.String(), "w-other") || strings.Contains(w.Body.String(), `value="default"`) {
		t.Fatalf("the choice offers a suspended or foreign workspace, or the default one beside the user's others:\n%s", w.Body)
	}
	wantPage(t, h.get(t, show(code), "Accept-Language", "zh-CN"), http.StatusOK, "请选择在此设备上使用 TokenIM Desktop 的工作区：")

	wantPage(t, h.post(t, decide(code, "allow")), http.StatusBadRequest, "Choose a workspace, then approve.", `name="workspace" value="w-acme"`)
	for _, forged := range []string{"w-other", "w-secure", "nope", "a\x00b"} {
		wantPage(t, h.post(t, decideIn(code, "allow", forged)), http.StatusBadRequest, "That workspace is not one of yours.")
	}
	wantDecided(t, h.stored(t, sig), storage.DevicePending, "")

	wantPage(t, h.post(t, decideIn(code, "allow", "w-acme")), http.StatusOK, "You approved the sign-in.")
	wantDecided(t, h.stored(t, sig), storage.DeviceApproved, "w-acme", "openid", "im:messages.read")

	// Denying needs no choice.
	code, sig = h.request(t, "openid")
	wantPage(t, h.post(t, decide(code, "deny")), http.StatusOK, "You denied the sign-in")
	wantDecided(t, h.stored(t, sig), storage.DeviceDenied, "")
}

// The user's role in the chosen workspace caps what approving grants
// there: the choice lists each workspace's, and a guest of Beta gets no
// calls there, while the same user, a member of Acme, does.
func TestWorkspaceRoleCapsTheDevicesScopes(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.addWorkspaces(t, h.ann)
	h.leave(t, h.ann, "w-secure")
	h.signIn(t, h.ann, session.ACRPassword)
	code, sig := h.request(t, "openid", "im:messages.read", "im:calls.read")
	body := h.get(t, show(code)).Body.String()
	// Listed by handle: acme, beta; the default workspace is not offered
	// beside them.
	acme, beta, end := strings.Index(body, `value="w-acme"`), strings.Index(body, `value="w-beta"`), strings.Index(body, `</form>`)
	if acme < 0 || beta < acme || end < beta || !strings.Contains(body[acme:beta], "im:calls.read") || strings.Contains(body[beta:end], "im:calls.read") ||
		strings.Contains(body, `value="default"`) {
		t.Fatalf("the choice does not show calls for Acme only:\n%s", body)
	}
	wantPage(t, h.post(t, decideIn(code, "allow", "w-beta")), http.StatusOK, "You approved the sign-in.")
	wantDecided(t, h.stored(t, sig), storage.DeviceApproved, "w-beta", "openid", "im:messages.read")

	code, sig = h.requestFor(t, "w-acme", "openid", "im:messages.read", "im:calls.read")
	wantPage(t, h.post(t, decide(code, "allow")), http.StatusOK, "You approved the sign-in.")
	wantDecided(t, h.stored(t, sig), storage.DeviceApproved, "w-acme", "openid", "im:messages.read", "im:calls.read")

	// Only calls asked for, in a workspace where the role allows none:
	// refused, as for a global role.
	code, sig = h.requestFor(t, "w-beta", "openid", "im:calls.read")
	wantPage(t, h.get(t, show(code)), http.StatusForbidden, "Your role does not allow you to give this app: im:calls.read.")
	wantDecided(t, h.stored(t, sig), storage.DeviceDenied, "w-beta")
}

// A workspace's policy decides whether the session may approve for it:
// Secure requires a second factor and a sign-in of the last hour, so a
// password sign-in, or an old one, is sent to sign in again and comes
// back to the code, the workspace named in the address (for the sign-in
// page to ask for what its policy takes) and chosen again.
func TestWorkspacePolicyAsksForAnotherSignIn(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.addWorkspaces(t, h.ann)
	h.signIn(t, h.ann, session.ACRPassword)

	code, sig := h.requestFor(t, "w-secure", "openid", "im:messages.read")
	wantSignIn(t, h.get(t, show(code)), "/device?user_code="+code+"&workspace=w-secure")
	wantSignIn(t, h.post(t, decide(code, "allow")), "/device?user_code="+code+"&workspace=w-secure")
	wantDecided(t, h.stored(t, sig), storage.DevicePending, "w-secure")

	// Chosen among several: the sign-in comes back to the choice made.
	code2, sig2 := h.request(t, "openid", "im:messages.read")
	wantSignIn(t, h.post(t, decideIn(code2, "allow", "w-secure")), "/device?user_code="+code2+"&workspace=w-secure")
	wantDecided(t, h.stored(t, sig2), storage.DevicePending, "")
	// Another workspace's policy does not stand in the way.
	wantPage(t, h.get(t, show(code2)), http.StatusOK, `name="workspace" value="w-acme"`)

	h.signIn(t, h.ann, session.ACRTwoFactor)
	wantPage(t, h.get(t, "/device?user_code="+code2+"&workspace=w-secure"), http.StatusOK, `value="w-secure" required aria-describedby="workspace-2-scopes" checked`)
	wantPage(t, h.post(t, decide(code, "allow")), http.StatusOK, "You approved the sign-in.")
	wantDecided(t, h.stored(t, sig), storage.DeviceApproved, "w-secure", "openid", "im:messages.read")

	// The policy's session lifetime: a two-factor sign-in of over an hour
	// ago signs in again.
	h.browser.mu.Lock()
	h.browser.signed.Session.AuthTime = t0.Add(-2 * time.Hour)
	h.browser.mu.Unlock()
	code, sig = h.requestFor(t, "w-secure", "openid")
	wantSignIn(t, h.get(t, show(code)), "/device?user_code="+code+"&workspace=w-secure")
	wantDecided(t, h.stored(t, sig), storage.DevicePending, "w-secure")
}
