package storagetest

import (
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/storage"
)

func sampleSCIMToken(id, workspaceID string, created time.Duration) storage.SCIMToken {
	return storage.SCIMToken{
		ID: id, WorkspaceID: workspaceID, Name: "Entra ID " + id, Prefix: "tkm_scim_" + id,
		Hash: []byte("hash-" + id), CreatedBy: "cli", CreatedAt: at(created), ExpiresAt: at(created + week),
	}
}

func sampleGroup(id, workspaceID, name string) storage.SCIMGroup {
	return storage.SCIMGroup{
		ID: id, WorkspaceID: workspaceID, DisplayName: name, ExternalID: "ext-" + id,
		CreatedAt: at(0), UpdatedAt: at(time.Minute),
	}
}

// seedGroup stores a sample group and returns it.
func seedGroup(t *testing.T, s storage.Store, id, workspaceID, name string) storage.SCIMGroup {
	t.Helper()
	g := sampleGroup(id, workspaceID, name)
	must(t, s.CreateSCIMGroup(t.Context(), g), "create group "+id)
	return g
}

func scimTests() []test {
	return []test{
		{"a membership keeps its external ID and suspension, and starts active", func(t *testing.T, s storage.Store) {
			seedWorkspace(t, s, "w1", "acme")
			seedUser(t, s, "u1", "u1@example.com")
			seedUser(t, s, "u2", "u2@example.com")
			m := storage.Member{WorkspaceID: "w1", UserID: "u1", Role: storage.WorkspaceMember, JoinedAt: at(0), ExternalID: "entra-1"}
			must(t, s.AddMember(t.Context(), m), "add")
			got, err := s.GetMember(t.Context(), "w1", "u1")
			must(t, err, "get")
			same(t, "member", got, m)
			plain := seedMember(t, s, "w1", "u2", "")
			plain.Role = storage.WorkspaceMember
			got, err = s.GetMember(t.Context(), "w1", "u2")
			must(t, err, "get plain")
			same(t, "a member added without SCIM", got, plain)
			if got.Suspended || got.ExternalID != "" {
				t.Errorf("a new membership is %+v, want active with no external ID", got)
			}
			upd, err := s.UpdateMember(t.Context(), "w1", "u1", func(m storage.Member) (storage.Member, error) {
				m.Suspended, m.ExternalID = true, "entra-2"
				return m, nil
			})
			must(t, err, "suspend")
			m.Suspended, m.ExternalID = true, "entra-2"
			same(t, "updated member", upd, m)
			list, err := s.ListMembers(t.Context(), "w1", storage.Page{})
			must(t, err, "list")
			same(t, "members", list, []storage.Member{m, plain})
		}},
		{"a token is stored whole, listed newest first, touched and revoked in its workspace only", func(t *testing.T, s storage.Store) {
			seedWorkspace(t, s, "w1", "acme")
			seedWorkspace(t, s, "w2", "other")
			old := sampleSCIMToken("t1", "w1", 0)
			young := sampleSCIMToken("t2", "w1", time.Hour)
			never := sampleSCIMToken("t3", "w2", 0)
			never.ExpiresAt = time.Time{}
			for _, tok := range []storage.SCIMToken{old, young, never} {
				must(t, s.CreateSCIMToken(t.Context(), tok), "create "+tok.ID)
			}
			mustBe(t, s.CreateSCIMToken(t.Context(), sampleSCIMToken("t1", "w2", 0)), storage.ErrAlreadyExists, "same ID")
			mustBe(t, s.CreateSCIMToken(t.Context(), sampleSCIMToken("t9", "nope", 0)), storage.ErrNotFound, "unknown workspace")
			got, err := s.GetSCIMToken(t.Context(), "t3")
			must(t, err, "get")
			same(t, "token", got, never)
			_, err = s.GetSCIMToken(t.Context(), "t9")
			mustBe(t, err, storage.ErrNotFound, "get unknown")
			list, err := s.ListSCIMTokens(t.Context(), "w1")
			must(t, err, "list")
			same(t, "w1's tokens", list, []storage.SCIMToken{young, old})

			must(t, s.TouchSCIMToken(t.Context(), "t1", at(2*time.Hour)), "touch")
			mustBe(t, s.TouchSCIMToken(t.Context(), "t9", at(2*time.Hour)), storage.ErrNotFound, "touch unknown")
			mustBe(t, s.RevokeSCIMToken(t.Context(), "w2", "t1", at(3*time.Hour)), storage.ErrNotFound, "revoke from another workspace")
			must(t, s.RevokeSCIMToken(t.Context(), "w1", "t1", at(3*time.Hour)), "revoke")
			must(t, s.RevokeSCIMToken(t.Context(), "w1", "t1", at(4*time.Hour)), "revoke again")
			got, err = s.GetSCIMToken(t.Context(), "t1")
			must(t, err, "get revoked")
			old.LastUsedAt, old.RevokedAt = at(2*time.Hour), at(3*time.Hour)
			same(t, "revoked token", got, old)
			must(t, s.DeleteWorkspace(t.Context(), "w2"), "delete w2")
			_, err = s.GetSCIMToken(t.Context(), "t3")
			mustBe(t, err, storage.ErrNotFound, "a deleted workspace's token")
		}},
		{"groups are kept per workspace, named once in each, listed by ID a page at a time", func(t *testing.T, s storage.Store) {
			seedWorkspace(t, s, "w1", "acme")
			seedWorkspace(t, s, "w2", "other")
			b := seedGroup(t, s, "g2", "w1", "Engineering")
			a := seedGroup(t, s, "g1", "w1", "Sales")
			c := seedGroup(t, s, "g3", "w2", "Engineering")
			mustBe(t, s.CreateSCIMGroup(t.Context(), sampleGroup("g4", "w1", "Engineering")), storage.ErrAlreadyExists, "same name")
			mustBe(t, s.CreateSCIMGroup(t.Context(), sampleGroup("g1", "w2", "Ops")), storage.ErrAlreadyExists, "same ID")
			mustBe(t, s.CreateSCIMGroup(t.Context(), sampleGroup("g5", "nope", "Ops")), storage.ErrNotFound, "unknown workspace")
			got, err := s.GetSCIMGroup(t.Context(), "w2", "g3")
			must(t, err, "get")
			same(t, "group", got, c)
			_, err = s.GetSCIMGroup(t.Context(), "w2", "g1")
			mustBe(t, err, storage.ErrNotFound, "another workspace's group")
			first, err := s.ListSCIMGroups(t.Context(), "w1", storage.Page{Limit: 1})
			must(t, err, "first page")
			same(t, "first page", first, []storage.SCIMGroup{a})
			rest, err := s.ListSCIMGroups(t.Context(), "w1", storage.Page{After: "g1"})
			must(t, err, "second page")
			same(t, "second page", rest, []storage.SCIMGroup{b})

			_, err = s.UpdateSCIMGroup(t.Context(), "w1", "g1", func(g storage.SCIMGroup) (storage.SCIMGroup, error) {
				g.DisplayName = "Engineering"
				return g, nil
			})
			mustBe(t, err, storage.ErrAlreadyExists, "rename to a taken name")
			_, err = s.UpdateSCIMGroup(t.Context(), "w2", "g1", func(g storage.SCIMGroup) (storage.SCIMGroup, error) { return g, nil })
			mustBe(t, err, storage.ErrNotFound, "update another workspace's group")
			upd, err := s.UpdateSCIMGroup(t.Context(), "w1", "g1", func(g storage.SCIMGroup) (storage.SCIMGroup, error) {
				g.DisplayName, g.UpdatedAt = "Field sales", at(time.Hour)
				return g, nil
			})
			must(t, err, "rename")
			a.DisplayName, a.UpdatedAt = "Field sales", at(time.Hour)
			same(t, "renamed", upd, a)
			must(t, s.CreateSCIMGroup(t.Context(), sampleGroup("g6", "w1", "Sales")), "the old name is free again")

			mustBe(t, s.DeleteSCIMGroup(t.Context(), "w2", "g1"), storage.ErrNotFound, "delete another workspace's group")
			must(t, s.DeleteSCIMGroup(t.Context(), "w1", "g1"), "delete")
			_, err = s.GetSCIMGroup(t.Context(), "w1", "g1")
			mustBe(t, err, storage.ErrNotFound, "get deleted")
		}},
		{"a group holds members of its workspace; ending a membership or the group lets them go", func(t *testing.T, s storage.Store) {
			seedWorkspace(t, s, "w1", "acme")
			seedWorkspace(t, s, "w2", "other")
			for _, id := range []string{"u1", "u2", "u3"} {
				seedUser(t, s, id, id+"@example.com")
				seedMember(t, s, "w1", id, "")
			}
			seedGroup(t, s, "g1", "w1", "Engineering")
			seedGroup(t, s, "g2", "w1", "Sales")
			seedGroup(t, s, "g3", "w2", "Engineering")
			ctx := t.Context()
			must(t, s.AddSCIMGroupMember(ctx, "w1", "g1", "u2"), "add u2")
			must(t, s.AddSCIMGroupMember(ctx, "w1", "g1", "u1"), "add u1")
			must(t, s.AddSCIMGroupMember(ctx, "w1", "g1", "u1"), "add u1 again")
			must(t, s.AddSCIMGroupMember(ctx, "w1", "g2", "u3"), "add u3 to g2")
			mustBe(t, s.AddSCIMGroupMember(ctx, "w2", "g3", "u1"), storage.ErrNotFound, "add a non-member of w2")
			mustBe(t, s.AddSCIMGroupMember(ctx, "w2", "g1", "u1"), storage.ErrNotFound, "add to another workspace's group")
			mustBe(t, s.AddSCIMGroupMember(ctx, "w1", "g9", "u1"), storage.ErrNotFound, "add to an unknown group")
			ids, err := s.ListSCIMGroupMembers(ctx, "w1", "g1")
			must(t, err, "list")
			same(t, "g1's members", ids, []string{"u1", "u2"})
			_, err = s.ListSCIMGroupMembers(ctx, "w2", "g1")
			mustBe(t, err, storage.ErrNotFound, "list another workspace's group")

			must(t, s.RemoveSCIMGroupMember(ctx, "w1", "g1", "u2"), "remove u2")
			must(t, s.RemoveSCIMGroupMember(ctx, "w1", "g1", "u2"), "remove u2 again")
			mustBe(t, s.RemoveSCIMGroupMember(ctx, "w2", "g1", "u1"), storage.ErrNotFound, "remove from another workspace's group")
			must(t, s.RemoveMember(ctx, "w1", "u1"), "end u1's membership")
			ids, err = s.ListSCIMGroupMembers(ctx, "w1", "g1")
			must(t, err, "list after")
			same(t, "g1's members after", ids, []string(nil))
			seedMember(t, s, "w1", "u1", "")
			ids, err = s.ListSCIMGroupMembers(ctx, "w1", "g1")
			must(t, err, "list after joining again")
			same(t, "g1's members after u1 joined again", ids, []string(nil))

			must(t, s.DeleteSCIMGroup(ctx, "w1", "g2"), "delete g2")
			seedGroup(t, s, "g2", "w1", "Sales")
			ids, err = s.ListSCIMGroupMembers(ctx, "w1", "g2")
			must(t, err, "list the new g2")
			same(t, "a new group of a deleted one's ID", ids, []string(nil))
		}},
	}
}
