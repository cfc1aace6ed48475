package storagetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/storage"
)

// week is how long the suite's invitations stay open.
const week = 7 * 24 * time.Hour

func sampleWorkspace(id, handle string) storage.Workspace {
	return storage.Workspace{
		ID: id, Handle: handle, Name: "Workspace " + id,
		Policy: storage.WorkspacePolicy{
			RequireMFA:      true,
			SignInMethods:   []string{"passkey", "connector:feishu"},
			SessionLifetime: 8*time.Hour + 30*time.Minute + 1500*time.Millisecond,
			Installs:        storage.InstallsApproved,
		},
		CreatedAt: at(0), UpdatedAt: at(time.Minute),
	}
}

// seedWorkspace stores a sample workspace and returns it.
func seedWorkspace(t *testing.T, s storage.Store, id, handle string) storage.Workspace {
	t.Helper()
	w := sampleWorkspace(id, handle)
	must(t, s.CreateWorkspace(t.Context(), w), "create workspace "+id)
	return w
}

// seedMember makes the user a member of the workspace with role, joined
// at at(0), and returns the membership.
func seedMember(t *testing.T, s storage.Store, workspaceID, userID, role string) storage.Member {
	t.Helper()
	m := storage.Member{WorkspaceID: workspaceID, UserID: userID, Role: role, JoinedAt: at(0)}
	must(t, s.AddMember(t.Context(), m), "add "+userID+" to "+workspaceID)
	return m
}

// invitation is an invitation to workspaceID made created after at(0),
// open for a week, with the token hash "hash-"+id.
func invitation(id, workspaceID string, created time.Duration) storage.Invitation {
	return storage.Invitation{
		ID: id, WorkspaceID: workspaceID, Email: id + "@example.com", Role: storage.WorkspaceAdmin,
		TokenHash: "hash-" + id, InvitedBy: "u1", CreatedAt: at(created), ExpiresAt: at(created + week),
	}
}

// defaultWorkspace is the workspace every fresh store holds.
func defaultWorkspace() storage.Workspace {
	return storage.Workspace{ID: storage.DefaultWorkspaceID, Handle: "default", Name: "Default"}
}

