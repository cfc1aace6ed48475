package consent_test

import (
	"net/http"
	"strings"

	"github.com/tokenim/tokenim-auth/storage"
	"slices"
	"testing"

	"github.com/tokenim/tokenim-auth/provider/consent"
)

func TestRoleScopesCapsByWorkspaceRole(t *testing.T) {
	t.Parallel()
	roles := map[string][]string{
		"admin":  {"openid", "im:messages.read", "im:messages.send", "im:calls.read"},
		"member": {"openid", "im:messages.read", "im:messages.send"},
		"guest":  {"openid", "im:messages.read"},
	}
	for _, c := range []struct {
		name              string
		global, workspace string
		want              []string
		known             bool
	}{
		{"no workspace: the global role alone", "member", "", []string{"openid", "im:messages.read", "im:messages.send"}, true},
		{"a guest of the workspace gets the guest's scopes", "member", "guest", []string{"openid", "im:messages.read"}, true},
		{"a workspace role never adds to the global role", "guest", "admin", []string{"openid", "im:messages.read"}, true},
		{"an owner is capped as an admin", "admin", "owner", []string{"openid", "im:messages.read", "im:messages.send", "im:calls.read"}, true},
		{"an unknown workspace role grants sign-in scopes only", "admin", "auditor", []string{"openid"}, false},
	} {
		got, known := consent.RoleScopes(roles, c.global, c.workspace)
		if !slices.Equal(got, c.want) || known != c.known {
			t.Errorf("%s: RoleScopes = %v, %v; want %v, %v", c.name, got, known, c.want, c.known)
		}
	}
}

// The page offers, for a flow of a workspace, only what the user's role
// there allows: Ann, a member globally, is a guest of Acme.
func TestConsentPageCapsByWorkspaceRole(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	ctx := t.Context()
	if err := h.store.CreateWorkspace(ctx, storage.Workspace{ID: "w-acme", Handle: "acme", Name: "Acme"}); err != nil {
		t.Fatal(err)
	}
	if err := h.store.AddMember(ctx, storage.Member{WorkspaceID: "w-acme", UserID: h.ann.ID, Role: "guest"}); err != nil {
		t.Fatal(err)
	}
	flow := h.flow(t, "scope", "openid profile im:messages.read im:calls.read")
	if _, err := h.store.UpdateFlow(ctx, flow, func(f storage.Flow) (storage.Flow, error) {
		f.WorkspaceID = "w-acme"
		return f, nil
	}); err != nil {
		t.Fatal(err)
	}
	w := h.show(t, flow)
	wantPage(t, w, http.StatusOK, "<li>openid</li>", "<li>im:messages.read</li>")
	for _, s := range []string{"profile", "im:calls.read"} {
		if strings.Contains(w.Body.String(), "<li>"+s+"</li>") {
			t.Errorf("a guest of the workspace is offered %s", s)
		}
	}
}
