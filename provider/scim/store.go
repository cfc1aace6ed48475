package scim

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/tokenim/tokenim-auth/provider/audit"
	"github.com/tokenim/tokenim-auth/provider/defaults"
	"github.com/tokenim/tokenim-auth/storage"
)

// Backend is what Store reads and changes.
type Backend interface {
	storage.Users
	storage.Workspaces
	storage.SCIM
	storage.Transactor
	// DeleteUserLoginSessions ends the account's browser sessions,
	// queuing their back-channel logouts.
	DeleteUserLoginSessions(ctx context.Context, userID string) (int, error)
	// RevokeSubject revokes the account's tokens.
	RevokeSubject(ctx context.Context, subject, clientID string) (int, error)
}

// Store implements Members and Groups over storage, recording each change
// in the same transaction.
//
// It is the stand-in for the workspace service (membership rules in one
// place): until the SCIM endpoints are pointed at that, it repeats these
// of its rules: a workspace keeps an active owner (the last-owner check
// under the workspace's row lock, as storage.Workspaces.CountMembers
// describes); a removed or suspended member is signed out everywhere and
// their tokens revoked (the admin console's "sign out everywhere").
type Store struct {
	db    Backend
	audit *audit.Recorder
	now   func() time.Time
}

var (
	_ Members = (*Store)(nil)
	_ Groups  = (*Store)(nil)
)

// NewStore returns the adapter over db; now defaults to time.Now.
func NewStore(db Backend, records *audit.Recorder, now func() time.Time) *Store {
	return &Store{db: db, audit: records, now: defaults.Now(now)}
}

// inTx runs fn and records the events it returns in one transaction.
func (s *Store) inTx(ctx context.Context, fn func(ctx context.Context) ([]audit.Event, error)) error {
	return storage.InTx(ctx, s.db, func(ctx context.Context) error {
		events, err := fn(ctx)
		if err != nil {
			return err
		}
		for _, e := range events {
			if err := s.audit.Record(ctx, e); err != nil {
				return err
			}
		}
		return nil
	})
}

func (s *Store) stamp() time.Time { return s.now().UTC().Truncate(time.Second) }

// event is e by actor in the workspace.
func event(by Actor, workspaceID string, e audit.Event) audit.Event {
	// The record names its workspace, so that the console's records of
	// the workspace (storage.AuditFilter.WorkspaceID) show it.
	e.ActorType, e.ActorID, e.WorkspaceID = by.Type, by.ID, workspaceID
	if e.Detail == nil {
		e.Detail = map[string]string{}
	}
	e.Detail["workspace"] = workspaceID
	return e
}

// Provision implements Members.
func (s *Store) Provision(ctx context.Context, by Actor, workspaceID string, p Profile) (Member, error) {
	var out Member
	err := s.inTx(ctx, func(ctx context.Context) ([]audit.Event, error) {
		if _, err := s.db.GetWorkspace(ctx, workspaceID); err != nil {
			return nil, err
		}
		now := s.stamp()
		u, err := s.db.GetUserByEmail(ctx, p.Email)
		created := errors.Is(err, storage.ErrNotFound)
		switch {
		case created:
			u = storage.User{ID: uuid.NewString(), Email: p.Email, Name: p.Name, Status: storage.UserActive, CreatedAt: now, UpdatedAt: now}
			if err := s.db.CreateUser(ctx, u); err != nil {
				return nil, fmt.Errorf("create the account: %w", err)
			}
			if u, err = s.db.GetUser(ctx, u.ID); err != nil {
				return nil, err
			}
		case err != nil:
			return nil, err
		}
		m := storage.Member{WorkspaceID: workspaceID, UserID: u.ID, Role: storage.WorkspaceMember, JoinedAt: now,
			ExternalID: p.ExternalID, Suspended: !p.Active}
		if created && workspaceID == storage.DefaultWorkspaceID {
			// CreateUser made the account a member of the default
			// workspace already.
			m, err = s.db.UpdateMember(ctx, workspaceID, u.ID, func(old storage.Member) (storage.Member, error) {
				old.ExternalID, old.Suspended = m.ExternalID, m.Suspended
				return old, nil
			})
		} else {
			err = s.db.AddMember(ctx, m)
		}
		if err != nil {
			return nil, err
		}
		out = Member{User: u, Membership: m}
		return []audit.Event{event(by, workspaceID, audit.Event{Action: audit.SCIMUserProvisioned, Subject: u.ID,
			Detail: map[string]string{"created": strconv.FormatBool(created)}})}, nil
	})
	return out, err
}