func workspaceTests() []test {
	return []test{
		{"a fresh store holds the default workspace, which cannot be deleted", func(t *testing.T, s storage.Store) {
			got, err := s.GetWorkspace(t.Context(), storage.DefaultWorkspaceID)
			must(t, err, "get default")
			same(t, "default workspace", got, defaultWorkspace())
			list, err := s.ListWorkspaces(t.Context(), storage.Page{})
			must(t, err, "list")
			same(t, "workspaces", list, []storage.Workspace{defaultWorkspace()})
			mustBe(t, s.DeleteWorkspace(t.Context(), storage.DefaultWorkspaceID), storage.ErrConflict, "delete default")
			_, err = s.GetWorkspace(t.Context(), storage.DefaultWorkspaceID)
			must(t, err, "get default after a refused delete")
			n, err := s.CountMembers(t.Context(), storage.DefaultWorkspaceID, "")
			must(t, err, "count")
			if n != 0 {
				t.Errorf("a fresh store's default workspace has %d members, want 0", n)
			}
		}},
		{"a workspace is stored whole with its handle lower-cased, and found by handle in any case", func(t *testing.T, s storage.Store) {
			w := sampleWorkspace("w1", "Acme-Eng")
			must(t, s.CreateWorkspace(t.Context(), w), "create")
			w.Handle = "acme-eng"
			got, err := s.GetWorkspace(t.Context(), "w1")
			must(t, err, "get")
			same(t, "workspace", got, w)
			for _, h := range []string{"acme-eng", "ACME-ENG", "Acme-Eng"} {
				got, err := s.GetWorkspaceByHandle(t.Context(), h)
				must(t, err, "get by handle "+h)
				same(t, "workspace by handle "+h, got, w)
			}
			plain := storage.Workspace{ID: "w2", Handle: "plain", Name: "Plain"}
			must(t, s.CreateWorkspace(t.Context(), plain), "create with the provider's policy")
			got, err = s.GetWorkspace(t.Context(), "w2")
			must(t, err, "get w2")
			same(t, "workspace with the provider's policy", got, plain)
			_, err = s.GetWorkspace(t.Context(), "nope")
			mustBe(t, err, storage.ErrNotFound, "get unknown")
			_, err = s.GetWorkspaceByHandle(t.Context(), "nope")
			mustBe(t, err, storage.ErrNotFound, "get unknown handle")
		}},
		{"what a caller does to a workspace it was given does not change the stored one", func(t *testing.T, s storage.Store) {
			want := sampleWorkspace("w1", "acme")
			w := want.Clone()
			must(t, s.CreateWorkspace(t.Context(), w), "create")
			w.Policy.SignInMethods[0] = "password"
			got, err := s.GetWorkspace(t.Context(), "w1")
			must(t, err, "get")
			got.Policy.SignInMethods[1] = "connector:evil"
			again, err := s.GetWorkspace(t.Context(), "w1")
			must(t, err, "get again")
			same(t, "workspace", again, want)
		}},
		{"an ID or a handle is taken once, in any letter case", func(t *testing.T, s storage.Store) {
			seedWorkspace(t, s, "w1", "acme")
			mustBe(t, s.CreateWorkspace(t.Context(), sampleWorkspace("w1", "other")), storage.ErrAlreadyExists, "same ID")
			mustBe(t, s.CreateWorkspace(t.Context(), sampleWorkspace("w2", "ACME")), storage.ErrAlreadyExists, "same handle in capitals")
			mustBe(t, s.CreateWorkspace(t.Context(), sampleWorkspace("w3", "Default")), storage.ErrAlreadyExists, "the default workspace's handle")
			_, err := s.GetWorkspace(t.Context(), "w2")
			mustBe(t, err, storage.ErrNotFound, "get the refused workspace")
			got, err := s.GetWorkspaceByHandle(t.Context(), "acme")
			must(t, err, "get by handle")
			if got.ID != "w1" {
				t.Errorf("handle acme belongs to %s, want w1", got.ID)
			}
		}},
		{"workspaces are listed by handle, a page at a time", func(t *testing.T, s storage.Store) {
			c := seedWorkspace(t, s, "w1", "c-team")
			a := seedWorkspace(t, s, "w2", "A-team")
			b := seedWorkspace(t, s, "w3", "b-team")
			a.Handle = "a-team"
			first, err := s.ListWorkspaces(t.Context(), storage.Page{Limit: 2})
			must(t, err, "first page")
			same(t, "first page", first, []storage.Workspace{a, b})
			second, err := s.ListWorkspaces(t.Context(), storage.Page{After: "b-team", Limit: 2})
			must(t, err, "second page")
			same(t, "second page", second, []storage.Workspace{c, defaultWorkspace()})
			last, err := s.ListWorkspaces(t.Context(), storage.Page{After: "default", Limit: 2})
			must(t, err, "past the end")
			same(t, "past the end", last, []storage.Workspace(nil))
		}},
		{"a workspace's update is stored atomically; a refused one changes nothing", func(t *testing.T, s storage.Store) {
			want := seedWorkspace(t, s, "w1", "acme")
			seedWorkspace(t, s, "w2", "globex")
			got, err := s.UpdateWorkspace(t.Context(), "w1", func(w storage.Workspace) (storage.Workspace, error) {
				w.Handle, w.Name, w.UpdatedAt = "Acme-Corp", "Acme Corporation", at(time.Hour)
				w.Policy = storage.WorkspacePolicy{SignInMethods: []string{"password"}, Installs: storage.InstallsAdmins}
				return w, nil
			})
			must(t, err, "update")
			want.Handle, want.Name, want.UpdatedAt = "acme-corp", "Acme Corporation", at(time.Hour)
			want.Policy = storage.WorkspacePolicy{SignInMethods: []string{"password"}, Installs: storage.InstallsAdmins}
			same(t, "updated workspace", got, want)
			_, err = s.GetWorkspaceByHandle(t.Context(), "acme")
			mustBe(t, err, storage.ErrNotFound, "the old handle")
			must(t, s.CreateWorkspace(t.Context(), sampleWorkspace("w3", "acme")), "create with the freed handle")

			errRefused := errors.New("not allowed")
			_, err = s.UpdateWorkspace(t.Context(), "w1", func(w storage.Workspace) (storage.Workspace, error) {
				w.Name = "Changed"
				return w, errRefused
			})
			mustBe(t, err, errRefused, "update refused by its function")
			_, err = s.UpdateWorkspace(t.Context(), "w1", func(w storage.Workspace) (storage.Workspace, error) {
				w.Handle, w.Name = "GLOBEX", "Taken"
				return w, nil
			})
			mustBe(t, err, storage.ErrAlreadyExists, "update to another's handle")
			_, err = s.UpdateWorkspace(t.Context(), "w1", func(w storage.Workspace) (storage.Workspace, error) {
				w.ID = "w9"
				return w, nil
			})
			if err == nil {
				t.Fatal("an update changing the ID was accepted")
			}
			stored, err := s.GetWorkspace(t.Context(), "w1")
			must(t, err, "get")
			same(t, "workspace after refused updates", stored, want)
			_, err = s.GetWorkspace(t.Context(), "w9")
			mustBe(t, err, storage.ErrNotFound, "the ID an update tried")
			_, err = s.UpdateWorkspace(t.Context(), "nope", func(w storage.Workspace) (storage.Workspace, error) { return w, nil })
			mustBe(t, err, storage.ErrNotFound, "update unknown")
		}},
		{"deleting a workspace removes its members and invitations, not another's", func(t *testing.T, s storage.Store) {
			seedUser(t, s, "u1", "ann@example.com")
			seedWorkspace(t, s, "w1", "acme")
			other := seedWorkspace(t, s, "w2", "globex")
			seedMember(t, s, "w1", "u1", storage.WorkspaceOwner)
			kept := seedMember(t, s, "w2", "u1", storage.WorkspaceMember)
			must(t, s.CreateInvitation(t.Context(), invitation("i1", "w1", 0)), "invite to w1")
			keptInv := invitation("i2", "w2", 0)
			must(t, s.CreateInvitation(t.Context(), keptInv), "invite to w2")

			must(t, s.DeleteWorkspace(t.Context(), "w1"), "delete")
			_, err := s.GetWorkspace(t.Context(), "w1")
			mustBe(t, err, storage.ErrNotFound, "get deleted")
			_, err = s.GetMember(t.Context(), "w1", "u1")
			mustBe(t, err, storage.ErrNotFound, "member of the deleted workspace")
			_, err = s.GetInvitation(t.Context(), "hash-i1", at(time.Minute))
			mustBe(t, err, storage.ErrNotFound, "invitation to the deleted workspace")
			def, err := s.GetMember(t.Context(), storage.DefaultWorkspaceID, "u1")
			must(t, err, "u1's default membership")
			mine, err := s.ListUserWorkspaces(t.Context(), "u1")
			must(t, err, "list u1's workspaces")
			same(t, "u1's workspaces", mine, []storage.Member{def, kept})
			got, err := s.GetWorkspace(t.Context(), "w2")
			must(t, err, "get the other")
			same(t, "the other workspace", got, other)
			inv, err := s.GetInvitation(t.Context(), "hash-i2", at(time.Minute))
			must(t, err, "the other's invitation")
			same(t, "the other's invitation", inv, keptInv)

			mustBe(t, s.DeleteWorkspace(t.Context(), "w1"), storage.ErrNotFound, "second delete")
			must(t, s.CreateWorkspace(t.Context(), sampleWorkspace("w3", "acme")), "create with the freed handle")
			must(t, s.CreateInvitation(t.Context(), invitation("i1", "w3", 0)), "reuse the deleted invitation's ID and token")
		}},
		{"a member is added once, to a workspace and an account that exist", func(t *testing.T, s storage.Store) {
			seedUser(t, s, "u1", "ann@example.com")
			seedWorkspace(t, s, "w1", "acme")
			must(t, s.AddMember(t.Context(), storage.Member{WorkspaceID: "w1", UserID: "u1", JoinedAt: at(time.Second)}), "add")
			got, err := s.GetMember(t.Context(), "w1", "u1")
			must(t, err, "get")
			same(t, "member with an empty role", got, storage.Member{WorkspaceID: "w1", UserID: "u1", Role: storage.WorkspaceMember, JoinedAt: at(time.Second)})
			mustBe(t, s.AddMember(t.Context(), storage.Member{WorkspaceID: "w1", UserID: "u1", Role: storage.WorkspaceOwner}), storage.ErrAlreadyExists, "add again")
			got, err = s.GetMember(t.Context(), "w1", "u1")
			must(t, err, "get after a refused add")
			if got.Role != storage.WorkspaceMember {
				t.Errorf("a refused add changed the role to %q", got.Role)
			}
			mustBe(t, s.AddMember(t.Context(), storage.Member{WorkspaceID: "nope", UserID: "u1"}), storage.ErrNotFound, "unknown workspace")
			mustBe(t, s.AddMember(t.Context(), storage.Member{WorkspaceID: "w1", UserID: "ghost"}), storage.ErrNotFound, "unknown account")
			_, err = s.GetMember(t.Context(), "w1", "ghost")
			mustBe(t, err, storage.ErrNotFound, "get a non-member")
			def, err := s.GetMember(t.Context(), storage.DefaultWorkspaceID, "u1")
			must(t, err, "a new account is a member of the default workspace")
			if def.Role != storage.WorkspaceMember {
				t.Errorf("a new member-role account's default workspace role %q, want %q", def.Role, storage.WorkspaceMember)
			}
		}},
		{"a new account joins the default workspace with the role of its global role, in the same write", func(t *testing.T, s storage.Store) {
			for _, c := range []struct{ id, role, want string }{
				{"u-admin", "admin", storage.WorkspaceAdmin}, {"u-guest", "guest", storage.WorkspaceGuest},
				{"u-dev", "developer", storage.WorkspaceMember}, {"u-none", "", storage.WorkspaceMember},
			} {
				u := sampleUser(c.id, c.id+"@example.com")
				u.Role = c.role
				must(t, s.CreateUser(t.Context(), u), "create "+c.id)
				m, err := s.GetMember(t.Context(), storage.DefaultWorkspaceID, c.id)
				must(t, err, "default membership of "+c.id)
				if m.Role != c.want || !m.JoinedAt.Equal(u.CreatedAt) {
					t.Errorf("%s (global role %q): default workspace role %q joined %v, want %q joined %v", c.id, c.role, m.Role, m.JoinedAt, c.want, u.CreatedAt)
				}
			}
			// A refused account leaves no membership behind.
			dup := sampleUser("u-dup", "U-ADMIN@example.com")
			mustBe(t, s.CreateUser(t.Context(), dup), storage.ErrAlreadyExists, "an email taken in another case")
			_, err := s.GetMember(t.Context(), storage.DefaultWorkspaceID, "u-dup")
			mustBe(t, err, storage.ErrNotFound, "the refused account's membership")
			n, err := s.CountMembers(t.Context(), storage.DefaultWorkspaceID, "")
			must(t, err, "count")
			if n != 4 {
				t.Errorf("the default workspace has %d members, want 4", n)
			}
		}},
		{"a membership is updated atomically; a refused update changes nothing", func(t *testing.T, s storage.Store) {
			seedUser(t, s, "u1", "ann@example.com")
			seedUser(t, s, "u2", "bob@example.com")
			seedWorkspace(t, s, "w1", "acme")
			seedWorkspace(t, s, "w2", "globex")
			want := seedMember(t, s, "w1", "u1", storage.WorkspaceGuest)
			got, err := s.UpdateMember(t.Context(), "w1", "u1", func(m storage.Member) (storage.Member, error) {
				m.Role = storage.WorkspaceAdmin
				return m, nil
			})
			must(t, err, "update")
			want.Role = storage.WorkspaceAdmin
			same(t, "updated member", got, want)
			got, err = s.UpdateMember(t.Context(), "w1", "u1", func(m storage.Member) (storage.Member, error) {
				m.Role = ""
				return m, nil
			})
			must(t, err, "update to an empty role")
			if got.Role != storage.WorkspaceMember {
				t.Errorf("an empty role was stored as %q, want member", got.Role)
			}
			want.Role = storage.WorkspaceMember
			errRefused := errors.New("the last owner")
			_, err = s.UpdateMember(t.Context(), "w1", "u1", func(m storage.Member) (storage.Member, error) {
				m.Role = storage.WorkspaceOwner
				return m, errRefused
			})
			mustBe(t, err, errRefused, "update refused by its function")
			for what, move := range map[string]func(*storage.Member){
				"to another workspace": func(m *storage.Member) { m.WorkspaceID = "w2" },
				"to another account":   func(m *storage.Member) { m.UserID = "u2" },
			} {
				_, err = s.UpdateMember(t.Context(), "w1", "u1", func(m storage.Member) (storage.Member, error) {
					move(&m)
					return m, nil
				})
				if err == nil {
					t.Errorf("an update moving the membership %s was accepted", what)
				}
			}
			stored, err := s.GetMember(t.Context(), "w1", "u1")
			must(t, err, "get")
			same(t, "member after refused updates", stored, want)
			for _, m := range [][2]string{{"w2", "u1"}, {"w1", "u2"}} {
				_, err = s.GetMember(t.Context(), m[0], m[1])
				mustBe(t, err, storage.ErrNotFound, "membership an update tried: "+m[0]+" "+m[1])
			}
			_, err = s.UpdateMember(t.Context(), "w1", "u2", func(m storage.Member) (storage.Member, error) { return m, nil })
			mustBe(t, err, storage.ErrNotFound, "update a non-member")
		}},
		{"a member is removed once, and only from that workspace", func(t *testing.T, s storage.Store) {
			seedUser(t, s, "u1", "ann@example.com")
			seedWorkspace(t, s, "w1", "acme")
			seedWorkspace(t, s, "w2", "globex")
			seedMember(t, s, "w1", "u1", storage.WorkspaceMember)
			kept := seedMember(t, s, "w2", "u1", storage.WorkspaceMember)
			must(t, s.RemoveMember(t.Context(), "w1", "u1"), "remove")
			_, err := s.GetMember(t.Context(), "w1", "u1")
			mustBe(t, err, storage.ErrNotFound, "get removed")
			mustBe(t, s.RemoveMember(t.Context(), "w1", "u1"), storage.ErrNotFound, "second remove")
			mustBe(t, s.RemoveMember(t.Context(), "nope", "u1"), storage.ErrNotFound, "remove from an unknown workspace")
			got, err := s.GetMember(t.Context(), "w2", "u1")
			must(t, err, "the other membership")
			same(t, "the other membership", got, kept)
			must(t, s.AddMember(t.Context(), storage.Member{WorkspaceID: "w1", UserID: "u1", JoinedAt: at(time.Hour)}), "join again")
		}},
		{"members are listed by account ID a page at a time, and counted by role", func(t *testing.T, s storage.Store) {
			for _, u := range []string{"u1", "u2", "u3", "u4"} {
				seedUser(t, s, u, u+"@example.com")
			}
			seedWorkspace(t, s, "w1", "acme")
			seedWorkspace(t, s, "w2", "globex")
			m3 := seedMember(t, s, "w1", "u3", storage.WorkspaceOwner)
			m1 := seedMember(t, s, "w1", "u1", storage.WorkspaceMember)
			m2 := seedMember(t, s, "w1", "u2", storage.WorkspaceOwner)
			seedMember(t, s, "w2", "u4", storage.WorkspaceOwner)
			first, err := s.ListMembers(t.Context(), "w1", storage.Page{Limit: 2})
			must(t, err, "first page")
			same(t, "first page", first, []storage.Member{m1, m2})
			second, err := s.ListMembers(t.Context(), "w1", storage.Page{After: "u2", Limit: 2})
			must(t, err, "second page")
			same(t, "second page", second, []storage.Member{m3})
			none, err := s.ListMembers(t.Context(), "nope", storage.Page{})
			must(t, err, "list an unknown workspace")
			same(t, "members of an unknown workspace", none, []storage.Member(nil))
			seedUser(t, s, "u5", "eve@example.com")
			must(t, s.AddMember(t.Context(), storage.Member{WorkspaceID: "w1", UserID: "u5", Role: storage.WorkspaceOwner, JoinedAt: at(0), Suspended: true}),
				"add a suspended owner")
			for _, c := range []struct {
				workspace, role string
				want            int
			}{
				// The suspended owner u5 is counted by neither.
				{"w1", "", 3}, {"w1", storage.WorkspaceOwner, 2}, {"w1", storage.WorkspaceMember, 1},
				{"w1", storage.WorkspaceGuest, 0}, {"w2", "", 1}, {"nope", "", 0},
			} {
				n, err := s.CountMembers(t.Context(), c.workspace, c.role)
				must(t, err, "count")
				if n != c.want {
					t.Errorf("CountMembers(%s, %q) = %d, want %d", c.workspace, c.role, n, c.want)
				}
			}
		}},
		{"an account's memberships are listed by their workspaces' handles", func(t *testing.T, s storage.Store) {
			seedUser(t, s, "u1", "ann@example.com")
			seedUser(t, s, "u2", "bob@example.com")
			seedWorkspace(t, s, "w1", "zeta")
			seedWorkspace(t, s, "w2", "Alpha")
			seedWorkspace(t, s, "w3", "mid")
			z := seedMember(t, s, "w1", "u1", storage.WorkspaceOwner)
			a := seedMember(t, s, "w2", "u1", storage.WorkspaceGuest)
			d, err := s.GetMember(t.Context(), storage.DefaultWorkspaceID, "u1") // joined when created
			must(t, err, "default membership")
			seedMember(t, s, "w3", "u2", storage.WorkspaceMember)
			got, err := s.ListUserWorkspaces(t.Context(), "u1")
			must(t, err, "list")
			same(t, "u1's memberships", got, []storage.Member{a, d, z})
			none, err := s.ListUserWorkspaces(t.Context(), "u3")
			must(t, err, "list of an account without workspaces")
			same(t, "no memberships", none, []storage.Member(nil))
		}},
		{"an invitation is stored whole and found by its token while pending", func(t *testing.T, s storage.Store) {
			seedWorkspace(t, s, "w1", "acme")
			want := invitation("i1", "w1", 0)
			must(t, s.CreateInvitation(t.Context(), want), "create")
			got, err := s.GetInvitation(t.Context(), "hash-i1", at(time.Minute))
			must(t, err, "get")
			same(t, "invitation", got, want)
			_, err = s.GetInvitation(t.Context(), "hash-i1", at(week))
			mustBe(t, err, storage.ErrNotFound, "get at its expiry")
			_, err = s.GetInvitation(t.Context(), "hash-nope", at(time.Minute))
			mustBe(t, err, storage.ErrNotFound, "get unknown")
			plain := storage.Invitation{ID: "i2", WorkspaceID: "w1", Email: "bob@example.com", TokenHash: "hash-i2", ExpiresAt: at(time.Hour)}
			must(t, s.CreateInvitation(t.Context(), plain), "create with an empty role")
			got, err = s.GetInvitation(t.Context(), "hash-i2", at(0))
			must(t, err, "get i2")
			plain.Role = storage.WorkspaceMember
			same(t, "invitation with an empty role", got, plain)
		}},
		{"an invitation needs its workspace; its ID and its token are taken once", func(t *testing.T, s storage.Store) {
			seedWorkspace(t, s, "w1", "acme")
			seedWorkspace(t, s, "w2", "globex")
			mustBe(t, s.CreateInvitation(t.Context(), invitation("i1", "nope", 0)), storage.ErrNotFound, "unknown workspace")
			must(t, s.CreateInvitation(t.Context(), invitation("i1", "w1", 0)), "create")
			dupID := invitation("i1", "w2", 0)
			dupID.TokenHash = "hash-other"
			mustBe(t, s.CreateInvitation(t.Context(), dupID), storage.ErrAlreadyExists, "same ID")
			dupToken := invitation("i2", "w2", 0)
			dupToken.TokenHash = "hash-i1"
			mustBe(t, s.CreateInvitation(t.Context(), dupToken), storage.ErrAlreadyExists, "same token")
			_, err := s.GetInvitation(t.Context(), "hash-other", at(0))
			mustBe(t, err, storage.ErrNotFound, "the refused invitation")
			got, err := s.GetInvitation(t.Context(), "hash-i1", at(0))
			must(t, err, "get")
			if got.WorkspaceID != "w1" {
				t.Errorf("token leads to %s, want w1", got.WorkspaceID)
			}
		}},
		{"accepting an invitation makes the member with its role, once", func(t *testing.T, s storage.Store) {
			seedUser(t, s, "u1", "ann@example.com")
			seedUser(t, s, "u2", "bob@example.com")
			seedWorkspace(t, s, "w1", "acme")
			must(t, s.CreateInvitation(t.Context(), invitation("i1", "w1", 0)), "create")
			m, err := s.AcceptInvitation(t.Context(), "hash-i1", "u2", at(time.Hour))
			must(t, err, "accept")
			want := storage.Member{WorkspaceID: "w1", UserID: "u2", Role: storage.WorkspaceAdmin, JoinedAt: at(time.Hour)}
			same(t, "membership", m, want)
			got, err := s.GetMember(t.Context(), "w1", "u2")
			must(t, err, "get member")
			same(t, "stored membership", got, want)
			_, err = s.GetInvitation(t.Context(), "hash-i1", at(time.Hour))
			mustBe(t, err, storage.ErrNotFound, "get an accepted invitation")
			_, err = s.AcceptInvitation(t.Context(), "hash-i1", "u1", at(2*time.Hour))
			mustBe(t, err, storage.ErrNotFound, "accept again, by another account")
			_, err = s.GetMember(t.Context(), "w1", "u1")
			mustBe(t, err, storage.ErrNotFound, "the second acceptor's membership")
			pending, err := s.ListInvitations(t.Context(), "w1")
			must(t, err, "list")
			same(t, "pending invitations", pending, []storage.Invitation(nil))
		}},
		{"an unknown or expired invitation, or an unknown account, makes no member", func(t *testing.T, s storage.Store) {
			seedUser(t, s, "u1", "ann@example.com")
			seedWorkspace(t, s, "w1", "acme")
			inv := invitation("i1", "w1", 0)
			must(t, s.CreateInvitation(t.Context(), inv), "create")
			_, err := s.AcceptInvitation(t.Context(), "hash-nope", "u1", at(time.Hour))
			mustBe(t, err, storage.ErrNotFound, "unknown token")
			_, err = s.AcceptInvitation(t.Context(), "hash-i1", "ghost", at(time.Hour))
			mustBe(t, err, storage.ErrNotFound, "unknown account")
			_, err = s.AcceptInvitation(t.Context(), "hash-i1", "u1", at(week))
			mustBe(t, err, storage.ErrNotFound, "expired")
			_, err = s.GetMember(t.Context(), "w1", "u1")
			mustBe(t, err, storage.ErrNotFound, "membership")
			got, err := s.GetInvitation(t.Context(), "hash-i1", at(time.Hour))
			must(t, err, "the invitation is still pending")
			same(t, "pending invitation", got, inv)
		}},
		{"an invitation accepted by a member already stays pending", func(t *testing.T, s storage.Store) {
			seedUser(t, s, "u1", "ann@example.com")
			seedWorkspace(t, s, "w1", "acme")
			was := seedMember(t, s, "w1", "u1", storage.WorkspaceGuest)
			inv := invitation("i1", "w1", 0)
			must(t, s.CreateInvitation(t.Context(), inv), "create")
			_, err := s.AcceptInvitation(t.Context(), "hash-i1", "u1", at(time.Hour))
			mustBe(t, err, storage.ErrAlreadyExists, "accept as a member")
			got, err := s.GetInvitation(t.Context(), "hash-i1", at(time.Hour))
			must(t, err, "the invitation is still pending")
			same(t, "pending invitation", got, inv)
			m, err := s.GetMember(t.Context(), "w1", "u1")
			must(t, err, "get member")
			same(t, "membership", m, was)
		}},
		{"pending invitations are listed newest first; one is deleted only through its own workspace", func(t *testing.T, s storage.Store) {
			seedUser(t, s, "u1", "ann@example.com")
			seedWorkspace(t, s, "w1", "acme")
			seedWorkspace(t, s, "w2", "globex")
			old := invitation("i-old", "w1", -2*week) // expired, listed until purged
			mid := invitation("i-mid", "w1", time.Minute)
			accepted := invitation("i-acc", "w1", time.Hour)
			newest := invitation("i-new", "w1", 2*time.Hour)
			elsewhere := invitation("i-w2", "w2", 3*time.Hour)
			for _, inv := range []storage.Invitation{mid, old, newest, accepted, elsewhere} {
				must(t, s.CreateInvitation(t.Context(), inv), "create "+inv.ID)
			}
			_, err := s.AcceptInvitation(t.Context(), accepted.TokenHash, "u1", at(2*time.Hour))
			must(t, err, "accept")
			list, err := s.ListInvitations(t.Context(), "w1")
			must(t, err, "list")
			same(t, "w1's pending invitations", list, []storage.Invitation{newest, mid, old})
			none, err := s.ListInvitations(t.Context(), "nope")
			must(t, err, "list of an unknown workspace")
			same(t, "invitations of an unknown workspace", none, []storage.Invitation(nil))

			mustBe(t, s.DeleteInvitation(t.Context(), "w2", "i-mid"), storage.ErrNotFound, "delete through another workspace")
			must(t, s.DeleteInvitation(t.Context(), "w1", "i-mid"), "delete")
			mustBe(t, s.DeleteInvitation(t.Context(), "w1", "i-mid"), storage.ErrNotFound, "second delete")
			must(t, s.DeleteInvitation(t.Context(), "w1", "i-acc"), "delete an accepted one")
			_, err = s.GetInvitation(t.Context(), mid.TokenHash, at(time.Hour))
			mustBe(t, err, storage.ErrNotFound, "get deleted")
			list, err = s.ListInvitations(t.Context(), "w1")
			must(t, err, "list after deletes")
			same(t, "w1's invitations after deletes", list, []storage.Invitation{newest, old})
			m, err := s.GetMember(t.Context(), "w1", "u1")
			must(t, err, "the accepted invitation's membership stays")
			if m.Role != storage.WorkspaceAdmin {
				t.Errorf("membership role %q, want admin", m.Role)
			}
		}},
		{"the janitor purges expired invitations, accepted or not, and never the membership one made", func(t *testing.T, s storage.Store) {
			seedUser(t, s, "u1", "ann@example.com")
			seedWorkspace(t, s, "w1", "acme")
			accepted, pending, live := invitation("i-acc", "w1", -week), invitation("i-pend", "w1", -week), invitation("i-live", "w1", 0)
			for _, inv := range []storage.Invitation{accepted, pending, live} {
				must(t, s.CreateInvitation(t.Context(), inv), "create "+inv.ID)
			}
			_, err := s.AcceptInvitation(t.Context(), accepted.TokenHash, "u1", at(-time.Hour))
			must(t, err, "accept")
			if n := purge(t, s, storage.PurgeInvitations, at(time.Minute), 100); n != 2 {
				t.Errorf("purged %d invitations, want 2", n)
			}
			list, err := s.ListInvitations(t.Context(), "w1")
			must(t, err, "list")
			same(t, "invitations after the purge", list, []storage.Invitation{live})
			must(t, s.CreateInvitation(t.Context(), invitation("i-acc", "w1", time.Hour)), "the purged accepted invitation's ID and token are free")
			_, err = s.GetMember(t.Context(), "w1", "u1")
			must(t, err, "the membership stays")
		}},
		{"a workspace, a membership and an invitation made in a transaction rolled back are gone", func(t *testing.T, s storage.Store) {
			seedUser(t, s, "u1", "ann@example.com")
			seedWorkspace(t, s, "w0", "kept")
			must(t, s.CreateInvitation(t.Context(), invitation("i0", "w0", 0)), "create invitation")
			ctx, err := s.BeginTx(t.Context())
			must(t, err, "begin")
			must(t, s.CreateWorkspace(ctx, sampleWorkspace("w1", "acme")), "create in tx")
			must(t, s.AddMember(ctx, storage.Member{WorkspaceID: "w1", UserID: "u1"}), "add in tx")
			must(t, s.CreateInvitation(ctx, invitation("i1", "w1", 0)), "invite in tx")
			_, err = s.AcceptInvitation(ctx, "hash-i0", "u1", at(time.Minute))
			must(t, err, "accept in tx")
			must(t, s.Rollback(ctx), "rollback")
			_, err = s.GetWorkspace(t.Context(), "w1")
			mustBe(t, err, storage.ErrNotFound, "workspace after rollback")
			_, err = s.GetWorkspaceByHandle(t.Context(), "acme")
			mustBe(t, err, storage.ErrNotFound, "handle after rollback")
			_, err = s.GetInvitation(t.Context(), "hash-i1", at(0))
			mustBe(t, err, storage.ErrNotFound, "invitation after rollback")
			def, err := s.GetMember(t.Context(), storage.DefaultWorkspaceID, "u1")
			must(t, err, "u1's default membership")
			mine, err := s.ListUserWorkspaces(t.Context(), "u1")
			must(t, err, "list")
			same(t, "memberships after rollback", mine, []storage.Member{def})
			_, err = s.GetInvitation(t.Context(), "hash-i0", at(time.Minute))
			must(t, err, "the invitation accepted in the rolled-back transaction is pending again")
		}},
	}
}

