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

type groupKey struct {
	workspaceID, id string
}

type groupNameKey struct {
	workspaceID, displayName string
}

type groupMemberKey struct {
	workspaceID, groupID, userID string
}

// scimMaps holds the SCIM tokens and groups.
type scimMaps struct {
	tokens       map[string]storage.SCIMToken // by ID
	groups       map[groupKey]storage.SCIMGroup
	groupNames   map[groupNameKey]string // display name → group ID
	groupMembers map[groupMemberKey]struct{}
}

func newSCIMMaps() scimMaps {
	return scimMaps{
		tokens:       map[string]storage.SCIMToken{},
		groups:       map[groupKey]storage.SCIMGroup{},
		groupNames:   map[groupNameKey]string{},
		groupMembers: map[groupMemberKey]struct{}{},
	}
}

// deleteWorkspaceSCIM removes the workspace's tokens and groups, as its
// deletion does.
func (s *Store) deleteWorkspaceSCIM(t *txn, workspaceID string) {
	delWhere(t, s.scim.tokens, func(_ string, tok storage.SCIMToken) bool { return tok.WorkspaceID == workspaceID })
	delWhere(t, s.scim.groups, func(k groupKey, _ storage.SCIMGroup) bool { return k.workspaceID == workspaceID })
	delWhere(t, s.scim.groupNames, func(k groupNameKey, _ string) bool { return k.workspaceID == workspaceID })
	delWhere(t, s.scim.groupMembers, func(k groupMemberKey, _ struct{}) bool { return k.workspaceID == workspaceID })
}

func cloneToken(t storage.SCIMToken) storage.SCIMToken {
	t.Hash = slices.Clone(t.Hash)
	return t
}

// CreateSCIMToken implements storage.SCIM.
func (s *Store) CreateSCIMToken(ctx context.Context, tok storage.SCIMToken) error {
	return s.do(ctx, func(t *txn) error {
		if _, ok := s.workspaces[tok.WorkspaceID]; !ok {
			return notFound("create scim token in workspace", tok.WorkspaceID)
		}
		if _, ok := s.scim.tokens[tok.ID]; ok {
			return exists("create scim token", tok.ID)
		}
		put(t, s.scim.tokens, tok.ID, cloneToken(tok))
		return nil
	})
}

// GetSCIMToken implements storage.SCIM.
func (s *Store) GetSCIMToken(ctx context.Context, id string) (storage.SCIMToken, error) {
	var tok storage.SCIMToken
	err := s.do(ctx, func(*txn) error {
		got, ok := s.scim.tokens[id]
		if !ok {
			return notFound("get scim token", id)
		}
		tok = cloneToken(got)
		return nil
	})
	return tok, err
}

// ListSCIMTokens implements storage.SCIM.
func (s *Store) ListSCIMTokens(ctx context.Context, workspaceID string) ([]storage.SCIMToken, error) {
	var list []storage.SCIMToken
	err := s.do(ctx, func(*txn) error {
		for _, tok := range s.scim.tokens {
			if tok.WorkspaceID == workspaceID {
				list = append(list, cloneToken(tok))
			}
		}
		return nil
	})
	slices.SortFunc(list, func(a, b storage.SCIMToken) int {
		return cmp.Or(b.CreatedAt.Compare(a.CreatedAt), strings.Compare(a.ID, b.ID))
	})
	return list, err
}

// TouchSCIMToken implements storage.SCIM.
func (s *Store) TouchSCIMToken(ctx context.Context, id string, at time.Time) error {
	return s.do(ctx, func(t *txn) error {
		tok, ok := s.scim.tokens[id]
		if !ok {
			return notFound("touch scim token", id)
		}
		tok.LastUsedAt = at
		put(t, s.scim.tokens, id, tok)
		return nil
	})
}

// RevokeSCIMToken implements storage.SCIM.
func (s *Store) RevokeSCIMToken(ctx context.Context, workspaceID, id string, at time.Time) error {
	return s.do(ctx, func(t *txn) error {
		tok, ok := s.scim.tokens[id]
		if !ok || tok.WorkspaceID != workspaceID {
			return notFound("revoke scim token of workspace "+workspaceID+":", id)
		}
		if tok.RevokedAt.IsZero() {
			tok.RevokedAt = at
			put(t, s.scim.tokens, id, tok)
		}
		return nil
	})
}

// CreateSCIMGroup implements storage.SCIM.
func (s *Store) CreateSCIMGroup(ctx context.Context, g storage.SCIMGroup) error {
	return s.do(ctx, func(t *txn) error {
		if _, ok := s.workspaces[g.WorkspaceID]; !ok {
			return notFound("create scim group in workspace", g.WorkspaceID)
		}
		for k := range s.scim.groups {
			if k.id == g.ID {
				return exists("create scim group", g.ID)
			}
		}
		name := groupNameKey{g.WorkspaceID, g.DisplayName}
		if _, ok := s.scim.groupNames[name]; ok {
			return exists("create scim group named", g.DisplayName)
		}
		put(t, s.scim.groups, groupKey{g.WorkspaceID, g.ID}, g)
		put(t, s.scim.groupNames, name, g.ID)
		return nil
	})
}

