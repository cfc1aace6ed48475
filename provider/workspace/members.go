package workspace

import (
	"context"
	"errors"

	"github.com/tokenim/tokenim-auth/provider/audit"
	"github.com/tokenim/tokenim-auth/storage"
)

// AddMember makes an account a member of the workspace with role.
// ErrAlreadyMember if it is one; storage.ErrNotFound if the workspace or
// the account does not exist.
func (s *Service) AddMember(ctx context.Context, by audit.Actor, workspaceID, userID, role string) (storage.Member, error) {
	if err := s.cfg.Roles.Check(role); err != nil {
		return storage.Member{}, err
	}
	m := storage.Member{WorkspaceID: workspaceID, UserID: userID, Role: role, JoinedAt: s.now()}
	err := s.inTx(ctx, func(ctx context.Context) ([]audit.Event, error) {
		if err := s.cfg.Store.AddMember(ctx, m); err != nil {
			if errors.Is(err, storage.ErrAlreadyExists) {
				return nil, ErrAlreadyMember
			}
			return nil, err
		}
		return []audit.Event{by.On(audit.Event{Action: audit.MemberAdded, WorkspaceID: workspaceID, Subject: userID,
			Detail: map[string]string{"role": role}})}, nil
	})
	return m, err
}

// ChangeRole gives a member another role and revokes their tokens of the
// workspace, which the old role capped (the member's apps ask again, and
// get what the new role allows). ErrLastOwner if it is the
// workspace's last owner and role is not owner; storage.ErrNotFound if
// the account is not a member. check, when set, is asked first with the
// member's current role (MayChange for a member making the change).
func (s *Service) ChangeRole(ctx context.Context, by audit.Actor, workspaceID, userID, role string, check func(from string) error) (storage.Member, error) {
	if err := s.cfg.Roles.Check(role); err != nil {
		return storage.Member{}, err
	}
	var out storage.Member
	err := s.inTx(ctx, func(ctx context.Context) ([]audit.Event, error) {
		before, err := s.ownerChange(ctx, workspaceID, userID, role, check)
		if err != nil {
			return nil, err
		}
		if before.Role == role {
			out = before
			return nil, nil
		}
		out, err = s.cfg.Store.UpdateMember(ctx, workspaceID, userID, func(m storage.Member) (storage.Member, error) {
			m.Role = role
			return m, nil
		})
		if err != nil {
			return nil, err
		}
		if err := s.cfg.Revoker.RevokeMember(ctx, workspaceID, userID); err != nil {
			return nil, err
		}
		return []audit.Event{by.On(audit.Event{Action: audit.MemberRoleChanged, WorkspaceID: workspaceID, Subject: userID,
			Detail: map[string]string{"from": before.Role, "to": role}})}, nil
	})
	return out, err
}

// RemoveMember ends a member's membership and revokes their tokens of
// the workspace. ErrLastOwner for the last owner; storage.ErrNotFound if
// the account is not a member. check is as ChangeRole's.
func (s *Service) RemoveMember(ctx context.Context, by audit.Actor, workspaceID, userID string, check func(from string) error) error {
	return s.remove(ctx, by.On(audit.Event{Action: audit.MemberRemoved}), workspaceID, userID, check)
}

// Leave ends the user's own membership, revoking their tokens of the
// workspace. ErrLastOwner for the last owner; storage.ErrNotFound if the
// user is not a member.
func (s *Service) Leave(ctx context.Context, workspaceID, userID string) error {
	return s.remove(ctx, audit.Event{Action: audit.MemberLeft}.ByUser(userID), workspaceID, userID, nil)
}

func (s *Service) remove(ctx context.Context, e audit.Event, workspaceID, userID string, check func(from string) error) error {
	return s.inTx(ctx, func(ctx context.Context) ([]audit.Event, error) {
		before, err := s.ownerChange(ctx, workspaceID, userID, "", check)
		if err != nil {
			return nil, err
		}
		if err := s.cfg.Store.RemoveMember(ctx, workspaceID, userID); err != nil {
			return nil, err
		}
		if err := s.cfg.Revoker.RevokeMember(ctx, workspaceID, userID); err != nil {
			return nil, err
		}
		e.WorkspaceID, e.Subject, e.Detail = workspaceID, userID, map[string]string{"role": before.Role}
		return []audit.Event{e}, nil
	})
}

// ownerChange, in the caller's transaction, locks the workspace, reads
// the membership about to change to role (empty: removed), asks check,
// and refuses to take the last owner's role (ErrLastOwner).
func (s *Service) ownerChange(ctx context.Context, workspaceID, userID, role string, check func(from string) error) (storage.Member, error) {
	if _, err := s.lock(ctx, workspaceID); err != nil {
		return storage.Member{}, err
	}
	m, err := s.cfg.Store.GetMember(ctx, workspaceID, userID)
	if err != nil {
		return m, err
	}
	if check != nil {
		if err := check(m.Role); err != nil {
			return m, err
		}
	}
	if role != storage.WorkspaceOwner {
		return m, KeepOwner(ctx, s.cfg.Store, m)
	}
	return m, nil
}