// concurrentWorkspaces checks the races of the Workspaces contract.
func concurrentWorkspaces(t *testing.T, open Opener, racers int, race func(func(i int) error) []error) {
	t.Run("parallel acceptances of one invitation: exactly one account joins, the others find nothing", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		for i := range racers {
			seedUser(t, s, fmt.Sprintf("u%d", i), fmt.Sprintf("u%d@example.com", i))
		}
		seedWorkspace(t, s, "w1", "acme")
		must(t, s.CreateInvitation(t.Context(), invitation("i1", "w1", 0)), "invite")
		errs := race(func(i int) error {
			_, err := s.AcceptInvitation(t.Context(), "hash-i1", fmt.Sprintf("u%d", i), at(time.Minute))
			return err
		})
		exactlyOne(t, errs, storage.ErrNotFound)
		n, err := s.CountMembers(t.Context(), "w1", "")
		must(t, err, "count")
		if n != 1 {
			t.Fatalf("%d members joined with one invitation, want 1", n)
		}
	})
	t.Run("parallel additions of one member: exactly one is added, the others find it there", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		seedUser(t, s, "u1", "ann@example.com")
		seedWorkspace(t, s, "w1", "acme")
		errs := race(func(int) error {
			return s.AddMember(t.Context(), storage.Member{WorkspaceID: "w1", UserID: "u1", JoinedAt: at(0)})
		})
		exactlyOne(t, errs, storage.ErrAlreadyExists)
	})
	t.Run("parallel demotions of two owners, each locking the workspace first: one owner stays", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		seedUser(t, s, "u0", "ann@example.com")
		seedUser(t, s, "u1", "bob@example.com")
		seedWorkspace(t, s, "w1", "acme")
		seedMember(t, s, "w1", "u0", storage.WorkspaceOwner)
		seedMember(t, s, "w1", "u1", storage.WorkspaceOwner)
		errLastOwner := errors.New("the last owner")
		// A round of reads first, so that the racers below start together
		// rather than one after another as a backend opens connections.
		for _, err := range race(func(int) error { _, err := s.CountMembers(t.Context(), "w1", ""); return err }) {
			must(t, err, "count")
		}
		errs := race(func(i int) error {
			return storage.InTx(t.Context(), s, func(ctx context.Context) error {
				// The pattern CountMembers' contract names: lock the
				// workspace, count, change.
				if _, err := s.UpdateWorkspace(ctx, "w1", func(w storage.Workspace) (storage.Workspace, error) { return w, nil }); err != nil {
					return err
				}
				owners, err := s.CountMembers(ctx, "w1", storage.WorkspaceOwner)
				if err != nil {
					return err
				}
				if owners < 2 {
					return errLastOwner
				}
				_, err = s.UpdateMember(ctx, "w1", fmt.Sprintf("u%d", i%2), func(m storage.Member) (storage.Member, error) {
					m.Role = storage.WorkspaceAdmin
					return m, nil
				})
				return err
			})
		})
		exactlyOne(t, errs, errLastOwner)
		owners, err := s.CountMembers(t.Context(), "w1", storage.WorkspaceOwner)
		must(t, err, "count")
		if owners != 1 {
			t.Fatalf("%d owners left, want 1", owners)
		}
	})
	t.Run("parallel creations of workspaces with one handle: exactly one gets it", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		handles := []string{"acme", "ACME", "Acme", "aCmE"}
		errs := race(func(i int) error {
			return s.CreateWorkspace(t.Context(), sampleWorkspace(fmt.Sprintf("w%d", i), handles[i%len(handles)]))
		})
		exactlyOne(t, errs, storage.ErrAlreadyExists)
		list, err := s.ListWorkspaces(t.Context(), storage.Page{})
		must(t, err, "list")
		if len(list) != 2 {
			t.Fatalf("%d workspaces stored, want the default one and the winner", len(list))
		}
	})
}