// Member implements Members.
func (s *Store) Member(ctx context.Context, workspaceID, userID string) (Member, error) {
	m, err := s.db.GetMember(ctx, workspaceID, userID)
	if err != nil {
		return Member{}, err
	}
	u, err := s.db.GetUser(ctx, userID)
	if err != nil {
		return Member{}, err
	}
	return Member{User: u, Membership: m}, nil
}

// MemberByEmail implements Members.
func (s *Store) MemberByEmail(ctx context.Context, workspaceID, email string) (Member, error) {
	u, err := s.db.GetUserByEmail(ctx, email)
	if err != nil {
		return Member{}, err
	}
	m, err := s.db.GetMember(ctx, workspaceID, u.ID)
	if err != nil {
		return Member{}, err
	}
	return Member{User: u, Membership: m}, nil
}

// List implements Members.
func (s *Store) List(ctx context.Context, workspaceID, after string, limit int) ([]Member, error) {
	ms, err := s.db.ListMembers(ctx, workspaceID, storage.Page{After: after, Limit: limit})
	if err != nil {
		return nil, err
	}
	out := make([]Member, 0, len(ms))
	for _, m := range ms {
		u, err := s.db.GetUser(ctx, m.UserID)
		if err != nil {
			return nil, err
		}
		out = append(out, Member{User: u, Membership: m})
	}
	return out, nil
}

// Update implements Members.
func (s *Store) Update(ctx context.Context, by Actor, workspaceID, userID string, p Profile) (Member, error) {
	var out Member
	err := s.inTx(ctx, func(ctx context.Context) ([]audit.Event, error) {
		if err := s.lockWorkspace(ctx, workspaceID); err != nil {
			return nil, err
		}
		cur, err := s.Member(ctx, workspaceID, userID)
		if err != nil {
			return nil, err
		}
		if !strings.EqualFold(p.Email, cur.User.Email) {
			return nil, ErrEmailFixed
		}
		var events []audit.Event
		changed := map[string]string{}
		if p.Name != "" && p.Name != cur.User.Name {
			own, err := s.ownsProfile(ctx, workspaceID, userID)
			if err != nil {
				return nil, err
			}
			if own {
				before := cur.User.Name
				cur.User, err = s.db.UpdateUser(ctx, userID, func(u storage.User) (storage.User, error) {
					u.Name, u.UpdatedAt = p.Name, s.stamp()
					return u, nil
				})
				if err != nil {
					return nil, err
				}
				changed["name_before"], changed["name"] = before, p.Name
			}
		}
		suspend, reactivate := !p.Active && !cur.Membership.Suspended, p.Active && cur.Membership.Suspended
		if suspend {
			if err := s.keepOwner(ctx, cur.Membership); err != nil {
				return nil, err
			}
		}
		if p.ExternalID != cur.Membership.ExternalID {
			changed["external_id_before"], changed["external_id"] = cur.Membership.ExternalID, p.ExternalID
		}
		if len(changed) > 0 {
			events = append(events, event(by, workspaceID, audit.Event{Action: audit.SCIMUserChanged, Subject: userID, Detail: changed}))
		}
		if suspend || reactivate || p.ExternalID != cur.Membership.ExternalID {
			cur.Membership, err = s.db.UpdateMember(ctx, workspaceID, userID, func(m storage.Member) (storage.Member, error) {
				m.ExternalID, m.Suspended = p.ExternalID, !p.Active
				return m, nil
			})
			if err != nil {
				return nil, err
			}
		}
		switch {
		case suspend:
			detail, err := s.signOut(ctx, userID)
			if err != nil {
				return nil, err
			}
			events = append(events, event(by, workspaceID, audit.Event{Action: audit.SCIMUserSuspended, Subject: userID, Detail: detail}))
		case reactivate:
			events = append(events, event(by, workspaceID, audit.Event{Action: audit.SCIMUserReactivated, Subject: userID}))
		}
		out = cur
		return events, nil
	})
	return out, err
}

