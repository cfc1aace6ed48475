package memory

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/tokenim/tokenim-auth/storage"
)

type memberKey struct {
	workspaceID, userID string
}

// defaultWorkspace is the workspace a new store holds, as the migration
// that brought workspaces made it.
func defaultWorkspace() storage.Workspace {
	return storage.Workspace{ID: storage.DefaultWorkspaceID, Handle: "default", Name: "Default"}
}

// CreateWorkspace implements storage.Workspaces.
func (s *Store) CreateWorkspace(ctx context.Context, w storage.Workspace) error {
	w.Handle = storage.NormalHandle(w.Handle)
	return s.do(ctx, func(t *txn) error {
		if _, ok := s.workspaces[w.ID]; ok {
			return exists("create workspace", w.ID)
		}
		if _, ok := s.handles[w.Handle]; ok {
			return exists("create workspace with handle", w.Handle)
		}
		put(t, s.workspaces, w.ID, w.Clone())
		put(t, s.handles, w.Handle, w.ID)
		return nil
	})
}

// GetWorkspace implements storage.Workspaces.
func (s *Store) GetWorkspace(ctx context.Context, id string) (storage.Workspace, error) {
	var w storage.Workspace
	err := s.do(ctx, func(*txn) error {
		got, ok := s.workspaces[id]
		if !ok {
			return notFound("get workspace", id)
		}
		w = got.Clone()
		return nil
	})
	return w, err
}

// GetWorkspaceByHandle implements storage.Workspaces.
func (s *Store) GetWorkspaceByHandle(ctx context.Context, handle string) (storage.Workspace, error) {
	var w storage.Workspace
	err := s.do(ctx, func(*txn) error {
		id, ok := s.handles[storage.NormalHandle(handle)]
		if !ok {
			return notFound("get workspace by handle", handle)
		}
		w = s.workspaces[id].Clone()
		return nil
	})
	return w, err
}

