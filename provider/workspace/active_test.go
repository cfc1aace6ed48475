package workspace_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/tokenim/tokenim-auth/provider/workspace"
	"github.com/tokenim/tokenim-auth/storage"
	"github.com/tokenim/tokenim-auth/storage/memory"
)

// A user's active workspaces leave out suspended memberships; those a
// sign-in offers also leave out the default workspace beside others.
func TestActiveAndOfferedWorkspaces(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name             string
		member           map[string]bool // workspace ID → suspended
		active, offered  []string
		activeMemberOfWs string
		activeMember     bool
	}{
		{"only the default workspace", map[string]bool{}, []string{"default"}, []string{"default"}, "default", true},
		{"the default workspace and acme", map[string]bool{"w-acme": false}, []string{"w-acme", "default"}, []string{"w-acme"}, "w-acme", true},
		{"acme suspended", map[string]bool{"w-acme": true}, []string{"default"}, []string{"default"}, "w-acme", false},
		{"acme and beta", map[string]bool{"w-acme": false, "w-beta": false}, []string{"w-acme", "w-beta", "default"}, []string{"w-acme", "w-beta"}, "w-beta", true},
		{"not a member of beta", map[string]bool{"w-acme": false}, []string{"w-acme", "default"}, []string{"w-acme"}, "w-beta", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			store := memory.New()
			ctx := t.Context()
			if err := store.CreateUser(ctx, storage.User{ID: "ann", Email: "ann@example.com", Status: storage.UserActive}); err != nil {
				t.Fatal(err)
			}
			for _, ws := range []storage.Workspace{{ID: "w-acme", Handle: "acme", Name: "Acme"}, {ID: "w-beta", Handle: "beta", Name: "Beta"}} {
				if err := store.CreateWorkspace(ctx, ws); err != nil {
					t.Fatal(err)
				}
			}
			for id, suspended := range c.member {
				if err := store.AddMember(ctx, storage.Member{WorkspaceID: id, UserID: "ann", Suspended: suspended}); err != nil {
					t.Fatal(err)
				}
			}
			ids := func(ms []workspace.Membership, err error) []string {
				t.Helper()
				if err != nil {
					t.Fatal(err)
				}
				var out []string
				for _, m := range ms {
					out = append(out, m.Workspace.ID)
				}
				return out
			}
			// Listed by handle: acme, beta, default.
			if got := ids(workspace.ActiveWorkspaces(ctx, store, "ann")); !slices.Equal(got, c.active) {
				t.Errorf("active %v, want %v", got, c.active)
			}
			if got := ids(workspace.Offered(ctx, store, "ann")); !slices.Equal(got, c.offered) {
				t.Errorf("offered %v, want %v", got, c.offered)
			}
			m, err := workspace.ActiveMember(ctx, store, c.activeMemberOfWs, "ann")
			switch {
			case c.activeMember && (err != nil || m.Workspace.ID != c.activeMemberOfWs):
				t.Errorf("active member of %s: %+v, %v", c.activeMemberOfWs, m, err)
			case !c.activeMember && (!workspace.NotActive(err) || !errors.Is(err, storage.ErrNotFound)):
				t.Errorf("active member of %s: %v, want not active", c.activeMemberOfWs, err)
			}
		})
	}
}