// Remove implements Members.
func (s *Store) Remove(ctx context.Context, by Actor, workspaceID, userID string) error {
	return s.inTx(ctx, func(ctx context.Context) ([]audit.Event, error) {
		if err := s.lockWorkspace(ctx, workspaceID); err != nil {
			return nil, err
		}
		m, err := s.db.GetMember(ctx, workspaceID, userID)
		if err != nil {
			return nil, err
		}
		if !m.Suspended {
			if err := s.keepOwner(ctx, m); err != nil {
				return nil, err
			}
		}
		if err := s.db.RemoveMember(ctx, workspaceID, userID); err != nil {
			return nil, err
		}
		detail, err := s.signOut(ctx, userID)
		if err != nil {
			return nil, err
		}
		return []audit.Event{event(by, workspaceID, audit.Event{Action: audit.SCIMUserRemoved, Subject: userID, Detail: detail})}, nil
	})
}

// lockWorkspace locks the workspace's row until the transaction ends, so
// that changes of its owners run one after another
// (storage.Workspaces.CountMembers).
func (s *Store) lockWorkspace(ctx context.Context, workspaceID string) error {
	_, err := s.db.UpdateWorkspace(ctx, workspaceID, func(w storage.Workspace) (storage.Workspace, error) { return w, nil })
	return err
}

// keepOwner refuses to switch off m when it is the workspace's last
// active owner.
func (s *Store) keepOwner(ctx context.Context, m storage.Member) error {
	if m.Role != storage.WorkspaceOwner {
		return nil
	}
	active, after := 0, ""
	for {
		page, err := s.db.ListMembers(ctx, m.WorkspaceID, storage.Page{After: after, Limit: storage.DefaultPageLimit})
		if err != nil {
			return err
		}
		for _, o := range page {
			if o.Role == storage.WorkspaceOwner && !o.Suspended && o.UserID != m.UserID {
				active++
			}
		}
		if active > 0 {
			return nil
		}
		if len(page) < storage.DefaultPageLimit {
			return ErrLastOwner
		}
		after = page[len(page)-1].UserID
	}
}

// ownsProfile reports whether the account is a member of no workspace
// but workspaceID and the default one: only then does this workspace's
// directory change its name.
func (s *Store) ownsProfile(ctx context.Context, workspaceID, userID string) (bool, error) {
	ms, err := s.db.ListUserWorkspaces(ctx, userID)
	if err != nil {
		return false, err
	}
	return !slices.ContainsFunc(ms, func(m storage.Member) bool {
		return m.WorkspaceID != workspaceID && m.WorkspaceID != storage.DefaultWorkspaceID
	}), nil
}

// signOut ends the account's sessions and revokes its tokens, and returns
// the counts for the record.
func (s *Store) signOut(ctx context.Context, userID string) (map[string]string, error) {
	sessions, err := s.db.DeleteUserLoginSessions(ctx, userID)
	if err != nil {
		return nil, fmt.Errorf("end the account's sessions: %w", err)
	}
	tokens, err := s.db.RevokeSubject(ctx, userID, "")
	if err != nil {
		return nil, fmt.Errorf("revoke the account's tokens: %w", err)
	}
	return map[string]string{"sessions_ended": strconv.Itoa(sessions), "tokens_revoked": strconv.Itoa(tokens)}, nil
}

// CreateGroup implements Groups.
func (s *Store) CreateGroup(ctx context.Context, by Actor, workspaceID string, g Group) (Group, error) {
	now := s.stamp()
	g.ID, g.WorkspaceID, g.CreatedAt, g.UpdatedAt = uuid.NewString(), workspaceID, now, now
	g.Members = distinct(g.Members)
	err := s.inTx(ctx, func(ctx context.Context) ([]audit.Event, error) {
		if err := s.db.CreateSCIMGroup(ctx, g.SCIMGroup); err != nil {
			return nil, err
		}
		if err := s.addMembers(ctx, workspaceID, g.ID, g.Members); err != nil {
			return nil, err
		}
		return []audit.Event{event(by, workspaceID, audit.Event{Action: audit.SCIMGroupCreated,
			Detail: map[string]string{"group": g.ID, "name": g.DisplayName, "members": strconv.Itoa(len(g.Members))}})}, nil
	})
	if err != nil {
		return Group{}, err
	}
	return g, nil
}

