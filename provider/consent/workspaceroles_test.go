package consent_test

import (
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