// ListWorkspaces implements storage.Workspaces.
func (s *Store) ListWorkspaces(ctx context.Context, p storage.Page) ([]storage.Workspace, error) {
	var all []storage.Workspace
	err := s.do(ctx, func(*txn) error {
		for _, w := range s.workspaces {
			if w.Handle > p.After {
				all = append(all, w.Clone())
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(all, func(a, b storage.Workspace) int { return strings.Compare(a.Handle, b.Handle) })
	return firstOf(all, p), nil
}

// UpdateWorkspace implements storage.Workspaces.
func (s *Store) UpdateWorkspace(ctx context.Context, id string, update func(storage.Workspace) (storage.Workspace, error)) (storage.Workspace, error) {
	var w storage.Workspace
	err := s.do(ctx, func(t *txn) error {
		old, ok := s.workspaces[id]
		if !ok {
			return notFound("update workspace", id)
		}
		next, err := update(old.Clone())
		if err != nil {
			return err
		}
		if next.ID != id {
			return fmt.Errorf("memory: update workspace %s: the ID cannot change", id)
		}
		next.Handle = storage.NormalHandle(next.Handle)
		if next.Handle != old.Handle {
			if _, taken := s.handles[next.Handle]; taken {
				return exists("update workspace handle", next.Handle)
			}
			del(t, s.handles, old.Handle)
			put(t, s.handles, next.Handle, id)
		}
		put(t, s.workspaces, id, next.Clone())
		w = next.Clone()
		return nil
	})
	return w, err
}

// DeleteWorkspace implements storage.Workspaces.
func (s *Store) DeleteWorkspace(ctx context.Context, id string) error {
	return s.do(ctx, func(t *txn) error {
		w, ok := s.workspaces[id]
		if !ok {
			return notFound("delete workspace", id)
		}
		if id == storage.DefaultWorkspaceID {
			return fmt.Errorf("memory: delete workspace %s: the default workspace stays: %w", id, storage.ErrConflict)
		}
		del(t, s.workspaces, id)
		del(t, s.handles, w.Handle)
		delWhere(t, s.members, func(k memberKey, _ storage.Member) bool { return k.workspaceID == id })
		s.deleteWorkspaceSCIM(t, id)
		s.deleteInstallationsWhere(t, func(workspaceID, _ string) bool { return workspaceID == id })
		for invID, inv := range s.invitations {
			if inv.WorkspaceID == id {
				s.deleteInvitation(t, invID)
			}
		}
		return nil
	})
}

// AddMember implements storage.Workspaces.
func (s *Store) AddMember(ctx context.Context, m storage.Member) error {
	return s.do(ctx, func(t *txn) error {
		return s.addMember(t, m)
	})
}

// addMember stores m under the store's lock, as AddMember.
func (s *Store) addMember(t *txn, m storage.Member) error {
	k := memberKey{m.WorkspaceID, m.UserID}
	if _, ok := s.workspaces[m.WorkspaceID]; !ok {
		return notFound("add member to workspace", m.WorkspaceID)
	}
	if _, ok := s.users[m.UserID]; !ok {
		return notFound("add member for user", m.UserID)
	}
	if _, ok := s.members[k]; ok {
		return exists("add member to workspace "+m.WorkspaceID+": user", m.UserID)
	}
	put(t, s.members, k, withMemberRole(m))
	return nil
}

// GetMember implements storage.Workspaces.
func (s *Store) GetMember(ctx context.Context, workspaceID, userID string) (storage.Member, error) {
	var m storage.Member
	err := s.do(ctx, func(*txn) error {
		got, ok := s.members[memberKey{workspaceID, userID}]
		if !ok {
			return notFound("get member of workspace "+workspaceID+": user", userID)
		}
		m = got
		return nil
	})
	return m, err
}

// UpdateMember implements storage.Workspaces.
func (s *Store) UpdateMember(ctx context.Context, workspaceID, userID string, update func(storage.Member) (storage.Member, error)) (storage.Member, error) {
	var m storage.Member
	k := memberKey{workspaceID, userID}
	err := s.do(ctx, func(t *txn) error {
		old, ok := s.members[k]
		if !ok {
			return notFound("update member of workspace "+workspaceID+": user", userID)
		}
		next, err := update(old)
		if err != nil {
			return err
		}
		if next.WorkspaceID != workspaceID || next.UserID != userID {
			return fmt.Errorf("memory: update member %s of workspace %s: the workspace and the user cannot change", userID, workspaceID)
		}
		m = withMemberRole(next)
		put(t, s.members, k, m)
		return nil
	})
	return m, err
}

// RemoveMember implements storage.Workspaces.
func (s *Store) RemoveMember(ctx context.Context, workspaceID, userID string) error {
	return s.do(ctx, func(t *txn) error {
		k := memberKey{workspaceID, userID}
		if _, ok := s.members[k]; !ok {
			return notFound("remove member of workspace "+workspaceID+": user", userID)
		}
		del(t, s.members, k)
		delWhere(t, s.scim.groupMembers, func(g groupMemberKey, _ struct{}) bool {
			return g.workspaceID == workspaceID && g.userID == userID
		})
		return nil
	})
}

// ListMembers implements storage.Workspaces.
func (s *Store) ListMembers(ctx context.Context, workspaceID string, p storage.Page) ([]storage.Member, error) {
	var all []storage.Member
	err := s.do(ctx, func(*txn) error {
		for k, m := range s.members {
			if k.workspaceID == workspaceID && k.userID > p.After {
				all = append(all, m)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(all, func(a, b storage.Member) int { return strings.Compare(a.UserID, b.UserID) })
	return firstOf(all, p), nil
}

// ListUserWorkspaces implements storage.Workspaces.
func (s *Store) ListUserWorkspaces(ctx context.Context, userID string) ([]storage.Member, error) {
	var list []storage.Member
	handle := map[string]string{}
	err := s.do(ctx, func(*txn) error {
		for k, m := range s.members {
			if k.userID == userID {
				list = append(list, m)
				handle[k.workspaceID] = s.workspaces[k.workspaceID].Handle
			}
		}
		return nil
	})
	slices.SortFunc(list, func(a, b storage.Member) int {
		return strings.Compare(handle[a.WorkspaceID], handle[b.WorkspaceID])
	})
	return list, err
}

// CountMembers implements storage.Workspaces.
func (s *Store) CountMembers(ctx context.Context, workspaceID, role string) (int, error) {
	n := 0
	err := s.do(ctx, func(*txn) error {
		for k, m := range s.members {
			if k.workspaceID == workspaceID && !m.Suspended && (role == "" || m.Role == role) {
				n++
			}
		}
		return nil
	})
	return n, err
}

// CreateInvitation implements storage.Workspaces.
func (s *Store) CreateInvitation(ctx context.Context, inv storage.Invitation) error {
	return s.do(ctx, func(t *txn) error {
		if _, ok := s.invitations[inv.ID]; ok {
			return exists("create invitation", inv.ID)
		}
		if _, ok := s.inviteTokens[inv.TokenHash]; ok {
			return exists("create invitation with its token; invitation", inv.ID)
		}
		if _, ok := s.workspaces[inv.WorkspaceID]; !ok {
			return notFound("create invitation to workspace", inv.WorkspaceID)
		}
		if inv.Role == "" {
			inv.Role = storage.WorkspaceMember
		}
		put(t, s.invitations, inv.ID, inv)
		put(t, s.inviteTokens, inv.TokenHash, inv.ID)
		return nil
	})
}

// pendingInvitation returns the invitation whose token hashes to
// tokenHash if it is neither accepted nor expired at now.
func (s *Store) pendingInvitation(tokenHash string, now time.Time) (storage.Invitation, bool) {
	inv, ok := s.invitations[s.inviteTokens[tokenHash]]
	if !ok || !inv.AcceptedAt.IsZero() || !inv.ExpiresAt.After(now) {
		return storage.Invitation{}, false
	}
	return inv, true
}

// GetInvitation implements storage.Workspaces.
func (s *Store) GetInvitation(ctx context.Context, tokenHash string, now time.Time) (storage.Invitation, error) {
	var inv storage.Invitation
	err := s.do(ctx, func(*txn) error {
		got, ok := s.pendingInvitation(tokenHash, now)
		if !ok {
			// The hash is a credential: the error names the lookup only.
			return notFound("get invitation", "by token")
		}
		inv = got
		return nil
	})
	return inv, err
}

// AcceptInvitation implements storage.Workspaces.
func (s *Store) AcceptInvitation(ctx context.Context, tokenHash, userID string, now time.Time) (storage.Member, error) {
	var m storage.Member
	err := s.do(ctx, func(t *txn) error {
		inv, ok := s.pendingInvitation(tokenHash, now)
		if !ok {
			return notFound("accept invitation", "by token")
		}
		m = storage.Member{WorkspaceID: inv.WorkspaceID, UserID: userID, Role: inv.Role, JoinedAt: now}
		if err := s.addMember(t, m); err != nil {
			return fmt.Errorf("accept invitation %s: %w", inv.ID, err)
		}
		inv.AcceptedAt, inv.AcceptedBy = now, userID
		put(t, s.invitations, inv.ID, inv)
		m = withMemberRole(m)
		return nil
	})
	if err != nil {
		return storage.Member{}, err
	}
	return m, nil
}

// ListInvitations implements storage.Workspaces.
func (s *Store) ListInvitations(ctx context.Context, workspaceID string) ([]storage.Invitation, error) {
	var list []storage.Invitation
	err := s.do(ctx, func(*txn) error {
		for _, inv := range s.invitations {
			if inv.WorkspaceID == workspaceID && inv.AcceptedAt.IsZero() {
				list = append(list, inv)
			}
		}
		return nil
	})
	slices.SortFunc(list, func(a, b storage.Invitation) int {
		return cmp.Or(b.CreatedAt.Compare(a.CreatedAt), strings.Compare(a.ID, b.ID))
	})
	return list, err
}

// DeleteInvitation implements storage.Workspaces.
func (s *Store) DeleteInvitation(ctx context.Context, workspaceID, id string) error {
	return s.do(ctx, func(t *txn) error {
		inv, ok := s.invitations[id]
		if !ok || inv.WorkspaceID != workspaceID {
			return notFound("delete invitation of workspace "+workspaceID+":", id)
		}
		s.deleteInvitation(t, id)
		return nil
	})
}

// deleteInvitation removes the invitation id with its token.
func (s *Store) deleteInvitation(t *txn, id string) {
	del(t, s.inviteTokens, s.invitations[id].TokenHash)
	del(t, s.invitations, id)
}

// withMemberRole stores an empty role as member, as the contract says.
func withMemberRole(m storage.Member) storage.Member {
	if m.Role == "" {
		m.Role = storage.WorkspaceMember
	}
	return m
}

// firstOf returns the first p.EffectiveLimit() of a sorted listing.
func firstOf[T any](all []T, p storage.Page) []T {
	if len(all) > p.EffectiveLimit() {
		return all[:p.EffectiveLimit()]
	}
	return all
}