// addMembers puts each of ids in the group.
func (s *Store) addMembers(ctx context.Context, workspaceID, groupID string, ids []string) error {
	for _, id := range ids {
		err := s.db.AddSCIMGroupMember(ctx, workspaceID, groupID, id)
		if errors.Is(err, storage.ErrNotFound) {
			return fmt.Errorf("%w: %q", ErrNotMember, id)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// Group implements Groups.
func (s *Store) Group(ctx context.Context, workspaceID, id string) (Group, error) {
	g, err := s.db.GetSCIMGroup(ctx, workspaceID, id)
	if err != nil {
		return Group{}, err
	}
	return s.withMembers(ctx, g)
}

func (s *Store) withMembers(ctx context.Context, g storage.SCIMGroup) (Group, error) {
	ids, err := s.db.ListSCIMGroupMembers(ctx, g.WorkspaceID, g.ID)
	if err != nil {
		return Group{}, err
	}
	return Group{SCIMGroup: g, Members: ids}, nil
}

// ListGroups implements Groups.
func (s *Store) ListGroups(ctx context.Context, workspaceID, after string, limit int) ([]Group, error) {
	gs, err := s.db.ListSCIMGroups(ctx, workspaceID, storage.Page{After: after, Limit: limit})
	if err != nil {
		return nil, err
	}
	out := make([]Group, 0, len(gs))
	for _, g := range gs {
		wm, err := s.withMembers(ctx, g)
		if err != nil {
			return nil, err
		}
		out = append(out, wm)
	}
	return out, nil
}

// ChangeGroup implements Groups.
func (s *Store) ChangeGroup(ctx context.Context, by Actor, workspaceID, id string, c GroupChange) (Group, error) {
	var out Group
	err := s.inTx(ctx, func(ctx context.Context) ([]audit.Event, error) {
		g, err := s.db.UpdateSCIMGroup(ctx, workspaceID, id, func(g storage.SCIMGroup) (storage.SCIMGroup, error) {
			if c.DisplayName != nil {
				g.DisplayName = *c.DisplayName
			}
			if c.ExternalID != nil {
				g.ExternalID = *c.ExternalID
			}
			g.UpdatedAt = s.stamp()
			return g, nil
		})
		if err != nil {
			return nil, err
		}
		before, err := s.db.ListSCIMGroupMembers(ctx, workspaceID, id)
		if err != nil {
			return nil, err
		}
		want := before
		switch {
		case c.RemoveAll:
			want = nil
		case c.Members != nil:
			want = *c.Members
		}
		want = distinct(append(slices.Clone(want), c.Add...))
		want = slices.DeleteFunc(want, func(m string) bool { return slices.Contains(c.Remove, m) })
		added := slices.DeleteFunc(slices.Clone(want), func(m string) bool { return slices.Contains(before, m) })
		removed := slices.DeleteFunc(slices.Clone(before), func(m string) bool { return slices.Contains(want, m) })
		if err := s.addMembers(ctx, workspaceID, id, added); err != nil {
			return nil, err
		}
		for _, m := range removed {
			if err := s.db.RemoveSCIMGroupMember(ctx, workspaceID, id, m); err != nil {
				return nil, err
			}
		}
		slices.Sort(want)
		out = Group{SCIMGroup: g, Members: want}
		return []audit.Event{event(by, workspaceID, audit.Event{Action: audit.SCIMGroupChanged, Detail: map[string]string{
			"group": id, "name": g.DisplayName, "added": strconv.Itoa(len(added)), "removed": strconv.Itoa(len(removed))}})}, nil
	})
	return out, err
}

// DeleteGroup implements Groups.
func (s *Store) DeleteGroup(ctx context.Context, by Actor, workspaceID, id string) error {
	return s.inTx(ctx, func(ctx context.Context) ([]audit.Event, error) {
		g, err := s.db.GetSCIMGroup(ctx, workspaceID, id)
		if err != nil {
			return nil, err
		}
		if err := s.db.DeleteSCIMGroup(ctx, workspaceID, id); err != nil {
			return nil, err
		}
		return []audit.Event{event(by, workspaceID, audit.Event{Action: audit.SCIMGroupDeleted,
			Detail: map[string]string{"group": id, "name": g.DisplayName}})}, nil
	})
}

// distinct returns ids without repeats, sorted.
func distinct(ids []string) []string {
	out := slices.Clone(ids)
	slices.Sort(out)
	return slices.Compact(out)
}