// group returns the workspace's group id, or ErrNotFound for what.
func (s *Store) group(workspaceID, id, what string) (storage.SCIMGroup, error) {
	g, ok := s.scim.groups[groupKey{workspaceID, id}]
	if !ok {
		return storage.SCIMGroup{}, notFound(what+" of workspace "+workspaceID+": group", id)
	}
	return g, nil
}

// GetSCIMGroup implements storage.SCIM.
func (s *Store) GetSCIMGroup(ctx context.Context, workspaceID, id string) (storage.SCIMGroup, error) {
	var g storage.SCIMGroup
	err := s.do(ctx, func(*txn) error {
		var err error
		g, err = s.group(workspaceID, id, "get scim group")
		return err
	})
	return g, err
}

// ListSCIMGroups implements storage.SCIM.
func (s *Store) ListSCIMGroups(ctx context.Context, workspaceID string, p storage.Page) ([]storage.SCIMGroup, error) {
	var all []storage.SCIMGroup
	err := s.do(ctx, func(*txn) error {
		for k, g := range s.scim.groups {
			if k.workspaceID == workspaceID && k.id > p.After {
				all = append(all, g)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(all, func(a, b storage.SCIMGroup) int { return strings.Compare(a.ID, b.ID) })
	return firstOf(all, p), nil
}

// UpdateSCIMGroup implements storage.SCIM.
func (s *Store) UpdateSCIMGroup(ctx context.Context, workspaceID, id string, update func(storage.SCIMGroup) (storage.SCIMGroup, error)) (storage.SCIMGroup, error) {
	var g storage.SCIMGroup
	err := s.do(ctx, func(t *txn) error {
		old, err := s.group(workspaceID, id, "update scim group")
		if err != nil {
			return err
		}
		next, err := update(old)
		if err != nil {
			return err
		}
		if next.ID != id || next.WorkspaceID != workspaceID {
			return fmt.Errorf("memory: update scim group %s of workspace %s: the ID and the workspace cannot change", id, workspaceID)
		}
		if next.DisplayName != old.DisplayName {
			name := groupNameKey{workspaceID, next.DisplayName}
			if _, taken := s.scim.groupNames[name]; taken {
				return exists("update scim group "+id+": display name", next.DisplayName)
			}
			del(t, s.scim.groupNames, groupNameKey{workspaceID, old.DisplayName})
			put(t, s.scim.groupNames, name, id)
		}
		put(t, s.scim.groups, groupKey{workspaceID, id}, next)
		g = next
		return nil
	})
	return g, err
}

// DeleteSCIMGroup implements storage.SCIM.
func (s *Store) DeleteSCIMGroup(ctx context.Context, workspaceID, id string) error {
	return s.do(ctx, func(t *txn) error {
		g, err := s.group(workspaceID, id, "delete scim group")
		if err != nil {
			return err
		}
		del(t, s.scim.groups, groupKey{workspaceID, id})
		del(t, s.scim.groupNames, groupNameKey{workspaceID, g.DisplayName})
		delWhere(t, s.scim.groupMembers, func(k groupMemberKey, _ struct{}) bool {
			return k.workspaceID == workspaceID && k.groupID == id
		})
		return nil
	})
}

// AddSCIMGroupMember implements storage.SCIM.
func (s *Store) AddSCIMGroupMember(ctx context.Context, workspaceID, groupID, userID string) error {
	return s.do(ctx, func(t *txn) error {
		if _, err := s.group(workspaceID, groupID, "add to scim group"); err != nil {
			return err
		}
		if _, ok := s.members[memberKey{workspaceID, userID}]; !ok {
			return notFound("add to scim group "+groupID+": member of workspace "+workspaceID, userID)
		}
		put(t, s.scim.groupMembers, groupMemberKey{workspaceID, groupID, userID}, struct{}{})
		return nil
	})
}

// RemoveSCIMGroupMember implements storage.SCIM.
func (s *Store) RemoveSCIMGroupMember(ctx context.Context, workspaceID, groupID, userID string) error {
	return s.do(ctx, func(t *txn) error {
		if _, err := s.group(workspaceID, groupID, "remove from scim group"); err != nil {
			return err
		}
		del(t, s.scim.groupMembers, groupMemberKey{workspaceID, groupID, userID})
		return nil
	})
}

// ListSCIMGroupMembers implements storage.SCIM.
func (s *Store) ListSCIMGroupMembers(ctx context.Context, workspaceID, groupID string) ([]string, error) {
	var ids []string
	err := s.do(ctx, func(*txn) error {
		if _, err := s.group(workspaceID, groupID, "list scim group members"); err != nil {
			return err
		}
		for k := range s.scim.groupMembers {
			if k.workspaceID == workspaceID && k.groupID == groupID {
				ids = append(ids, k.userID)
			}
		}
		return nil
	})
	slices.Sort(ids)
	return ids, err
}
